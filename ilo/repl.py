"""Interactive read-eval-print loop: ``ilo`` with no program, or ``python -m ilo``.

``run_repl(engine)`` reads lines from stdin until end of input or ``:quit``; results go to
stdout and diagnostics to stderr, so it can be driven through a pipe. ``Session`` holds the
state and is what the tests drive directly:

- a line that parses as declarations (``dbl x:n>n;*x 2``, ``type pt{x:n;y:n}``) defines or
  redefines them, after verifying the whole set;
- any other line is a function body: it runs as ``repl-eval`` on the chosen engine and its
  value is printed; a line ending in a binding (``x=+2 3``) keeps the bound values, which later
  lines see as parameters;
- ``:engine tree|vm|jit``, ``:defs``, ``:vars``, ``:reset``, ``:help``, ``:quit``.

A line with unclosed brackets, or a function header alone, continues on the next lines
(until the brackets close, or a blank line). History uses ``readline`` when it is available
and stdin is a terminal.
"""

from __future__ import annotations

import os
import re
import sys

from ilo import api, config
from ilo.diagnostics.diagnostic import Diagnostic, IloError
from ilo.runtime.format import format_value
from ilo.runtime.values import Err, Ok, Record
from ilo.source import Source
from ilo.syntax import ast
from ilo.syntax.parser import parse
from ilo.syntax.unparse import unparse

EVAL_FN = "repl-eval"
HELP = """\
Type declarations to define them, anything else to evaluate it:
  dbl x:n>n;*x 2        define (or redefine) a function; also type, alias, tool
  dbl 21                evaluate: the line is the body of a function and its value prints
  x=dbl 4               bind: x is kept for later lines
Commands:
  :engine [tree|vm|jit] show or switch the engine    :defs   list definitions
  :vars                 list bound values             :reset  forget everything
  :help                 this text                     :quit   leave (also Ctrl-D)
"""
_HEADER_ONLY = re.compile(r"[a-z][a-z0-9-]*(\s+[a-z][a-z0-9-]*:[^;]*)?>[^;{]*")


class Session:
    def __init__(self, engine: str | None = None):
        self.engine = engine or api.default_engine()
        self.defs: dict[tuple[str, str], str] = {}  # (kind, name) → canonical text
        self.vars: dict[str, object] = {}

    # ── Entry point ─────────────────────────────────────────────────────────

    def handle(self, text: str) -> str | None:
        """Run one input (a command, declarations or a body); return what to print."""
        text = text.strip()
        if not text or text.startswith("--"):
            return None
        if text.startswith(":"):
            return self.command(text[1:].split())
        decls = _as_declarations(text)
        if decls is not None:
            return self.define(decls)
        return self.evaluate(text)

    def command(self, words: list[str]) -> str | None:
        name, args = (words[0] if words else ""), words[1:]
        if name in ("q", "quit", "exit"):
            raise EOFError
        if name in ("h", "help", "?"):
            return HELP.rstrip()
        if name == "engine":
            if not args:
                return f"engine: {self.engine} (available: {', '.join(_available())})"
            if args[0] not in api.ENGINES or not api.engine_available(args[0]):
                raise IloError(Diagnostic("ILO-R016", f"unknown engine '{args[0]}'",
                                          suggestion=f"choose one of {', '.join(_available())}"))
            self.engine = args[0]
            return f"engine: {self.engine}"
        if name == "defs":
            return "\n".join(self.defs.values()) or "(no definitions)"
        if name == "vars":
            return "\n".join(f"{k} = {format_value(v)}" for k, v in self.vars.items()) or "(no variables)"
        if name == "reset":
            self.defs.clear()
            self.vars.clear()
            return "cleared"
        raise IloError(Diagnostic("ILO-R016", f"unknown command ':{name}'", suggestion="type :help"))

    # ── Definitions ─────────────────────────────────────────────────────────

    def define(self, decls: list[ast.Decl]) -> str:
        new = dict(self.defs)
        for decl in decls:
            new[(type(decl).__name__, decl.name)] = unparse(ast.Program([decl]))
        api.load("\n".join(new.values()), "<repl>")  # verify the whole set before keeping it
        self.defs = new
        return "defined " + ", ".join(d.name for d in decls)

    # ── Evaluation ──────────────────────────────────────────────────────────

    def evaluate(self, body: str) -> str:
        params = " ".join(f"{name}:{_type_text(value)}" for name, value in self.vars.items())
        header = EVAL_FN + (" " + params if params else "") + ">_"
        # The body sits on its own line (a line break plus indent is a `;`) so diagnostics
        # quote the user's input; the definitions follow.
        program_text = "\n".join([f"{header}\n {body}", *self.defs.values()])
        bound = _bound_names(program_text)
        if bound:
            refs = ", ".join(bound)
            program_text = "\n".join([f"{header}\n {body};[{refs}]", *self.defs.values()])
        program = api.load(program_text, "<repl>")
        try:
            result = program.call(EVAL_FN, *self.vars.values(), engine=self.engine)
        except IloError as e:
            e.source = program.source  # so the caret points into the input line
            raise
        if bound and isinstance(result, list) and len(result) == len(bound):
            self.vars.update(zip(bound, result))
            return "\n".join(f"{name} = {format_value(v)}" for name, v in zip(bound, result))
        return format_value(result)


