"""Expression rules of the parser (a mixin over ``ParserBase``; used only by ``parser.py``).

The grammar has three layers, mirroring the reference:

- ``parse_atom``: literals, names with ``.field``/``.0``/``.?`` chains, ``(expr)``, ``[list]``;
- ``parse_operand``: an atom or a prefix form with fixed arity (``+a b``, ``-a``/``-a b``,
  ``!a``, ``~a``, ``^a``, ``$url``), nesting without parentheses: ``+*a b c``;
- ``parse_expr``: calls (``f a b``, greedy over following operands), infix operators by
  binding power, then ``with``, ``??`` and ``>>`` pipes (desugared to calls here, with the
  piped value as the last argument).

A call's arguments are operands, except that a *known* function (a builtin in
``call_arity`` or a user function declared earlier) in argument position takes exactly its
arity: ``hd tl xs`` is ``hd (tl xs)``, ``mset m k +c 1`` passes ``+c 1`` as the third
argument, and ``>len q 0`` compares ``len q`` with 0. Inside a whitespace list ``[a b c]``
bare names are elements, not calls (known functions still take their arity).
"""

from __future__ import annotations

from ilo.syntax import ast
from ilo.syntax.call_arity import VARIADIC_TRAILING, builtin_call_arity
from ilo.syntax.lexer import MAX_NESTING
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
OPERAND_START = ATOM_START | PREFIX_BINARY.keys() | {
    K.MINUS, K.BANG, K.TILDE, K.CARET, K.DOLLAR, K.NIL_COALESCE}
