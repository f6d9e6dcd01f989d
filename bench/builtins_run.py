"""Builtin benchmarks in one run: a JIT-compiled numeric loop using ``at``/``sqrt``/``pow``
against a hand-written numba kernel, and the list builtins (``zip window chunks take
cumsum``) on 100k-element lists against the idiomatic CPython equivalent.

    python bench/builtins_run.py            # full sizes (loop n = 5 * 10^6)
    python bench/builtins_run.py --quick    # loop n = 10^6

The ilo side is timed through ``vm.run`` (the VM, with a ``JitTier`` for the loop), on a
program loaded and compiled once; "jit warm" is the best of later calls in the same process
(kernel in memory, numba compile excluded), "jit first" includes compiling or loading it.
List builtins are timed as whole calls of a one-line ilo function (call overhead included).
Each figure is the best of several runs. Ratios: ilo time / baseline time (lower is better).
"""

from __future__ import annotations

import itertools
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import ilo  # noqa: E402
from ilo import vm  # noqa: E402
from ilo.jit.tier import JitTier  # noqa: E402

LOOP = "f xs:L n n:n>n;s=0;i=0;wh <i n{j=mod i 1000;v=at xs j;r=sqrt v;p=pow r 3;s=+s p;i=+i 1};s"
XS = [float(k % 97) + 0.5 for k in range(1000)]


def best(fn, *args, runs: int = 5) -> float:
    out = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn(*args)
        out = min(out, time.perf_counter() - t0)
    return out


def numba_loop():
    import numba
    import numpy as np

    @numba.njit(cache=False)
    def kernel(xs, n):
        s = 0.0
        i = 0.0
        while i < n:
            j = np.fmod(i, 1000.0)
            v = xs[int(j)]
            r = np.sqrt(v)
            s += np.power(r, 3.0)
            i += 1.0
        return s

    return kernel, np.array(XS)


def bench_loop(n: float) -> None:
    compiled = ilo.load(LOOP).compiled()
    args = [XS, n]
    t0 = time.perf_counter()
    tier = JitTier(numba="always")
    got = vm.run(compiled, "f", args, hooks=tier)
    first = time.perf_counter() - t0
    report = tier.stats.report()
    warm = best(lambda: vm.run(compiled, "f", args, hooks=tier), runs=3)
    t_vm = best(lambda: vm.run(compiled, "f", [XS, n / 10]), runs=1) * 10
    kernel, arr = numba_loop()
    want = kernel(arr, n)
    t_nb = best(kernel, arr, n)
    assert abs(got - want) <= 1e-9 * abs(want), (got, want)
    print(f"numeric loop at/sqrt/pow, n={n:.0e}")
    print(f"  vm (est.) {t_vm:8.3f} s   jit first {first:8.3f} s   jit warm {warm:8.4f} s   numba {t_nb:8.4f} s")
    print(f"  jit warm / numba = {warm / t_nb:.2f}x   (vm / jit warm = {t_vm / warm:.0f}x)")
    print("  after the first call: " + report.replace("\n", "\n  "))


def py_baselines():
    def py_zip(xs, ys):
        return [[x, y] for x, y in zip(xs, ys)]

    def py_window(xs):
        return [xs[i:i + 3] for i in range(len(xs) - 2)]

    def py_chunks(xs):
        return [xs[i:i + 10] for i in range(0, len(xs), 10)]

    def py_take(xs):
        return xs[:50_000]

    def py_cumsum(xs):
        return list(itertools.accumulate(xs))

    return {"zip": py_zip, "window": py_window, "chunks": py_chunks, "take": py_take, "cumsum": py_cumsum}


LIST_PROGRAMS = {
    "zip": ("f xs:L n ys:L n>L _;zip xs ys", 2),
    "window": ("f xs:L n>L _;window 3 xs", 1),
    "chunks": ("f xs:L n>L _;chunks 10 xs", 1),
    "take": ("f xs:L n>L n;take 50000 xs", 1),
    "cumsum": ("f xs:L n>L n;cumsum xs", 1),
}


def bench_lists(size: int = 100_000) -> None:
    xs = [float(k) for k in range(size)]
    ys = [float(-k) for k in range(size)]
    base = py_baselines()
    print(f"\nlist builtins on {size:,} elements (VM call vs idiomatic CPython)")
    print(f"  {'builtin':8s} {'ilo':>10s} {'cpython':>10s} {'ratio':>7s}")
    for name, (src, nargs) in LIST_PROGRAMS.items():
        compiled = ilo.load(src).compiled()
        args = [xs, ys][:nargs]
        t_ilo = best(vm.run, compiled, "f", args, runs=15)
        t_py = best(base[name], *args, runs=15)
        print(f"  {name:8s} {t_ilo * 1e3:8.2f} ms {t_py * 1e3:8.2f} ms {t_ilo / t_py:6.2f}x")


def main() -> None:
    quick = "--quick" in sys.argv
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
          f"python {platform.python_version()}")
    bench_loop(1e6 if quick else 5e6)
    bench_lists()


if __name__ == "__main__":
    main()
