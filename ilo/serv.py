"""``ilo serv``: a long-lived JSON request/response loop on stdin/stdout, for agents.

In: one JSON object per line on stdin. Out: one JSON object per line on stdout, the first
being ``{"ready":true}``. The protocol is the reference CLI's (``ilo serv``), so its
requests work unchanged:

    {"program": SRC, "func": NAME?, "args": [..]?}
    -> {"ok": VALUE, "ms": N}
    -> {"error": {"phase": "program", "value": V}, "ms": N}          the function returned ^V
    -> {"error": {"phase": "lex"|"parse"|"verify"|"runtime", "diagnostics": [..],
                  "code": .., "message": ..}}                        (a diagnostic, as --json)
    -> {"error": {"phase": "request", "message": ..}}                not a usable request

``args`` are command-line words (``"5"``, ``"1,2,3"``), converted by the parameter's type as
``ilo PROGRAM f 5`` would; JSON numbers, booleans, lists and objects are also accepted and
passed as values. Optional fields of ours: ``"engine"`` (``tree``/``vm``/``jit``),
``"max_steps"`` and ``"timeout"`` (per-request limits, ILO-R015), ``"id"`` (echoed back in
the response) and ``"jit_stats": true`` (what the JIT did for this request). What the program
prints (``prnt``) is returned in a ``"stdout"`` field, never written between protocol lines. A request
``{"stats": true}`` answers with the server's counters instead of running anything.

Why it is fast: a program seen before (same source text) is neither parsed, verified nor
compiled again, and its JIT tier, with its kernels, stays warm across requests. The cache is
a bounded LRU (``--cache N`` programs), so memory does not grow with the number of requests.
It never dies on a request: every failure, including an engine bug, becomes an error
response and the loop reads the next line; end of input exits 0.

Who calls it: ``ilo serv`` (``ilo.cli`` dispatches here) and ``python -m ilo.serv``.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from collections import OrderedDict

from ilo.diagnostics.diagnostic import Diagnostic, IloError

DEFAULT_CACHE = 256  # programs kept; an agent's working set is a handful of programs
_PHASES = {"L": "lex", "P": "parse", "T": "verify", "R": "runtime"}
_ENGINES = ("tree", "vm", "jit")


class ProgramCache:
    """Loaded programs (or the load error) by source text, least recently used dropped first.

    A cached ``Program`` keeps its compiled bytecode and its JIT tiers, which is what makes a
    repeated request skip every stage before running."""

    def __init__(self, capacity: int = DEFAULT_CACHE, loader=None):
        self.capacity = max(1, capacity)
        self.loader = loader  # has .load(source): the tool providers' (MCP tools declared)
        self._items: OrderedDict[str, object] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, source: str):
        """The ``Program`` for ``source``; raises the (cached) ``IloError`` if it does not load."""
        found = self._items.get(source)
        if found is None:
            self.misses += 1
            from ilo import api

            try:
                found = (self.loader or api).load(source)
            except IloError as e:
                found = e
            self._items[source] = found
            if len(self._items) > self.capacity:
                self._items.popitem(last=False)
        else:
            self.hits += 1
            self._items.move_to_end(source)
        if isinstance(found, IloError):
            raise found
        return found


class Server:
    """The request handler, separate from the stdin/stdout loop so it can be tested directly."""

    def __init__(self, cache_size: int = DEFAULT_CACHE, engine: str | None = None,
                 max_steps: int | None = None, timeout: float | None = None, providers=None):
        # providers: an ilo.toolprov.Providers (``--tools`` / ``--mcp``), or None (stub tools)
        self.providers = providers
        self.cache = ProgramCache(cache_size, providers)
        self.engine = engine
        self.max_steps = max_steps
        self.timeout = timeout
        self.requests = 0
        self.errors = 0

    # ── one request ──

    def handle_line(self, line: str) -> dict:
        """The response to one request line; never raises (except KeyboardInterrupt)."""
        self.requests += 1
        from ilo.runtime.builtins.jsonfmt import JsonError, loads

        try:
            req = loads(line.strip())  # serde_json's wording in the message, as the reference's
        except (JsonError, ValueError, RecursionError) as e:
            return self._fail({"phase": "request", "message": f"invalid JSON: {e}"})
        rid = req.get("id") if isinstance(req, dict) else None
        try:
            resp = self.handle(req)
        except Exception as e:  # noqa: BLE001 - an engine bug must not end the loop
            diag = Diagnostic("ILO-R013", f"internal error: {type(e).__name__}: {e}")
            resp = {"error": _diag_error("runtime", [diag], None)}
        if "error" in resp:
            self.errors += 1
        if rid is not None:
            resp["id"] = rid
        return resp

    def handle(self, req) -> dict:
        if not isinstance(req, dict):
            return {"error": {"phase": "request", "message": "a request is a JSON object"}}
        if req.get("stats") is True and "program" not in req:
            return {"ok": self.stats()}
        bad = _check_request(req)
        if bad:
            return {"error": {"phase": "request", "message": bad}}
        start = time.perf_counter()
        source = req["program"]
        try:
            program = self.cache.get(source)
        except IloError as e:
            phase = _PHASES.get(e.diagnostics[0].code[4:5], "parse") if e.diagnostics else "parse"
            return {"error": _diag_error(phase, e.diagnostics, getattr(e, "source", None))}
        engine = req.get("engine") or self.engine
        limits = {"max_steps": req.get("max_steps", self.max_steps), "timeout": req.get("timeout", self.timeout)}
        kernels = _kernel_count()
        # What the program prints (`prnt`) must not land between protocol lines: it is
        # captured and sent in the response's "stdout" field.
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed), self._tools(program):
                name = program.resolve_function(req.get("func"))
                args = _arguments(program, name, req.get("args") or [])
                value = program.call(name, *args, engine=engine, **limits)
        except IloError as e:
            resp = {"error": _diag_error("runtime", e.diagnostics, program.source)}
            if printed.getvalue():
                resp["stdout"] = printed.getvalue()
            return resp
        resp = _value_response(value, start)
        if printed.getvalue():
            resp["stdout"] = printed.getvalue()
        if req.get("jit_stats") is True:
            resp["jit"] = _jit_summary(program, _kernel_count() - kernels)
        return resp

    def _tools(self, program):
        """Tool calls of this request go to the providers (with this program's declarations)."""
        return self.providers.active(program) if self.providers is not None else contextlib.nullcontext()

    def stats(self) -> dict:
        """Counters for ``{"stats": true}``: requests, program cache, JIT kernels in memory."""
        return {
            "requests": self.requests,
            "errors": self.errors,
            "programs": len(self.cache),
            "cache_capacity": self.cache.capacity,
            "cache_hits": self.cache.hits,
            "cache_misses": self.cache.misses,
            # Kernels built in this process (the JIT's in-memory cache): unchanged by a request
            # that reuses warm kernels.
            "kernels": _kernel_count(),
        }

    def _fail(self, error: dict) -> dict:
        self.errors += 1
        return {"error": error}


def _check_request(req: dict) -> str | None:
    if not isinstance(req.get("program"), str):
        return "missing field 'program' (the program's source text)"
    func = req.get("func")
    if func is not None and not isinstance(func, str):
        return "'func' must be a function name (text)"
    if not isinstance(req.get("args", []), (list, type(None))):
        return "'args' must be a list"
    engine = req.get("engine")
    if engine is not None and engine not in _ENGINES:
        return f"unknown engine {engine!r}; choose one of {', '.join(_ENGINES)}"
    for key in ("max_steps", "timeout"):
        v = req.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < 1e18):
            return f"'{key}' must be a non-negative number below 1e18"
    return None