# Operators that, met after a call argument, may end the call and take it as left operand.
_INFIX_OR_SUFFIX = frozenset(INFIX) | {K.NIL_COALESCE}
# Operators that count as one operand in the prefix-binary lookahead when they head a
# prefix form themselves (`h +a +b c`).
_NESTED_PREFIX = frozenset(PREFIX_BINARY) | {K.MINUS, K.NIL_COALESCE}
# Atoms counted by the `fac -n 1` (prefix) versus `x - 3` (infix) lookahead.
_SIMPLE_ATOMS = frozenset({K.IDENT, K.NUMBER, K.TEXT, K.TRUE, K.FALSE, K.NIL, K.UNDERSCORE})
_TERNARY_COMPARE = frozenset({K.EQ, K.GT, K.LT, K.GE, K.LE, K.NE})
_ARITH = frozenset({K.PLUS, K.STAR, K.SLASH})
_TRAP_ATOMS = _SIMPLE_ATOMS | {K.LPAREN, K.LBRACKET}
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
        if (at(p + 1) is K.MINUS and at(p + 2) in _ARITH and at(p + 3) in _TRAP_ATOMS
                and at(p + 4) in _TRAP_ATOMS and at(p + 5) in _ARITH and at(p + 6) in _TRAP_ATOMS
                and at(p + 7) in _TRAP_ATOMS):
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

    # ── Known-arity calls ───────────────────────────────────────────────────

    def call_arity(self, name: str) -> tuple[int, frozenset[int]] | None:
        entry = self.fn_arity.get(name)
        if entry is None and name not in self.fn_arity:
            entry = self.fn_arity[name] = builtin_call_arity(name)
        return entry

    def register_fn(self, name: str, params: list) -> None:
        from ilo import types as ty

        slots = frozenset(i for i, p in enumerate(params) if isinstance(p.ty, ty.TFn))
        self.fn_arity[name] = (len(params), slots)

    @staticmethod
    def is_fn_slot(entry, i: int) -> bool:
        return bool(entry) and i in entry[1]

    def plain_call_head(self, i: int) -> bool:
        """Is the name at i followed by nothing that makes it other than a call head
        (a record `name f:v`, a field `.f`, `name()` or a glued `name!`)?"""
        nxt = self.at(i + 1)
        if nxt is K.IDENT:
            return self.at(i + 2) is not K.COLON
        if nxt is K.DOT or nxt is K.DOT_QUESTION:
            return False
        if nxt is K.LPAREN:
            return self.at(i + 2) is not K.RPAREN
        if nxt is K.BANG or nxt is K.BANG_BANG:
            return self.starts[i + 1] != self.ends[i]
        return True

    def parse_call_arg(self, in_fn_slot: bool = False, outer: tuple | None = None) -> ast.Expr:
        """One call argument: a known function here takes exactly its arity."""
        if in_fn_slot or self.kinds[self.pos] is not K.IDENT or not self.plain_call_head(self.pos):
            return self.parse_operand()
        name = self.values[self.pos]
        start = self.here()
        if name in VARIADIC_TRAILING and outer is not None:
            outer_name, outer_arity, idx = outer
            if idx + 1 != outer_arity:
                raise self.error(
                    "ILO-P018", f"`{name}` must be the last argument to `{outer_name}`; "
                    "wrap it in parens to use it earlier",
                    f"`{outer_name}` takes {outer_arity} args and `{name}` is at slot {idx}: move it "
                    f'last, or write `({name} "..." ...)`',
                )
            self.advance()
            args = []
            while self.can_start_operand():
                args.append(self.parse_call_arg())
                if self.ends_call_args():
                    break
            return ast.Call(name, args, False, span=self.span_from(start))
        entry = self.call_arity(name)
        if not entry or entry[0] == 0:
            return self.parse_operand()
        self.enter()
        self.advance()
        arity = entry[0]
        args = []
        for i in range(arity):
            if not self.can_start_operand():
                break  # too few: the verifier reports the arity
            args.append(self.parse_call_arg(i in entry[1], (name, arity, i)))
        self.leave()
        return ast.Call(name, args, False, span=self.span_from(start))

    def ends_call_args(self) -> bool:
        """After an argument: `??` always ends the call (`f a ?? b` is `(f a) ?? b`), an
        infix operator does unless it heads a prefix form (`mset m k +c 1`)."""
        k = self.kinds[self.pos]
        if k is K.NIL_COALESCE:
            return True
        return k in INFIX and not self.looks_like_prefix_binary(self.pos)

    def parse_dollar(self) -> ast.Expr:
        # `$url` is `get url`; `$!url` is `get! url`.
        start = self.here()
        self.advance()
        unwrap, panic = self.take_unwrap()
        arg = self.parse_operand()
        return ast.Call("get", [arg], unwrap, panic=panic, span=self.span_from(start))

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
        braces, parens, brackets = 1, 0, 0
        kinds = self.kinds
        for i in range(self.pos + 1, self.n):
            k = kinds[i]
            if k is K.LBRACE:
                braces += 1
            elif k is K.RBRACE:
                braces -= 1
                if braces == 0:
                    return self.at(i + 1) is K.LBRACE
            elif k is K.LPAREN:
                parens += 1
            elif k is K.RPAREN:
                if parens == 0:
                    return False
                parens -= 1
            elif k is K.LBRACKET:
                brackets += 1
            elif k is K.RBRACKET:
                if brackets == 0:
                    return False
                brackets -= 1
            elif (k is K.COLON or k is K.SEMI) and braces == 1 and parens == 0 and brackets == 0:
                return False
        return False

    # ── Calls, records, atoms ───────────────────────────────────────────────

    def take_unwrap(self) -> tuple[bool, bool]:
        """A glued `!` (propagate) or `!!` (panic) after a name: (unwrap, panic)."""
        p = self.pos
        k = self.kinds[p]
        if (k is K.BANG or k is K.BANG_BANG) and p > 0 and self.starts[p] == self.ends[p - 1]:
            self.pos += 1
            return True, k is K.BANG_BANG
        return False, False

    def parse_call_or_atom(self) -> ast.Expr:
        start = self.here()
        atom = self.parse_atom()
        if type(atom) is not ast.Ref:
            return atom
        name = atom.name
        unwrap, panic = self.take_unwrap()
        if self.peek() is K.LPAREN and self.at(self.pos + 1) is K.RPAREN:
            self.pos += 2
            return ast.Call(name, [], unwrap, panic=panic, span=self.span_from(start))
        entry = self.call_arity(name)
        if unwrap:
            args = []
            while self.can_start_operand():
                i = len(args)
                outer = (name, entry[0], i) if entry and entry[0] > 0 else None
                args.append(self.parse_call_arg(self.is_fn_slot(entry, i), outer))
            return ast.Call(name, args, True, panic=panic, span=self.span_from(start))
        if self.peek() is K.IDENT and self.at(self.pos + 1) is K.COLON:
            return self.parse_record(name, start)
        if name in _BARE_CALLS and not self.can_start_operand():
            return ast.Call(name, [], False, span=self.span_from(start))
        if not self.can_start_operand():
            return atom
        if self.no_whitespace_call:
            # `[a b c]`: names are elements; a known function still takes its arity.
            if not entry or entry[0] == 0:
                return atom
            arity = entry[0]
            args = []
            for i in range(arity):
                if not self.can_start_operand():
                    break
                args.append(self.parse_call_arg(i in entry[1], (name, arity, i)))
            return ast.Call(name, args, False, span=self.span_from(start))
        # An operator right after the name: `fac -n 1` passes a prefix form as the
        # argument, but `x - 3` is infix on a plain name.
        if self.peek() in _INFIX_OR_SUFFIX and not self.looks_like_prefix_binary(self.pos):
            return atom
        args = []
        while self.can_start_operand():
            i = len(args)
            outer = (name, entry[0], i) if entry and entry[0] > 0 else None
            args.append(self.parse_call_arg(self.is_fn_slot(entry, i), outer))
            if self.ends_call_args():
                break
        return ast.Call(name, args, False, span=self.span_from(start))

    def parse_record(self, type_name: str, start: int) -> ast.Expr:
        fields = []
        while self.peek() is K.IDENT and self.at(self.pos + 1) is K.COLON:
            fname = self.expect_ident()
            self.expect(K.COLON)
            fields.append((fname, self.parse_atom()))
        return ast.RecordExpr(type_name, fields, span=self.span_from(start))

    def looks_like_prefix_binary(self, pos: int) -> bool:
        """Does the operator at pos head a prefix form: two operands follow, each a simple
        atom, a bracketed group, or itself a prefix form (`h +a +b c`)?"""
        return self.scan_prefix_binary_end(pos, 0) is not None

    def scan_prefix_binary_end(self, pos: int, depth: int) -> int | None:
        if depth > MAX_NESTING:
            return pos + 1  # let the parser's nesting guard report it
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
                level = 1
                look += 1
                while look < n and level > 0:
                    inner = kinds[look]
                    if inner is k:
                        level += 1
                    elif inner is close:
                        level -= 1
                    look += 1
            elif k in _NESTED_PREFIX:
                end = self.scan_prefix_binary_end(look, depth + 1)
                if end is None:
                    break
                count += 1
                look = end
            else:
                break
        return look if count >= 2 else None

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
            if self.looks_like_lambda():
                result = self.parse_lambda()
            else:
                self.advance()
                # Parentheses are self-contained: calls work inside a whitespace list.
                saved, self.no_whitespace_call = self.no_whitespace_call, False
                result = self.parse_expr()
                self.no_whitespace_call = saved
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

    # ── Inline lambdas ──────────────────────────────────────────────────────

    def looks_like_lambda(self) -> bool:
        """At `(`: `(name:` or `(>` opens a lambda, given a `>` at its own paren level."""
        first = self.at(self.pos + 1)
        if not (first is K.GT or (first is K.IDENT and self.at(self.pos + 2) is K.COLON)):
            return False
        # `(>n;42)` is a lambda without parameters, but `(>a b)` a grouped comparison (the
        # reference reads it as a broken lambda): without parameters, require the `;`.
        want = K.SEMI if first is K.GT else K.GT
        start = self.pos + 2 if first is K.GT else self.pos + 1
        level = 1
        kinds = self.kinds
        for i in range(start, self.n):
            k = kinds[i]
            if k is K.LPAREN or k is K.LBRACKET or k is K.LBRACE:
                level += 1
            elif k is K.RPAREN or k is K.RBRACKET or k is K.RBRACE:
                level -= 1
                if level == 0:
                    return False
            elif k is want and level == 1:
                return True
        return False

    def parse_lambda(self) -> ast.Expr:
        start = self.here()
        self.expect(K.LPAREN)
        saved, self.no_whitespace_call = self.no_whitespace_call, False
        params = self.parse_params()
        self.expect(K.GT)
        ret = self.parse_type()
        if self.peek() is K.SEMI:
            self.advance()
        body: list[ast.Stmt] = []
        if self.peek() is not K.RPAREN:
            body.append(self.parse_stmt())
            while self.peek() is K.SEMI:
                self.advance()
                if self.peek() is K.RPAREN:
                    break
                body.append(self.parse_stmt())
        self.no_whitespace_call = saved
        if self.peek() is K.IDENT:
            raise self.error(
                "ILO-P003", f"expected `)` to close the inline lambda, got {self.current_desc()}",
                "a lambda body's call takes its operands greedily; group chained calls with "
                "parentheses: `(a:n x:t>n;+a (kc (body x)))`",
            )
        self.expect(K.RPAREN)
        name = f"{self.lambda_prefix}{len(self.lambdas)}"
        span = self.span_from(start)
        lam = ast.Lambda(name, params, ret, body, span=span)
        self.lambdas.append(lam)
        # Capture parameters are appended once the whole program is known (captures.py);
        # the table entry counts the written parameters, which is what callers pass.
        self.register_fn(name, params)
        fn = ast.Function(name, list(params), ret, body, span=span, lifted=True)
        self.lifted[name] = fn
        return lam

    def _parse_list(self, start: int) -> ast.Expr:
        # A comma at the list's own level switches to comma mode, where each element is
        # a full expression (`[floor x, ceil x]`); otherwise names are elements (`[a b]`).
        self.advance()
        comma_mode = self.list_has_top_level_comma()
        saved = self.no_whitespace_call
        if not comma_mode:
            self.no_whitespace_call = True
        items = []
        while self.peek() is not K.RBRACKET:
            if self.peek() is K.SEMI:
                raise self.error(
                    "ILO-P009", "`;` is not a list separator inside `[...]`",
                    "ilo list literals use whitespace: `[1 2 3]` (commas optional: `[1, 2, 3]`)",
                )
            items.append(self.parse_list_element())
            if self.peek() is K.COMMA:
                self.advance()
        self.no_whitespace_call = saved
        self.expect(K.RBRACKET)
        return ast.ListExpr(items, span=self.span_from(start))

    def list_has_top_level_comma(self) -> bool:
        level = 0
        kinds = self.kinds
        for i in range(self.pos, self.n):
            k = kinds[i]
            if k is K.LPAREN or k is K.LBRACKET or k is K.LBRACE:
                level += 1
            elif k is K.RPAREN or k is K.RBRACKET or k is K.RBRACE:
                if level == 0:
                    return False
                level -= 1
            elif k is K.COMMA and level == 0:
                return True
        return False

    def _parse_name_chain(self, name: str, start: int) -> ast.Expr:
        if name == "mmap":
            return ast.Call(name, [], False, span=self.span_from(start))
        # `name()`, `name!()`, `name!!()`: zero-argument calls usable as operands.
        p = self.pos
        k = self.kinds[p]
        if (k is K.BANG or k is K.BANG_BANG) and self.starts[p] == self.ends[p - 1] \
                and self.at(p + 1) is K.LPAREN and self.at(p + 2) is K.RPAREN:
            self.pos += 3
            return ast.Call(name, [], True, panic=k is K.BANG_BANG, span=self.span_from(start))
        if k is K.LPAREN and self.at(p + 1) is K.RPAREN:
            self.pos += 2
            return ast.Call(name, [], False, span=self.span_from(start))
        expr: ast.Expr = ast.Ref(name, span=self.span_from(start))
        while self.peek() is K.DOT or self.peek() is K.DOT_QUESTION:
            safe = self.peek() is K.DOT_QUESTION
            self.advance()
            index = self.values[self.pos]
            if self.peek() is K.NUMBER and index >= 0 and float(index).is_integer():
                self.advance()
                expr = ast.Index(expr, int(index), safe, span=self.span_from(start))
            elif self.peek() is K.LPAREN:
                raise self.error(
                    "ILO-P005", "expected identifier, got '('",
                    f"field access needs a name after `.`; to index by an expression write "
                    f"`at {name} (expr)`, or bind the index first: `i=expr;{name}.i`",
                )
            else:
                field = self.expect_ident()
                expr = ast.Field(expr, field, safe, span=self.span_from(start))
        return expr

