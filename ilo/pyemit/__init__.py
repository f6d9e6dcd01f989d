"""``ilo --emit python``: a program as a standalone Python module.

In: a loaded ``Program`` (parsed and verified). Out: ``emit_python(program)``, the text of a
module that needs only the standard library: it carries the ilo runtime it calls
(``bundle.py``), the glue the interpreter does inline (``prelude.py``) and one Python function
per ilo function (``translate.py``). Each ilo function ``add-one`` becomes a public function
``add_one(*args)`` taking and returning the same Python values as ``ilo.Program.call``;
errors raise the module's ``IloRuntimeError`` (``.code``, ``.message``). ``FUNCTIONS`` maps ilo
names to them, and ``python MODULE.py [FUNC] [ARGS...]`` runs one.

Arguments are checked against the declared parameter types as ``Program.call`` checks them
(``ILO-T006``, ``ILO-R016``), and the accumulator idioms (``m=mset m k v``, ``xs=+=xs v``,
``s=+s t``) update in place through the carried ``runtime.ownership``, so loops stay linear.
Not carried over: step and time limits (``ILO-R015``).
"""

from __future__ import annotations

from ilo.pyemit.bundle import bundle_source
from ilo.pyemit.prelude import PRELUDE
from ilo.pyemit.translate import EmitError, FunctionTranslator, py_ident

__all__ = ["emit_python", "EmitError"]


def emit_python(program) -> str:
    """The module text for ``program`` (an ``ilo.Program``); ``EmitError`` for a construct
    the translator does not know."""
    vp = program.verified
    consts: dict[str, str] = {}
    functions = [FunctionTranslator(vp, fn, consts).translate() for fn in vp.program.functions]
    name = program.source.name
    out = [
        f'"""Python translation of the ilo program {name}, made by `ilo --emit python`.',
        "",
        "Standalone: runs without ilo installed (the ilo runtime it needs is carried below).",
        "Functions: " + ", ".join(f"{py_ident(f.name)}  (ilo: {_sig(f)})" for f in vp.program.functions),
        '"""',
        "",
        bundle_source(),
        PRELUDE.strip(),
        "",
        "# ── the program ──",
        "",
        f"_RECORDS = {({n: [p.name for p in t.fields] for n, t in vp.records.items()})!r}",
        f"_TOOLS = {sorted(vp.tools)!r}",
        "_PARAMS = {" + ", ".join(f"{f.name!r}: [{', '.join(f'({p.name!r}, {_ty(p.ty)})' for p in f.params)}]"
                                  for f in vp.program.functions) + "}",
        "_TYPEDEFS = {" + ", ".join(
            f"{n!r}: _ast.TypeDef(name={n!r}, fields=[{', '.join(f'_ast.Param(name={p.name!r}, ty={_ty(p.ty)})' for p in t.fields)}])"
            for n, t in vp.records.items()) + "}",
        "_ALIASES = {" + ", ".join(f"{n!r}: {_ty(t)}" for n, t in vp.aliases.items()) + "}",
    ]
    for text, const in consts.items():
        out.append(f"{const} = {text}")
    for lines in functions:
        out += ["", ""] + lines
    out += ["", "", "_FUNCS = {" + ", ".join(f"{f.name!r}: _f_{py_ident(f.name)}" for f in vp.program.functions) + "}"]
    public = []
    for f in vp.program.functions:
        py = py_ident(f.name)
        public.append(py)
        out += ["", "", f"def {py}(*args):", f'    """ilo: {_sig(f)}"""', f"    return _entry({f.name!r}, args)"]
    out += ["", "", "FUNCTIONS = {" + ", ".join(f"{f.name!r}: {py_ident(f.name)}" for f in vp.program.functions) + "}",
            f"__all__ = {[*public, 'FUNCTIONS', 'IloRuntimeError', 'Ok', 'Err', 'Record', 'FnRef']!r}",
            "", "if __name__ == '__main__':", "    _sys.exit(_main(_sys.argv[1:]))", ""]
    return "\n".join(out)


def _ty(ty) -> str:
    return f"_types.parse_type({str(ty)!r})"


def _sig(fn) -> str:
    params = " ".join(f"{p.name}:{p.ty}" for p in fn.params)
    return f"{fn.name} {params}>{fn.ret}".replace(" >", ">")
