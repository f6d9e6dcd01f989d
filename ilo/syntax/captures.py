"""Free variables of inline lambdas: which enclosing names a lambda body captures.

Run once after the whole program is parsed, so a lambda may name a function declared
further down without that name being taken for a variable. A name is captured when the
body reads it (as a value, not as the callee of a call) and it is neither a parameter, a
binding made earlier in the body, ``_``, nor a known function, builtin or tool. Nested
lambdas are resolved first (they are lifted in the order they close), and their own
captures count as reads of the enclosing body, so a capture bubbles outward.

The walk keeps an explicit stack, so a deeply nested body cannot exhaust Python's stack.
"""

from __future__ import annotations

from collections.abc import Callable

from ilo.syntax import ast
from ilo.syntax.walk import children

_BLOCK_FIELDS = ("body", "else_body")


def resolve_captures(lambdas: list[ast.Lambda], is_known: Callable[[str], bool],
                     lifted: dict[str, ast.Function]) -> None:
    """Fill ``captures`` of each lambda (innermost first) and add them to its lifted params."""
    from ilo import types as ty

    for lam in lambdas:
        free = _free_names(lam, is_known)
        lam.captures = free
        fn = lifted[lam.name]
        fn.params = list(lam.params) + [ast.Param(name, ty.ANY, span=lam.span) for name in free]


def _free_names(lam: ast.Lambda, is_known: Callable[[str], bool]) -> list[str]:
    bound = {p.name for p in lam.params}
    free: list[str] = []
    seen: set[str] = set()

    def read(name: str, local: frozenset) -> None:
        if name == "_" or name in bound or name in local or name in seen or is_known(name):
            return
        seen.add(name)
        free.append(name)

    # Work items: ("stmts", list, index, locals) walks a statement list in order, so a
    # binding is visible to the statements after it; ("expr", node, locals) one expression.
    stack: list[tuple] = [("stmts", lam.body, 0, frozenset())]
    while stack:
        item = stack.pop()
        if item[0] == "expr":
            _, e, local = item
            _visit_expr(e, local, read, stack)
            continue
        _, stmts, i, local = item
        if i >= len(stmts):
            continue
        s = stmts[i]
        after = local
        t = type(s)
        if t is ast.Let:
            after = local | {s.name}
        elif t is ast.Destructure:
            after = local | set(s.names)
        # The rest of this list runs after this statement's own parts (pushed last, so
        # popped first).
        stack.append(("stmts", stmts, i + 1, after))
        _visit_stmt(s, local, stack)
    return free


def _visit_stmt(s: ast.Stmt, local: frozenset, stack: list) -> None:
    t = type(s)
    if t is ast.Match:
        if s.subject is not None:
            stack.append(("expr", s.subject, local))
        _push_arms(s.arms, local, stack)
        return
    if t is ast.ForEach or t is ast.ForRange:
        stack.append(("stmts", s.body, 0, local | {s.binding}))
        if t is ast.ForEach:
            stack.append(("expr", s.collection, local))
        else:
            stack.append(("expr", s.end, local))
            stack.append(("expr", s.start, local))
        return
    for name in _BLOCK_FIELDS:
        block = getattr(s, name, None)
        if block:
            stack.append(("stmts", block, 0, local))
    for name in ("value", "cond", "expr"):
        e = getattr(s, name, None)
        if isinstance(e, ast.Expr):
            stack.append(("expr", e, local))


def _push_arms(arms: list[ast.MatchArm], local: frozenset, stack: list) -> None:
    for arm in arms:
        binding = getattr(arm.pattern, "binding", None)
        stack.append(("stmts", arm.body, 0, local | {binding} if binding else local))


def _visit_expr(e: ast.Expr, local: frozenset, read, stack: list) -> None:
    t = type(e)
    if t is ast.Ref:
        read(e.name, local)
        return
    if t is ast.Lit:
        return
    if t is ast.Lambda:
        for name in e.captures:
            read(name, local)
        return
    if t is ast.MatchExpr:
        if e.subject is not None:
            stack.append(("expr", e.subject, local))
        _push_arms(e.arms, local, stack)
        return
    # Any other expression: its sub-expressions (operands, items, record field values).
    for child in children(e):
        stack.append(("expr", child, local))


__all__ = ["resolve_captures"]
