"""Command line: ``ilo PROGRAM [FUNC] [ARGS...]`` and the everyday tools.

Running prints the entry function's result on stdout as the reference CLI does: an Ok prints
its value bare, an Err prints ``^e`` on stderr and exits 1, a body that ends with a loop
prints nothing. ``--json`` prints ``{"ok": v}`` / ``{"error": {...}}`` on stdout and
diagnostics as JSON objects on stderr. Exit status: 0 success, 1 an ilo error (parse,
verify, runtime, an Err result), 2 a usage error. Never prints a Python traceback (set
ILO_DEBUG=1 to see one for an internal error). Which function runs and how the words become
arguments is ``ilo.entry``'s business.

Flags may sit anywhere on the line (``ilo 'prog' --run-vm f 1`` = ``ilo --run-vm 'prog' f 1``),
so they are picked out by hand rather than by argparse: that also keeps start-up cheap, as
does importing each tool (REPL, docs, formatter, disassembler, benchmark) only when asked.
"""

from __future__ import annotations

import os
import sys

from ilo import config
from ilo.diagnostics.diagnostic import Diagnostic, IloError

USAGE = "usage: ilo [FLAGS] PROGRAM [FUNC] [ARGS...]"

HELP = f"""{USAGE}

Run an ilo program: ilo 'dbl x:n>n;*x 2' 5  prints 10.
PROGRAM is ilo source text, or a path to a .ilo file. FUNC defaults to the program's only
function, or main. Flags may appear anywhere on the line.

engines (default: jit, or $ILO_ENGINE):
  --run-tree   tree-walking interpreter (the reference semantics; also --run)
  --run-vm     register bytecode VM alone
  --run-jit    the VM plus a Numba JIT for hot loops (cold loops cost next to nothing)

output:
  --json, -j   the result as {{"ok": v}} / {{"error": ...}} on stdout, diagnostics as JSON on stderr
  --text, -t   diagnostics as text without colour       --ansi, -a   with colour
  --plain      diagnostics as one line each (file:line:col: error[CODE]: message)
  --no-hints, -nh   do not print warnings and hints
  --max-steps N     stop with ILO-R015 after N steps (loop iterations and calls)
  --timeout SECONDS stop with ILO-R015 after SECONDS
  --dis        print the VM bytecode instead of running
  --ast        print the parsed program as JSON instead of running (also what a program
               with nothing to run prints: no function, or inline with several and no main)
  --jit-stats  after running, print what the JIT compiled
  --version    print the version

tools:
  ilo | ilo repl                      interactive REPL (also: python -m ilo); `ilo repl -j` is
                                      the JSON request loop of `ilo serv`
  ilo -ai | ilo help ai               compact language reference for an agent's prompt
  ilo help lang                       full language reference
  ilo help CODE | ilo --explain CODE  explain an error code, e.g. ILO-T004
  ilo --fmt PROGRAM                   canonical dense form, one line per declaration
  ilo --fmt-expanded PROGRAM          readable multi-line form
  ilo PROGRAM --bench FUNC ARGS...    time FUNC(ARGS) on every engine: median per call and
                                      the number of runs (--bench-time=SECONDS per engine, default 1)
  ilo graph FILE [--fn NAME] [--reverse] [--subgraph] [--budget N] [--dot]
                                      call graph as JSON (or DOT); `ilo help graph`
  ilo PROGRAM --tools FILE ...        tool calls go to HTTP endpoints (JSON config)
  ilo PROGRAM --mcp FILE ...          tool calls go to MCP servers; their tools need no
                                      declaration (--tools and --mcp exclude each other)
  ilo tools -t FILE | -m FILE [--human|--ilo|--json] [--full] [--graph]
                                      list the tools a config offers; `ilo help tools`
"""

ENGINE_FLAGS = {"--run-tree": "tree", "--run": "tree", "--run-vm": "vm", "--run-jit": "jit",
                "--run-cranelift": "jit", "--run-llvm": "jit"}
OUTPUT_FLAGS = {"--json": "json", "-j": "json", "--text": "text", "-t": "text", "--ansi": "ansi",
                "-a": "ansi", "--plain": "plain"}
