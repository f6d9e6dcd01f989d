"""Lexer: ``Source`` → tokens.

``lex(source)`` returns ``list[Token]``; ``scan(source)`` returns the same tokens as a
compact ``TokenStream`` (parallel arrays, no newline tokens) for the parser. Both raise
``IloError`` with an ``ILO-L`` code (or ``ILO-P020`` for absurd bracket nesting) at the first
bad character.

Before tokenising, line breaks are normalised the way the reference does it: a newline
followed by an indented line becomes ``;`` (dropped after ``{`` and before ``}``), a newline
before a column-0 ``}`` disappears, and any other newline stays as a declaration boundary.
The rule is applied to the raw text, inside text literals too, because that is what the
reference does. Every token span is mapped back to the ORIGINAL text, so diagnostics point
at what the user wrote; an inserted ``;`` points at the line break it replaced.

Tokens follow maximal munch: ``-7`` is one number, ``--`` starts a comment, ``==`` is ``=``,
``x-1`` is one identifier, ``type`` is a keyword but ``types`` an identifier.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field

from ilo.diagnostics import Diagnostic, IloError
from ilo.source import Source, Span
from ilo.syntax.tokens import KEYWORDS, SYMBOLS, Token, TokenKind

# Deepest bracket nesting accepted. Checked here, before any token list is built, so
# megabytes of `(((` fail fast instead of filling memory; the parser enforces the same
# limit on operator nesting.
MAX_NESTING = 200

_FIELD, _COMMENT, _NUMBER, _TEXT, _WORD, _SYMBOL, _NEWLINE, _OTHER = range(1, 9)
# Alternatives are ordered so that the first one that matches is also the longest
# possible token (comments before numbers before `-`; two-char symbols before one-char).
# Blanks match no alternative, so `finditer` skips them without a Python-level step.
_MASTER = re.compile(
    "|".join(
        (
            # Right after `.`/`.?` (no blank; not after `..`) any identifier-shaped
            # word is a field name, JSON style: `r.type`, `r.URL`, `r.user_id`,
            # `r.baseSeverity`; digits there are one index each (`xss.0.1`).
            r"(?:(?<=[^.]\.)|(?<=^\.)|(?<=\.\?))([A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*|[0-9]+)",
            r"(--[^\n]*)",
            r"(-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)",
            r'("[^"\\]*(?:\\.[^"\\]*)*")',
            r"([a-z][a-z0-9]*(?:-[a-z0-9]+)*)",
            r"(>=|<=|!=|\+=|>>|\?\?|!!|==|\.\.|\.\?|[-+*/><=&|?@!^~$:;.,{}()\[\]_LRFOMS])",
            r"(\n)",
            r"([^ \t])",
        )
    )
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_ESCAPES = {
    "n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\",
    "f": "\f", "b": "\b", "v": "\v", "a": "\a", "0": "\0", "/": "/",
}  # any other `\x` stays as written
_WORDISH = re.compile(r"[A-Za-z0-9_-]*")
_OPENERS = frozenset("([{")
_CLOSERS = frozenset(")]}")
# Rust's `is_ascii_whitespace`: what the reference skips when it looks for the last
# significant character before a line break.
_ASCII_WS = " \t\n\r\x0c"


@dataclass(slots=True)
class TokenStream:
    """Tokens as parallel arrays (newlines dropped). ``starts``/``ends`` are original offsets."""

    kinds: list[TokenKind] = field(default_factory=list)
    values: list = field(default_factory=list)
    starts: array = field(default_factory=lambda: array("q"))
    ends: array = field(default_factory=lambda: array("q"))
    # Indices of the tokens a dropped declaration-boundary newline came just before (the
    # token count itself when the text ends with one): the parser's header checks read them.
    boundaries: set = field(default_factory=set)


# What the line-break rewrite must see: text literals (their brackets and `--` are not
# code), comments (dropped first, so an indented comment line adds no `;`), line breaks
# with the indentation after them, and round/square brackets (inside them a line break
# is only a blank). Everything between matches is copied as it is.
_LAYOUT = re.compile(r'"(?:[^"\\]|\\.)*"?|--[^\n]*|\n[ \t]*|[()\[\]]', re.DOTALL)


def normalize_newlines(text: str) -> tuple[str, list[int], list[int]]:
    """Apply the reference's line-break rules.

    - inside ``(...)`` or ``[...]`` a line break is a blank (multi-line lists and calls);
    - a line break before an indented line is ``;``, except after ``{``, after a ``;``,
      before ``}`` and before a ``>>`` pipe continuation;
    - before a column-0 ``}`` it disappears; any other line break stays (a declaration
      boundary). Comments are removed first.

    Returns the normalised text and a segment map: segment ``i`` starts at normalised
    offset ``norm[i]`` and original offset ``orig[i]`` and runs without gaps.
    """
    if "\n" not in text and "--" not in text:
        return text, [0], [0]
    out: list[str] = []
    norm: list[int] = []
    orig: list[int] = []
    npos = 0
    last_sig = ""  # last non-blank character emitted
    depth = 0
    pos = 0  # start of the original text not yet copied

    def emit(piece: str, at: int) -> None:
        nonlocal npos, last_sig
        if not piece:
            return
        norm.append(npos)
        orig.append(at)
        out.append(piece)
        npos += len(piece)
        stripped = piece.rstrip(_ASCII_WS)
        if stripped:
            last_sig = stripped[-1]

    n = len(text)
    for m in _LAYOUT.finditer(text):
        c = text[m.start()]
        if c == '"':
            continue
        if c == "(" or c == "[":
            depth += 1
            continue
        if c == ")" or c == "]":
            depth = max(0, depth - 1)
            continue
        at, after = m.start(), m.end()
        emit(text[pos:at], pos)
        pos = after
        if c == "-":  # a comment: dropped, its line break is handled on its own
            continue
        if depth > 0:
            emit(" ", at)
            continue
        nxt = text[after] if after < n else ""
        if after > at + 1:  # the next line is indented
            ends_semi = bool(out) and out[-1].endswith(";")
            if not (last_sig == "{" or ends_semi or text.startswith(">>", after)):
                emit(";", at)
                ends_semi = True
            if nxt == "}" and last_sig != "{" and ends_semi:
                _drop_last_char(out, norm, orig)
                npos -= 1
        elif nxt != "}":
            emit("\n", at)
    emit(text[pos:], pos)
    return "".join(out), norm or [0], orig or [0]


def _drop_last_char(out: list[str], norm: list[int], orig: list[int]) -> None:
    """Remove the `;` that ends the output (before an indented `}`)."""
    if len(out[-1]) == 1:
        out.pop()
        norm.pop()
        orig.pop()
    else:
        out[-1] = out[-1][:-1]


# After these a sigil run like `OR` is a type (`:OR n t` is O (R n t)), not a keyword slip.
_TYPE_CONTEXT = frozenset({TokenKind.COLON, TokenKind.GT, TokenKind.LIST_T, TokenKind.RESULT_T,
                           TokenKind.FN_T, TokenKind.OPT_T, TokenKind.MAP_T, TokenKind.SUM_T})
# Tokens after which a glued `-N` splits into `-` and `N` (see the NUMBER case in _scan).
_FRESH_EXPR = frozenset({TokenKind.SEMI, TokenKind.NEWLINE, TokenKind.EQ, TokenKind.LBRACE, TokenKind.LPAREN})


def _lex_error(code: str, message: str, span: Span, suggestion: str | None = None) -> IloError:
    return IloError(Diagnostic(code, message, span, suggestion=suggestion))


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), body)


def _scan(source: Source, keep_newlines: bool) -> TokenStream:
    text, seg_norm, seg_orig = normalize_newlines(source.text)
    stream = TokenStream()
    kinds, values, starts, ends = stream.kinds, stream.values, stream.starts, stream.ends
    add_kind, add_value, add_start, add_end = kinds.append, values.append, starts.append, ends.append
    boundaries = stream.boundaries
    # Offsets map back to the original text segment by segment: within segment `si`,
    # original = normalised + delta. Tokens arrive in order, so `si` only moves forward.
    bounds = [*seg_norm[1:], len(text) + 1]
    si, delta, bound = 0, seg_orig[0] - seg_norm[0], bounds[0]
    depth = 0
    symbols, keywords, ident = SYMBOLS, KEYWORDS, TokenKind.IDENT
    last_kind = None  # previous token's kind, newlines included

    for m in _MASTER.finditer(text):
        group = m.lastindex
        if group == _COMMENT:
            continue
        start, end = m.span()
        if start >= bound:
            while start >= bounds[si]:
                si += 1
            delta, bound = seg_orig[si] - seg_norm[si], bounds[si]
        if group == _WORD:
            word = m.group()
            kind = keywords.get(word)
            if kind is None:
                kind, value = ident, word
                if text.startswith("_", end):
                    _check_underscore(text, start, end, start + delta)
            else:
                value = None
        elif group == _SYMBOL:
            sym = m.group()
            kind, value = symbols[sym], None
            if sym in _OPENERS:
                depth += 1
                if depth > MAX_NESTING:
                    raise _lex_error(
                        "ILO-P020", f"brackets nested more than {MAX_NESTING} deep",
                        Span(start + delta, start + delta + 1),
                        "bind inner results to names instead of nesting",
                    )
            elif sym in _CLOSERS and depth:
                depth -= 1
            elif sym == "O" and text.startswith("OR", start) and last_kind not in _TYPE_CONTEXT \
                    and not text[start + 2:start + 3].isalnum():
                raise _bad_char(text, start, start + delta)  # `OR` from another language
        elif group == _NUMBER:
            word = m.group()
            kind, value = TokenKind.NUMBER, float(word)
            if word[0] == "-" and (last_kind is None or last_kind in _FRESH_EXPR):
                # The reference's negative-literal rule: at the start of an expression
                # (`;-0 v`, `=-1 t`, `{-2 x}`, `(-0 n)`) a glued `-N` is the operator `-`
                # then N, so `-0 v` is 0 - v; elsewhere (`at xs -1`, `[1 -2]`) it stays
                # one negative number.
                add_kind(TokenKind.MINUS)
                add_value(None)
                add_start(start + delta)
                add_end(start + delta + 1)
                start += 1
                value = -value
        elif group == _FIELD:
            word = m.group()
            if word[0].isdigit():
                kind, value = TokenKind.NUMBER, float(word)
            else:
                kind, value = ident, word
        elif group == _TEXT:
            kind, value = TokenKind.TEXT, _unescape(m.group()[1:-1])
        elif group == _NEWLINE:
            last_kind = TokenKind.NEWLINE
            if not keep_newlines:
                boundaries.add(len(kinds))
                continue
            kind, value = TokenKind.NEWLINE, None
        else:
            raise _bad_char(text, start, start + delta)
        last_kind = kind
        add_kind(kind)
        add_value(value)
        add_start(start + delta)
        if end <= bound:
            add_end(end + delta)
        else:  # a text literal running over a line break into later segments
            k = bisect_right(seg_norm, end - 1) - 1
            add_end(end - 1 - seg_norm[k] + seg_orig[k] + 1)
    return stream


def _check_underscore(text: str, start: int, end: int, o_start: int) -> None:
    if end + 1 < len(text) and text[end + 1] in _IDENT_TAIL:
        bad = _WORDISH.match(text, start).group()
        raise _lex_error(
            "ILO-L002",
            f"underscore in identifier '{bad}'",
            Span(o_start, o_start + len(bad)),
            f"use hyphens instead of underscores: '{bad.replace('_', '-')}'",
        )


_IDENT_TAIL = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


_LOGICAL_WORDS = {
    "AND": ("&", "single `&` for logical and"),
    "OR": ("|", "single `|` for logical or"),
    "NOT": ("!", "prefix `!` for logical not"),
}


def _bad_char(text: str, pos: int, o_pos: int) -> IloError:
    ch = text[pos]
    if ch == '"':
        line_end = text.find("\n", pos)
        length = (len(text) if line_end < 0 else line_end) - pos
        return _lex_error(
            "ILO-L004", "unterminated text literal", Span(o_pos, o_pos + max(1, length)),
            'close the text with a matching `"` (write `\\"` for a quote inside text)',
        )
    if "A" <= ch <= "Z":
        word = _WORDISH.match(text, pos).group()
        logical = _LOGICAL_WORDS.get(word)
        if logical is not None:
            return _lex_error("ILO-L001", f"unexpected '{word}'", Span(o_pos, o_pos + len(word)),
                              f"`{word}` is not an ilo keyword. ilo uses `{logical[0]}` ({logical[1]})")
        if len(word) > 1:
            fixed = word.lower().replace("_", "-")
            return _lex_error(
                "ILO-L003", f"uppercase identifier '{word}'", Span(o_pos, o_pos + len(word)),
                f"identifiers are lowercase: '{fixed}' (single L R F O M S are type constructors)",
            )
    if ch == "\r":
        return _lex_error(
            "ILO-L001", "unexpected carriage return", Span(o_pos, o_pos + 1),
            "ilo source uses \\n line endings; convert CRLF to LF",
        )
    shown = ch if ch.isprintable() else repr(ch)[1:-1]
    return _lex_error("ILO-L001", f"unexpected character '{shown}'", Span(o_pos, o_pos + 1))


def scan(source: Source) -> TokenStream:
    """Tokens for the parser: compact arrays, declaration-boundary newlines dropped."""
    return _scan(source, keep_newlines=False)


def lex(source: Source) -> list[Token]:
    """Tokens as objects, including NEWLINE tokens for column-0 line breaks."""
    stream = _scan(source, keep_newlines=True)
    text = source.text
    return [
        Token(kind, text[s:e], Span(s, e), value)
        for kind, value, s, e in zip(stream.kinds, stream.values, stream.starts, stream.ends)
    ]
