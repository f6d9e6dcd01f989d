"""Sole-owner tests and in-place self-rebinds: the one module that knows the refcount trick.

Shared by every engine (it imports none of them). An engine that has recognised a
self-rebind, ``m=mset m k v``, ``xs=+=xs v`` or ``s=+s t``, hands this module the *slot*
that holds the old value (a scope dict and a name, or a register list and an index) plus the
already evaluated operands. The helper takes the old value out of the slot, so the slot no
longer references it, and asks CPython how many references remain. If only its own local
does, nothing else in the program can reach the container, and it is updated in place (O(1)
amortised per step instead of a full copy). Otherwise it is copied through the ordinary,
non-mutating implementation passed in by the caller.

Why this is safe: reference counts can only over-count owners (a stray temporary makes a
value look shared, never unshared), so a wrong answer costs a needless copy and never a
mutation visible through another binding, list element, map value, record field, loop
iterator or caller frame. Every line that relies on sole ownership carries an
``# OWNERSHIP:`` comment.

Text uses CPython's own version of the trick: ``s += t`` on a local that is the only
reference to ``s`` resizes the string in place. We only have to make sure the slot does not
hold a second reference while the concatenation runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, MutableMapping, MutableSequence

from ilo.runtime.sizes import check_concat, out_of_memory

Slot = MutableMapping | MutableSequence


def _probe_sole_count() -> int:
    """What ``sys.getrefcount`` reports for an object held by exactly one local variable
    (the local plus getrefcount's own argument). Measured rather than assumed, so a change
    of interpreter version can only make us copy more, never less."""
    obj = []
    return sys.getrefcount(obj)


# OWNERSHIP: on interpreters without reference counts (PyPy) nothing is ever sole-owned.
_HAS_REFCOUNT = hasattr(sys, "getrefcount")
_SOLE = _probe_sole_count() if _HAS_REFCOUNT else -1
# The count a local that is the only reference shows, for generated kernels that inline the
# test as ``refcount(x) == SOLE_LOCAL`` (jit/pyhelpers re-exports both).
SOLE_LOCAL = _SOLE
refcount = sys.getrefcount if _HAS_REFCOUNT else (lambda obj: 0)


def _slot_refs(items: list, i: int) -> int:
    return sys.getrefcount(items[i])


# OWNERSHIP: references an object has while it sits in one list slot and nothing else holds it
# (the slot plus getrefcount's argument), measured through the same function as the test.
_SOLE_SLOT = _slot_refs([[]], 0) if _HAS_REFCOUNT else -1


def sole_in_slot(items: list, i: int, extra: int = 0) -> bool:
    """True if ``items[i]`` is referenced by that slot only, apart from ``extra`` references
    the caller knows it holds itself (the JIT's boundary moves registers into a list first)."""
    return _slot_refs(items, i) == _SOLE_SLOT + extra


def rebind_mset(slot: Slot, key, map_key, value, mset: Callable) -> None:
    """``slot[key] = mset(slot[key], map_key, value)``, in place when the map has no other owner.

    ``mset`` is the ordinary builtin (returns a new map, raises on bad arguments); it is
    used whenever the fast path does not apply, so errors are the builtin's own.
    """
    m = slot[key]
    slot[key] = None  # OWNERSHIP: drop the slot's reference before counting
    try:
        # OWNERSHIP: `m` is referenced by this local only, so no other binding can see it.
        if type(m) is dict and sys.getrefcount(m) == _SOLE and (
            type(map_key) is str or (type(map_key) is float and map_key.is_integer())
        ):
            # a whole number is its own floor: the int key ``mset`` itself would use
            m[map_key if type(map_key) is str else int(map_key)] = value
        else:
            m = mset(m, map_key, value)
    finally:
        slot[key] = m


def rebind_append(slot: Slot, key, item, append: Callable) -> None:
    """``slot[key] = append(slot[key], item)`` (``+=``), in place when the list has no other owner."""
    xs = slot[key]
    slot[key] = None  # OWNERSHIP: drop the slot's reference before counting
    try:
        # OWNERSHIP: `xs` is referenced by this local only.
        if type(xs) is list and sys.getrefcount(xs) == _SOLE:
            xs.append(item)
        else:
            xs = append(xs, item)
    finally:
        slot[key] = xs


def rebind_add(slot: Slot, key, other, add: Callable) -> None:
    """``slot[key] = add(slot[key], other)`` (``+``): text and list concatenation in place
    when the left operand has no other owner; anything else goes through ``add``."""
    cur = slot[key]
    kind = type(cur)
    if (kind is str or kind is list) and type(other) is kind:
        check_concat(cur, other)  # before the slot is touched: a refused value keeps the old one
    slot[key] = None  # OWNERSHIP: drop the slot's reference before concatenating
    try:
        if kind is str and type(other) is str:
            # OWNERSHIP: CPython appends in place iff `cur` is its only reference; otherwise
            # it builds a new string, so this line is correct either way.
            cur += other
        elif kind is list and type(other) is list and sys.getrefcount(cur) == _SOLE:
            cur.extend(other)  # OWNERSHIP: `cur` is referenced by this local only
        else:
            cur = add(cur, other)
    except MemoryError:
        # A failed in-place text append frees the old text and unbinds `cur` (CPython's
        # rule), so there may be nothing left to put back.
        slot[key] = locals().get("cur")
        raise out_of_memory() from None
    except BaseException:
        slot[key] = cur  # a type error: the message shows the operands
        raise
    slot[key] = cur
