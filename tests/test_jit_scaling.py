"""Crossing the kernel boundary costs O(work done), not O(container size), per entry.

An outer loop that the JIT cannot compile (it calls a user function that uses ``rev``,
which has no kernel form) re-enters the inner
loop's kernel once per outer step while a map / number list grows. If each entry converted
or copied the whole container, 10x the steps would cost ~100x the time.
"""

from __future__ import annotations

import gc
import time

import pytest
from scaling import scaling_ratio

import ilo
from ilo import vm
from ilo.jit.tier import JitTier
from ilo.runtime.values import from_python

pytestmark = pytest.mark.slow

MAP = ("id x:n>n;ys=[x];zs=rev ys;zs.0\n"
       "f n:n>n;m=mmap;@i 0..n{j=id i;@k 0..40{q=+*j 40 k;m=mset m (str q) k}};len m")
LIST = ("id x:n>n;ys=[x];zs=rev ys;zs.0\n"
        "f n:n>n;xs=[];@i 0..n{j=id i;@k 0..40{xs=+=xs k}};len xs")


def best_time(src: str, n: int, numba: str) -> tuple[float, object]:
    program = ilo.load(src)
    best, stats = float("inf"), None
    for _ in range(5):
        tier = JitTier(threshold=2, numba=numba)
        gc.collect()
        t0 = time.perf_counter()
        value = vm.run(program.compiled(), "f", [from_python(n)], hooks=tier)
        best = min(best, time.perf_counter() - t0)
        assert value == 40.0 * n
        stats = tier.stats
    return best, stats


@pytest.mark.parametrize("src,numba", [(MAP, "never"), (LIST, "never"), (LIST, "always")],
                         ids=["map-python", "list-python", "list-numba"])
def test_reentering_a_kernel_with_a_growing_container_scales_linearly(src, numba):
    best_time(src, 50, numba)  # compile (or load) the kernel before timing
    ratio = float("inf")
    for _ in range(3):  # retried like tests/scaling.py: noise does not repeat, a quadratic cost does
        small, _ = best_time(src, 400, numba)
        big, stats = best_time(src, 4000, numba)
        inner = [s for s in stats.compiled if s.entries >= 1000]
        assert inner, stats.report()  # the inner kernel really was re-entered per outer step
        ratio = min(ratio, big / small)
        if ratio < 15:
            break
    assert ratio < 15, f"10x the steps took {ratio:.1f}x the time"


@pytest.mark.parametrize("n_small,n_big", [(1_000, 10_000)])
def test_mset_loop_scales_linearly(n_small, n_big):
    src = "g n:n>M t n;m=mmap;@i 0..n{m=mset m (str i) i};m"
    program = ilo.load(src)

    ratio = scaling_ratio(lambda: program.call("g", n_small, jit=True, jit_threshold=2),
                          lambda: program.call("g", n_big, jit=True, jit_threshold=2), small_repeat=10)
    # CPython's own dict loop, measured the same way now: late in a test session the
    # allocator makes 10x the fresh strings and dict entries cost up to ~25x (a machine
    # effect, not ilo's), so the bound is 15x or 1.5x what CPython itself shows, if more
    # (a quadratic engine is ~100x either way)
    base = scaling_ratio(lambda: _python_mset(n_small), lambda: _python_mset(n_big), small_repeat=10)
    assert ratio < max(15, 1.5 * base), f"{n_big} keys took {ratio:.1f}x the time of {n_small} (CPython {base:.1f}x)"


def _python_mset(n: int) -> dict:
    m = {}
    for i in range(n):
        m[str(i)] = float(i)
    return m
