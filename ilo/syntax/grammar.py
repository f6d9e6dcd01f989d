"""Token tables of the expression grammar, shared by ``parser_exprs`` and ``parser_atoms``.

Binding powers of infix operators, the prefix binary operators, and the token sets the
parser's lookaheads test (what may start an atom or an operand, what ends a call).
"""

from __future__ import annotations

from ilo.syntax.tokens import TokenKind

K = TokenKind

# token → (left binding power, right binding power, operator); higher binds tighter.
INFIX: dict[TokenKind, tuple[int, int, str]] = {
    K.PIPE: (1, 2, "|"),
    K.AMP: (3, 4, "&"),
    K.EQ: (5, 6, "="),
    K.NE: (5, 6, "!="),
    K.LT: (7, 8, "<"),
    K.GT: (7, 8, ">"),
    K.LE: (7, 8, "<="),
    K.GE: (7, 8, ">="),
    K.PLUS_EQ: (9, 10, "+="),
    K.PLUS: (9, 10, "+"),
    K.MINUS: (9, 10, "-"),
    K.STAR: (11, 12, "*"),
    K.SLASH: (11, 12, "/"),
}
# Prefix binary operators (two operands). `-` is not here: it is unary or binary by lookahead.
PREFIX_BINARY: dict[TokenKind, str] = {
    K.PLUS: "+", K.STAR: "*", K.SLASH: "/", K.GT: ">", K.LT: "<", K.GE: ">=", K.LE: "<=",
    K.EQ: "=", K.NE: "!=", K.AMP: "&", K.PIPE: "|", K.PLUS_EQ: "+=",
}
ATOM_START = frozenset(
    {K.IDENT, K.NUMBER, K.TEXT, K.TRUE, K.FALSE, K.NIL, K.UNDERSCORE, K.LPAREN, K.LBRACKET}
)
OPERAND_START = ATOM_START | PREFIX_BINARY.keys() | {
    K.MINUS, K.BANG, K.TILDE, K.CARET, K.DOLLAR, K.NIL_COALESCE}
# Operators that, met after a call argument, may end the call and take it as left operand.
INFIX_OR_SUFFIX = frozenset(INFIX) | {K.NIL_COALESCE}
# Operators that count as one operand in the prefix-binary lookahead when they head a
# prefix form themselves (`h +a +b c`).
NESTED_PREFIX = frozenset(PREFIX_BINARY) | {K.MINUS, K.NIL_COALESCE}
# Atoms counted by the `fac -n 1` (prefix) versus `x - 3` (infix) lookahead.
SIMPLE_ATOMS = frozenset({K.IDENT, K.NUMBER, K.TEXT, K.TRUE, K.FALSE, K.NIL, K.UNDERSCORE})
TERNARY_COMPARE = frozenset({K.EQ, K.GT, K.LT, K.GE, K.LE, K.NE})
ARITH = frozenset({K.PLUS, K.STAR, K.SLASH})
TRAP_ATOMS = SIMPLE_ATOMS | {K.LPAREN, K.LBRACKET}
# Builtins that may be called with no arguments and no `()`.
BARE_CALLS = frozenset({"rnd", "now", "mmap"})
LITERALS = {K.TRUE: True, K.FALSE: False, K.NIL: None}
