"""``xs.i`` with a bound variable ``i`` means ``at xs i`` (the reference's rule).

At parse time ``xs.i`` is a field access, because the parser cannot know whether ``xs`` is
a record or a list. Once a function is parsed, each ``obj.name`` (plain ``.``, not ``.?``)
whose ``name`` is a variable in scope at that point (a parameter, an earlier binding, a loop
or match binding) becomes the call ``at obj name``, unless ``name`` is a field of some
declared record type: those keep record access even when a local shares the name.

Scopes follow the reference: a binding is visible to the statements after it in the same
body and inside nested bodies; a nested body's own bindings end with it.
"""

from __future__ import annotations

from ilo.syntax import ast
from ilo.syntax.walk import node_fields


def desugar_dot_index(decls: list[ast.Decl]) -> None:
    record_fields = {f.name for d in decls if isinstance(d, ast.TypeDef) for f in d.fields}
    for d in decls:
        if isinstance(d, ast.Function):
            _Rewriter(record_fields).body(d.body, [p.name for p in d.params])


class _Rewriter:
    def __init__(self, record_fields: set[str]):
        self.record_fields = record_fields

    def body(self, stmts: list[ast.Stmt], scope: list[str]) -> None:
        depth = len(scope)
        for s in stmts:
            self.stmt(s, scope)
        del scope[depth:]

    def stmt(self, s: ast.Stmt, scope: list[str]) -> None:
        t = type(s)
        if t is ast.Let:
            s.value = self.expr(s.value, scope)
            scope.append(s.name)
        elif t is ast.Destructure:
            s.value = self.expr(s.value, scope)
            scope.extend(s.names)
        elif t is ast.Match:
            if s.subject is not None:
                s.subject = self.expr(s.subject, scope)
            self.arms(s.arms, scope)
        elif t is ast.ForEach:
            s.collection = self.expr(s.collection, scope)
            self.body(s.body, [*scope, s.binding])
        elif t is ast.ForRange:
            s.start = self.expr(s.start, scope)
            s.end = self.expr(s.end, scope)
            self.body(s.body, [*scope, s.binding])
        else:
            for name in ("cond", "value", "expr"):
                e = getattr(s, name, None)
                if isinstance(e, ast.Expr):
                    setattr(s, name, self.expr(e, scope))
            for name in ("body", "else_body"):
                block = getattr(s, name, None)
                if block:
                    self.body(block, list(scope))

    def arms(self, arms: list[ast.MatchArm], scope: list[str]) -> None:
        for arm in arms:
            binding = getattr(arm.pattern, "binding", None)
            self.body(arm.body, [*scope, binding] if binding else list(scope))

    def expr(self, e: ast.Expr, scope: list[str]) -> ast.Expr:
        t = type(e)
        if t is ast.Lit or t is ast.Ref or t is ast.Lambda:
            return e  # a lambda's body is its lifted function, rewritten on its own
        if t is ast.MatchExpr:
            if e.subject is not None:
                e.subject = self.expr(e.subject, scope)
            self.arms(e.arms, scope)
            return e
        for name in node_fields(t):
            v = getattr(e, name)
            if isinstance(v, ast.Expr):
                setattr(e, name, self.expr(v, scope))
            elif isinstance(v, list):
                for i, x in enumerate(v):
                    if isinstance(x, ast.Expr):
                        v[i] = self.expr(x, scope)
                    elif isinstance(x, tuple) and len(x) == 2 and isinstance(x[1], ast.Expr):
                        v[i] = (x[0], self.expr(x[1], scope))
        if t is ast.Field and not e.safe and e.name in scope and e.name not in self.record_fields:
            index = ast.Ref(e.name, span=e.span)
            return ast.Call("at", [e.obj, index], False, span=e.span)
        return e


__all__ = ["desugar_dot_index"]
