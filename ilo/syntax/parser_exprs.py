"""Expression rules of the parser (a mixin over ``ParserBase``; used only by ``parser.py``).

The grammar has three layers, mirroring the reference:

- ``parse_atom``: literals, names with ``.field``/``.0``/``.?`` chains, ``(expr)``, ``[list]``;
- ``parse_operand``: an atom or a prefix form with fixed arity (``+a b``, ``-a``/``-a b``,
  ``!a``, ``~a``, ``^a``, ``$url``), nesting without parentheses: ``+*a b c``;
- ``parse_expr``: calls (``f a b``, greedy over following operands), infix operators by
  binding power, then ``with``, ``??`` and ``>>`` pipes (desugared to calls here, with the
  piped value as the last argument).

Function calls are not operands: ``*n fac p`` is ``*n fac`` with ``p`` left over, exactly as
in the reference.
"""

from __future__ import annotations

from ilo.syntax import ast
from ilo.syntax.parser_base import RESERVED_HINTS, ParserBase
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
OPERAND_START = ATOM_START | PREFIX_BINARY.keys() | {K.MINUS, K.BANG, K.TILDE, K.CARET, K.DOLLAR}
# Atoms counted by the `fac -n 1` (prefix) versus `x - 3` (infix) lookahead.
_SIMPLE_ATOMS = frozenset({K.IDENT, K.NUMBER, K.TEXT, K.TRUE, K.FALSE, K.NIL, K.UNDERSCORE})
_TERNARY_COMPARE = frozenset({K.EQ, K.GT, K.LT, K.GE, K.LE, K.NE})
# Builtins that may be called with no arguments and no `()`.
_BARE_CALLS = frozenset({"rnd", "now", "mmap"})
_LITERALS = {K.TRUE: True, K.FALSE: False, K.NIL: None}


