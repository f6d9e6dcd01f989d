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
    if v is None:
        return "nil"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float):
        return format_number(v)
    if isinstance(v, int):
        return format_number(float(v))
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        return "[" + ", ".join(format_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + "; ".join(f"{k}: {format_value(v[k])}" for k in sorted(v, key=key_order)) + "}"
    if isinstance(v, Record):
        inner = ", ".join(f"{k}: {format_value(x)}" for k, x in v.fields.items())
        return f"{v.type_name} {{{inner}}}"
    if isinstance(v, Ok):
        return "~" + format_value(v.value)
    if isinstance(v, Err):
        return "^" + format_value(v.value)
    if isinstance(v, FnRef):
        return f"<fn:{v.name}>"
    return str(v)
