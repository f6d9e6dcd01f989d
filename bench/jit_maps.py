"""A number-keyed map accumulator (``M n n``, 200k distinct keys) three ways, in one run.

    python bench/jit_maps.py            # n = 200000
    python bench/jit_maps.py 50000

* ilo on the JIT with numba forced (``ILO_JIT_NUMBA=always``): the loop runs in a numba
  kernel over ``numba.typed.Dict``; the VM's dict goes in and the result map comes back.
* the same as whole-function kernels (``fn`` rows): a function is offered once it has been
  entered ``jit_threshold`` times, and these functions are called a few dozen times, below
  the default threshold (1000 entries), so those rows pass ``jit_threshold=2``. ``count``
  and ``acc`` are then one numba bundle: the map stays a typed dict between them and only
  ``len`` comes back; ``acc`` alone boxes its map once, in bulk.
* hand-written numba over a typed Dict, the same loop: once returning only ``len`` (the
  kernel alone) and once returning the map as a Python dict (kernel + boxing, what any
  caller that keeps the map pays).
* idiomatic CPython (``m[k] = m.get(k, 0.0) + 1.0``).

Then text keys made inside the kernel (``M t n``, ``m=mset m (str i) i``, n keys): ilo's
function kernel on numba (``ILO_JIT_NUMBA=always``; a ``unicode_type -> float64`` typed
dict), as the default cost model runs it (``auto``: python, ``nbtext.SLOWER``), numba by
hand (``m[str(i)] = float(i)``) and CPython; and a VM map of n text keys handed to a kernel
doing n lookups: the python kernel reads the VM's dict, numba would first convert it
(``text map argument`` rows: why ``nbtext.TEXT_ARGUMENT`` declines it).

Each figure is the median of timed calls after a warm-up call (``ilo.timing``), in this
process, so numba's start-up is not in any of them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("ILO_JIT_NUMBA", "always")

import ilo  # noqa: E402
from ilo.timing import time_calls  # noqa: E402

# keys (7*i mod n) are all distinct for n not a multiple of 7: the map ends with n keys
ILO = ("acc n:n>M n n;m=mmap;i=0;wh <i n{k=mod (* i 7) n;c=mget m k;v=?? c 0;m=mset m k (+v 1);i=+i 1};m\n"
       "count n:n>n;m=acc n;len m")


def cpython(n: int) -> dict:
    m = {}
    for i in range(n):
        k = (i * 7) % n
        m[k] = m.get(k, 0.0) + 1.0
    return m


def numba_kernels():
    import numba
    from numba import types
    from numba.typed import Dict

    @numba.njit(cache=False)
    def acc(n):
        m = Dict.empty(key_type=types.int64, value_type=types.float64)
        for i in range(n):
            k = (i * 7) % n
            m[k] = m.get(k, 0.0) + 1.0
        return m

    @numba.njit(cache=False)
    def count(n):
        return len(acc(n))

    def boxed(n):
        return dict(acc(n))

    def boxed_bulk(n):  # the fastest boxing we know: export arrays inside numba, zip outside
        from ilo.jit import nbmaps

        return nbmaps.to_python(acc(n))

    return count, boxed, boxed_bulk


# a map argument from the VM: summing n lookups of a map of n keys
TOT = "tot m:M n n n:n>n;s=0;i=0;wh <i n{c=mget m i;s=+s ?? c 0;i=+i 1};s"


def map_argument_rows(n: int, budget: float) -> list:
    """The function kernels of ``tot`` called as the VM calls them, with a VM dict: python
    works on the dict itself, numba converts it into a typed dict first (``nbmaps``)."""
    from ilo.jit import calls, fnkernels

    program = ilo.load(TOT).compiled()
    m = {k: float(k) for k in range(n)}
    rows = []
    for backend in ("python", "numba"):
        func, _origin = calls._load(fnkernels.build(program, "tot", ("Mn", "n"), backend))
        assert func(100, m, float(n)) == n * (n - 1) / 2
        rows.append((f"map argument, {backend} kernel", time_calls(lambda f=func: f(100, m, float(n)), budget=budget)))
    return rows


TEXT_LEN = "g n:n>n;m=mmap;@i 0..n{m=mset m (str i) i};len m"
TEXT_MAP = "h n:n>M t n;m=mmap;@i 0..n{m=mset m (str i) i};m"
TEXT_TOT = "tt m:M t n n:n>n;s=0;@i 0..n{c=mget m (str i);s=+s ?? c 0};s"


def text_cpython(n: int) -> int:
    m = {}
    for i in range(n):
        m[str(i)] = float(i)
    return len(m)


def text_numba_kernels():
    import numba
    import numpy as np
    from numba import types
    from numba.typed import Dict

    @numba.njit(cache=False)
    def make(n):
        m = Dict.empty(key_type=types.unicode_type, value_type=types.float64)
        for i in range(n):
            m[str(i)] = float(i)
        return m

    @numba.njit(cache=False)
    def count(n):
        return len(make(n))

    @numba.njit(cache=False)
    def fill(joined, ends, values):
        # the cheapest way in we know: one joined text and the end of each key
        m = Dict.empty(key_type=types.unicode_type, value_type=types.float64)
        start = 0
        for i in range(ends.shape[0]):
            m[joined[start:ends[i]]] = values[i]
            start = ends[i]
        return m

    def convert(d: dict):
        ends = np.cumsum(np.fromiter(map(len, d), np.int64, len(d)))
        return fill("".join(d), ends, np.fromiter(d.values(), np.float64, len(d)))

    return count, make, convert


def text_rows(n: int, budget: float) -> list:
    from ilo import config
    from ilo.jit import calls, fnkernels, nbmaps

    count, make, convert = text_numba_kernels()
    rows = []
    for label, mode, src, func in [("len returned", "always", TEXT_LEN, "g"), ("map returned", "always", TEXT_MAP, "h"),
                                   ("len returned", "auto", TEXT_LEN, "g")]:
        program = ilo.load(src)
        saved, config.JIT_NUMBA = config.JIT_NUMBA, mode  # read when the program's JIT starts
        try:
            for _ in range(3):  # compiled at the second entry: the third runs the kernel
                got = program.call(func, n, engine="jit", jit_threshold=2)
        finally:
            config.JIT_NUMBA = saved
        assert (len(got) if isinstance(got, dict) else got) == n
        backend = program.last_jit_stats.functions[0].backend if program.last_jit_stats.functions else "vm"
        rows.append((f"ilo jit fn ({mode}: {backend}), {label}",
                     time_calls(lambda p=program, f=func: p.call(f, n, engine="jit", jit_threshold=2), budget=budget)))
    assert count(n) == n == len(nbmaps.items_to_python(make(n)))
    rows += [("numba by hand, len returned", time_calls(lambda: count(n), budget=budget)),
             ("numba by hand, map boxed (nbmaps)", time_calls(lambda: nbmaps.items_to_python(make(n)), budget=budget)),
             ("cpython dict loop", time_calls(lambda: text_cpython(n), budget=budget))]
    program = ilo.load(TEXT_TOT).compiled()
    m = {str(k): float(k) for k in range(n)}
    func, _origin = calls._load(fnkernels.build(program, "tt", ("Mn", "n"), "python"))
    assert func(100, m, float(n)) == n * (n - 1) / 2
    rows += [("text map argument, python kernel", time_calls(lambda: func(100, m, float(n)), budget=budget)),
             ("text map argument, converting it in", time_calls(lambda: convert(m), budget=budget))]
    return rows


# text bundles as the two backends' kernels alone, timed in alternation: why ``auto`` keeps
# them on python (``nbtext.SLOWER``)
TEXT_KERNELS = [
    ("str keys, len returned", TEXT_LEN, 1.0),
    ("str keys, map returned", TEXT_MAP, 1.0),
    ("accumulating 1000 text keys, len", 'g n:n>n;m=mmap;@i 0..n{k=+ "k" str (mod i 1000);c=mget m k;v=?? c 0;'
                                         'm=mset m k (+v 1)};len m', 1.0),
    ("a text grown by +", 'g n:n>t;s="";@i 0..n{s=+s str i};s', 0.1),
]


def text_interleaved(n: int, rounds: int = 11) -> tuple:
    """The target's figures timed in alternation (the machine's load then hits all three
    alike): ilo's numba function kernel through the API (len returned), numba by hand, CPython."""
    import statistics
    import time

    from ilo import config

    count, _make, _convert = text_numba_kernels()
    program = ilo.load(TEXT_LEN)
    saved, config.JIT_NUMBA = config.JIT_NUMBA, "always"
    try:
        for _ in range(3):
            program.call("g", n, engine="jit", jit_threshold=2)
    finally:
        config.JIT_NUMBA = saved
    assert program.last_jit_stats.functions[0].backend == "numba"
    calls = [lambda: program.call("g", n, engine="jit", jit_threshold=2), lambda: count(n), lambda: text_cpython(n)]
    times: list = [[], [], []]
    for _ in range(rounds):
        for f, ts in zip(calls, times):
            t0 = time.perf_counter()
            f()
            ts.append(time.perf_counter() - t0)
    return tuple(statistics.median(ts) for ts in times)


