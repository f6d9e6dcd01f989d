"""The reference formatter's dense form, as ``ilo graph`` prints signatures and sources.

``ilo graph`` quotes declarations in the text the reference's ``codegen::fmt`` gives them,
not in ``ilo --fmt``'s canonical form: that printer is a plain recursive one (no parentheses
added, lists joined by ``", "``, a negation printed ``- x``, an inline function printed as
the name it was lifted to, with its captures in brackets), and an agent that compares our
output with the reference's must see the same characters. So this is a separate, small
printer over our AST; ``ilo.syntax.unparse`` stays the one that round-trips.

Long-form builtin names in calls print as their short form (``length xs`` → ``len xs``):
the reference resolves those aliases in the tree before it formats anything.
"""

from __future__ import annotations

from decimal import Decimal

from ilo.runtime.builtins.registry import ALIASES
from ilo.syntax import ast
from ilo.syntax.unparse import unparse_type

_I64_MIN = -(2**63)
_I64_LIMIT = 2**63


def type_str(t) -> str:
    # Our type syntax printer already spells types as the reference does (`R t t`, `L n`).
    return unparse_type(t)


def call_name(name: str) -> str:
    """A call's function name as the reference holds it after resolving builtin aliases."""
    return ALIASES.get(name, name)


def format_sig(fn: ast.Function) -> str:
    """``name p:type q:type>ret``: the `sig` field (always a `>`, even with no params)."""
    return fn.name + "".join(f" {p.name}:{type_str(p.ty)}" for p in fn.params) + ">" + type_str(fn.ret)


def format_decl(decl: ast.Decl) -> str:
    """A function or type declaration on one line (the `source` fields)."""
    if isinstance(decl, ast.Function):
        text = decl.name
        if decl.params:
            text += " " + " ".join(f"{p.name}:{type_str(p.ty)}" for p in decl.params)
        text += ">" + type_str(decl.ret)
        if decl.body:
            text += ";" + body(decl.body)
        return text
    if isinstance(decl, ast.TypeDef):
        fields = ";".join(f"{f.name}:{type_str(f.ty)}" for f in decl.fields)
        return f"type {decl.name}{{{fields}}}"
    return ""  # graph queries only ever quote functions and types


def body(stmts: list[ast.Stmt]) -> str:
    return ";".join(stmt(s) for s in stmts)


def stmt(s: ast.Stmt) -> str:
    t = type(s)
    if t is ast.Let:
        return f"{s.name}={expr(s.value)}"
    if t is ast.ExprStmt:
        return expr(s.expr)
    if t is ast.Destructure:
        return f"{{{';'.join(s.names)}}}={expr(s.value)}"
    if t is ast.Guard:
        return _guard(s)
    if t is ast.Match:
        return _match(s.subject, s.arms)
    if t is ast.ForEach:
        return f"@{s.binding} {expr(s.collection)}{{{body(s.body)}}}"
    if t is ast.ForRange:
        return f"@{s.binding} {expr(s.start)}..{expr(s.end)}{{{body(s.body)}}}"
    if t is ast.While:
        return f"wh {expr(s.cond)}{{{body(s.body)}}}"
    if t is ast.Return:
        return f"ret {expr(s.value)}"
    if t is ast.Break:
        return "brk" if s.value is None else f"brk {expr(s.value)}"
    if t is ast.Continue:
        return "cnt"
    raise TypeError(f"unknown statement {t.__name__}")


def _guard(g: ast.Guard) -> str:
    prefix = "!" if g.negated else ""
    if g.braceless:
        if len(g.body) == 1 and isinstance(g.body[0], ast.ExprStmt):
            text = expr(g.body[0].expr)
        else:
            text = body(g.body)
        return f"{prefix}{expr(g.cond)} {text}"
    text = f"{prefix}{expr(g.cond)}{{{body(g.body)}}}"
    if g.else_body is not None:
        text += f"{{{body(g.else_body)}}}"
    return text


def _match(subject, arms) -> str:
    subj = "" if subject is None else expr(subject)
    return f"?{subj}{{{';'.join(f'{pattern(a.pattern)}:{body(a.body)}' for a in arms)}}}"


def pattern(p: ast.Pattern) -> str:
    t = type(p)
    if t is ast.PWild:
        return "_"
    if t is ast.POk:
        return f"~{p.binding}"
    if t is ast.PErr:
        return f"^{p.binding}"
    if t is ast.PLit:
        return literal(p.value)
    if t is ast.PType:
        return f"{type_str(p.ty)} {p.binding}"
    raise TypeError(f"unknown pattern {t.__name__}")


def expr(e: ast.Expr) -> str:
    t = type(e)
    if t is ast.Lit:
        return literal(e.value)
    if t is ast.Ref:
        return e.name
    if t is ast.Field or t is ast.Index:
        name = e.name if t is ast.Field else str(e.index)
        return f"{expr(e.obj)}{'.?' if e.safe else '.'}{name}"
    if t is ast.Call:
        bang = "!!" if e.panic else "!" if e.unwrap else ""
        if not e.args:
            return f"{call_name(e.func)}{bang}()"
        return f"{call_name(e.func)}{bang} {' '.join(expr(a) for a in e.args)}"
    if t is ast.BinOp:
        return f"{e.op}{expr(e.left)} {expr(e.right)}"
    if t is ast.Unary:
        # the reference spaces a negation so that `--` cannot appear (it starts a comment)
        return f"- {expr(e.operand)}" if e.op == "-" else f"!{expr(e.operand)}"
    if t is ast.OkExpr:
        return f"~{expr(e.value)}"
    if t is ast.ErrExpr:
        return f"^{expr(e.value)}"
    if t is ast.ListExpr:
        return f"[{', '.join(expr(i) for i in e.items)}]"
    if t is ast.RecordExpr:
        if not e.fields:
            return e.type_name
        return f"{e.type_name} {' '.join(f'{n}:{expr(v)}' for n, v in e.fields)}"
    if t is ast.MatchExpr:
        return _match(e.subject, e.arms)
    if t is ast.NilCoalesce:
        return f"{expr(e.value)}??{expr(e.default)}"
    if t is ast.Ternary:
        return f"?{expr(e.cond)} {expr(e.then)} {expr(e.otherwise)}"
    if t is ast.With:
        return f"{expr(e.obj)} with {' '.join(f'{n}:{expr(v)}' for n, v in e.updates)}"
    if t is ast.Lambda:
        # The reference replaces an inline function by a reference to its lifted name, or,
        # when it captures variables, by a closure node it prints as `name[captures]`.
        return f"{e.name}[{' '.join(e.captures)}]" if e.captures else e.name
    raise TypeError(f"unknown expression {t.__name__}")


def literal(value) -> str:
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        # only these four: a tab stays a raw tab, as in the reference
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        return f'"{escaped}"'
    return number(float(value))


def number(n: float) -> str:
    """Rust's rendering: a whole number through a saturating ``as i64`` cast when that cast
    round-trips, otherwise f64 ``Display`` (shortest digits, never an exponent)."""
    if n == n and n not in (float("inf"), float("-inf")):
        whole = min(max(int(n), _I64_MIN), _I64_LIMIT - 1) if n.is_integer() else None
        if whole is not None and float(whole) == n:
            return str(whole)
    else:
        return "NaN" if n != n else ("inf" if n > 0 else "-inf")
    text = repr(n)
    if "e" in text:
        text = format(Decimal(text), "f")
    if "." in text and n.is_integer():
        text = text.rstrip("0").rstrip(".")  # a whole f64 displays without a fraction
    return text
