"""Run-time helpers imported by generated *python* kernels (never by numba kernels).

In: nothing. Out: ``BUILTINS`` (name → the one shared builtin implementation, so a kernel's
``str``/``mod``/``len`` behave exactly like the VM's), ``values_equal``, and the refcount
probe used by in-place updates in loops that copy containers between registers, and
``all_text``, the entry scan of a foreach loop over text.
"""

from __future__ import annotations

from ilo.runtime import ownership
from ilo.runtime.builtins.registry import all_builtins
from ilo.runtime.values import values_equal

END = object()  # the end-of-iteration marker for ``next(it, END)`` in foreach kernels
BUILTINS = {name: spec.impl for name, spec in all_builtins().items()}
# OWNERSHIP: a kernel local that is the only reference to its container shows SOLE
# (runtime.ownership measures it; this module only hands it to generated kernels).
refcount, SOLE = ownership.refcount, ownership.SOLE_LOCAL

_LIST_ITER = type(iter([]))
_SCAN_CHUNK = 4096  # items joined at once: the scratch text stays small


def all_text(it) -> bool:
    """Is every item a list iterator has left a text? A foreach kernel asks once on entry
    instead of testing each item. ``str.join`` tests the items in C; it would also take a
    subclass of ``str``, but no ilo value is one (``values.from_python`` makes the API's
    arguments exact ``str``, and the runtime makes nothing else). Anything but a list
    iterator answers False (the kernel then tests each item)."""
    if type(it) is not _LIST_ITER:
        return False
    state = it.__reduce__()  # (iter, (the list,), the next index); exhausted: (iter, ([],))
    if len(state) < 3:
        return True
    xs, at = state[1][0], state[2]
    join = "".join
    try:
        for i in range(at, len(xs), _SCAN_CHUNK):
            join(xs[i:i + _SCAN_CHUNK])
    except TypeError:
        return False
    return True


__all__ = ["END", "BUILTINS", "SOLE", "all_text", "refcount", "values_equal"]
