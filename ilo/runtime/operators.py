"""Value rules of ilo's operators that every engine shares: ``+``, ``+=`` and range bounds.

In: runtime values (``ilo.runtime.values``). Out: a new value, or ``IloRuntimeError`` with
no span (the engine that called attaches the location it knows: a node, an instruction).

Callers: ``interp/operators.py`` (the tree's operator table), the VM's ADD / LISTAPPEND /
RANGEPREP handlers and ``vm/hotloops.py`` (its counting RANGEPREP), ``ownership``'s
fallbacks for self-rebinds, emitted Python, and the JIT's loop prep (``RANGE_LIMIT``). A
fast path an engine keeps inline (numbers first) must hand every other case to these.
"""

from __future__ import annotations

from ilo.runtime import sizes
from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.opmsg import operand_error
from ilo.runtime.values import type_name

# A range bound is cast to a 64-bit integer as the reference does: truncated toward zero and
# saturated a little inside the i64 range (so the float stays exactly representable).
RANGE_LIMIT = 9.2e18


def add_values(a, b):
    """ilo ``+``: numbers add, texts and lists concatenate (a new value, size-checked first)."""
    t = type(a)
    if t is type(b):
        if t is float:
            return a + b
        if t is str or t is list:
            sizes.check_concat(a, b)  # before allocating: see runtime/sizes.py
            return a + b
    raise operand_error("+", a, b)


def append_value(xs, item):
    """ilo ``+=``: a new list with ``item`` appended (the in-place form is ``ownership``'s)."""
    if type(xs) is list:
        return [*xs, item]
    raise operand_error("+=", xs, item)


def range_bound(v, which: str) -> float:
    """The loop bound ``v`` of ``@i lo..hi`` (``which`` is ``"start"`` or ``"end"``) as a
    whole float: NaN counts as 0, and the value is truncated toward zero and saturated."""
    if type(v) is not float:
        raise IloRuntimeError("ILO-R007", f"range {which} must be a number, got {type_name(v)}")
    if v != v:
        return 0.0
    return float(int(max(min(v, RANGE_LIMIT), -RANGE_LIMIT)))
