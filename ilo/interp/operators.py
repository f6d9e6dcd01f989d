"""Binary and unary operators on runtime values, as the reference interpreter defines them.

In: two (or one) evaluated operands and the operator node (for its span). Out: a value, or
``IloRuntimeError`` ``ILO-R004`` (wrong operand types) / ``ILO-R003`` (division by zero).
``&`` and ``|`` are not here: they short-circuit, so the evaluator handles them.

- ``+`` and ``+=``: ``runtime.operators`` (shared with the VM), with the node's span added;
- ``- * /`` on numbers; comparisons ``> < >= <=`` on two numbers or two texts;
- ``=`` / ``!=`` on anything, through ``values_equal``.
"""

from __future__ import annotations

from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.operators import add_values, append_value
from ilo.runtime.opmsg import division_by_zero, negate_error, operand_error
from ilo.runtime.values import truthy, values_equal


def _type_error(op: str, a, b, node) -> IloRuntimeError:
    err = operand_error(op, a, b)  # the one message builder every engine uses
    err.span = node.span
    return err


def op_add(a, b, node):
    if type(a) is float and type(b) is float:  # the common case, without a second call
        return a + b
    return _at(node, add_values, a, b)


def op_append(a, b, node):
    return _at(node, append_value, a, b)


def _at(node, rule, a, b):
    """``rule(a, b)`` (a shared rule of runtime.operators), its error located at ``node``."""
    try:
        return rule(a, b)
    except IloRuntimeError as err:
        err.span = node.span
        raise


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
