"""``ilo tools``: the tools a provider config offers, as the reference's ``tools_cmd`` lists them.

    ilo tools [-m|--mcp FILE] [-t|--tools FILE] [--human|--ilo|--json] [--full] [--graph]

At least one config is needed; both may be given. HTTP tools (sorted by name) come first;
they carry no types. MCP tools follow in the order their servers list them (the servers are
started to ask). Formats: ``--human`` (default; names only unless ``--full``: name, description
and signature in columns), ``--ilo`` (tool declarations a program could paste: HTTP tools as
``tool NAME"" > R t t``), ``--json`` (an array of ``{"name", "source", "description",
"params", "return"}``, pretty-printed). ``--graph`` adds the composition table: which MCP
tools accept what each one returns. Errors go to stderr, exit 1.
"""

from __future__ import annotations

import json
import sys

from ilo.syntax.unparse import unparse_type

USAGE = "Usage: ilo tools [-m <path>] [-t <path>] [--human|--ilo|--json] [--full] [--graph]"
NO_SOURCE_USAGE = "Usage: ilo tools [--mcp <path>] [--tools <path>] [--human|--ilo|--json] [--full] [--graph]"


def main(argv: list[str]) -> int:
    from ilo.toolprov import ProviderError, http_provider, mcp_provider

    mcp_path = http_path = None
    fmt, full, graph = "human", False, False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--mcp", "-m", "--tools", "-t"):
            if i + 1 >= len(argv):
                print(f"error: {'--mcp' if a in ('--mcp', '-m') else '--tools'} requires a path", file=sys.stderr)
                return 1
            if a in ("--mcp", "-m"):
                mcp_path = argv[i + 1]
            else:
                http_path = argv[i + 1]
            i += 2
            continue
        if a in ("--human", "--ilo", "--json"):
            fmt = a[2:]
        elif a in ("--full", "-f"):
            full = True
        elif a in ("--graph", "-g"):
            graph = True
        else:
            print(f"unknown flag: {a}\n{USAGE}", file=sys.stderr)
            return 1
        i += 1
    if mcp_path is None and http_path is None:
        print("error: ilo tools requires at least one of --mcp <path> or --tools <path>\n" + NO_SOURCE_USAGE,
              file=sys.stderr)
        return 1
    full = full or graph or fmt != "human"
    http_names: list[str] = []
    tools: list = []
    try:
        if http_path is not None:
            http_names = http_provider(http_path).names()
        if mcp_path is not None:
            provider = mcp_provider(mcp_path)
            tools = [t.decl for t in provider.tools]
            provider.close()
    except ProviderError as e:
        print(e, file=sys.stderr)
        return 1
    out = sys.stdout
    if fmt == "human":
        for name in http_names:
            out.write(f"{name:<32} (http tool \u2014 no type info)\n" if full else f"{name}\n")
        for t in tools:
            out.write(f"{t.name:<32} {t.description:<44} {signature(t.params, t.ret)}\n" if full else f"{t.name}\n")
    elif fmt == "ilo":
        for name in http_names:
            out.write(f'tool {name}"" > R t t\n')
        for t in tools:
            out.write(dense_decl(t) + "\n")
    else:
        items = [{"description": None, "name": n, "params": [], "return": None, "source": "http"} for n in http_names]
        items += [{"description": t.description, "name": t.name,
                   "params": [{"name": p.name, "type": unparse_type(p.ty)} for p in t.params],
                   "return": unparse_type(t.ret), "source": "mcp"} for t in tools]
        out.write(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
    if graph:
        out.write(composition_graph(tools))
    return 0


def signature(params, ret) -> str:
    ps = " ".join(f"{p.name}:{unparse_type(p.ty)}" for p in params)
    return f"{ps} > {unparse_type(ret)}" if ps else f"> {unparse_type(ret)}"


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def dense_decl(t) -> str:
    """A tool declaration in the reference formatter's dense form: ``tool name"desc" a:t>R t t``."""
    params = " " + " ".join(f"{p.name}:{unparse_type(p.ty)}" for p in t.params) if t.params else ""
    return f'tool {t.name}"{_escape(t.description)}"{params}>{unparse_type(t.ret)}'


def _pipes(out, param) -> bool:
    """Can a value of type ``out`` feed a parameter of type ``param`` (permissive, as the
    reference: unknown, named and ``_`` types match anything)."""
    from ilo import types as ty

    if isinstance(param, ty.TOpt):
        param = param.inner
    loose = (ty.TNamed, ty.TAny, ty.TVar)
    if isinstance(out, loose) or isinstance(param, loose):
        return True
    if type(out) is type(param) and isinstance(out, (ty.TNum, ty.TText, ty.TBool)):
        return True
    if isinstance(out, ty.TList) and isinstance(param, ty.TList):
        return _pipes(out.elem, param.elem)
    if isinstance(out, ty.TMap) and isinstance(param, ty.TMap):
        return _pipes(out.key, param.key) and _pipes(out.value, param.value)
    if isinstance(out, ty.TResult) and isinstance(param, ty.TResult):
        return _pipes(out.ok, param.ok) and _pipes(out.err, param.err)
    sums = (isinstance(out, ty.TSum), isinstance(param, ty.TSum))
    return (sums[0] and (sums[1] or isinstance(param, ty.TText))) or (sums[1] and isinstance(out, ty.TText))


def composition_graph(tools: list) -> str:
    from ilo import types as ty

    if not tools:
        return "(no typed tools \u2014 graph requires MCP source)\n"
    name_w = max(8, max(len(t.name) for t in tools))
    sig_w = 36
    lines = ["Tool composition graph", "", f"{'tool':<{name_w}}  {'signature':<{sig_w}}  feeds \u2192",
             "\u2500" * (name_w + 2 + sig_w + 2 + 40)]
    for src in tools:
        sig = signature(src.params, src.ret)
        out_ty = src.ret.ok if isinstance(src.ret, ty.TResult) else src.ret
        consumers = sorted(d.name for d in tools if d.name != src.name and any(_pipes(out_ty, p.ty) for p in d.params))
        feeds = ", ".join(consumers) if consumers else "\u2014"
        if len(sig) > sig_w:
            sig = sig[: sig_w - 1] + "\u2026"
        lines.append(f"{src.name:<{name_w}}  {sig:<{sig_w}}  {feeds}")
    return "\n".join(lines) + "\n\n"
