"""Per-node handler tables, derived from method names by one rule.

In: a class whose methods are named ``<prefix><node>``, where ``<node>`` is the snake_case
of an AST class name (``ForRange`` → ``for_range``, ``BinOp`` → ``bin_op``). Out: a dict
AST class → handler. Every stage names its handlers this way (tree ``eval_``/``exec_``,
verifier ``check_``, VM ``compile_``, ``unparse_``, pyemit ``translate_``), so a reader who
knows one stage finds the same spot in the others, and adding a node kind without a
handler fails when the table is built, not when a program first reaches it.

``handler_table`` fails loudly on a prefixed method that names no AST class (a typo, or a
renamed node) unless it is listed as a helper, and on a node kind with no handler.
"""

from __future__ import annotations

import re

from ilo.syntax import ast


def snake(cls: type) -> str:
    """``ForRange`` → ``for_range``; ``PLit`` → ``p_lit``; ``ExprStmt`` → ``expr_stmt``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


def _concrete(base: type) -> tuple[type, ...]:
    """The node classes of the ``ast`` module deriving from ``base``, in declaration order."""
    return tuple(c for c in vars(ast).values()
                 if isinstance(c, type) and issubclass(c, base) and hasattr(c, "__dataclass_fields__"))


EXPR_KINDS = _concrete(ast.Expr)
STMT_KINDS = _concrete(ast.Stmt)
PATTERN_KINDS = _concrete(ast.Pattern)
DECL_KINDS = _concrete(ast.Decl)
_BY_NAME = {snake(c): c for c in _concrete(ast.Node)}


class HandlerError(TypeError):
    """A handler table that does not match the AST classes (a programming error)."""


def handler_table(owner: type, prefix: str, kinds: tuple[type, ...], helpers: tuple[str, ...] = ()) -> dict:
    """``{cls: owner.<prefix><snake(cls)>}`` for every class in ``kinds`` (plain functions:
    bind them per instance where needed). ``helpers``: prefixed methods that are not node
    handlers (``compile_body``, ``exec_body``...)."""
    for name in dir(owner):
        if name.startswith(prefix) and name[len(prefix):] not in _BY_NAME and name not in helpers:
            raise HandlerError(f"{owner.__name__}.{name} names no AST class")
    table, missing = {}, []
    for cls in kinds:
        fn = getattr(owner, prefix + snake(cls), None)
        if fn is None:
            missing.append(prefix + snake(cls))
        else:
            table[cls] = fn
    if missing:
        raise HandlerError(f"{owner.__name__} has no handler {', '.join(missing)}")
    return table


__all__ = ["snake", "handler_table", "HandlerError", "EXPR_KINDS", "STMT_KINDS", "PATTERN_KINDS", "DECL_KINDS"]
