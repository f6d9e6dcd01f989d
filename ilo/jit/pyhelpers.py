"""Run-time helpers imported by generated *python* kernels (never by numba kernels).

In: nothing. Out: ``BUILTINS`` (name → the one shared builtin implementation, so a kernel's
``str``/``mod``/``len`` behave exactly like the VM's), ``values_equal``, and the refcount
probe used by in-place updates in loops that copy containers between registers.
"""

from __future__ import annotations

import sys

from ilo.runtime.builtins.registry import all_builtins
from ilo.runtime.values import values_equal

END = object()  # the end-of-iteration marker for ``next(it, END)`` in foreach kernels
BUILTINS = {name: spec.impl for name, spec in all_builtins().items()}
refcount = sys.getrefcount


def _probe() -> int:
    x = []
    return sys.getrefcount(x)


# OWNERSHIP: a kernel local that is the only reference to its container shows this count
SOLE = _probe()

__all__ = ["END", "BUILTINS", "SOLE", "refcount", "values_equal"]
