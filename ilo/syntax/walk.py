"""Generic traversal of the AST: the one place that knows where sub-nodes live.

In: any ``ast.Node``. Out: its direct sub-nodes (``children``), every node below it
(``walk``), or the answer to "can evaluating this expression run statements?"
(``runs_statements``). Anyone may call it (verifier, compilers, unparse, capture analysis,
pyemit); a pass that needs scopes or order-sensitive bindings walks statements itself and
uses ``children`` for the rest.

Which fields of a class can hold nodes is derived once per class from its dataclass field
types (``list[Expr]``, ``Expr | None``, ``list[tuple[str, Expr]]``...), so a new node kind
or field is walked without anyone editing a list here. A field named in the class's
``DERIVED`` tuple is an index over other fields (``Program.functions`` repeats ``decls``)
and is not walked.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator

from ilo.syntax import ast

# Field types that never hold a node: names made only of these words are leaves.
_LEAF_WORDS = frozenset({"str", "bool", "float", "int", "None", "Span", "Ty", "list", "tuple", "dict"})
_node_fields: dict[type, tuple[str, ...]] = {}


def node_fields(cls: type) -> tuple[str, ...]:
    """The fields of AST class ``cls`` whose values may be or contain nodes, in order."""
    names = _node_fields.get(cls)
    if names is None:
        derived = getattr(cls, "DERIVED", ())
        names = tuple(
            f.name for f in dataclasses.fields(cls)
            if f.name not in derived and not set(re.findall(r"[A-Za-z_]\w*", str(f.type))) <= _LEAF_WORDS
        )
        _node_fields[cls] = names
    return names


def children(node: ast.Node) -> Iterator[ast.Node]:
    """The direct sub-nodes of ``node``, in source (field) order: expressions, statements,
    match arms and patterns, parameters, declarations."""
    Node = ast.Node
    for name in node_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, Node):
            yield value
        elif isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, Node):
                    yield item
                elif isinstance(item, tuple):  # (name, Expr) pairs of records and `with`
                    yield from (x for x in item if isinstance(x, Node))


def walk(nodes: ast.Node | Iterable[ast.Node]) -> Iterator[ast.Node]:
    """Every node at or below ``nodes`` (one node or a list), pre-order; an explicit
    stack, so a deeply nested program cannot exhaust Python's stack. Inline lambda bodies
    are included (they are also the bodies of their lifted functions)."""
    stack = [nodes] if isinstance(nodes, ast.Node) else list(nodes)
    stack.reverse()
    while stack:
        node = stack.pop()
        yield node
        kids = list(children(node))
        kids.reverse()
        stack.extend(kids)


def runs_statements(expr: ast.Expr) -> bool:
    """True if evaluating ``expr`` can run statements of the current function: only a
    match expression's arms can (they may rebind variables). A lambda's body runs later,
    in its own call; calls run other functions in frames of their own. Engines use it to
    know when an operand read before ``expr`` must be copied or an in-place update is safe."""
    stack = [expr]
    while stack:
        e = stack.pop()
        kind = type(e)
        if kind is ast.MatchExpr:
            return True
        if kind is not ast.Lambda:
            stack.extend(children(e))
    return False


def any_runs_statements(exprs: Iterable[ast.Expr]) -> bool:
    return any(runs_statements(e) for e in exprs)


__all__ = ["children", "walk", "node_fields", "runs_statements", "any_runs_statements"]
