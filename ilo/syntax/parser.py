"""Parser: ``Source`` → ``ilo.syntax.ast.Program``.

``parse(source)`` lexes and parses a whole program. On failure it raises ``IloError``
carrying every parse error found (up to 20): after an error the parser skips to the next
thing that looks like a declaration and carries on, as the reference does, so an agent sees
all of its mistakes at once. Lexer errors stop at the first one.

This module holds declarations, statements and match patterns; expressions live in
``parser_exprs``/``parser_atoms`` and shared plumbing (cursor, errors, types) in ``parser_base``. The rules
follow the reference parser, including its desugarings: ``v=cond{a}{b}`` becomes a ``Let``
of a ``Ternary``, ``v=cond{body}`` a ``Guard`` whose last statement binds ``v``, and
``x>>f a`` a call ``f a x``.
"""

from __future__ import annotations

import gc
import sys

from ilo import types as ty
from ilo.diagnostics import Diagnostic, IloError
from ilo.source import UNKNOWN_SPAN, Source, Span
from ilo.syntax import ast
from ilo.syntax.captures import resolve_captures
from ilo.syntax.desugar import desugar_dot_index
from ilo.syntax.lexer import MAX_NESTING, scan
from ilo.syntax.parser_base import RESERVED_HINTS, ParseFailure
from ilo.syntax.parser_exprs import ExprParser
from ilo.syntax.tokens import TokenKind

K = TokenKind
MAX_ERRORS = 20
# Operators that make an expression a guard condition (`cond value` / `cond{...}`).
GUARD_OPS = frozenset({"=", "!=", ">", "<", ">=", "<=", "&", "|"})
_TYPE_PATTERNS = {"n": "n", "t": "t", "b": "b", "l": "l"}
_LITERAL_PATTERNS = {K.TRUE: True, K.FALSE: False, K.NIL: None}
_OPERATOR_STARTS = frozenset(
    {K.PLUS, K.MINUS, K.STAR, K.SLASH, K.GT, K.LT, K.GE, K.LE, K.EQ, K.NE, K.AMP, K.PIPE,
     K.BANG, K.TILDE, K.CARET}
)


def parse(source: Source, lambda_prefix: str = "__lit_") -> ast.Program:
    """Parse a whole program; raise IloError (codes ILO-L*/ILO-P*) if it is malformed."""
    # The parse allocates many small nodes and frees none; pausing the cyclic GC meanwhile
    # saves about a third of the time on large programs.
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        return _parse(source, lambda_prefix)
    finally:
        if gc_was_on:
            gc.enable()


def _parse(source: Source, lambda_prefix: str) -> ast.Program:
    stream = scan(source)
    parser = Parser(source, stream)
    parser.lambda_prefix = lambda_prefix  # imported files get their own, so names never clash
    # Each nesting level costs a handful of Python frames; make sure the nesting guard,
    # not Python's recursion limit, is what stops a deep program.
    needed = MAX_NESTING * 12 + 200
    old_limit = sys.getrecursionlimit()
    if old_limit < needed:
        sys.setrecursionlimit(needed)
    try:
        program = parser.parse_program()
    except RecursionError:  # defensive: the guard should always fire first
        raise IloError(Diagnostic("ILO-P020", "program too deeply nested", parser.span_at(parser.pos))) from None
    finally:
        if old_limit < needed:
            sys.setrecursionlimit(old_limit)
    if parser.diagnostics:
        raise IloError(parser.diagnostics)
    return program


def is_guard_condition(expr: ast.Expr) -> bool:
    return type(expr) is ast.BinOp and expr.op in GUARD_OPS


