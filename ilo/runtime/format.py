"""Value → text exactly as the reference CLI prints it.

Numbers print like Rust's ``f64`` Display: integral values without ``.0`` (``6200``),
others in shortest round-trip form with no exponent (``0.1``, ``0.0000001``), ``inf``,
``-inf``, ``NaN``. Text prints raw at top level; lists as ``[1, 2, 3]`` (text inside a
list is printed raw too, as the reference does); maps as ``{k: v; k2: v2}`` sorted by key;
records as ``name {f: v, g: w}``; results as ``~v`` / ``^e``; nil as ``nil``.
"""

from __future__ import annotations

import math
from decimal import Decimal

from ilo.runtime.values import Err, FnRef, Ok, Record, key_order

_I64 = 2.0**63


def format_number(n: float) -> str:
    if n != n:
        return "NaN"
    if math.isinf(n):
        return "inf" if n > 0 else "-inf"
    if n == int(n) and -_I64 <= n < _I64:
        return str(int(n))
    r = repr(n)
    if "e" not in r and "E" not in r:
        return r
    # Expand the shortest round-trip digits without an exponent, as Rust does.
    return format(Decimal(r), "f")


def format_value(v) -> str:
    """``v`` as the reference prints it. Iterative (an explicit stack of values and literal
    pieces), so a list nested a million deep prints without recursion."""
    t = type(v)
    if t is str:
        return v
    if t is float:
        return format_number(v)
    if t is list and not v:
        return "[]"
    out: list[str] = []
    emit = out.append
    # Stack entries: a value still to format, or a _Piece of literal text to emit as is.
    stack = [v]
    pop, push = stack.pop, stack.append
    while stack:
        x = pop()
        t = type(x)
        if t is _Piece or t is str:
            emit(x)
        elif t is float:
            emit(format_number(x))
        elif x is None:
            emit("nil")
        elif x is True:
            emit("true")
        elif x is False:
            emit("false")
        elif t is list:
            emit("[")
            push(_CLOSE_LIST)
            for i in range(len(x) - 1, -1, -1):
                push(x[i])
                if i:
                    push(_COMMA)
        elif t is dict:
            emit("{")
            push(_CLOSE_MAP)
            keys = sorted(x, key=key_order)
            for i in range(len(keys) - 1, -1, -1):
                push(x[keys[i]])
                push(_Piece(f"{keys[i]}: "))
                if i:
                    push(_SEMI)
        elif t is Record:
            emit(f"{x.type_name} {{")
            push(_CLOSE_MAP)
            items = list(x.fields.items())
            for i in range(len(items) - 1, -1, -1):
                push(items[i][1])
                push(_Piece(f"{items[i][0]}: "))
                if i:
                    push(_COMMA)
        elif t is Ok:
            emit("~")
            push(x.value)
        elif t is Err:
            emit("^")
            push(x.value)
        elif t is FnRef:
            emit(f"<fn:{x.name}>")
        elif isinstance(x, int):
            emit(format_number(float(x)))
        elif isinstance(x, str):  # a str subclass prints as its text
            emit(str(x))
        else:
            emit(str(x))
    return "".join(out)


class _Piece(str):
    """Literal output text on ``format_value``'s stack (a value of type ``str`` is a text)."""


_COMMA, _SEMI, _CLOSE_LIST, _CLOSE_MAP = _Piece(", "), _Piece("; "), _Piece("]"), _Piece("}")
