"""Binary and unary operators on runtime values, as the reference interpreter defines them.

In: two (or one) evaluated operands and the operator node (for its span). Out: a value, or
``IloRuntimeError`` ``ILO-R004`` (wrong operand types) / ``ILO-R003`` (division by zero).
``&`` and ``|`` are not here: they short-circuit, so the evaluator handles them.

- ``+``: number addition, text concatenation, list concatenation (a new list);
- ``+=``: a new list with one element appended (the in-place form is ``ownership``'s job);
- ``- * /`` on numbers; comparisons ``> < >= <=`` on two numbers or two texts;
- ``=`` / ``!=`` on anything, through ``values_equal``.
"""

from __future__ import annotations

from ilo.runtime import sizes
from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.opmsg import division_by_zero, negate_error, operand_error
from ilo.runtime.values import truthy, values_equal


def _type_error(op: str, a, b, node) -> IloRuntimeError:
    err = operand_error(op, a, b)  # the one message builder every engine uses
    err.span = node.span
    return err


def op_add(a, b, node):
    ta = type(a)
    if ta is type(b):
        if ta is float:
            return a + b
        if ta is str or ta is list:
            try:
                sizes.check_concat(a, b)  # before allocating: see runtime/sizes.py
            except IloRuntimeError as err:
                err.span = node.span
                raise
            return a + b
    raise _type_error("+", a, b, node)


def op_append(a, b, node):
    if type(a) is list:
        return [*a, b]
    raise _type_error("+=", a, b, node)


def op_sub(a, b, node):
    if type(a) is float and type(b) is float:
        return a - b
    raise _type_error("-", a, b, node)


def op_mul(a, b, node):
    if type(a) is float and type(b) is float:
        return a * b
    raise _type_error("*", a, b, node)


def op_div(a, b, node):
    if type(a) is float and type(b) is float:
        if b == 0.0:
            err = division_by_zero()
            err.span = node.span
            raise err
        return a / b
    raise _type_error("/", a, b, node)


def _ordered(op: str, a, b, node) -> bool:
    ta = type(a)
    if ta is type(b) and (ta is float or ta is str):
        return True
    raise _type_error(op, a, b, node)


def op_gt(a, b, node):
    return _ordered(">", a, b, node) and a > b


def op_lt(a, b, node):
    return _ordered("<", a, b, node) and a < b


def op_ge(a, b, node):
    return _ordered(">=", a, b, node) and a >= b


def op_le(a, b, node):
    return _ordered("<=", a, b, node) and a <= b


def op_eq(a, b, node):
    return values_equal(a, b)


def op_ne(a, b, node):
    return not values_equal(a, b)


# One entry per strict binary operator of ``ast.BINARY_OPS`` (all but ``&`` and ``|``).
BINARY = {
    "+": op_add,
    "+=": op_append,
    "-": op_sub,
    "*": op_mul,
    "/": op_div,
    ">": op_gt,
    "<": op_lt,
    ">=": op_ge,
    "<=": op_le,
    "=": op_eq,
    "!=": op_ne,
}


def unary(op: str, v, node):
    if op == "!":
        return not truthy(v)
    if op == "-":
        if type(v) is float:
            return -v
        err = negate_error(v)
        err.span = node.span
        raise err
    raise IloRuntimeError("ILO-R013", f"unknown unary operator '{op}'", node.span)


def add_values(a, b):
    """``+`` without a node, for ``ownership.rebind_add``'s fallback path."""
    return op_add(a, b, _NO_NODE)


def append_value(a, b):
    """``+=`` without a node, for ``ownership.rebind_append``'s fallback path."""
    return op_append(a, b, _NO_NODE)


class _NoNode:
    span = None


_NO_NODE = _NoNode()