def _available() -> list[str]:
    return [e for e in api.ENGINES if api.engine_available(e)]


def _as_declarations(text: str) -> list[ast.Decl] | None:
    """The declarations in ``text`` if it parses as a program on its own, else None."""
    try:
        program = parse(Source("<repl>", text))
    except IloError:
        return None
    return program.decls or None


def _bound_names(program_text: str) -> list[str]:
    """Names bound by the top-level statements of the eval body, when it ends with a binding."""
    try:
        program = parse(Source("<repl>", program_text))
    except IloError:
        return []  # api.load reports the error
    body = program.decls[0].body if program.decls and isinstance(program.decls[0], ast.Function) else []
    if not body or not isinstance(body[-1], ast.Let | ast.Destructure):
        return []
    names: list[str] = []
    for stmt in body:
        for name in ([stmt.name] if isinstance(stmt, ast.Let) else getattr(stmt, "names", [])):
            if name not in names:
                names.append(name)
    return names


def _type_text(value) -> str:
    """An ilo type for a kept value, so later lines type-check against what it holds."""
    if isinstance(value, bool):
        return "b"
    if isinstance(value, float | int):
        return "n"
    if isinstance(value, str):
        return "t"
    if isinstance(value, Record):
        return value.type_name if value.type_name != "json" else "_"
    if isinstance(value, list):
        kinds = {_type_text(v) for v in value}
        return f"L {kinds.pop()}" if len(kinds) == 1 and kinds <= {"n", "t", "b"} else "L _"
    if isinstance(value, dict):
        kinds = {_type_text(v) for v in value.values()}
        return f"M t {kinds.pop()}" if len(kinds) == 1 and kinds <= {"n", "t", "b"} else "M t _"
    if isinstance(value, Ok | Err):
        return "R _ _"
    return "_"


# ── The loop ────────────────────────────────────────────────────────────────


def _depth(text: str) -> int:
    """Unclosed brackets in ``text``, ignoring text literals and comments."""
    depth, in_text, escaped = 0, False, False
    for i, ch in enumerate(text):
        if in_text:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_text = False
        elif ch == '"':
            in_text = True
        elif ch == "-" and text.startswith("--", i):
            nl = text.find("\n", i)
            if nl < 0:
                break
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
    return depth


class _Reader:
    def __init__(self, stream):
        self.stream = stream
        self.interactive = stream.isatty()
        self.history = None
        if self.interactive:
            self._setup_readline()

    def _setup_readline(self) -> None:
        try:
            import readline
        except ImportError:  # pragma: no cover - readline missing on this platform
            return
        self.history = config.history_file()
        try:
            readline.read_history_file(self.history)
        except OSError:
            pass

    def save(self) -> None:
        if self.history is not None:
            import readline

            try:
                readline.write_history_file(self.history)
            except OSError:
                pass

    def line(self, prompt: str) -> str:
        if self.interactive:
            return input(prompt)
        text = self.stream.readline()
        if not text:
            raise EOFError
        return text.rstrip("\n")

    def entry(self) -> str:
        """One input: more lines while brackets are open or after a bare function header."""
        text = self.line("ilo> ")
        header_only = bool(_HEADER_ONLY.fullmatch(text.strip()))
        while _depth(text) > 0 or header_only:
            try:
                more = self.line("...> ")
            except EOFError:
                break
            if header_only and not more.strip():
                break
            text += "\n" + (more if more[:1] in (" ", "\t") or not header_only else "  " + more)
        return text


def run_repl(engine: str | None = None, stdin=None, stdout=None, stderr=None) -> int:
    from ilo.diagnostics.render import render_human

    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    session = Session(engine)
    reader = _Reader(stdin)
    if reader.interactive:
        print(f"ilo REPL ({session.engine} engine). :help for help, :quit or Ctrl-D to leave.", file=stdout)
    while True:
        try:
            text = reader.entry()
            out = session.handle(text)
        except EOFError:
            break
        except KeyboardInterrupt:
            print("\n(interrupted)", file=stderr)
            continue
        except IloError as e:
            source = getattr(e, "source", None)
            for d in e.diagnostics:
                print(render_human(d, source, color=reader.interactive and not os.environ.get("NO_COLOR")),
                      file=stderr)
            stderr.flush()
            continue
        except Exception as e:  # an engine bug must not end the session
            if config.debug():
                raise
            print(f"error[ILO-R013]: internal error: {type(e).__name__}: {e}", file=stderr)
            continue
        if out is not None:
            print(out, file=stdout)
            stdout.flush()
    reader.save()
    if reader.interactive:
        print(file=stdout)
    return 0
