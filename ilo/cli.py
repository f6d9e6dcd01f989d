"""Command line: ``ilo SOURCE_OR_FILE [FUNC] [ARGS...]``.

Prints the function's result on stdout (formatted as the reference CLI does) and
diagnostics on stderr. Exit status: 0 success, 1 an ilo error (parse, verify, runtime),
2 a usage error. Never prints a Python traceback (set ILO_DEBUG=1 to see one for an
internal error).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ilo.diagnostics.diagnostic import Diagnostic, IloError

ENGINE_HELP = (
    "engines: --run-tree (tree-walking interpreter, reference semantics), "
    "--run-vm (register bytecode VM), --run-jit (VM + Numba JIT for hot loops)"
)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ilo",
        description="Run an ilo program: ilo 'dbl x:n>n;*x 2' 5  prints 10.",
        epilog=ENGINE_HELP,
    )
    p.add_argument("program", help="ilo source text, or a path to a .ilo file")
    p.add_argument("rest", nargs=argparse.REMAINDER, help="function name (optional) and arguments")
    eng = p.add_mutually_exclusive_group()
    eng.add_argument("--run-tree", dest="engine", action="store_const", const="tree")
    eng.add_argument("--run-vm", dest="engine", action="store_const", const="vm")
    eng.add_argument("--run-jit", dest="engine", action="store_const", const="jit")
    p.add_argument("--json", "-j", action="store_true", help="diagnostics as JSON, one object per line")
    p.add_argument("--dis", action="store_true", help="print the VM bytecode instead of running")
    p.add_argument("--jit-stats", action="store_true", help="after running, print what the JIT compiled")
    p.add_argument("--version", action="version", version=_version())
    return p


def _version() -> str:
    try:
        from importlib.metadata import version

        return f"ilo {version('ilo')}"
    except Exception:  # pragma: no cover - not installed as a distribution
        return "ilo (development)"


def _read_program(text: str):
    from ilo import api

    path = Path(text)
    looks_like_file = text.endswith(".ilo") or ("\n" not in text and len(text) < 4096 and path.is_file())
    if looks_like_file:
        return api.load_file(path)
    return api.load(text)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    # Flags may appear anywhere (the reference accepts `ilo 'prog' --run-vm f 1`), but words
    # after the program are the function and its arguments, which may look like negative
    # numbers (`-7`): pull out only the flags we know.
    flags = {"--run-tree", "--run-vm", "--run-jit", "--json", "-j", "--dis", "--jit-stats"}
    known = [a for a in argv if a in flags]
    words = [a for a in argv if a not in flags]
    if any(a in ("-h", "--help", "--version") for a in words[:1]):
        parser.parse_args(words[:1])
    if not words:
        parser.print_usage(sys.stderr)
        print("ilo: error: missing program", file=sys.stderr)
        return 2
    try:
        opts = parser.parse_args([*known, "--", *words])
    except SystemExit as e:
        return int(e.code or 0) if isinstance(e.code, int) else 2
    return _run(opts)


def _run(opts) -> int:
    from ilo import api
    from ilo.runtime.format import format_value

    program = None
    try:
        program = _read_program(opts.program)
        if opts.dis:
            from ilo.vm.disasm import disassemble

            print(disassemble(program.compiled()))
            return 0
        rest = list(opts.rest)
        func = None
        if rest and rest[0] in program.function_names:
            func = rest.pop(0)
        name = program.resolve_function(func)
        args = api.coerce_cli_args(program, name, rest)
        engine = opts.engine or api.default_engine()
        if not api.engine_available(engine):
            print(f"ilo: the {engine} engine is not built yet", file=sys.stderr)
            return 2
        result = program.call(name, *args, engine=engine)
        sys.stdout.write(format_value(result) + "\n")
        sys.stdout.flush()
        if opts.jit_stats and program.last_jit_stats is not None:
            print(program.last_jit_stats.report(), file=sys.stderr)
        return 0
    except IloError as e:
        source = program.source if program is not None else getattr(e, "source", None)
        _report(e.diagnostics, source, opts.json)
        return 1
    except KeyboardInterrupt:
        print("ilo: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # an engine bug: still no traceback for the user
        if os.environ.get("ILO_DEBUG"):
            raise
        source = program.source if program is not None else None
        _report([Diagnostic("ILO-R013", f"internal error: {type(e).__name__}: {e}")], source, opts.json)
        return 1


def _report(diags: list[Diagnostic], source, as_json: bool) -> None:
    from ilo.diagnostics.render import render_human, render_json

    color = sys.stderr.isatty() and not os.environ.get("NO_COLOR")
    for d in diags:
        text = render_json(d, source) if as_json else render_human(d, source, color)
        print(text, file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
