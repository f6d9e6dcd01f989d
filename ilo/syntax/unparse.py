"""Unparser: ``ast.Program`` → ilo source text that parses back to the same tree.

``unparse(program)`` gives the canonical dense form (one line per declaration, operators in
prefix form glued to their first operand); ``unparse(program, expanded=True)`` a readable
multi-line form with 2-space indentation, one statement per line. ``unparse_expr`` and
``unparse_type`` print single nodes; ``dump`` gives a span-free structural view of any node,
which is what the round-trip tests compare. Used by ``ilo --fmt``, ``--fmt-expanded`` and the
REPL; imports only ``ilo.syntax.ast``, ``ilo.syntax.dispatch`` and ``ilo.types``.

The parser (``parser.py``, ``parser_exprs.py``, ``parser_atoms.py``) reads an expression in one of a few grammar
contexts, and a form that is fine in one is misread in another. Every printed form therefore
records the contexts it is valid in, and anything printed into a context it does not fit is
parenthesised (parentheses leave no trace in the AST):

- ATOM    ``parse_atom``: literals, names, ``a.b.0`` chains, ``[..]``, ``(..)``;
- OPERAND ``parse_operand``: atoms and fixed-arity prefix forms ``+a b``, ``!a``, ``~a``;
- INNER   ``parse_expr_inner``: also calls ``f a b``, records, ``?x{..}``, ``?=a b c d``, ``-a``;
- ELEM    a list element: INNER with an optional leading ``~``/``^``;
- EXPR    ``parse_expr``: ELEM plus the postfix ``with``, ``??`` and ``>>`` forms.

On top of that a few token-level traps are avoided: a negative literal after ``-`` (``--`` is
a comment), two-character operators formed by gluing (``>`` + ``=a b`` would lex as ``>=``),
a call argument that starts with an infix operator (``f a +b c`` reads as ``(f a) + ...``), and
a name followed by ``>`` (the parser takes ``name>`` for the header of the next function).
"""

from __future__ import annotations

import re
from decimal import Decimal

from ilo import types as ty
from ilo.syntax import ast
from ilo.syntax.dispatch import EXPR_KINDS, STMT_KINDS, handler_table

ATOM, OPERAND, INNER, ELEM, EXPR = "atom", "operand", "inner", "elem", "expr"
_ALL = frozenset({ATOM, OPERAND, INNER, ELEM, EXPR})
_PREFIX = frozenset({OPERAND, INNER, ELEM, EXPR})
_HEADED = frozenset({INNER, ELEM, EXPR})
_OK_OPERAND = frozenset({OPERAND, ELEM, EXPR})  # `~x`: parse_operand and parse_expr take it, parse_expr_inner does not
_OK_INNER = frozenset({ELEM, EXPR})
_POSTFIX = frozenset({EXPR})

# Pairs of characters that lex as one token when glued (`--` opens a comment).
_GLUE_TOKENS = frozenset({">=", "<=", "!=", "+=", ">>", "??", "==", "..", ".?", "--", "!!"})
_TERNARY_OPS = frozenset({"=", "!=", ">", "<", ">=", "<="})
_GUARD_OPS = _TERNARY_OPS | {"&", "|"}
# Statement keywords: an expression statement starting with one of these words would be
# read as that statement.
_STMT_KEYWORDS = re.compile(r"(ret|brk|cnt|wh)(?![a-z0-9-])")
_LET_HEAD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*\s*=")
# Zero-argument builtins the parser turns into calls when written as a bare name.
_BARE_CALL_ATOMS = frozenset({"mmap"})
INDENT = "  "


class UnparseError(ValueError):
    """The tree holds a shape that no ilo source text parses to (never made by the parser)."""


def unparse(program: ast.Program, expanded: bool = False) -> str:
    """The whole program: declarations one per line (dense) or separated by a blank line."""
    return _Printer(expanded).program(program)


def unparse_expr(expr: ast.Expr, expanded: bool = False) -> str:
    return _Printer(expanded).expr(expr, EXPR)


def unparse_type(t: ty.Ty) -> str:
    """A type in the parser's syntax: prefix constructors, no parentheses (`M t L n`)."""
    if isinstance(t, ty.TOpt):
        return f"O {unparse_type(t.inner)}"
    if isinstance(t, ty.TList):
        return f"L {unparse_type(t.elem)}"
    if isinstance(t, ty.TMap):
        return f"M {unparse_type(t.key)} {unparse_type(t.value)}"
    if isinstance(t, ty.TResult):
        return f"R {unparse_type(t.ok)} {unparse_type(t.err)}"
    if isinstance(t, ty.TSum):
        return "S " + " ".join(t.variants)
    if isinstance(t, ty.TFn):
        return "F " + " ".join(unparse_type(p) for p in (*t.params, t.ret))
    return str(t)  # n t b _, type variables and named types