def _arguments(program, name: str, raw: list) -> list:
    """Words convert by the parameter type, as on the command line; JSON values pass as is
    (``Program.call`` checks them against the declared types)."""
    from ilo import api

    return api.coerce_cli_args(program, name, raw)


def _diag_error(phase: str, diags: list, source) -> dict:
    from ilo.diagnostics.render import to_json_obj

    objs = [to_json_obj(d, source) for d in diags]
    err = {"phase": phase, "diagnostics": objs}
    if objs:  # the first diagnostic's code and message, for clients that read only those
        err["code"] = objs[0]["code"]
        err["message"] = objs[0]["message"]
    return err


def _value_response(value, start: float) -> dict:
    from ilo.runtime.values import Err, Ok

    ms = int((time.perf_counter() - start) * 1000)  # whole milliseconds, as the reference's as_millis
    if isinstance(value, Ok):  # a top-level ~v is unwrapped, as the reference does
        return {"ok": to_json(value.value, inside_ok=True), "ms": ms}
    if isinstance(value, Err):
        return {"error": {"phase": "program", "value": to_json(value.value)}, "ms": ms}
    return {"ok": to_json(value), "ms": ms}


def to_json(value, inside_ok: bool = False):
    """An ilo value's JSON text as a token the response writer copies unchanged: the
    reference's ``Value::to_json`` (``runtime/jsonvalue``, the text ``--json`` prints). A value
    holding a function has no JSON form: inside a top-level ``~`` it is null, elsewhere its
    display text, as the reference's serv answers."""
    from ilo.runtime import jsonvalue
    from ilo.runtime.builtins.jsonfmt import RawJson

    return RawJson(jsonvalue.ok_text(value) if inside_ok else jsonvalue.value_text(value))


def _kernel_count() -> int:
    """Kernels the JIT has built in this process (its in-memory caches: loop kernels and
    function kernels), read without importing the JIT when nothing has compiled yet."""
    total = 0
    for module, table in (("ilo.jit.cache", "_MEMORY"), ("ilo.jit.calls", "_MODULES")):
        found = sys.modules.get(module)
        total += 0 if found is None else len(getattr(found, table, ()))
    return total