SWITCHES = {"--dis": "dis", "--jit-stats": "jit_stats", "--fmt": "fmt", "--dense": "fmt",
            "--fmt-expanded": "fmt_expanded", "--expanded": "fmt_expanded", "--bench": "bench",
            "--no-hints": "no_hints", "-nh": "no_hints", "--ast": "ast"}
VALUE_FLAGS = {"--bench-time": float, "--max-steps": int, "--timeout": float, "--emit": str,
               "--tools": str, "--mcp": str}


class UsageError(Exception):
    """A command line we cannot act on (exit 1, as the reference exits on a bad flag)."""


class Options:
    """What the flags asked for; ``words`` are the program, the function and its arguments."""

    def __init__(self):
        self.engine: str | None = None
        self.output: str | None = None
        self.dis = self.jit_stats = self.fmt = self.fmt_expanded = self.bench = self.ast = False
        self.no_hints = False
        self.bench_time: float = 1.0
        self.max_steps: int | None = None
        self.timeout: float | None = None
        self.emit: str | None = None  # `--emit python`: translate instead of running
        self.tools: str | None = None  # `--tools FILE`: HTTP tool provider config
        self.mcp: str | None = None  # `--mcp FILE`: MCP servers config
        self.words: list[str] = []

    @property
    def json(self) -> bool:
        """``--json`` asked for: results are wrapped as ``{"ok": v}`` too, not just diagnostics."""
        return self.output == "json"

    def diagnostic_mode(self) -> str:
        """How diagnostics and hints are written when no flag says so, as the reference decides:
        colour on a terminal (plain text under NO_COLOR, https://no-color.org), and one JSON
        object per line when stderr is a pipe or file, since then a program is reading it."""
        if self.output is not None:
            return self.output
        if sys.stderr.isatty():
            return "text" if os.environ.get("NO_COLOR") is not None else "ansi"
        return "json"


def parse_command_line(argv: list[str]) -> Options:
    opts = Options()
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        if a == "--":
            opts.words += argv[i:]
            break
        if a in ENGINE_FLAGS:
            if opts.engine not in (None, ENGINE_FLAGS[a]):
                raise UsageError("--run-tree, --run-vm and --run-jit are mutually exclusive")
            opts.engine = ENGINE_FLAGS[a]
        elif a in OUTPUT_FLAGS:
            if opts.output not in (None, OUTPUT_FLAGS[a]):
                raise UsageError("--json, --text, --ansi and --plain are mutually exclusive")
            opts.output = OUTPUT_FLAGS[a]
        elif a in SWITCHES:
            setattr(opts, SWITCHES[a], True)
        elif a == "-n" and not opts.words:  # the reference's short --no-hints, before the program
            opts.no_hints = True
        elif a.split("=", 1)[0] in VALUE_FLAGS:
            name, eq, value = a.partition("=")
            if not eq:
                if i >= len(argv):
                    if name in ("--tools", "--mcp"):
                        raise UsageError(f"{name} requires a path argument")
                    raise UsageError(f"{name} needs a value")
                value, i = argv[i], i + 1
            try:
                setattr(opts, name[2:].replace("-", "_"), VALUE_FLAGS[name](value))
            except ValueError:
                raise UsageError(f"{name}: not a number: '{value}'") from None
        elif a == "-e" and not opts.words:  # `ilo -e CODE`: the program is inline code
            if i >= len(argv):
                raise UsageError("-e needs the program text")
            opts.words.append(argv[i])
            i += 1
        else:
            opts.words.append(a)
    if sum((opts.fmt, opts.fmt_expanded, opts.bench)) > 1:
        raise UsageError("--fmt, --fmt-expanded and --bench are mutually exclusive")
    if opts.tools is not None and opts.mcp is not None:
        raise UsageError("--tools and --mcp are mutually exclusive")
    return opts


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # the reader went away (`ilo ... | head`): nothing left to say, and no one to say it to
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("serv", "serve"):  # the agent loop: its own module and options
        from ilo.serv import main as serv_main

        return serv_main(argv[1:])
    if argv and argv[0] == "graph":  # the reference's subcommand: always a command, never a program
        from ilo.graph import main as graph_main

        return graph_main(argv[1:])
    if argv and argv[0] == "repl":  # the reference's subcommand; with -j/--json its serve loop
        return _repl_command(argv[1:])
    if argv and argv[0] in ("tools", "tool"):  # list what a tool provider config offers
        from ilo.toolprov.listing import main as tools_main

        return tools_main(argv[1:])
    if argv and argv[0] in ("-ai", "help", "--explain"):
        return _help(argv[1:] if argv[0] != "-ai" else ["ai"], explain=argv[0] == "--explain")
    if argv and argv[0] in ("-h", "--help"):
        sys.stdout.write(HELP)
        return 0
    if argv and argv[0] in ("--version", "-V"):
        print(_version())
        return 0
    try:
        opts = parse_command_line(argv)
        if not opts.words:
            if opts.fmt or opts.fmt_expanded or opts.bench or opts.dis:
                raise UsageError("missing program")
            from ilo.repl import run_repl

            return run_repl(opts.engine)
    except UsageError as e:
        print(f"{USAGE}\nilo: error: {e}", file=sys.stderr)
        return 1
    if opts.fmt or opts.fmt_expanded:
        return _format(opts)
    if opts.emit is not None:  # translation to Python lives in its own package
        if opts.emit != "python":
            print(f"{USAGE}\nilo: error: --emit: unknown target '{opts.emit}' (known: python)", file=sys.stderr)
            return 1
        return _emit_python(opts.words[0], opts)
    return _run(opts)


