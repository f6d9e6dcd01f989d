"""Token tables of the expression grammar, shared by ``parser_exprs`` and ``parser_atoms``.

Binding powers of infix operators, the prefix binary operators, and the token sets the
parser's lookaheads test (what may start an atom or an operand, what ends a call).
"""

from __future__ import annotations

from ilo.syntax.tokens import TokenKind

K = TokenKind

# Infix operators by precedence level, loosest first; every operator is left-associative.
_LEVELS: tuple[tuple[tuple[TokenKind, str], ...], ...] = (
    ((K.PIPE, "|"),),
    ((K.AMP, "&"),),
    ((K.EQ, "="), (K.NE, "!=")),
    ((K.LT, "<"), (K.GT, ">"), (K.LE, "<="), (K.GE, ">=")),
    ((K.PLUS_EQ, "+="), (K.PLUS, "+"), (K.MINUS, "-")),
    ((K.STAR, "*"), (K.SLASH, "/")),
)
# token → (left binding power, right binding power, operator); higher binds tighter.
INFIX: dict[TokenKind, tuple[int, int, str]] = {
    tok: (2 * i + 1, 2 * i + 2, op) for i, level in enumerate(_LEVELS) for tok, op in level
}
# Prefix binary operators (two operands): the infix ones but `-`, unary or binary by lookahead.
PREFIX_BINARY: dict[TokenKind, str] = {
    tok: op for tok, (_l, _r, op) in INFIX.items() if tok is not K.MINUS
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