class Parser(ExprParser):
    def __init__(self, source, stream):
        super().__init__(source, stream)
        self.diagnostics: list[Diagnostic] = []

    # ── Program and declarations ────────────────────────────────────────────

    def parse_program(self) -> ast.Program:
        decls: list[ast.Decl] = []
        # After a "expected a declaration" error, further ones are resync noise until a
        # declaration parses again (the first one carries the useful hint).
        cascade = False
        while self.pos < self.n and len(self.diagnostics) < MAX_ERRORS:
            try:
                decls.append(self.parse_decl())
                cascade = False
            except ParseFailure as failure:
                code = failure.diagnostic.code
                if not (cascade and code in ("ILO-P001", "ILO-P002")):
                    self.diagnostics.append(failure.diagnostic)
                cascade = cascade or code in ("ILO-P001", "ILO-P002")
                self.depth = 0
                self.current_fn = None
                stuck_at = self.pos
                self.sync_to_decl_boundary()
                if self.pos == stuck_at and self.peek() is K.RBRACE:
                    self.advance()  # a stray `}` would stop the resync forever
                    self.sync_to_decl_boundary()
        if not self.diagnostics:
            desugar_dot_index(decls + list(self.lifted.values()))
        if self.lambdas and not self.diagnostics:
            decls.extend(self.lifted.values())
            resolve_captures(self.lambdas, self._known_function(decls), self.lifted)
        return ast.Program(decls, source_text=self.source.text)

    @staticmethod
    def _known_function(decls: list[ast.Decl]):
        from ilo.runtime.builtins.registry import canonical

        names = {d.name for d in decls if isinstance(d, (ast.Function, ast.Tool))}
        return lambda name: name in names or canonical(name) is not None

    def sync_to_decl_boundary(self) -> None:
        """Skip to the next `type`, `tool` or function header outside any braces."""
        depth = 0
        while self.pos < self.n:
            k = self.kinds[self.pos]
            if k is K.LBRACE:
                depth += 1
            elif k is K.RBRACE:
                if depth == 0:
                    return
                depth -= 1
            elif depth == 0 and (k is K.TYPE or k is K.TOOL or self.is_fn_decl_start(self.pos)):
                return
            self.pos += 1

    def parse_decl(self) -> ast.Decl:
        k = self.peek()
        if k is K.TYPE:
            return self.parse_type_decl()
        if k is K.TOOL:
            return self.parse_tool_decl()
        if k is K.USE:
            return self.parse_use_decl()
        if k is K.IDENT:
            word = self.values[self.pos]
            if word == "alias":
                return self.parse_alias_decl()
            if word in RESERVED_HINTS:
                raise self.error("ILO-P001", f"expected a declaration, got '{word}'", RESERVED_HINTS[word])
            return self.parse_fn_decl()
        if k is K.EOF:
            raise self.error("ILO-P002", "expected a declaration, got end of input")
        hint = RESERVED_HINTS.get(k.value)
        if k in _OPERATOR_STARTS:
            hint = (
                "a declaration cannot start with an operator; check the previous line's body, "
                "and bind call results to names first: r=fac -n 1;*n r"
            )
        raise self.error("ILO-P001", f"expected a declaration, got {self.current_desc()}", hint)

    def parse_fn_decl(self) -> ast.Function:
        start = self.here()
        if self.kinds[self.pos] is K.IDENT and _is_builtin(self.values[self.pos]):
            # Builtins win in calls, so a user function of that name would never run.
            word = self.values[self.pos]
            raise self.error(
                "ILO-P011", f"`{word}` is a builtin and cannot be used as a function name",
                f"rename to something like `my{word}` or `{word}of` — builtins shadow user "
                "functions in calls, so reusing the name silently breaks dispatch",
            )
        name_span = self.span_at(self.pos)
        name = self.expect_ident()
        self.current_fn = name
        params = self.parse_params()
        self.check_header_boundary(name, name_span)
        # Known before its body, so recursive calls take their arity too (`fac -n 1`).
        self.register_fn(name, params)
        if not params and self.peek() is K.COLON and self.at(self.pos + 1) is K.GT:
            raise self.error(
                "ILO-P003", f"unexpected `:>` after `{name}` — ilo signatures have no colon before `>`",
                f"write `{name}>return;body` for a function without parameters, or "
                f"`{name} p:t>return;body` with them",
            )
        self.expect(K.GT)
        self.check_header_boundary(name, name_span)
        ret = self.parse_type()
        if self.peek() is K.SEMI:  # a line break after the return type works as well
            self.advance()
        if self.peek() is K.LBRACE and not self.is_destructure_pattern():
            body = self.parse_brace_body()  # `f x:n>n{...}`: the whole body in braces
        else:
            body = self.parse_body(top_level=True)
        self.current_fn = None
        return ast.Function(name, params, ret, body, span=self.span_from(start))

    def check_header_boundary(self, name: str, name_span) -> None:
        """ILO-P020 when a function header ends at a declaration boundary or the end of the
        text before its ``>type``: reported at the function's name, on its own line, rather
        than wherever the next declaration makes parsing fail."""
        eof = self.peek() is K.EOF
        if not eof and self.pos not in self.boundaries:
            return
        where = "the file" if eof else "the line"
        raise ParseFailure(Diagnostic(
            "ILO-P020", f"incomplete function header for `{name}`: header runs off the end of {where}", name_span,
            suggestion="a function header is `name params>type;body`: finish it on the same line, or indent "
                       "the continuation so the parser keeps it inside this function",
            function=name))

    def parse_params(self) -> list[ast.Param]:
        params = []
        # a line break at column 0 ends the header: the next line's `name:` is not a parameter
        while self.peek() is K.IDENT and self.at(self.pos + 1) is K.COLON and self.pos not in self.boundaries:
            start = self.here()
            name = self.expect_ident()
            self.expect(K.COLON)
            params.append(ast.Param(name, self.parse_type(), span=self.span_from(start)))
        return params

    def parse_type_decl(self) -> ast.TypeDef:
        start = self.here()
        self.expect(K.TYPE)
        name = self.expect_ident()
        self.expect(K.LBRACE)
        fields = []
        while self.peek() is not K.RBRACE:
            if fields:
                self.expect(K.SEMI)
            fstart = self.here()
            fname = self.expect_ident()
            self.expect(K.COLON)
            fields.append(ast.Param(fname, self.parse_type(), span=self.span_from(fstart)))
        self.expect(K.RBRACE)
        return ast.TypeDef(name, fields, span=self.span_from(start))

    def parse_tool_decl(self) -> ast.Tool:
        start = self.here()
        self.expect(K.TOOL)
        name = self.expect_ident()
        if self.peek() is not K.TEXT:
            raise self.error("ILO-P015", f"expected the tool's description text, got {self.current_desc()}")
        description = self.values[self.pos]
        self.advance()
        params = self.parse_params()
        self.expect(K.GT)
        ret = self.parse_type()
        options: dict[TokenKind, float] = {}
        while self.peek() is K.TIMEOUT or self.peek() is K.RETRY:
            option = self.peek()
            self.advance()
            self.expect(K.COLON)
            options[option] = self.parse_number()
            if self.peek() is K.COMMA:
                self.advance()
        return ast.Tool(
            name, description, params, ret, options.get(K.TIMEOUT), options.get(K.RETRY),
            span=self.span_from(start),
        )

    def parse_alias_decl(self) -> ast.Alias:
        start = self.here()
        self.advance()  # the word `alias`
        name = self.expect_ident()
        return ast.Alias(name, self.parse_type(), span=self.span_from(start))

    def parse_use_decl(self) -> ast.Use:
        # `use "file.ilo"` or `use "file.ilo" [name1 name2]`; resolved by the loader, not here.
        start = self.here()
        self.expect(K.USE)
        if self.peek() is not K.TEXT:
            raise self.error("ILO-P016", f"expected a quoted path after `use`, got {self.current_desc()}")
        path = self.values[self.pos]
        self.advance()
        only = None
        if self.peek() is K.LBRACKET:
            self.advance()
            only = []
            while self.peek() is not K.RBRACKET:
                if self.peek() is K.EOF:
                    raise self.error("ILO-P016", "unclosed `[` in `use`")
                only.append(self.expect_ident())
            self.expect(K.RBRACKET)
            if not only:
                raise self.error("ILO-P016", "empty `[]` in `use`", "leave out the brackets to import everything")
        return ast.Use(path, only, span=self.span_from(start))

    # ── Bodies and statements ───────────────────────────────────────────────

    def at_body_end(self) -> bool:
        k = self.peek()
        return k is K.EOF or k is K.RBRACE

    def parse_body(self, top_level: bool = False) -> list[ast.Stmt]:
        """`;`-separated statements; a function's own body also ends where the next
        function's header starts (so a trailing comment line cannot join them)."""
        stmts: list[ast.Stmt] = []
        if self.at_body_end():
            return stmts
        stmts.append(self.parse_stmt())
        while self.peek() is K.SEMI:
            self.advance()
            if self.at_body_end():
                break
            if top_level and self.is_fn_decl_start_strict(self.pos):
                break
            stmts.append(self.parse_stmt())
        return stmts

    def parse_brace_body(self) -> list[ast.Stmt]:
        self.expect(K.LBRACE)
        body = self.parse_body()
        self.expect(K.RBRACE)
        return body

    def parse_stmt(self) -> ast.Stmt:
        self.enter()
        start = self.here()
        stmt = self._stmt()
        stmt.span = self.span_from(start)
        self.leave()
        return stmt

    def _stmt(self) -> ast.Stmt:
        k = self.peek()
        if k is K.QUESTION:
            if self.is_prefix_ternary():
                return ast.ExprStmt(self.parse_prefix_ternary())
            ternary = self.parse_bool_ternary()
            if ternary is not None:
                return ast.ExprStmt(ternary)
            subject, arms = self.parse_match_parts()
            return ast.Match(subject, arms)
        if k is K.AT:
            return self.parse_foreach()
        if k is K.IDENT:
            word = self.values[self.pos]
            if word in _KEYWORD_STMTS:
                return _KEYWORD_STMTS[word](self)
            if self.at(self.pos + 1) is K.EQ:
                return self.parse_let()
            return self.finish_guard(self.parse_expr(), negated=False)
        if k is K.LBRACE and self.is_destructure_pattern():
            return self.parse_destructure()
        if k is K.BANG:
            return self.parse_bang_stmt()
        if k is K.CARET:
            start = self.here()
            self.advance()
            inner = self.parse_expr_inner()
            return ast.ExprStmt(ast.ErrExpr(inner, span=self.span_from(start)))
        return self.finish_guard(self.parse_expr(), negated=False)

    def _ret(self) -> ast.Stmt:
        self.advance()
        return ast.Return(self.parse_expr())

    def _brk(self) -> ast.Stmt:
        self.advance()
        return ast.Break(None if self.at_body_end() else self.parse_expr())

    def _cnt(self) -> ast.Stmt:
        self.advance()
        return ast.Continue()

    def _wh(self) -> ast.Stmt:
        self.advance()
        cond = self.parse_expr()
        return ast.While(cond, self.parse_brace_body())

    def finish_guard(self, cond: ast.Expr, negated: bool, start: int = 0) -> ast.Stmt:
        """After a condition: `cond{..}`, `cond{..}{..}`, braceless `cond value`, or a plain expression."""
        if self.peek() is K.LBRACE:
            body = self.parse_brace_body()
            else_body = self.parse_brace_body() if self.peek() is K.LBRACE else None
            return ast.Guard(cond, body, else_body, negated=negated, braceless=False)
        if is_guard_condition(cond) and self.can_start_operand():
            return self.parse_braceless_guard(cond, negated)
        if negated:
            return ast.ExprStmt(ast.Unary("!", cond, span=self.span_from(start)))
        return ast.ExprStmt(cond)

    def parse_braceless_guard(self, cond: ast.Expr, negated: bool) -> ast.Stmt:
        # The body is one operand, not a call: `>=sp 1000 classify sp` is an error, so
        # that a forgotten pair of braces is reported instead of silently misparsed.
        start = self.here()
        body = self.parse_operand()
        if self.peek() not in (K.EOF, K.SEMI, K.RBRACE):
            raise self.error(
                "ILO-P016", f"unexpected {self.current_desc()} after a braceless guard's value",
                "a braceless guard returns one value; put a call in braces: >=x 10{f x}",
            )
        stmt = ast.ExprStmt(body, span=self.span_from(start))
        return ast.Guard(cond, [stmt], None, negated=negated, braceless=True)

    def parse_bang_stmt(self) -> ast.Stmt:
        # `!cond{..}`, `!cond value` (negated guards) or a plain `!expr`.
        start = self.here()
        self.advance()
        return self.finish_guard(self.parse_expr_inner(), negated=True, start=start)

    def parse_let(self) -> ast.Stmt:
        start = self.here()
        name = self.expect_ident()
        self.expect(K.EQ)
        value = self.parse_expr()
        if self.peek() is not K.LBRACE or not is_guard_condition(value):
            return ast.Let(name, value)
        then_body = self.parse_brace_body()
        if self.peek() is K.LBRACE:
            else_body = self.parse_brace_body()
            ternary = ast.Ternary(
                value, _last_expr(then_body), _last_expr(else_body), span=self.span_from(value.span.start)
            )
            return ast.Let(name, ternary)
        # `v=cond{body}`: when cond holds, v takes the body's last value.
        return ast.Guard(value, _bind_last(name, then_body, self.span_from(start)), None)

    def is_destructure_pattern(self) -> bool:
        i = self.pos + 1
        while True:
            k = self.at(i)
            if k is K.IDENT or k is K.SEMI:
                i += 1
            else:
                return k is K.RBRACE and self.at(i + 1) is K.EQ

    def parse_destructure(self) -> ast.Stmt:
        self.expect(K.LBRACE)
        names = [self.expect_ident()]
        while self.peek() is K.SEMI:
            self.advance()
            names.append(self.expect_ident())
        self.expect(K.RBRACE)
        self.expect(K.EQ)
        return ast.Destructure(names, self.parse_expr())

    def parse_foreach(self) -> ast.Stmt:
        self.expect(K.AT)
        binding = self.expect_ident()
        # Bounds and collections are any inner expression (`0..len xs`, `+i 2..n`, `f xs`):
        # a call's arguments stop at `..` and `{`, which start no operand.
        first = self.parse_expr_inner()
        if self.peek() is K.DOTDOT:
            self.advance()
            end = self.parse_expr_inner()
            return ast.ForRange(binding, first, end, self.parse_brace_body())
        return ast.ForEach(binding, first, self.parse_brace_body())

    # ── Match ───────────────────────────────────────────────────────────────

    def parse_match_parts(self) -> tuple[ast.Expr | None, list[ast.MatchArm]]:
        """`?subject{arms}` or `?{arms}` (subject: one atom)."""
        self.expect(K.QUESTION)
        subject = None if self.peek() is K.LBRACE else self.parse_atom()
        self.expect(K.LBRACE)
        arms: list[ast.MatchArm] = []
        while self.peek() is not K.RBRACE:
            if arms:
                self.expect(K.SEMI)
                if self.peek() is K.RBRACE:
                    break
            arms.append(self.parse_match_arm())
        self.expect(K.RBRACE)
        return subject, arms

    def parse_match_arm(self) -> ast.MatchArm:
        start = self.here()
        pattern = self.parse_pattern()
        self.expect(K.COLON)
        body: list[ast.Stmt] = []
        if self.peek() is K.LBRACE and not self.is_destructure_pattern():
            body = self.parse_brace_body()  # `~v:{a;b}`: a block body
        elif not self._at_arm_end():
            body.append(self.parse_stmt())
            # An arm's body runs on over `;` until the next `pattern:`.
            while self.peek() is K.SEMI and not self._semi_starts_arm():
                self.advance()
                if self._at_arm_end():
                    break
                body.append(self.parse_stmt())
        return ast.MatchArm(pattern, body, span=self.span_from(start))

    def _at_arm_end(self) -> bool:
        return self.peek() in (K.EOF, K.RBRACE, K.SEMI)

    def _semi_starts_arm(self) -> bool:
        i = self.pos + 1
        k = self.at(i)
        if k is K.CARET or k is K.TILDE:
            return self.at(i + 1) in (K.IDENT, K.UNDERSCORE) and self.at(i + 2) is K.COLON
        if k in (K.UNDERSCORE, K.NUMBER, K.TEXT, K.TRUE, K.FALSE, K.NIL):
            return self.at(i + 1) is K.COLON
        if k is K.MINUS:
            return self.at(i + 1) is K.NUMBER and self.at(i + 2) is K.COLON
        if k is K.IDENT and self.values[i] in _TYPE_PATTERNS:
            return self.at(i + 1) in (K.IDENT, K.UNDERSCORE) and self.at(i + 2) is K.COLON
        return False

    def parse_pattern(self) -> ast.Pattern:
        start = self.here()
        k = self.peek()
        value = self.values[self.pos]
        if k is K.CARET or k is K.TILDE:
            self.advance()
            binding = self._binding()
            cls = ast.PErr if k is K.CARET else ast.POk
            return cls(binding, span=self.span_from(start))
        if k is K.UNDERSCORE:
            self.advance()
            return ast.PWild(span=self.span_from(start))
        if k is K.NUMBER or k is K.TEXT:
            self.advance()
            return ast.PLit(value, span=self.span_from(start))
        if k is K.MINUS and self.at(self.pos + 1) is K.NUMBER:
            # `;-1:` — a negative literal split by the lexer's fresh-expression rule.
            self.pos += 2
            return ast.PLit(-self.values[self.pos - 1], span=self.span_from(start))
        if k in _LITERAL_PATTERNS:
            self.advance()
            return ast.PLit(_LITERAL_PATTERNS[k], span=self.span_from(start))
        if k is K.IDENT and value in _TYPE_PATTERNS:
            self.advance()
            binding = self._binding()
            return ast.PType(_pattern_type(value), binding, span=self.span_from(start))
        if k is K.EOF:
            raise self.error("ILO-P012", "expected a match pattern, got end of input")
        raise self.error(
            "ILO-P011", f"expected a match pattern, got {self.current_desc()}",
            RESERVED_HINTS.get(k.value)
            or "patterns are literals, `~v`, `^e`, `n v`, `t v`, `b v`, `l v` or `_`",
        )

    def _binding(self) -> str:
        if self.peek() is K.UNDERSCORE:
            self.advance()
            return "_"
        return self.expect_ident()


