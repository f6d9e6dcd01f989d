"""One way to measure scaling, shared by every scaling test.

A scaling test compares the time of 10x the work with the time of the base work, measured in
the same test run, never against an absolute time. On a busy 2-core machine a single
measurement can be disturbed, so each size is timed as the best of several batches, and the
comparison is retried a few times: an engine that really is quadratic (10x the work costing
~100x the time) fails every attempt, while scheduler noise does not repeat.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def best_seconds(run: Callable[[], object], repeat: int = 1, batches: int = 5) -> float:
    """Seconds per call of ``run``: the best of ``batches`` batches of ``repeat`` calls.

    Measured in CPU time of this process, so a batch is not charged for the time another
    process of a parallel test run held the core; and the cyclic garbage collector is off
    while a batch runs (late in a session the worker's heap holds what earlier tests left,
    and a collection the big size happens to trigger costs in proportion to that heap)."""
    best = float("inf")
    for _ in range(batches):
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            for _ in range(repeat):
                run()
            best = min(best, (time.process_time() - start) / repeat)
        finally:
            gc.enable()
    return best


def scaling_ratio(small: Callable[[], object], big: Callable[[], object], *, small_repeat: int = 10,
                  limit: float = 15.0, attempts: int = 3) -> float:
    """The smallest observed ``time(big) / time(small)`` over up to ``attempts`` tries,
    stopping at the first one under ``limit``."""
    best_ratio = float("inf")
    for _ in range(attempts):
        ratio = best_seconds(big) / best_seconds(small, repeat=small_repeat)
        best_ratio = min(best_ratio, ratio)
        if ratio < limit:
            break
    return best_ratio