def dump(node) -> object:
    """A span-free, comparable view of an AST node (nested tuples)."""
    if isinstance(node, list | tuple):
        return tuple(dump(x) for x in node)
    if isinstance(node, ast.Program):
        return ("Program", dump(node.decls))
    slots = getattr(type(node), "__slots__", None)
    if slots is None or isinstance(node, ty.Ty):
        return node
    fields = tuple((name, dump(getattr(node, name))) for name in slots if name != "span")
    return (type(node).__name__, fields)


def format_number(value: float) -> str:
    """A number literal the lexer reads back exactly: `3`, `-0.5`, `0.00001` (no exponent)."""
    if value == 0:
        return "-0" if str(value).startswith("-") else "0"
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def format_text(value: str) -> str:
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        .replace("\r", "\\r")
    )
    return f'"{escaped}"'


def _format_literal(value) -> str:
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return format_text(value)
    return format_number(float(value))


def _starts_infix(text: str) -> bool:
    """Does the text start with a token the parser treats as an infix operator?"""
    c = text[0]
    if c in "+*/=<>&|":
        return True
    if c == "!":
        return text.startswith("!=")
    if c == "-":
        return not (len(text) > 1 and text[1].isdigit())
    return False


def _starts_simple(text: str) -> bool:
    """Does the text start with one token `looks_like_prefix_binary` counts as an operand?"""
    c = text[0]
    return c.isalnum() or c in '"_([' or (c == "-" and len(text) > 1 and text[1].isdigit())


def _paren(text: str) -> str:
    return f"({text})"


