"""Per-call timing shared by ``ilo --bench`` and ``bench/``.

``time_calls(fn)`` calls a zero-argument function repeatedly and returns a ``Timing``: the
median time of one call and how many calls were measured. Calls are grouped into batches
long enough for the clock to resolve (fast functions run many times per batch); the median is
taken over the per-call time of each batch, which shrugs off the odd slow batch (GC, another
process). ``format_seconds`` prints a duration the way the CLI reports it. Imports nothing
from ilo.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

# A batch should take at least this long so timer resolution and loop overhead vanish.
MIN_BATCH_SECONDS = 0.002


@dataclass(frozen=True, slots=True)
class Timing:
    median: float  # seconds per call, median over batches
    runs: int  # calls measured (warm-up excluded)
    batches: int
    total: float  # seconds spent in measured calls
    best: float  # fastest batch, seconds per call

    def __str__(self) -> str:
        return f"{format_seconds(self.median)} per call (median of {self.runs} runs)"


def format_seconds(seconds: float) -> str:
    """`812ns`, `3.41µs`, `12.0ms`, `1.25s`: three significant digits."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{_sig3(seconds / scale)}{unit}"
    return f"{_sig3(seconds / 1e-9)}ns"


def _sig3(x: float) -> str:
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def time_calls(
    fn: Callable[[], object],
    *,
    budget: float = 1.0,
    max_runs: int = 1_000_000,
    min_batches: int = 5,
    warmup: int = 1,
    clock: Callable[[], float] = time.perf_counter,
) -> Timing:
    """Time ``fn()`` for roughly ``budget`` seconds (at least ``min_batches`` batches).

    The first ``warmup`` calls are not measured (they pay for caches and JIT compilation).
    A slow function still gets ``min_batches`` batches while that fits in five budgets.
    """
    for _ in range(warmup):
        fn()
    # Calibrate: double the batch size until one batch is long enough to measure.
    size = 1
    while True:
        elapsed = _batch(fn, size, clock)
        if elapsed >= MIN_BATCH_SECONDS or size >= max_runs:
            break
        size *= 2
    per_call = [elapsed / size]
    runs, total = size, elapsed
    # At least `min_batches` batches for a stable median, unless one call alone takes
    # several budgets' worth of time.
    while runs < max_runs and (total < budget or (len(per_call) < min_batches and total < 5 * budget)):
        n = min(size, max_runs - runs)
        elapsed = _batch(fn, n, clock)
        per_call.append(elapsed / n)
        runs += n
        total += elapsed
    return Timing(statistics.median(per_call), runs, len(per_call), total, min(per_call))


def _batch(fn: Callable[[], object], n: int, clock: Callable[[], float]) -> float:
    start = clock()
    for _ in range(n):
        fn()
    return clock() - start
