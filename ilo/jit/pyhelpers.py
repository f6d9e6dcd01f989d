"""Run-time helpers imported by generated *python* kernels (never by numba kernels).

In: nothing. Out: ``BUILTINS`` (name → the one shared builtin implementation, so a kernel's
``str``/``mod``/``len`` behave exactly like the VM's), ``values_equal``, and the refcount
probe used by in-place updates in loops that copy containers between registers.
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

__all__ = ["END", "BUILTINS", "SOLE", "refcount", "values_equal"]
