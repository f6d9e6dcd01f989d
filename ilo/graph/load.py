"""Parse a program for ``ilo graph`` the way the reference's graph command does.

The reference lexes (a lex error ends the command) and then keeps whatever its recovering
parser produced, errors or not, without verifying and without following ``use``. Our parser
recovers the same way but discards the tree when anything failed, and only then finishes
it (inline functions lifted and their captures resolved, ``xs.i`` rewritten): here the
parser is driven directly and those finishing steps run on a partial tree too.
"""

from __future__ import annotations

import sys

from ilo.diagnostics import IloError
from ilo.source import Source
from ilo.syntax import ast
from ilo.syntax.captures import resolve_captures
from ilo.syntax.desugar import desugar_dot_index
from ilo.syntax.lexer import MAX_NESTING, scan
from ilo.syntax.parser import Parser


class LexFailure(Exception):
    """The file does not lex; ``str()`` is the reference's ``{:?}`` of its LexError."""


class TooDeep(Exception):
    """Nested past our parser's limit; ``str()`` is the whole message."""


def parse_lenient(text: str, name: str) -> list[ast.Decl]:
    """The declarations that parse, lifted inline functions last (as in the reference)."""
    source = Source(name, text)
    try:
        stream = scan(source)
    except IloError as e:
        d = e.diagnostics[0]
        if not d.code.startswith("ILO-L"):
            # our scanner's nesting guard (ILO-P020): the reference has none (its parser
            # would exhaust the stack), so there is no message of its to copy
            raise TooDeep(f"error: {d.code}: {d.message}") from None
        raise LexFailure(_lex_error_debug(e, text)) from None
    parser = Parser(source, stream)
    # as ilo.syntax.parser does: the nesting guard, not Python's stack, must stop a deep
    # program (also for our own walks over the tree afterwards)
    needed = MAX_NESTING * 12 + 200
    if sys.getrecursionlimit() < needed:
        sys.setrecursionlimit(needed)
    try:
        program = parser.parse_program()
    except RecursionError:  # defensive, as in ilo.syntax.parser: nothing usable parsed
        return []
    decls = list(program.decls)
    if parser.diagnostics:  # parse_program left these steps undone
        lifted = list(parser.lifted.values())
        desugar_dot_index(decls + lifted)
        if parser.lambdas:
            decls += lifted
            resolve_captures(parser.lambdas, parser._known_function(decls), parser.lifted)
    return decls


def _lex_error_debug(error: IloError, text: str) -> str:
    """``LexError { code: .., position: .., snippet: .., suggestion: .. }``: the position is
    a byte offset as in Rust, the suggestion is our message (and hint, if any)."""
    d = error.diagnostics[0]
    span = d.span
    start = getattr(span, "start", 0) or 0
    end = max(getattr(span, "end", start) or start, start)
    position = len(text[:start].encode("utf-8"))
    suggestion = d.message + (f". {d.suggestion}" if getattr(d, "suggestion", None) else "")
    return (f"LexError {{ code: {_rust_debug(d.code)}, position: {position}, "
            f"snippet: {_rust_debug(text[start:end])}, suggestion: {_rust_debug(suggestion)} }}")


def _rust_debug(s: str) -> str:
    """A string as Rust's ``{:?}`` prints it: quoted, with Rust's escapes."""
    out = []
    for c in s:
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif c == "\0":
            out.append("\\0")
        elif ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0:
            out.append(f"\\u{{{ord(c):x}}}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'
