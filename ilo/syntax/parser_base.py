"""Parser plumbing shared by the expression and statement halves of the parser.

``ParserBase`` wraps a ``TokenStream`` (from ``ilo.syntax.lexer.scan``) with a cursor,
lookahead helpers, span helpers, the nesting guard and error construction. It also parses
types, because types are needed by both halves. Only ``ilo.syntax.parser`` uses it.

Errors are raised as ``ParseFailure`` (one diagnostic); ``parse`` collects them, recovers
at the next declaration and finally raises one ``IloError`` carrying all of them.
"""

from __future__ import annotations

from ilo import types as ty
from ilo.diagnostics import Diagnostic
from ilo.source import Source, Span
from ilo.syntax.lexer import MAX_NESTING, TokenStream
from ilo.syntax.tokens import TokenKind, describe

K = TokenKind

# What each word reserved from other languages corresponds to in ilo.
RESERVED_HINTS: dict[str, str] = {
    "if": "ilo has no `if`: write `cond{body}`, a braceless guard `cond value`, or a match `?x{...}`",
    "return": "the last expression is the result; write `ret expr` to return early",
    "let": "bind a name with `name=expr`",
    "var": "bind a name with `name=expr`",
    "const": "bind a name with `name=expr`",
    "fn": "declare a function as `name param:type>ret;body`",
    "def": "declare a function as `name param:type>ret;body`",
    "function": "declare a function as `name param:type>ret;body`",
}


