"""Calls, known-arity arguments, records, atoms, lists, name chains and inline lambdas
(a mixin over ``ParserBase``, under ``parser_exprs.ExprParser``; used only by ``parser.py``).

A call's arguments are operands, except that a *known* function (a builtin in
``call_arity`` or a user function declared earlier) in argument position takes exactly its
arity: ``hd tl xs`` is ``hd (tl xs)``, ``mset m k +c 1`` passes ``+c 1`` as the third
argument, and ``>len q 0`` compares ``len q`` with 0. Inside a whitespace list ``[a b c]``
bare names are elements, not calls (known functions still take their arity).
"""

from __future__ import annotations

from ilo.syntax import ast
from ilo.syntax.call_arity import VARIADIC_TRAILING, builtin_call_arity
from ilo.syntax.grammar import (
    BARE_CALLS,
    INFIX,
    INFIX_OR_SUFFIX,
    LITERALS,
    NESTED_PREFIX,
    OPERAND_START,
    SIMPLE_ATOMS,
    K,
)
from ilo.syntax.lexer import MAX_NESTING
from ilo.syntax.parser_base import RESERVED_HINTS, ParserBase


class AtomParser(ParserBase):
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
        if name in BARE_CALLS and not self.can_start_operand():
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
        if self.peek() in INFIX_OR_SUFFIX and not self.looks_like_prefix_binary(self.pos):
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
        return ast.RecordExpr(type_name, self.parse_field_values(), span=self.span_from(start))

    def parse_field_values(self) -> list[tuple[str, ast.Expr]]:
        """`name:atom` pairs, as long as they last (a record literal's fields, `with`'s updates)."""
        fields = []
        while self.peek() is K.IDENT and self.at(self.pos + 1) is K.COLON:
            fname = self.expect_ident()
            self.expect(K.COLON)
            fields.append((fname, self.parse_atom()))
        return fields

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
            if k in SIMPLE_ATOMS:
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
            elif k in NESTED_PREFIX:
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
        elif k in LITERALS:
            self.advance()
            result = ast.Lit(LITERALS[k], span=self.span_from(start))
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
