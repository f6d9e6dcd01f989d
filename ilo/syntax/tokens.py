"""Token kinds and the Token value produced by ``ilo.syntax.lexer``.

``TokenKind`` is the one table of ilo's lexical vocabulary: each member's value is its
spelling (or a description for the literal/identifier kinds), which diagnostics quote.
``Token`` is what ``lex`` hands out to callers that want token objects (the lexer's tests);
the parser reads the same information from the lexer's compact ``TokenStream`` instead, so
a 10 MB program does not allocate one object per token.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ilo.source import Span


class TokenKind(enum.Enum):
    # Keywords.
    TYPE = "type"
    TOOL = "tool"
    USE = "use"
    WITH = "with"
    TIMEOUT = "timeout"
    RETRY = "retry"
    # Type constructors: single uppercase letters.
    LIST_T = "L"
    RESULT_T = "R"
    FN_T = "F"
    OPT_T = "O"
    MAP_T = "M"
    SUM_T = "S"
    # Words reserved because agents bring them from other languages; the parser answers
    # them with the ilo equivalent.
    KW_IF = "if"
    KW_RETURN = "return"
    KW_LET = "let"
    KW_FN = "fn"
    KW_DEF = "def"
    KW_VAR = "var"
    KW_CONST = "const"
    # Literal words.
    TRUE = "true"
    FALSE = "false"
    NIL = "nil"
    # Two-character operators.
    GE = ">="
    LE = "<="
    NE = "!="
    PLUS_EQ = "+="
    PIPE_OP = ">>"
    NIL_COALESCE = "??"
    BANG_BANG = "!!"  # panic-unwrap: `f!! x`
    # One-character operators.
    PLUS = "+"
    MINUS = "-"
    STAR = "*"
    SLASH = "/"
    GT = ">"
    LT = "<"
    EQ = "="  # `==` lexes to this too
    AMP = "&"
    PIPE = "|"
    QUESTION = "?"
    AT = "@"
    BANG = "!"
    CARET = "^"
    TILDE = "~"
    DOLLAR = "$"
    # Punctuation.
    COLON = ":"
    SEMI = ";"
    DOTDOT = ".."
    DOT_QUESTION = ".?"
    DOT = "."
    COMMA = ","
    LBRACE = "{"
    RBRACE = "}"
    LPAREN = "("
    RPAREN = ")"
    LBRACKET = "["
    RBRACKET = "]"
    UNDERSCORE = "_"
    # Carrying a value.
    NUMBER = "number"
    TEXT = "text"
    IDENT = "identifier"
    # A column-0 newline (declaration boundary). The parser ignores it, as the reference
    # does: declarations are told apart by lookahead, not by line breaks.
    NEWLINE = "newline"
    # Sentinel past the last token; never produced by ``lex``.
    EOF = "end of input"


KEYWORDS: dict[str, TokenKind] = {
    k.value: k
    for k in (
        TokenKind.TYPE, TokenKind.TOOL, TokenKind.USE, TokenKind.WITH, TokenKind.TIMEOUT,
        TokenKind.RETRY, TokenKind.KW_IF, TokenKind.KW_RETURN, TokenKind.KW_LET, TokenKind.KW_FN,
        TokenKind.KW_DEF, TokenKind.KW_VAR, TokenKind.KW_CONST, TokenKind.TRUE, TokenKind.FALSE,
        TokenKind.NIL,
    )
}

RESERVED = frozenset(
    {TokenKind.KW_IF, TokenKind.KW_RETURN, TokenKind.KW_LET, TokenKind.KW_FN, TokenKind.KW_DEF,
     TokenKind.KW_VAR, TokenKind.KW_CONST}
)

# Operator and punctuation spellings → kind (`==` is sugar for `=`).
SYMBOLS: dict[str, TokenKind] = {
    k.value: k
    for k in TokenKind
    if k.value and not k.value[0].isalpha() and k not in (TokenKind.EOF,)
}
SYMBOLS["=="] = TokenKind.EQ
SYMBOLS.update({c: TokenKind(c) for c in "LRFOMS"})

@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str  # the source text of the token (original spelling, escapes unresolved)
    span: Span
    value: float | str | None = None  # number value, resolved text, or identifier name

    def __str__(self) -> str:
        return describe(self.kind, self.value)


def describe(kind: TokenKind, value: float | str | None = None) -> str:
    """How diagnostics name a token: `'>'`, `identifier 'foo'`, `number 3`."""
    if kind is TokenKind.IDENT:
        return f"identifier '{value}'"
    if kind is TokenKind.NUMBER and isinstance(value, float):
        return f"number {int(value) if value.is_integer() else value}"
    if kind is TokenKind.TEXT:
        text = str(value)
        return f'text "{text[:20]}{"..." if len(text) > 20 else ""}"'
    if kind in (TokenKind.EOF, TokenKind.NEWLINE, TokenKind.NUMBER):
        return kind.value
    return f"'{kind.value}'"


__all__ = ["KEYWORDS", "RESERVED", "SYMBOLS", "Token", "TokenKind", "describe"]
