"""The only module that imports numba, and only inside functions.

In: a Python function object defined in a generated kernel module (see ``cache.py``).
Out: the same function compiled by ``numba.njit(cache=True)``, plus facts about how it was
obtained (compiled now, or loaded from numba's on-disk cache).

Nothing here runs at import time, so ``import ilo`` and a VM run with no hot loop never load
numba (checked by tests/unit/test_jit_backend.py in a fresh subprocess).
"""

from __future__ import annotations

import importlib.util
import sys
import time

_numba = None


def available() -> bool:
    """True when numba can be imported (without importing it)."""
    return importlib.util.find_spec("numba") is not None


class _ScipyHidden:
    """While numba initialises, scipy looks absent. numba probes for BLAS (for ``np.dot``)
    by importing ``scipy.linalg``, once when numba is imported and again when its CPU
    target first loads its registries (the first compile or cache load): together about
    half of numba's start-up when scipy is installed. Kernels never call BLAS (ilo's
    linear algebra runs in plain Python), so nothing is lost; afterwards scipy imports
    normally. A process that imported scipy itself keeps the probes (cheap then)."""

    def __enter__(self):
        self.hidden = "scipy" not in sys.modules
        if self.hidden:
            sys.modules["scipy"] = None

    def __exit__(self, *exc):
        if self.hidden and sys.modules.get("scipy", 0) is None:
            del sys.modules["scipy"]


def _load():
    global _numba
    if _numba is None:
        with _ScipyHidden():
            import numba
            from numba.core.registry import cpu_target

            # the CPU target's registries, loaded now rather than at the first compile or
            # cache load (whichever kernel or map helper comes first), so their probe is hidden
            cpu_target.target_context.refresh()
        _numba = numba
    return _numba


def njit(pyfunc):
    """Wrap ``pyfunc`` as a numba dispatcher with the on-disk cache enabled.

    Compilation is lazy (first call); ``first_call_report`` says afterwards whether that call
    compiled or loaded machine code from the cache.
    """
    numba = _load()
    # boundscheck stays off: generated kernels index only within lengths they track
    return numba.njit(cache=True, nogil=True)(pyfunc)


def c_wrapper_object(pyfunc) -> tuple[str, bytes]:
    """Compile ``pyfunc(p)`` (``p``: a pointer to doubles) as a C-callable function and
    return its symbol name and the relocatable object holding its machine code
    (``native`` stores it; numba's private ``_library`` is the only way to the object)."""
    numba = _load()
    wrapper = numba.cfunc(numba.types.void(numba.types.CPointer(numba.types.float64)), nopython=True)(pyfunc)
    return wrapper.native_name, wrapper._library._get_compiled_object()


def first_call_report(dispatcher) -> str:
    """'compiled' or 'cache' for a numba dispatcher that has been called once."""
    stats = getattr(dispatcher, "stats", None)
    if stats is None:
        return "compiled"
    return "cache" if sum(stats.cache_hits.values()) > 0 else "compiled"


_ready_in_process = [False]


def warmed_up() -> bool:
    """True once this process has compiled or loaded a kernel (numba and LLVM initialised)."""
    return _ready_in_process[0]


def prepare(dispatcher, args) -> tuple[float, str]:
    """Compile ``dispatcher`` for the types of ``args`` now (or load it from numba's disk
    cache); return (seconds, "compiled" | "cache")."""
    numba = _load()
    t0 = time.perf_counter()
    sig = tuple(numba.typeof(a) for a in args)
    before = sum(dispatcher.stats.cache_hits.values())
    dispatcher.compile(sig)
    origin = "cache" if sum(dispatcher.stats.cache_hits.values()) > before else "compiled"
    _ready_in_process[0] = True
    return time.perf_counter() - t0, origin
