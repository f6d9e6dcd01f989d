"""Kernels under a step/time budget (``--max-steps``/``--timeout``): the countdown they charge.

In: the run's ``runtime.limits.Budget`` (``machine.BUDGET[0]``, None for a run without
limits). Out: ``enter(numba)``, the countdown to pass a kernel built with ``limited=True``
(``emit``/``fnkernels``), and ``leave(counter)`` after it returned or raised.

A python kernel charges the budget's own one-element list; a numba kernel cannot, so it gets
a one-element int64 array holding the same count, copied back on the way out. One array
serves every kernel: kernels never re-enter the VM, so two never run at once. ``enter``
looks at the clock first (``Budget.top_up``), which is where a timeout stops a program
whose hot loops run in kernels.
"""

from __future__ import annotations

from ilo.vm.machine import BUDGET

_ARRAY: list = [None]


def active() -> bool:
    """True if the innermost run has a budget: kernels must be built ``limited``."""
    return BUDGET[0] is not None


def seconds_left() -> float | None:
    """Seconds before the innermost run's time limit (None: no time limit)."""
    budget = BUDGET[0]
    if budget is None or budget.deadline is None:
        return None
    import time

    return budget.deadline - time.monotonic()


def numba_too_slow(source: str | None) -> str:
    """'' or why the run's time limit leaves no room for compiling ``source`` with numba:
    the compile (or load, and numba's start-up) would take a good share of the time left."""
    left = seconds_left()
    if left is None:
        return ""
    from ilo.jit import backend, cache, costs

    cost = costs.numba_cost(source is not None and cache.numba_cached(source), backend.warmed_up())
    if 2 * cost <= left:
        return ""
    return f"the time limit leaves {max(left, 0.0):.2f} s, too little for a {cost:.2f} s numba compile"


def enter(numba: bool):
    """The countdown for a kernel about to run (topped up for a timeout)."""
    budget = BUDGET[0]
    budget.top_up()
    left = budget.left
    if not numba:
        return left
    arr = _ARRAY[0]
    if arr is None:
        import numpy as np

        arr = _ARRAY[0] = np.zeros(1, np.int64)
    arr[0] = left[0]
    return arr


def leave(counter) -> None:
    """After a kernel: the steps it took are the budget's (a numba kernel's copy goes back)."""
    left = BUDGET[0].left
    if counter is not left:
        left[0] = int(counter[0])


def restore(counter, steps: int) -> None:
    """A function kernel gave up and the VM runs the call again from its start: give back
    the steps the kernel took (``steps``: the countdown before it ran)."""
    counter[0] = steps
    leave(counter)


def sample():
    """A countdown to compile a numba kernel with (its type is what matters)."""
    import numpy as np

    return np.zeros(1, np.int64)