def _jit_summary(program, built: int) -> dict:
    """``compiled``: loops and functions run as kernels in this request; ``built``: kernels
    that had to be built for it (0 when every kernel was warm); ``entries``: loop-kernel runs."""
    stats = program.last_jit_stats
    if stats is None:
        return {"compiled": 0, "built": built, "entries": 0, "fallbacks": 0}
    functions = len(getattr(stats, "functions", ()) or ())
    return {"compiled": len(stats.compiled) + functions, "built": built, "entries": stats.entries,
            "fallbacks": len(stats.fallbacks)}


# ── the loop ────────────────────────────────────────────────────────────────

USAGE = """\
usage: ilo serv [--engine tree|vm|jit] [--cache N] [--max-steps N] [--timeout SECONDS]
                [--tools FILE | --mcp FILE]

Reads one JSON request per line on stdin and writes one JSON response per line on stdout
(first {"ready":true}); see `ilo help serv`. Request: {"program": SRC, "func": NAME,
"args": [..]}, optional "engine", "max_steps", "timeout", "id", "jit_stats".
--tools FILE sends tool calls to HTTP endpoints, --mcp FILE to MCP servers (whose tools
every program may call undeclared); see `ilo help tools`.
"""


def parse_args(argv: list[str]) -> dict | str:
    """Options as keyword arguments for ``Server``, or a usage error message."""
    opts: dict = {}
    i = 0
    while i < len(argv):
        a = argv[i]
        key, _, inline = a.partition("=")
        if a in ("-j", "--json"):  # the protocol is always JSON; accepted as the reference does
            i += 1
            continue
        if key not in ("--engine", "--cache", "--max-steps", "--timeout", "--mcp", "-m", "--tools", "-t"):
            return f"unknown flag: {a}"
        if inline:
            value = inline
        elif i + 1 < len(argv):
            value = argv[i + 1]
            i += 1
        else:
            return f"{key} requires a path argument" if key in ("--mcp", "-m", "--tools", "-t") else f"{key} requires a value"
        i += 1
        try:
            if key == "--engine":
                if value not in _ENGINES:
                    return f"unknown engine {value!r}"
                opts["engine"] = value
            elif key == "--cache":
                opts["cache_size"] = int(value)
            elif key == "--max-steps":
                opts["max_steps"] = int(value)
            elif key == "--timeout":
                opts["timeout"] = float(value)
            else:  # the providers are opened by main, once, for every request
                opts["mcp" if key in ("--mcp", "-m") else "tools"] = value
        except ValueError:
            return f"{key}: not a number: {value!r}"
    return opts


def serve(stdin, stdout, server: Server) -> int:
    """Answer each non-blank line of ``stdin`` on ``stdout`` until end of input."""
    stdout.write('{"ready":true}\n')
    stdout.flush()
    for raw in stdin:
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if not line.strip():
            continue
        resp = server.handle_line(line)
        stdout.write(_dumps(resp) + "\n")
        stdout.flush()
    return 0


def _dumps(resp: dict) -> str:
    """A response line as the reference's serde_json writes it: compact, object keys sorted
    (its maps are ordered by key), numbers in serde_json's form (``1e20``, ``1e-7``)."""
    from ilo.runtime.builtins import jsonfmt

    try:
        return jsonfmt.render(_serde_tree(resp, jsonfmt))
    except (ValueError, TypeError, RecursionError) as e:  # never leave a request unanswered
        return json.dumps({"error": {"message": f"response not encodable: {e}", "phase": "runtime"}},
                          separators=(",", ":"))


def _serde_tree(x, jsonfmt):
    """Plain JSON data (``to_json``'s, the diagnostics') with every number as the rendered token
    ``jsonfmt.render`` writes unchanged."""
    t = type(x)
    if t is dict:
        return {k: _serde_tree(v, jsonfmt) for k, v in x.items()}
    if t is list:
        return [_serde_tree(v, jsonfmt) for v in x]
    if t is int or t is float:  # ints here are whole numbers below 1e15 and counters
        return jsonfmt.dump_tree(float(x))
    return x


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in argv):
        sys.stdout.write(USAGE)
        return 0
    opts = parse_args(argv)
    if isinstance(opts, str):
        print(f"ilo serv: {opts}", file=sys.stderr)
        sys.stderr.write(USAGE)
        return 2
    # A request's text is decoded leniently (a bad byte must not end the loop), and output is
    # UTF-8 whatever the locale, since clients parse it as JSON.
    stdin = getattr(sys.stdin, "buffer", sys.stdin)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8", errors="replace")
    tools, mcp, providers = opts.pop("tools", None), opts.pop("mcp", None), None
    if tools is not None or mcp is not None:
        from ilo.toolprov import ProviderError, open_providers

        try:
            providers = open_providers(tools=tools, mcp=mcp)
        except ProviderError as e:  # as the reference: the message alone, exit 1, no loop
            print(e, file=sys.stderr)
            return 1
    try:
        return serve(stdin, sys.stdout, Server(**opts, providers=providers))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the client went away
        return 0
    finally:
        if providers is not None:
            providers.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