class _Printer:
    def __init__(self, expanded: bool):
        self.expanded = expanded
        self.sp = " " if expanded else ""

    # ── Declarations ────────────────────────────────────────────────────────

    def program(self, program: ast.Program) -> str:
        decls = program.decls
        parts = []
        decls = [d for d in decls if not (isinstance(d, ast.Function) and d.lifted)]  # printed in place
        for i, decl in enumerate(decls):
            following = decls[i + 1] if i + 1 < len(decls) else None
            parts.append(self.decl(decl, following))
        return ("\n\n" if self.expanded else "\n").join(parts)

    def decl(self, decl: ast.Decl, following: ast.Decl | None = None) -> str:
        if isinstance(decl, ast.Function):
            return self.function(decl, following)
        if isinstance(decl, ast.TypeDef):
            return self.typedef(decl)
        if isinstance(decl, ast.Tool):
            return self.tool(decl)
        if isinstance(decl, ast.Alias):
            return f"alias {decl.name} {unparse_type(decl.target)}"
        if isinstance(decl, ast.Use):
            text = f"use {format_text(decl.path)}"
            return text + (f" [{' '.join(decl.only)}]" if decl.only is not None else "")
        raise UnparseError(f"unknown declaration {type(decl).__name__}")

    def params(self, params: list[ast.Param]) -> str:
        return " ".join(f"{p.name}:{unparse_type(p.ty)}" for p in params)

    def function(self, fn: ast.Function, following: ast.Decl | None) -> str:
        head = fn.name + (" " + self.params(fn.params) if fn.params else "")
        body = list(fn.body)
        # `alias` is an ordinary word to the parser, so a body ending in a call would take it
        # as one more argument: close the last expression with parentheses. (A bare name
        # cannot be closed, `(x) alias` is still a call, so no such source ever parsed.)
        closed = isinstance(following, ast.Alias)
        if self.expanded:
            header = f"{head} > {unparse_type(fn.ret)}"
            if not body:
                return header + ";"
            lines = [self.stmt_lines(s, 1, closed and i == len(body) - 1) for i, s in enumerate(body)]
            return header + "\n" + "\n".join(lines)
        text = ";".join(self.stmt(s, closed and i == len(body) - 1) for i, s in enumerate(body))
        return f"{head}>{unparse_type(fn.ret)};{text}"

    def typedef(self, td: ast.TypeDef) -> str:
        if self.expanded:
            fields = "".join(f"\n{INDENT}{f.name}: {unparse_type(f.ty)}" for f in td.fields)
            return f"type {td.name} {{{fields}\n}}"
        fields = ";".join(f"{f.name}:{unparse_type(f.ty)}" for f in td.fields)
        return f"type {td.name}{{{fields}}}"

    def tool(self, tool: ast.Tool) -> str:
        text = f"tool {tool.name} {format_text(tool.description)}"
        if tool.params:
            text += " " + self.params(tool.params)
        text += f"{self.sp}>{self.sp}{unparse_type(tool.ret)}"
        options = []
        if tool.timeout is not None:
            options.append(f"timeout:{format_number(tool.timeout)}")
        if tool.retry is not None:
            options.append(f"retry:{format_number(tool.retry)}")
        return text + (" " + ",".join(options) if options else "")

    # ── Statements ──────────────────────────────────────────────────────────

    def block(self, body: list[ast.Stmt], level: int) -> str:
        """A brace body: `{a;b}` dense, or one statement per line at `level`."""
        if not body:
            return "{}"
        if not self.expanded:
            return "{" + ";".join(self.stmt(s) for s in body) + "}"
        inner = "\n".join(self.stmt_lines(s, level + 1) for s in body)
        return "{\n" + inner + "\n" + INDENT * level + "}"

    def stmt_lines(self, s: ast.Stmt, level: int, closed: bool = False) -> str:
        return INDENT * level + self.stmt(s, closed, level)

    def stmt(self, s: ast.Stmt, closed: bool = False, level: int = 0) -> str:
        """One statement; ``closed``: parenthesise a trailing expression (see ``function``)."""
        return _STMTS[type(s)](self, s, closed, level)

    def tail(self, e: ast.Expr, closed: bool) -> str:
        text = self.expr(e, EXPR)
        return _paren(text) if closed else text

    def unparse_let(self, s: ast.Let, closed: bool, level: int) -> str:
        if isinstance(s.value, ast.Ternary) and s.value.cond.op not in _TERNARY_OPS:
            return self.let_ternary(s, level)
        eq = " = " if self.expanded else "="
        return self.glue(s.name + eq, self.tail(s.value, closed))

    def unparse_guard(self, s: ast.Guard, closed: bool, level: int) -> str:
        return self.guard(s, level)

    def unparse_match(self, s: ast.Match, closed: bool, level: int) -> str:
        return self.match(s.subject, s.arms, level)

    def unparse_for_each(self, s: ast.ForEach, closed: bool, level: int) -> str:
        head = f"@{self.sp}{s.binding} {self.expr(s.collection, ATOM)}"
        return f"{head}{self.sp}{self.block(s.body, level)}"

    def unparse_for_range(self, s: ast.ForRange, closed: bool, level: int) -> str:
        start, end = self.expr(s.start, ATOM), self.expr(s.end, ATOM)
        return f"@{self.sp}{s.binding} {start}..{end}{self.sp}{self.block(s.body, level)}"

    def unparse_while(self, s: ast.While, closed: bool, level: int) -> str:
        return f"wh {self.expr(s.cond, EXPR)}{self.sp}{self.block(s.body, level)}"

    def unparse_return(self, s: ast.Return, closed: bool, level: int) -> str:
        return "ret " + self.tail(s.value, closed)

    def unparse_break(self, s: ast.Break, closed: bool, level: int) -> str:
        return "brk" if s.value is None else "brk " + self.tail(s.value, closed)

    def unparse_continue(self, s: ast.Continue, closed: bool, level: int) -> str:
        return "cnt"

    def unparse_destructure(self, s: ast.Destructure, closed: bool, level: int) -> str:
        eq = " = " if self.expanded else "="
        return self.glue("{" + ";".join(s.names) + "}" + eq, self.tail(s.value, closed))

    def unparse_expr_stmt(self, s: ast.ExprStmt, closed: bool, level: int) -> str:
        e = s.expr
        # The statement parser looks at the first tokens before it reads an expression:
        # `!x`/`^x` take an INNER operand, `?` starts a match, `name=` a binding.
        if isinstance(e, ast.Unary) and e.op == "!":
            text = self.glue("!" + self.sp, self.expr(e.operand, INNER))
        elif isinstance(e, ast.ErrExpr):
            text = self.glue("^" + self.sp, self.expr(e.value, INNER))
        else:
            text = self.expr(e, EXPR)
            if isinstance(e, ast.MatchExpr) or (not isinstance(e, ast.Ternary) and self.misread_as_statement(text)):
                text = _paren(text)
        return _paren(text) if closed else text

    @staticmethod
    def misread_as_statement(text: str) -> bool:
        """Would a statement that starts with this expression text parse as something else?"""
        if text[0] in "?^" or (text[0] == "!" and not text.startswith("!=")):
            return True
        return bool(_STMT_KEYWORDS.match(text) or _LET_HEAD.match(text))

    def guard(self, g: ast.Guard, level: int) -> str:
        sp = self.sp
        if g.negated:
            head = self.glue("!" + sp, self.expr(g.cond, INNER))
        else:
            head = self.expr(g.cond, EXPR)
            if self.misread_as_statement(head):
                head = _paren(head)
        if g.braceless:
            if len(g.body) != 1 or not isinstance(g.body[0], ast.ExprStmt):
                raise UnparseError("a braceless guard's body is one expression")
            return f"{head} {self.expr(g.body[0].expr, OPERAND)}"
        text = f"{head}{sp}{self.block(g.body, level)}"
        if g.else_body is not None:
            text += f"{sp}{self.block(g.else_body, level)}"
        return text

    def let_ternary(self, s: ast.Let, level: int) -> str:
        # `v=&a b{x}{y}`: the only spelling of a ternary whose condition is `&` or `|`.
        t = s.value
        if not (isinstance(t.cond, ast.BinOp) and t.cond.op in _GUARD_OPS):
            raise UnparseError("a ternary's condition must be a comparison, `&` or `|`")
        sp = self.sp
        eq = " = " if self.expanded else "="
        then = self.block([ast.ExprStmt(t.then)], level)
        other = self.block([ast.ExprStmt(t.otherwise)], level)
        return f"{s.name}{eq}{self.expr(t.cond, EXPR)}{sp}{then}{sp}{other}"

    def match(self, subject: ast.Expr | None, arms: list[ast.MatchArm], level: int, inline=False) -> str:
        sp = self.sp
        head = "?" + ("" if subject is None else self.expr(subject, ATOM))
        if not self.expanded or inline:
            return head + "{" + ";".join(self.arm(a, level, True) for a in arms) + "}"
        if not arms:
            return head + " {}"
        body = "\n".join(INDENT * (level + 1) + self.arm(a, level + 1, False) for a in arms)
        return f"{head}{sp}{{\n{body}\n{INDENT * level}}}"

    def arm(self, arm: ast.MatchArm, level: int, inline: bool) -> str:
        head = self.pattern(arm.pattern) + ":"
        if not arm.body:
            return head
        if inline:
            return head + ";".join(self.stmt(s) for s in arm.body)
        # The first statement shares the pattern's line (a line break right after `:` would
        # end the arm); the rest follow, indented one step further.
        first = self.stmt(arm.body[0], level=level)
        rest = "".join("\n" + self.stmt_lines(s, level + 1) for s in arm.body[1:])
        return f"{head} {first}{rest}"

    def pattern(self, p: ast.Pattern) -> str:
        if isinstance(p, ast.PWild):
            return "_"
        if isinstance(p, ast.POk):
            return "~" + p.binding
        if isinstance(p, ast.PErr):
            return "^" + p.binding
        if isinstance(p, ast.PLit):
            return _format_literal(p.value)
        if isinstance(p, ast.PType):
            letter = ty.PATTERN_LETTERS.get(type(p.ty))
            if letter is None:
                raise UnparseError(f"no type pattern for {p.ty}")
            return f"{letter} {p.binding}"
        raise UnparseError(f"unknown pattern {type(p).__name__}")

    # ── Expressions ─────────────────────────────────────────────────────────

    def glue(self, left: str, right: str) -> str:
        """Concatenate without creating a different token at the seam."""
        if left and right and not left[-1].isspace():
            seam = left[-1] + right[0]
            if seam in _GLUE_TOKENS or (left[-1] == "-" and right[0].isdigit()):
                return left + " " + right
        return left + right

    def expr(self, e: ast.Expr, ctx: str) -> str:
        """``e`` as text that the parser reads back as ``e`` in context ``ctx``."""
        text, valid = self.natural(e)
        if ctx in valid:
            return text
        return _paren(text)

    def natural(self, e: ast.Expr) -> tuple[str, frozenset]:
        """The natural spelling of ``e`` and the contexts in which it reads back as ``e``."""
        return _EXPRS[type(e)](self, e)

    def unparse_lit(self, e: ast.Lit):
        text = _format_literal(e.value)
        if text.startswith("-"):
            # After `=`, `;`, `{` or `(` the lexer splits `-7` into `-` and 7, and the
            # minus would then take a following operand: as an operand, write `(-7)`.
            return text, _ALL - {OPERAND}
        return text, _ALL

    def unparse_ref(self, e: ast.Ref):
        return e.name, _ALL

    def chain(self, e: ast.Expr) -> str:
        # `a.b.0` chains only ever start at a name: `(f x).b` is not ilo syntax.
        if isinstance(e, ast.Ref):
            return e.name
        if isinstance(e, ast.Field | ast.Index):
            dot = ".?" if e.safe else "."
            last = e.name if isinstance(e, ast.Field) else str(e.index)
            return self.chain(e.obj) + dot + last
        raise UnparseError("field access and indexing apply to a name or another field")

    def unparse_field(self, e: ast.Field):
        return self.chain(e), _ALL

    def unparse_index(self, e: ast.Index):
        return self.chain(e), _ALL

    def unparse_list_expr(self, e: ast.ListExpr):
        items = []
        for item in e.items:
            if isinstance(item, ast.OkExpr | ast.ErrExpr):
                mark = "~" if isinstance(item, ast.OkExpr) else "^"
                items.append(self.glue(mark + self.sp, self.expr(item.value, INNER)))
            else:
                items.append(self.expr(item, INNER))
        if len(items) == 1 and isinstance(e.items[0], ast.Call | ast.RecordExpr) and not items[0].startswith("("):
            # Without a comma the list is in whitespace mode, where `[g a]` is two elements.
            items[0] = _paren(items[0])
        return "[" + ", ".join(items) + "]", _ALL

    def unparse_call(self, e: ast.Call):
        bang = ("!!" if e.panic else "!") if e.unwrap else ""
        if not e.args:
            if e.func in _BARE_CALL_ATOMS and not e.unwrap:
                return e.func, _ALL
            return f"{e.func}{bang}()", _HEADED
        return f"{e.func}{bang} {self.call_args(e.args, e.unwrap)}", _HEADED

    def call_args(self, args: list[ast.Expr], unwrap: bool) -> str:
        parts = []
        for i, arg in enumerate(args):
            text = self.expr(arg, OPERAND)
            # Without `!` the argument loop stops at an infix operator (`f a +b c` is
            # `(f a) + ...`); the first argument may start with one only when two plain
            # operands follow it, as in `fac -n 1`.
            if not unwrap and _starts_infix(text):
                if i == 0 and isinstance(arg, ast.BinOp):
                    text = self.binop(arg, first_arg=True)
                else:
                    text = _paren(text)
            parts.append(text)
        return self.join_operands(parts)

    def join_operands(self, parts: list[str]) -> str:
        # `b >c d`: a name followed by `>` looks like the header of the next function.
        out = parts[0]
        for text in parts[1:]:
            if (out[-1].isalnum() or out[-1] == "_") and text.startswith(">") and not text.startswith((">=", ">>")):
                text = _paren(text)
            out += " " + text
        return out

    def unparse_bin_op(self, e: ast.BinOp):
        return self.binop(e), _PREFIX

    def binop(self, e: ast.BinOp, first_arg: bool = False) -> str:
        left, right = self.expr(e.left, OPERAND), self.expr(e.right, OPERAND)
        if e.op in ("&", "|") and left.startswith(e.op):
            left = _paren(left)  # `&&` is rejected even with a space between
        if e.op == "=" and left[:1] in "<>" and left[1:2] != "=":
            left = _paren(left)  # `=` then `<`/`>` reads as the `=<`/`=>` slip (ILO-P003), spaced or not
        if first_arg:
            if not isinstance(e.left, ast.Lit | ast.Ref | ast.ListExpr) and not left.startswith("("):
                left = _paren(left)
            if not _starts_simple(right):
                right = _paren(right)
        return self.glue(e.op + self.sp, self.join_operands([left, right]))

    def unparse_unary(self, e: ast.Unary):
        operand = self.expr(e.operand, OPERAND)
        text = self.glue(e.op + self.sp, operand)
        # `-a b` is subtraction, so a negation is only safe where no operand can follow.
        return text, (_HEADED if e.op == "-" else _PREFIX)

    def wrapped(self, mark: str, value: ast.Expr):
        # After `~` parse_operand reads an operand but parse_expr reads an INNER form, so
        # `~x` is valid in each context only where its operand is.
        text, valid = self.natural(value)
        if INNER not in valid:
            return mark + self.sp + _paren(self.expr(value, EXPR)), _OK_OPERAND
        contexts = _OK_INNER | ({OPERAND} if OPERAND in valid else set())
        return self.glue(mark + self.sp, text), frozenset(contexts)

    def unparse_ok_expr(self, e: ast.OkExpr):
        return self.wrapped("~", e.value)

    def unparse_err_expr(self, e: ast.ErrExpr):
        return self.wrapped("^", e.value)

    def unparse_record_expr(self, e: ast.RecordExpr):
        if not e.fields:
            raise UnparseError("a record literal needs at least one field")
        fields = " ".join(f"{name}:{self.expr(v, ATOM)}" for name, v in e.fields)
        return f"{e.type_name} {fields}", _HEADED

    def unparse_match_expr(self, e: ast.MatchExpr):
        return self.match(e.subject, e.arms, 0, inline=True), _HEADED

    def unparse_lambda(self, e: ast.Lambda):
        head = self.params(e.params)
        body = ";".join(self.stmt(s) for s in e.body)
        return f"({head}>{unparse_type(e.ret)};{body})", _ALL

    def unparse_ternary(self, e: ast.Ternary):
        cond = e.cond
        if not (isinstance(cond, ast.BinOp) and cond.op in _TERNARY_OPS):
            # The bool-subject form `?c{a}{b}`; a branch with a `:` or `;` of its own would
            # read as match arms, so it goes in parentheses.
            branches = []
            for branch in (e.then, e.otherwise):
                text = self.expr(branch, EXPR)
                branches.append(_paren(text) if ":" in text or ";" in text else text)
            return f"?{self.expr(cond, ATOM)}{{{branches[0]}}}{{{branches[1]}}}", _HEADED
        then, other = self.expr(e.then, OPERAND), self.expr(e.otherwise, OPERAND)
        text = self.join_operands([self.binop(cond), then, other])
        return "?" + self.sp + text, _HEADED

    def unparse_with(self, e: ast.With):
        # parse_expr reads at most one `with`, before any `??`.
        updates = " ".join(f"{name}:{self.expr(v, ATOM)}" for name, v in e.updates)
        return f"{self.expr(e.obj, ELEM)} with {updates}", _POSTFIX

    def unparse_nil_coalesce(self, e: ast.NilCoalesce):
        value = e.value
        if isinstance(value, ast.With | ast.NilCoalesce):
            base = self.natural(value)[0]  # `??` chains to the left, after a `with`
            if isinstance(value, ast.NilCoalesce) and not _closed(value.default, self.expr(value.default, INNER)):
                base = _paren(base)  # `a??-b??c` would read `-b ??c` as a subtraction
        else:
            base = self.expr(value, ELEM)
            if not _closed(value, base) and not base.startswith("("):
                base = _paren(base)
        op = " ?? " if self.expanded else "??"
        default = self.expr(e.default, INNER)
        if (" " in default or default.endswith("()")) and not default.startswith(("(", "[")):
            # `x ??g a` would read as the call `x (??g a)`, and `x??g()` does not parse:
            # close a multi-token default.
            default = _paren(default)
        return base + op + default, _POSTFIX


def _closed(value: ast.Expr, text: str) -> bool:
    """Can ``??`` follow ``text`` (printed ``value``) without becoming one more operand of it?
    ``??`` can also start an operand, so forms that take a varying number of operands (`-a`,
    `-7`, `f! a`, `~-a`...) must be closed before it."""
    return text.startswith("(") or isinstance(value, ast.Ref | ast.Field | ast.Index | ast.ListExpr | ast.BinOp) or (
        isinstance(value, ast.Lit) and not text.startswith("-")
    ) or (isinstance(value, ast.Call) and not value.unwrap)


# Node class → handler (``unparse_<node>``, ilo.syntax.dispatch).
_EXPRS = handler_table(_Printer, "unparse_", EXPR_KINDS)
_STMTS = handler_table(_Printer, "unparse_", STMT_KINDS)


def format_source(source, expanded: bool = False) -> str:
    """Parse ``source`` (an ``ilo.source.Source``) and print it canonically (``ilo --fmt``).

    Raises IloError for a program that does not parse. Comments are not kept: they are not
    part of the tree.
    """
    from ilo.syntax.parser import parse

    return unparse(parse(source), expanded=expanded)