class ParseFailure(Exception):
    """One parse error; carries its diagnostic up to the declaration loop."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class ParserBase:
    def __init__(self, source: Source, stream: TokenStream):
        self.source = source
        self.n = len(stream.kinds)
        # An EOF sentinel at index n keeps `peek` free of bounds checks (appended in place:
        # the stream belongs to this parser).
        self.kinds = stream.kinds
        self.values = stream.values
        if not self.kinds or self.kinds[-1] is not K.EOF:
            self.kinds.append(K.EOF)
            self.values.append(None)
        self.starts = stream.starts
        self.ends = stream.ends
        self.boundaries = stream.boundaries  # tokens a declaration-boundary line break preceded
        self.pos = 0
        self.depth = 0
        self.current_fn: str | None = None
        # Known-arity functions (see call_arity): user functions join as declared,
        # builtins are looked up on first use; None caches "not known".
        self.fn_arity: dict[str, tuple[int, frozenset[int]] | None] = {}
        # True inside a whitespace list `[a b c]`, where names are elements, not calls.
        self.no_whitespace_call = False
        # Inline lambdas in the order they close, and their lifted functions by name.
        self.lambdas: list = []
        self.lambda_prefix = "__lit_"
        self.lifted: dict = {}
        self.text_len = len(source.text)

    # ── Cursor ──────────────────────────────────────────────────────────────

    def peek(self) -> TokenKind:
        return self.kinds[self.pos]

    def at(self, i: int) -> TokenKind:
        return self.kinds[i] if i < self.n else K.EOF

    def advance(self) -> None:
        if self.pos < self.n:
            self.pos += 1

    def is_word(self, word: str) -> bool:
        return self.kinds[self.pos] is K.IDENT and self.values[self.pos] == word

    def bang_adjacent(self) -> bool:
        """`f!` (unwrap) needs the `!` glued to the previous token; `f !x` is a call with `!x`."""
        p = self.pos
        return self.kinds[p] is K.BANG and p > 0 and self.starts[p] == self.ends[p - 1]

    # ── Spans ───────────────────────────────────────────────────────────────

    def span_at(self, i: int) -> Span:
        if i < self.n:
            return Span(self.starts[i], self.ends[i])
        return Span(self.text_len, self.text_len)

    def here(self) -> int:
        """Offset where the current token starts (end of text at EOF)."""
        return self.starts[self.pos] if self.pos < self.n else self.text_len

    def prev_end(self) -> int:
        return self.ends[self.pos - 1] if self.pos > 0 else 0

    def span_from(self, start: int) -> Span:
        return Span(start, max(start, self.prev_end()))

    # ── Nesting guard ───────────────────────────────────────────────────────

    def enter(self) -> None:
        # Every recursive rule goes through here. Depth is not decremented on failure:
        # the declaration loop resets it after an error.
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(
                "ILO-P020", f"expressions nested more than {MAX_NESTING} deep",
                "bind inner results to names instead of nesting",
            )

    def leave(self) -> None:
        self.depth -= 1

    # ── Errors ──────────────────────────────────────────────────────────────

    def current_desc(self) -> str:
        return describe(self.kinds[self.pos], self.values[self.pos])

    def error(self, code: str, message: str, hint: str | None = None) -> ParseFailure:
        diag = Diagnostic(code, message, self.span_at(self.pos), suggestion=hint, function=self.current_fn)
        return ParseFailure(diag)

    def expect(self, kind: TokenKind) -> Span:
        got = self.kinds[self.pos]
        if got is kind:
            span = self.span_at(self.pos)
            self.pos += 1
            return span
        if got is K.EOF:
            raise self.error("ILO-P004", f"expected {describe(kind)}, got end of input")
        hint = None
        if kind is K.GT and got is K.MINUS and self.at(self.pos + 1) is K.GT:
            hint = "ilo uses '>' (not '->') between the parameters and the return type"
        raise self.error("ILO-P003", f"expected {describe(kind)}, got {self.current_desc()}", hint)

    def expect_ident(self) -> str:
        got = self.kinds[self.pos]
        if got is K.IDENT:
            name = self.values[self.pos]
            self.pos += 1
            return name
        if got.value in RESERVED_HINTS:
            raise self.error(
                "ILO-P011", f"'{got.value}' is a reserved word and cannot be used as a name",
                RESERVED_HINTS[got.value],
            )
        if got is K.EOF:
            raise self.error("ILO-P006", "expected identifier, got end of input")
        raise self.error("ILO-P005", f"expected identifier, got {self.current_desc()}")

    def parse_number(self) -> float:
        got = self.kinds[self.pos]
        if got is K.NUMBER:
            self.pos += 1
            return self.values[self.pos - 1]
        if got is K.EOF:
            raise self.error("ILO-P014", "expected number, got end of input")
        raise self.error("ILO-P013", f"expected number, got {self.current_desc()}")

    # ── Lookahead shared by several rules ───────────────────────────────────

    def is_fn_decl_start(self, i: int) -> bool:
        """`name>` or `name param:` at token i: the header of a new function declaration.

        Newlines are not tokens to the parser, so this is how a body that ends in a call
        stops before swallowing the next declaration's name as an argument.
        """
        if self.at(i) is not K.IDENT or self.values[i] in _STMT_KEYWORDS:
            return False
        nxt = self.at(i + 1)
        return nxt is K.GT or (nxt is K.IDENT and self.at(i + 2) is K.COLON)

    def is_fn_decl_start_strict(self, i: int) -> bool:
        """A header, confirmed by a `>` before the next `;`/`}` at its own level (a record
        `outer a:1 b:2` never has one)."""
        if not self.is_fn_decl_start(i):
            return False
        level = 0
        kinds = self.kinds
        for j in range(i + 1, self.n):
            k = kinds[j]
            if k is K.LPAREN or k is K.LBRACKET or k is K.LBRACE:
                level += 1
            elif k is K.RPAREN or k is K.RBRACKET:
                level -= 1
            elif level > 0:
                continue
            elif k is K.GT:
                return True
            elif k is K.SEMI or k is K.RBRACE:
                return False
        return False

    # ── Types ───────────────────────────────────────────────────────────────

    _SIMPLE_TYPES = {"n": ty.NUM, "t": ty.TEXT, "b": ty.BOOL}

    def parse_type(self) -> ty.Ty:
        self.enter()
        k = self.kinds[self.pos]
        if k is K.EOF or self.pos in self.boundaries:
            # A type slot ran off the end of its declaration's line (`f a:n>R` and the next
            # declaration, or the end of the file): reported on that line, at the last
            # token read, not wherever the next declaration starts.
            eof = k is K.EOF
            raise ParseFailure(Diagnostic(
                "ILO-P008" if eof else "ILO-P007", f"expected type, got end of {'file' if eof else 'line'}",
                self.span_at(self.pos - 1), function=self.current_fn))
        if k is K.IDENT:
            name = self.values[self.pos]
            self.pos += 1
            result = self._SIMPLE_TYPES.get(name)
            if result is None:
                result = ty.TVar(name) if ty.is_type_var_name(name) else ty.TNamed(name)
        elif k is K.UNDERSCORE:
            self.pos += 1
            result = ty.ANY
        elif k is K.LPAREN:
            # `R (L n) t`: parentheses group a nested generic; they add nothing else.
            self.pos += 1
            result = self.parse_type()
            self.expect(K.RPAREN)
        elif k is K.OPT_T:
            self.pos += 1
            result = ty.TOpt(self.parse_type())
        elif k is K.LIST_T:
            self.pos += 1
            result = ty.TList(self.parse_type())
        elif k is K.MAP_T:
            self.pos += 1
            key = self.parse_type()
            result = ty.TMap(key, self.parse_type())
        elif k is K.RESULT_T:
            self.pos += 1
            ok = self.parse_type()
            result = ty.TResult(ok, self.parse_type())
        elif k is K.SUM_T:
            result = self._parse_sum_type()
        elif k is K.FN_T:
            result = self._parse_fn_type()
        elif k is K.EOF:
            raise self.error("ILO-P008", "expected type, got end of input")
        else:
            raise self.error("ILO-P007", f"expected type, got {self.current_desc()}")
        self.leave()
        return result

    def _parse_sum_type(self) -> ty.Ty:
        self.pos += 1
        variants = []
        # Variant names run until something that is not a name, or a name followed by `:`
        # (the next parameter).
        while self.peek() is K.IDENT and self.at(self.pos + 1) is not K.COLON:
            variants.append(self.values[self.pos])
            self.pos += 1
        if not variants:
            raise self.error("ILO-P010", "an S type needs at least one variant name")
        return ty.TSum(tuple(variants))

    def _parse_fn_type(self) -> ty.Ty:
        self.pos += 1
        parts: list[ty.Ty] = []
        while self._can_start_type():
            parts.append(self.parse_type())
        if not parts:
            raise self.error("ILO-P009", "an F type needs at least a return type")
        return ty.TFn(tuple(parts[:-1]), parts[-1])

    def _can_start_type(self) -> bool:
        k = self.kinds[self.pos]
        if k is K.IDENT:
            # `name:` is the next parameter, not a type.
            return self.at(self.pos + 1) is not K.COLON
        return k in _TYPE_STARTERS


# Statement words that never name a function (`wh >v 0{...}` is a loop, not `wh>v`).
_STMT_KEYWORDS = frozenset({"wh", "ret", "brk", "cnt"})
_TYPE_STARTERS = frozenset({K.LPAREN, K.UNDERSCORE, K.OPT_T, K.LIST_T, K.MAP_T, K.RESULT_T, K.SUM_T, K.FN_T})
