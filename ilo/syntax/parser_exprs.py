"""Expression rules of the parser (a mixin over ``ParserBase``; used only by ``parser.py``).

The grammar has three layers, mirroring the reference:

- ``parse_atom``: literals, names with ``.field``/``.0``/``.?`` chains, ``(expr)``, ``[list]``;
- ``parse_operand``: an atom or a prefix form with fixed arity (``+a b``, ``-a``/``-a b``,
  ``!a``, ``~a``, ``^a``, ``$url``), nesting without parentheses: ``+*a b c``;
- ``parse_expr``: calls (``f a b``, greedy over following operands), infix operators by
  binding power, then ``with``, ``??`` and ``>>`` pipes (desugared to calls here, with the
  piped value as the last argument).

This module holds the entry points, postfix and infix forms, prefix operators, ternaries and
match expressions; calls, atoms, records, lists and lambdas are in ``parser_atoms`` (the
mixin under this one), the token tables in ``grammar``.
"""

from __future__ import annotations

from ilo.syntax import ast
from ilo.syntax.grammar import ARITH, INFIX, PREFIX_BINARY, TERNARY_COMPARE, TRAP_ATOMS, K
from ilo.syntax.parser_atoms import AtomParser


class ExprParser(AtomParser):
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
        if k is K.NIL_COALESCE:
            return self.parse_prefix_coalesce()
        if k is K.QUESTION:
            if self.is_prefix_ternary():
                return self.parse_prefix_ternary()
            return self.parse_match_expr()
        return self.parse_infix(self.parse_call_or_atom(), 0)

    def parse_prefix_coalesce(self) -> ast.Expr:
        # `??v d`, the prefix twin of `v ?? d`; the value side takes a known call's
        # arity, so `??mget m k 0` is `(mget m k) ?? 0`.
        start = self.here()
        self.advance()
        value = self.parse_call_arg()
        default = self.parse_expr_inner()
        return ast.NilCoalesce(value, default, span=self.span_from(start))

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
        return ast.With(expr, self.parse_field_values(), span=self.span_from(start))

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
            unwrap, panic = self.take_unwrap()
            # Explicit arguments fill the slots before the piped (last) one.
            entry = self.call_arity(name)
            args = []
            while self.can_start_operand():
                i = len(args)
                outer = (name, entry[0] - 1, i) if entry and entry[0] > 0 else None
                args.append(self.parse_call_arg(self.is_fn_slot(entry, i), outer))
            args.append(expr)
            expr = ast.Call(name, args, unwrap, panic=panic, span=self.span_from(start))
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
        elif k is K.NIL_COALESCE:
            result = self.parse_prefix_coalesce()
        else:
            result = self.parse_atom()
        self.leave()
        return result

    def parse_minus(self) -> ast.Expr:
        # One operand: negation. Two operands: subtraction (`-a b` is a - b).
        start = self.here()
        self.check_double_minus_trap()
        minus = self.pos
        self.advance()
        first = self.parse_operand()
        if self.can_start_operand():
            second = self.parse_operand()
            return ast.BinOp("-", first, second, span=self.span_from(start))
        if type(first) is ast.Lit and type(first.value) is float and self.pos == minus + 2 \
                and self.ends[minus] == self.starts[minus + 1]:
            # `;-7`: the lexer split the literal (fresh-expression rule); it is still -7.
            return ast.Lit(-first.value, span=self.span_from(start))
        return ast.Unary("-", first, span=self.span_from(start))

    def check_double_minus_trap(self) -> None:
        """`- -*a b *c d` reads as -((a*b) - (c*d)), flipping the second product's sign."""
        at = self.at
        p = self.pos
        if (at(p + 1) is K.MINUS and at(p + 2) in ARITH and at(p + 3) in TRAP_ATOMS
                and at(p + 4) in TRAP_ATOMS and at(p + 5) in ARITH and at(p + 6) in TRAP_ATOMS
                and at(p + 7) in TRAP_ATOMS):
            raise self.error(
                "ILO-P021",
                "ambiguous double-minus prefix chain: `- -OP1 a b OP2 c d` is -((a OP1 b) - (c OP2 d)), "
                "which flips the sign of the second term",
                "to negate the sum write `- 0 +OP1 a b OP2 c d`; to subtract, bind first: "
                "`p=OP1 a b;q=OP2 c d;- p q`",
            )

    def parse_prefix_binary(self) -> ast.Expr:
        start = self.here()
        k = self.peek()
        op = PREFIX_BINARY[k]
        nxt = self.at(self.pos + 1)
        if k is K.EQ and nxt in (K.LT, K.GT):
            compound, fix = ("=<", "<=") if nxt is K.LT else ("=>", ">=")
            raise self.error(
                "ILO-P003", f"`{compound}` is not an ilo operator",
                f"write `{fix}` (one token), e.g. `{fix}a b`",
            )
        self.advance()
        if (k is K.AMP or k is K.PIPE) and self.peek() is k:
            doubled = op * 2
            raise self.error(
                "ILO-P003", f"unexpected '{doubled}'",
                f"ilo writes logical and/or with a single character: '&' and '|', not '{doubled}'",
            )
        left = self.parse_prefix_operand()
        right = self.parse_prefix_operand()
        return ast.BinOp(op, left, right, span=self.span_from(start))

    def parse_prefix_operand(self) -> ast.Expr:
        """An operand of `>a b`: a known function followed by an operand is a call
        (`>len q 0`); a bare name before a terminator stays a name (it may be a local)."""
        if self.kinds[self.pos] is K.IDENT and self.plain_call_head(self.pos):
            entry = self.call_arity(self.values[self.pos])
            if entry and entry[0] > 0:
                saved = self.pos
                self.pos += 1
                follows = self.can_start_operand()
                self.pos = saved
                if follows:
                    return self.parse_call_arg()
        return self.parse_operand()

    def parse_dollar(self) -> ast.Expr:
        # `$url` is `get url`; `$!url` is `get! url`.
        start = self.here()
        self.advance()
        unwrap, panic = self.take_unwrap()
        arg = self.parse_operand()
        return ast.Call("get", [arg], unwrap, panic=panic, span=self.span_from(start))

    def is_prefix_ternary(self) -> bool:
        return self.at(self.pos + 1) in TERNARY_COMPARE

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
        ternary = self.parse_bool_ternary()
        if ternary is not None:
            return ternary
        subject, arms = self.parse_match_parts()
        return ast.MatchExpr(subject, arms, span=self.span_from(start))

    def parse_bool_ternary(self) -> ast.Expr | None:
        """`?h{a}{b}` or `?h a b` on a bool subject; None (nothing consumed) for a match."""
        start = self.here()
        if self.at(self.pos + 1) is K.LBRACE:
            return None
        saved = self.pos
        self.advance()
        subject = self.parse_atom()
        if self.looks_like_brace_ternary():
            self.expect(K.LBRACE)
            then = self.parse_expr()
            self.expect(K.RBRACE)
            self.expect(K.LBRACE)
            otherwise = self.parse_expr()
            self.expect(K.RBRACE)
            return ast.Ternary(subject, then, otherwise, span=self.span_from(start))
        if self.peek() is not K.LBRACE and self.can_start_operand():
            then = self.parse_operand()
            otherwise = self.parse_operand()
            return ast.Ternary(subject, then, otherwise, span=self.span_from(start))
        self.pos = saved
        return None

    def looks_like_brace_ternary(self) -> bool:
        """At `{`: one brace group free of top-level `:`/`;`, then another `{`."""
        if self.peek() is not K.LBRACE or self.at(self.pos + 1) is K.RBRACE:
            return False
        braces = 1
        open_ = {K.LPAREN: 0, K.LBRACKET: 0}  # round and square brackets open inside the group
        kinds = self.kinds
        for i in range(self.pos + 1, self.n):
            k = kinds[i]
            if k is K.LBRACE:
                braces += 1
            elif k is K.RBRACE:
                braces -= 1
                if braces == 0:
                    return self.at(i + 1) is K.LBRACE
            elif k is K.LPAREN or k is K.LBRACKET:
                open_[k] += 1
            elif k is K.RPAREN or k is K.RBRACKET:
                opener = K.LPAREN if k is K.RPAREN else K.LBRACKET
                if open_[opener] == 0:  # closes what began before the group: not a ternary
                    return False
                open_[opener] -= 1
            elif (k is K.COLON or k is K.SEMI) and braces == 1 and not any(open_.values()):
                return False
        return False