def _emit_python(program_arg: str, opts) -> int:
    """`ilo PROGRAM --emit python`: print the module; diagnostics as for a run."""
    from ilo.pyemit import EmitError, emit_python

    program = None
    try:
        program = _read_program(program_arg)
        sys.stdout.write(emit_python(program))
        return 0
    except IloError as e:
        _report(e.diagnostics, program.source if program else getattr(e, "source", None), opts)
    except EmitError as e:
        _report([Diagnostic("ILO-R013", f"cannot emit python: {e}")], program.source, opts)
    return 1


def _read_program(text: str):
    """A program argument (a file path or inline source) loaded as an ``ilo.Program``."""
    from ilo import api, entry

    return api.load_file(text) if entry.is_file_argument(text) else api.load(text)


def _version() -> str:
    try:
        from importlib.metadata import version

        return f"ilo {version('ilo')}"
    except Exception:  # pragma: no cover - not installed as a distribution
        return "ilo (development)"


def _help(args: list[str], explain: bool = False) -> int:
    """`ilo -ai`, `ilo help [ai|lang|CODE]`, `ilo --explain CODE`."""
    from ilo import docs

    topic = args[0] if args else ""
    if not explain and topic in ("", "-h", "--help"):
        sys.stdout.write(HELP)
        return 0
    if not explain and topic == "ai":
        sys.stdout.write(docs.compact_reference())
        return 0
    if not explain and topic == "lang":
        sys.stdout.write(docs.full_reference())
        return 0
    text = docs.explain_code(topic)
    if text is None:
        what = "error code" if explain or topic.upper().startswith("ILO-") else "help topic"
        print(f"ilo: unknown {what} '{topic}'; try `ilo help ai`, `ilo help lang` or a code "
              "such as `ilo help ILO-T004`", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


def _read_text(text: str, is_file: bool):
    """A program argument as a Source: the file it names, or the text itself."""
    from ilo.source import Source

    if not is_file:
        return Source("<inline>", text)
    try:
        with open(text, "rb") as f:
            data = f.read()
    except OSError as e:
        raise IloError(Diagnostic("ILO-R017", f"cannot read {text}: {e.strerror or e}")) from None
    try:
        return Source(text, data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise IloError(Diagnostic("ILO-L001", f"{text} is not valid UTF-8 text (byte {e.start})")) from None


def _format(opts) -> int:
    from ilo.entry import is_file_argument
    from ilo.syntax.unparse import format_source

    source = None
    try:
        source = _read_text(opts.words[0], is_file_argument(opts.words[0]))
        sys.stdout.write(format_source(source, expanded=opts.fmt_expanded) + "\n")
        return 0
    except IloError as e:
        _report(e.diagnostics, source, opts)
        return 1


def _repl_command(args: list[str]) -> int:
    """``ilo repl``: the REPL, with the usual engine flags; ``-j``/``--json`` runs the serve
    loop instead, as the reference's ``repl -j`` does."""
    if any(a in ("-j", "--json") for a in args):
        from ilo.serv import main as serv_main

        return serv_main([a for a in args if a not in ("-j", "--json")])
    engine = None
    for a in args:
        if a not in ENGINE_FLAGS:
            print(f"{USAGE}\nilo: error: repl: unknown option '{a}' (engine flags and -j only)", file=sys.stderr)
            return 1
        engine = ENGINE_FLAGS[a]
    from ilo.repl import run_repl

    return run_repl(engine)


def _run(opts) -> int:
    if opts.tools is None and opts.mcp is None:
        return _run_with(opts, None)
    from ilo.toolprov import ProviderError, Providers, open_providers

    providers = Providers()
    try:
        if opts.mcp is not None:  # MCP tools are declarations: known before the program loads
            providers = open_providers(mcp=opts.mcp)
        return _run_with(opts, providers)
    except ProviderError as e:  # the reference prints these bare and exits 1
        print(e, file=sys.stderr)
        return 1
    finally:
        providers.close()


def _run_with(opts, providers) -> int:
    from ilo import api, entry

    program = None
    text = opts.words[0]
    loader = providers if providers is not None else api
    try:
        is_file = entry.is_file_argument(text)
        if opts.ast:
            return _dump_ast(text, is_file)
        try:
            program = loader.load_file(text) if is_file else loader.load(text)
        except IloError as e:
            if _dumps_instead(opts, is_file, _parsed_functions(text, is_file, e)):
                return _dump_ast(text, is_file)  # an inspection, so verify errors do not stop it
            raise
        if _dumps_instead(opts, is_file, entry.user_functions(program)):
            print(_ast_text(program.verified.program))
            return 0
        if not opts.no_hints and program.warnings:
            _report(program.warnings, program.source, opts)
        if opts.dis:
            from ilo.vm.disasm import disassemble

            print(disassemble(program.compiled()))
            return 0
        name, words = entry.select_entry(program, opts.words[1:], is_file, text if is_file else "<inline>")
        if opts.bench:
            return _bench(program, name, words, entry.parse_args(program, name, words), opts)
        entry.check_arity(program, name, words)
        args = entry.parse_args(program, name, words)
        engine = opts.engine or api.default_engine()
        if opts.tools is not None:  # read when the run needs it, as the reference does
            from ilo.toolprov import ProviderError, open_providers

            try:
                providers.provider = open_providers(tools=opts.tools).provider
            except ProviderError as e:  # printed bare, exit 1, as the reference does
                print(e, file=sys.stderr)
                return 1
        if providers is not None:
            with providers.active(program):
                result = program.call(name, *args, engine=engine, max_steps=opts.max_steps, timeout=opts.timeout)
        else:
            result = program.call(name, *args, engine=engine, max_steps=opts.max_steps, timeout=opts.timeout)
        status = _print_result(result, opts, entry.result_is_loop_tail(program, name))
        if opts.jit_stats and program.last_jit_stats is not None:
            print(program.last_jit_stats.report(), file=sys.stderr)
        if status == 0 and not opts.no_hints:
            _print_hints(program, opts)
        return status
    except IloError as e:
        source = program.source if program is not None else getattr(e, "source", None)
        diags = [d for d in e.diagnostics if not (opts.no_hints and d.severity == "warning")]
        _report(diags, source, opts)
        return 1
    except KeyboardInterrupt:
        print("ilo: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise  # see main
    except Exception as e:  # an engine bug: still no traceback for the user
        if config.debug():
            raise
        source = program.source if program is not None else None
        _report([Diagnostic("ILO-R013", f"internal error: {type(e).__name__}: {e}")], source, opts)
        return 1


def _dumps_instead(opts, is_file: bool, functions: list[str] | None) -> bool:
    """The reference prints the parsed program as JSON instead of running it when there is
    nothing to run: no function at all, or (inline, with nothing after the program and no
    mode flag) several functions and none called ``main``."""
    if functions is None or opts.words[1:] or opts.bench or opts.dis or opts.engine is not None:
        return False
    if not functions:
        return True
    return not is_file and len(functions) > 1 and "main" not in functions


def _parsed_functions(text: str, is_file: bool, error: IloError) -> list[str] | None:
    """The user functions of a program that failed to load, if it parses (None if not)."""
    if any(d.code.startswith(("ILO-L", "ILO-P")) for d in error.diagnostics):
        return None
    from ilo.syntax import ast

    try:
        tree = _parse(text, is_file)
    except IloError:
        return None
    return [d.name for d in tree.decls if isinstance(d, ast.Function) and not d.name.startswith("__")]


def _parse(text: str, is_file: bool):
    from pathlib import Path

    from ilo import api

    if is_file:
        path = Path(text)
        return api.parse_source(api.read_program_file(path), str(path), base_dir=path.parent)[0]
    return api.parse_source(text)[0]


def _dump_ast(text: str, is_file: bool) -> int:
    """``--ast``: the program as parsed (imports resolved, not verified), as JSON."""
    print(_ast_text(_parse(text, is_file)))
    return 0


def _ast_text(tree) -> str:
    from ilo.astjson import dump

    return dump(tree)


def _print_result(result, opts, loop_tail: bool) -> int:
    """The entry function's value, as the reference prints it; the exit status it implies."""
    from ilo.runtime.values import Err, Ok

    failed = isinstance(result, Err)
    if opts.json:
        from ilo.runtime.jsonvalue import result_json

        line, stream = result_json(result), sys.stdout
    else:
        from ilo.runtime.format import format_value

        if failed:
            line, stream = format_value(result), sys.stderr  # `^e`: a failure, so stderr and exit 1
        elif loop_tail:
            return 0
        else:
            line, stream = format_value(result.value if isinstance(result, Ok) else result), sys.stdout
    stream.write(line + "\n")
    stream.flush()
    return 1 if failed else 0


def _print_hints(program, opts) -> None:
    """The verifier's style hints (``hint: ...`` lines), after a successful run."""
    hints = list(getattr(program.verified, "hints", ()))
    if not hints:
        return
    if opts.diagnostic_mode() == "json":
        import json

        print(json.dumps({"hints": hints}, ensure_ascii=False), file=sys.stderr)
    else:
        for hint in hints:
            print(hint, file=sys.stderr)


def _bench(program, name: str, words: list[str], args: list, opts) -> int:
    """Time one call on each available engine (or the one asked for); one line per engine."""
    from ilo import api
    from ilo.runtime.format import format_value
    from ilo.timing import format_seconds, time_calls

    engines = [opts.engine] if opts.engine else [e for e in api.ENGINES if api.engine_available(e)]
    print(f"bench: {' '.join([name, *words])}")
    print(f"{'engine':<8}{'per call':>12}{'runs':>10}  result")
    failed = False
    for engine in engines:
        try:
            result = program.call(name, *args, engine=engine)  # also the warm-up (JIT compiles here)
            timing = time_calls(lambda e=engine: program.call(name, *args, engine=e),
                                budget=opts.bench_time, warmup=0)
        except IloError as e:
            failed = True
            print(f"{engine:<8}{'error':>12}{'':>10}  {e.diagnostics[0].code}: {e.diagnostics[0].message}")
            continue
        print(f"{engine:<8}{format_seconds(timing.median):>12}{timing.runs:>10}  {format_value(result)}")
        sys.stdout.flush()
    print("per call = median over batches of calls; runs = calls measured")
    return 1 if failed else 0


def _report(diags: list[Diagnostic], source, opts) -> None:
    from ilo.diagnostics.render import render_human, render_json, render_plain

    mode = opts.diagnostic_mode()
    for d in diags:
        if mode == "json":
            text = render_json(d, source)
        elif mode == "plain":
            text = render_plain(d, source)
        else:
            text = render_human(d, source, color=mode == "ansi")
        print(text, file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
