"""``ilo graph FILE [--fn NAME] [--reverse] [--subgraph] [--budget N] [--dot]``.

The reference's command, with its messages and exit codes: the file is read and lexed
first (``Error reading FILE: ...`` / ``Lex error: ...``, exit 1), then the flags are read
(``error: --fn requires a function name``, ``error: --budget requires a number``,
``error: --budget value must be a positive integer``, ``unknown flag: X``, exit 1), then
one answer is printed: ``--dot`` wins over everything, then ``--fn`` with ``--reverse``,
``--budget`` or ``--subgraph`` (in that order of precedence), then ``--fn`` alone; without
``--fn`` the whole graph. JSON is indented by two spaces as serde_json's pretty printer
does. A function that is not there: ``function 'NAME' not found``, exit 1.

Parse errors do not stop it: like the reference, the graph is built from the declarations
that did parse (an agent asks for the graph of a program it is still fixing). ``use``
imports are not followed, as the reference does not follow them either.

Beyond graph_cmd, and as the reference's own command line (clap) accepts them: flags may
come before the file, ``--fn=NAME`` / ``--budget=N`` work, and the global output flags
(``-j`` ``--json`` ``-t`` ``--text`` ``-a`` ``--ansi`` ``-n`` ``--no-hints``) are accepted and
change nothing. ``-h``/``--help`` prints ``HELP``.
"""

from __future__ import annotations

import json
import re
import sys

USAGE = "Usage: ilo graph <file> [--fn NAME] [--reverse] [--subgraph] [--budget N] [--dot]"

HELP = f"""{USAGE}

The call graph of a program, as JSON (or Graphviz DOT), for an agent that wants only the
part of a large program it is about to change.

  ilo graph FILE                      every function: sig, calls, called_by, types_used;
                                      every type: fields, refs
  ilo graph FILE --fn NAME            NAME's source, the signatures of what it calls, its types
  ilo graph FILE --fn NAME --reverse  the functions that call NAME
  ilo graph FILE --fn NAME --subgraph everything NAME reaches, with sources
  ilo graph FILE --fn NAME --budget N the same, breadth first, within N words of source
                                      (budget: used, limit, truncated)
  ilo graph FILE --dot                the graph for Graphviz (dashed edges: types used)
"""

_GLOBAL_FLAGS = frozenset({"-j", "--json", "-t", "--text", "-a", "--ansi", "-n", "--no-hints"})
_VALUE_FLAGS = ("--fn", "--budget")
_USIZE = re.compile(r"\+?[0-9]+")  # what Rust's `usize::from_str` accepts
_USIZE_MAX = 2**64 - 1


class _Args:
    def __init__(self):
        self.file: str | None = None
        self.fn: str | None = None
        self.reverse = self.subgraph = self.dot = self.help = False
        self.budget: int | None = None
        self.error: str | None = None  # the first bad flag, reported after the file is read


def parse_args(argv: list[str]) -> _Args:
    args = _Args()
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        name, eq, value = a.partition("=")
        if name in _VALUE_FLAGS:
            if not eq:
                if i >= len(argv):
                    what = "a function name" if name == "--fn" else "a number"
                    args.error = args.error or f"error: {name} requires {what}"
                    continue
                value, i = argv[i], i + 1
            if name == "--fn":
                args.fn = value
            elif (budget := _usize(value)) is not None:
                args.budget = budget
            else:
                args.error = args.error or "error: --budget value must be a positive integer"
        elif a in ("--reverse", "--subgraph", "--dot"):
            setattr(args, a[2:], True)
        elif a in ("-h", "--help"):
            args.help = True
        elif a in _GLOBAL_FLAGS:
            pass
        elif a == "--" and args.file is None and i < len(argv):
            args.file, i = argv[i], i + 1
        elif args.file is None and not (a.startswith("-") and len(a) > 1):
            args.file = a
        else:
            args.error = args.error or f"unknown flag: {a}"
    return args


def _usize(text: str) -> int | None:
    """What Rust's ``usize::from_str`` makes of ``text`` (leading zeros are fine), or None."""
    if not _USIZE.fullmatch(text):
        return None
    digits = text.lstrip("+").lstrip("0") or "0"
    # more than 20 digits cannot fit (and int() of a huge string would itself fail)
    value = int(digits) if len(digits) <= 20 else None
    return value if value is not None and value <= _USIZE_MAX else None


def main(argv: list[str]) -> int:
    """Run the command; the exit status (0, or 1 for any error). Never a traceback."""
    from ilo import config

    try:
        return _main(argv)
    except BrokenPipeError:
        raise  # the reader went away (`ilo graph ... | head`): ilo.cli deals with that
    except Exception as e:  # a bug of ours: still a clean message for the agent
        if config.debug():
            raise
        print(f"error: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


def _main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.help:
        sys.stdout.write(HELP)
        return 0
    if args.file is None:
        print(args.error or USAGE, file=sys.stderr)
        return 1
    source = _read(args.file)
    if source is None:
        return 1
    from ilo.graph.build import build_graph, query_budget, query_fn, query_reverse, query_subgraph, to_dot
    from ilo.graph.load import LexFailure, TooDeep, parse_lenient

    try:
        graph = build_graph(parse_lenient(source, args.file))
    except LexFailure as e:
        print(f"Lex error: {e}", file=sys.stderr)
        return 1
    except TooDeep as e:
        print(e, file=sys.stderr)
        return 1
    if args.error:
        print(args.error, file=sys.stderr)
        return 1
    if args.dot:
        sys.stdout.write(to_dot(graph))
        return 0
    if args.fn is None:
        return _print(graph.to_json())
    if args.reverse:
        answer = query_reverse(graph, args.fn)
    elif args.budget is not None:
        answer = query_budget(graph, args.fn, args.budget)
    elif args.subgraph:
        answer = query_subgraph(graph, args.fn)
    else:
        answer = query_fn(graph, args.fn)
    if answer is None:
        print(f"function '{args.fn}' not found", file=sys.stderr)
        return 1
    return _print(answer)


def _read(path: str) -> str | None:
    """The file as text, or None after printing the reference's message (Rust's io::Error
    text: `No such file or directory (os error 2)`, and its words for text that is not UTF-8)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        detail = f"{e.strerror} (os error {e.errno})" if e.errno is not None else str(e)
        print(f"Error reading {path}: {detail}", file=sys.stderr)
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        print(f"Error reading {path}: stream did not contain valid UTF-8", file=sys.stderr)
        return None


def _print(value: dict) -> int:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    return 0