def text_kernel_ratios(n: int, rounds: int = 7) -> list:
    import statistics
    import time

    from ilo.jit import calls, fnkernels

    rows = []
    for label, src, scale in TEXT_KERNELS:
        program = ilo.load(src).compiled()
        name = next(iter(program.chunks))
        arg = float(int(n * scale))
        fs = [calls._load(fnkernels.build(program, name, ("n",), be))[0] for be in ("numba", "python")]
        times: list = [[], []]
        for f in fs:
            f(100, arg)
        for _ in range(rounds):
            for f, ts in zip(fs, times):
                t0 = time.perf_counter()
                f(100, arg)
                ts.append(time.perf_counter() - t0)
        rows.append((label, int(arg), *(statistics.median(ts) for ts in times)))
    return rows


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    program = ilo.load(ILO)
    want = cpython(n)
    got = program.call("acc", n, engine="jit")
    assert got == {float(k): v for k, v in want.items()} or got == want, "ilo disagrees with CPython"
    count, boxed, boxed_bulk = numba_kernels()
    budget = 2.0
    fn = ilo.load(ILO)  # its own tiers: function kernels from the second entry on
    assert fn.call("acc", n, engine="jit", jit_threshold=2) == got
    rows = [
        ("ilo jit (numba), map returned", time_calls(lambda: program.call("acc", n, engine="jit"), budget=budget)),
        ("ilo jit (numba), len returned", time_calls(lambda: program.call("count", n, engine="jit"), budget=budget)),
        ("ilo jit fn (numba), map returned",
         time_calls(lambda: fn.call("acc", n, engine="jit", jit_threshold=2), budget=budget)),
        ("ilo jit fn (numba), len returned",
         time_calls(lambda: fn.call("count", n, engine="jit", jit_threshold=2), budget=budget)),
        ("ilo vm", time_calls(lambda: program.call("acc", n, engine="vm"), budget=budget, min_batches=3)),
        ("numba by hand, len returned", time_calls(lambda: count(n), budget=budget)),
        ("numba by hand, dict(typed) returned", time_calls(lambda: boxed(n), budget=budget, min_batches=3)),
        ("numba by hand, bulk-boxed dict", time_calls(lambda: boxed_bulk(n), budget=budget)),
        ("cpython dict loop", time_calls(lambda: cpython(n), budget=budget)),
    ]
    hand = rows[5][1].median
    print(f"M n n accumulator, {n} keys (median per call; ratio to hand-written numba, len returned)")
    for name, t in rows:
        print(f"  {name:38s} {t.median * 1000:9.2f} ms  {t.median / hand:6.2f}x")
    print(f"a VM map of {n} keys passed to a function kernel doing {n} lookups (same ratio)")
    for name, t in map_argument_rows(n, budget):
        print(f"  {name:38s} {t.median * 1000:9.2f} ms  {t.median / hand:6.2f}x")
    rows = text_rows(n, budget)
    hand = rows[3][1].median
    print(f"M t n, str keys made in the kernel, {n} keys (ratio to hand-written numba, len returned)")
    for name, t in rows:
        print(f"  {name:38s} {t.median * 1000:9.2f} ms  {t.median / hand:6.2f}x")
    ilo_t, hand_t, cpy_t = text_interleaved(n)
    print(f"  in alternation (median of 11): ilo jit fn (numba) {ilo_t * 1000:.2f} ms, numba by hand "
          f"{hand_t * 1000:.2f} ms, cpython {cpy_t * 1000:.2f} ms: ilo/hand {ilo_t / hand_t:.2f}x, "
          f"hand/cpython {hand_t / cpy_t:.2f}x")
    print("text bundles, the numba and python kernels alone, in alternation (median of 7)")
    for label, size, nb, py in text_kernel_ratios(n):
        print(f"  {label:34s} n={size:<7d} numba {nb * 1000:8.2f} ms  python {py * 1000:8.2f} ms  {nb / py:5.2f}x")
    program.call("acc", n, engine="jit")
    fn.call("count", n, engine="jit", jit_threshold=2)
    for p in (program, fn):
        if p.last_jit_stats is not None:
            print(p.last_jit_stats.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