_KEYWORD_STMTS = {"ret": Parser._ret, "brk": Parser._brk, "cnt": Parser._cnt, "wh": Parser._wh}


def _is_builtin(name: str) -> bool:
    # Short names only: the reference lets a user function take a long-form alias's name.
    from ilo.runtime.builtins.registry import canonical

    return canonical(name) == name


def _pattern_type(letter: str) -> ty.Ty:
    # `l v:` matches any list; the reference records it as a list of text.
    return {"n": ty.NUM, "t": ty.TEXT, "b": ty.BOOL, "l": ty.TList(ty.TEXT)}[letter]


def _last_expr(body: list[ast.Stmt]) -> ast.Expr:
    """The value of a ternary branch: its last expression statement, else nil."""
    if body and type(body[-1]) is ast.ExprStmt:
        return body[-1].expr
    span = body[-1].span if body else UNKNOWN_SPAN
    return ast.Lit(None, span=span)


def _bind_last(name: str, body: list[ast.Stmt], span: Span) -> list[ast.Stmt]:
    """`v=cond{..; e}` → the guard body ends with `v=e` (an empty body binds nil)."""
    if not body:
        return [ast.Let(name, ast.Lit(None, span=span), span=span)]
    last = body[-1]
    if type(last) is ast.ExprStmt:
        body[-1] = ast.Let(name, last.expr, span=last.span)
    return body