class ExprParser(ParserBase):
    # ── Entry points ────────────────────────────────────────────────────────

    def parse_expr(self) -> ast.Expr:
        self.enter()
        start = self.here()
        k = self.peek()
        if k is K.TILDE or k is K.CARET:
            self.advance()
            inner = self.parse_expr_inner()
            cls = ast.OkExpr if k is K.TILDE else ast.ErrExpr
            expr: ast.Expr = cls(inner, span=self.span_from(start))
        else:
            expr = self.parse_expr_inner()
        expr = self._maybe_with(expr, start)
        expr = self._maybe_nil_coalesce(expr, start)
        expr = self._maybe_pipe(expr, start)
        self.leave()
        return expr

    def parse_expr_inner(self) -> ast.Expr:
        """Prefix forms, match/ternary, or a call/atom followed by infix operators."""
        k = self.peek()
        if k is K.MINUS:
            return self.parse_minus()
        if k is K.BANG:
            start = self.here()
            self.advance()
            operand = self.parse_operand()
            return ast.Unary("!", operand, span=self.span_from(start))
        if k is K.DOLLAR:
            return self.parse_dollar()
        if k in PREFIX_BINARY:
            return self.parse_prefix_binary()
        if k is K.QUESTION:
            if self.is_prefix_ternary():
                return self.parse_prefix_ternary()
            return self.parse_match_expr()
        return self.parse_infix(self.parse_call_or_atom(), 0)

    def parse_list_element(self) -> ast.Expr:
        k = self.peek()
        if k is K.TILDE or k is K.CARET:
            start = self.here()
            self.advance()
            inner = self.parse_expr_inner()
            cls = ast.OkExpr if k is K.TILDE else ast.ErrExpr
            return cls(inner, span=self.span_from(start))
        return self.parse_expr_inner()

    # ── Postfix forms: with, ??, >> ─────────────────────────────────────────

    def _maybe_with(self, expr: ast.Expr, start: int) -> ast.Expr:
        if self.peek() is not K.WITH:
            return expr
        self.advance()
        updates = []
        while self.peek() is K.IDENT and self.at(self.pos + 1) is K.COLON:
            name = self.expect_ident()
            self.expect(K.COLON)
            updates.append((name, self.parse_atom()))
        return ast.With(expr, updates, span=self.span_from(start))

    def _maybe_nil_coalesce(self, expr: ast.Expr, start: int) -> ast.Expr:
        while self.peek() is K.NIL_COALESCE:
            self.advance()
            default = self.parse_expr_inner()
            expr = ast.NilCoalesce(expr, default, span=self.span_from(start))
        return expr

    def _maybe_pipe(self, expr: ast.Expr, start: int) -> ast.Expr:
        # `x >> f a b` is `f a b x`: the piped value becomes the last argument.
        while self.peek() is K.PIPE_OP:
            self.advance()
            name = self.expect_ident()
            unwrap = self.bang_adjacent()
            if unwrap:
                self.advance()
            args = []
            while self.can_start_operand():
                args.append(self.parse_operand())
            args.append(expr)
            expr = ast.Call(name, args, unwrap, span=self.span_from(start))
        return expr

    # ── Infix ───────────────────────────────────────────────────────────────

    def parse_infix(self, left: ast.Expr, min_bp: int) -> ast.Expr:
        while True:
            entry = INFIX.get(self.peek())
            if entry is None or entry[0] < min_bp:
                return left
            _, right_bp, op = entry
            self.advance()
            right = self.parse_infix(self.parse_operand(), right_bp)
            left = ast.BinOp(op, left, right, span=left.span.merge(right.span))

    # ── Prefix forms ────────────────────────────────────────────────────────

    def parse_operand(self) -> ast.Expr:
        """An atom or a prefix operator form; never a call."""
        self.enter()
        k = self.peek()
        if k in PREFIX_BINARY:
            result = self.parse_prefix_binary()
        elif k is K.MINUS:
            result = self.parse_minus()
        elif k is K.BANG or k is K.TILDE or k is K.CARET:
            start = self.here()
            self.advance()
            inner = self.parse_operand()
            span = self.span_from(start)
            if k is K.BANG:
                result = ast.Unary("!", inner, span=span)
            else:
                result = (ast.OkExpr if k is K.TILDE else ast.ErrExpr)(inner, span=span)
        elif k is K.DOLLAR:
            result = self.parse_dollar()
        else:
            result = self.parse_atom()
        self.leave()
        return result

    def parse_minus(self) -> ast.Expr:
        # One operand: negation. Two operands: subtraction (`-a b` is a - b).
        start = self.here()
        self.advance()
        first = self.parse_operand()
        if self.can_start_operand():
            second = self.parse_operand()
            return ast.BinOp("-", first, second, span=self.span_from(start))
        return ast.Unary("-", first, span=self.span_from(start))

    def parse_prefix_binary(self) -> ast.Expr:
        start = self.here()
        k = self.peek()
        op = PREFIX_BINARY[k]
        self.advance()
        if (k is K.AMP or k is K.PIPE) and self.peek() is k:
            doubled = op * 2
            raise self.error(
                "ILO-P003", f"unexpected '{doubled}'",
                f"ilo writes logical and/or with a single character: '&' and '|', not '{doubled}'",
            )
        left = self.parse_operand()
        right = self.parse_operand()
        return ast.BinOp(op, left, right, span=self.span_from(start))

    def parse_dollar(self) -> ast.Expr:
        # `$url` is `get url`; `$!url` is `get! url`.
        start = self.here()
        self.advance()
        unwrap = self.bang_adjacent()
        if unwrap:
            self.advance()
        arg = self.parse_operand()
        return ast.Call("get", [arg], unwrap, span=self.span_from(start))

    def is_prefix_ternary(self) -> bool:
        return self.at(self.pos + 1) in _TERNARY_COMPARE

    def parse_prefix_ternary(self) -> ast.Expr:
        # `?=x 0 a b`: a comparison in prefix form, then the two branch operands.
        start = self.here()
        self.advance()
        cond = self.parse_prefix_binary()
        then = self.parse_operand()
        otherwise = self.parse_operand()
        return ast.Ternary(cond, then, otherwise, span=self.span_from(start))

    def parse_match_expr(self) -> ast.Expr:
        start = self.here()
        subject, arms = self.parse_match_parts()
        return ast.MatchExpr(subject, arms, span=self.span_from(start))

    # ── Calls, records, atoms ───────────────────────────────────────────────

    def parse_call_or_atom(self) -> ast.Expr:
        start = self.here()
        atom = self.parse_atom()
        if type(atom) is not ast.Ref:
            return atom
        name = atom.name
        unwrap = self.bang_adjacent()
        if unwrap:
            self.advance()
        if self.peek() is K.LPAREN and self.at(self.pos + 1) is K.RPAREN:
            self.pos += 2
            return ast.Call(name, [], unwrap, span=self.span_from(start))
        if unwrap:
            args = []
            while self.can_start_operand():
                args.append(self.parse_operand())
            return ast.Call(name, args, True, span=self.span_from(start))
        if self.peek() is K.IDENT and self.at(self.pos + 1) is K.COLON:
            return self.parse_record(name, start)
        if name in _BARE_CALLS and not self.can_start_operand():
            return ast.Call(name, [], False, span=self.span_from(start))
        if not self.can_start_operand():
            return atom
        # An operator right after the name: `fac -n 1` passes a prefix form as the
        # argument, but `x - 3` is infix on a plain name.
        if self.peek() in INFIX and not self.looks_like_prefix_binary(self.pos):
            return atom
        args = []
        while self.can_start_operand():
            args.append(self.parse_operand())
            if self.peek() in INFIX:
                break  # `f a + b` is (f a) + b
        return ast.Call(name, args, False, span=self.span_from(start))

    def parse_record(self, type_name: str, start: int) -> ast.Expr:
        fields = []
        while self.peek() is K.IDENT and self.at(self.pos + 1) is K.COLON:
            fname = self.expect_ident()
            self.expect(K.COLON)
            fields.append((fname, self.parse_atom()))
        return ast.RecordExpr(type_name, fields, span=self.span_from(start))

    def looks_like_prefix_binary(self, pos: int) -> bool:
        """Do two or more simple atoms (a bracketed group counts as one) follow the operator at pos?"""
        count = 0
        look = pos + 1
        n = self.n
        kinds = self.kinds
        while look < n and count < 2:
            if self.is_fn_decl_start(look):
                break
            k = kinds[look]
            if k in _SIMPLE_ATOMS:
                count += 1
                look += 1
            elif k is K.LPAREN or k is K.LBRACKET:
                count += 1
                close = K.RPAREN if k is K.LPAREN else K.RBRACKET
                depth = 1
                look += 1
                while look < n and depth > 0:
                    inner = kinds[look]
                    if inner is k:
                        depth += 1
                    elif inner is close:
                        depth -= 1
                    look += 1
            else:
                break
        return count >= 2

    def can_start_operand(self) -> bool:
        # A following `name>` / `name p:` is the next declaration, not an argument.
        return self.peek() in OPERAND_START and not self.is_fn_decl_start(self.pos)

    def parse_atom(self) -> ast.Expr:
        self.enter()
        start = self.here()
        k = self.peek()
        value = self.values[self.pos]
        if k is K.NUMBER or k is K.TEXT:
            self.advance()
            result: ast.Expr = ast.Lit(value, span=self.span_from(start))
        elif k in _LITERALS:
            self.advance()
            result = ast.Lit(_LITERALS[k], span=self.span_from(start))
        elif k is K.UNDERSCORE:
            self.advance()
            result = ast.Ref("_", span=self.span_from(start))
        elif k is K.LPAREN:
            self.advance()
            result = self.parse_expr()
            self.expect(K.RPAREN)
            result.span = self.span_from(start)  # the parentheses belong to the expression
        elif k is K.LBRACKET:
            result = self._parse_list(start)
        elif k is K.IDENT:
            self.advance()
            result = self._parse_name_chain(value, start)
        elif k is K.EOF:
            raise self.error("ILO-P010", "expected expression, got end of input")
        else:
            raise self.error(
                "ILO-P009", f"expected expression, got {self.current_desc()}", RESERVED_HINTS.get(k.value)
            )
        self.leave()
        return result

    def _parse_list(self, start: int) -> ast.Expr:
        self.advance()
        items = []
        while self.peek() is not K.RBRACKET:
            items.append(self.parse_list_element())
            if self.peek() is K.COMMA:
                self.advance()
        self.expect(K.RBRACKET)
        return ast.ListExpr(items, span=self.span_from(start))

    def _parse_name_chain(self, name: str, start: int) -> ast.Expr:
        if name == "mmap":
            return ast.Call(name, [], False, span=self.span_from(start))
        expr: ast.Expr = ast.Ref(name, span=self.span_from(start))
        while self.peek() is K.DOT or self.peek() is K.DOT_QUESTION:
            safe = self.peek() is K.DOT_QUESTION
            self.advance()
            index = self.values[self.pos]
            if self.peek() is K.NUMBER and index >= 0 and float(index).is_integer():
                self.advance()
                expr = ast.Index(expr, int(index), safe, span=self.span_from(start))
            else:
                field = self.expect_ident()
                expr = ast.Field(expr, field, safe, span=self.span_from(start))
        return expr

