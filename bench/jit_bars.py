"""The nine micro-benchmarks on the JIT against idiomatic CPython, side by side in one run.

    python bench/jit_bars.py              # every program in bench/programs
    python bench/jit_bars.py recurse pipe # just these
    python bench/jit_bars.py --warmup 2   # seconds of warm-up calls per program (default 1.5;
                                          # and at least twice the JIT's call threshold in calls)

Each program is called through the public API, ``Program.call(func, arg, engine=...)``,
so argument checking and the JIT's per-call set-up are measured too. The JIT column is the
steady state: the program first runs for ``--warmup`` seconds of calls (its functions and
loops get hot, are built, and a python kernel that keeps running may move to numba, as the
cost model decides: no setting is forced), then the median per call (``ilo.timing``, the
code ``ilo --bench`` uses). The VM column is the same calls with ``engine="vm"``; CPython
is ``bench/vm_baselines.py``. A ratio below 1 means ilo is faster than CPython.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import vm_baselines  # noqa: E402
from run import bench_line, fmt_time  # noqa: E402

import ilo  # noqa: E402
from ilo import config  # noqa: E402
from ilo.runtime.format import format_value  # noqa: E402
from ilo.timing import time_calls  # noqa: E402

PROGRAMS = ROOT / "bench" / "programs"
ROUNDS = 5  # alternating JIT / CPython timing rounds per program (the ratio is their median)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--warmup", type=float, default=1.5)
    ap.add_argument("--budget", type=float, default=0.5)
    opts = ap.parse_args(argv)
    paths = sorted(PROGRAMS.glob("*.ilo"))
    if opts.names:
        paths = [p for p in paths if p.stem in opts.names]
    print(f"python {platform.python_version()} on {platform.machine()}; warm-up {opts.warmup} s per program")
    print(f"| {'program':<8} | {'vm':>11} | {'jit':>11} | {'cpython':>11} | {'jit/cpy':>7} | {'vm/cpy':>7} | how |")
    print(f"|{'-' * 10}|{'-' * 13}|{'-' * 13}|{'-' * 13}|{'-' * 9}|{'-' * 9}|-----|")
    ratios = []
    for path in paths:
        func, arg = bench_line(path)
        program = ilo.load(path.read_text(), str(path))
        baseline = vm_baselines.BASELINES[path.stem]
        want = format_value(baseline(arg))
        # at least --warmup seconds and enough calls for a function to reach the default
        # call threshold twice (a loaded machine runs fewer calls per second), at most 30 s
        start = time.perf_counter()
        calls = 0
        while True:
            got = program.call(func, arg, engine="jit")
            calls += 1
            spent = time.perf_counter() - start
            if spent >= 30 or (spent >= opts.warmup and calls >= 2 * config.JIT_THRESHOLD + 1):
                break
        if format_value(got) != want:
            print(f"| {path.stem} | MISMATCH jit={format_value(got)} cpython={want} |")
            continue
        # JIT and CPython timed in alternating rounds: this machine's speed drifts between
        # seconds, and a ratio of two figures taken far apart would carry the drift
        def jit_call(p=program, f=func, x=arg):
            return p.call(f, x, engine="jit")

        def py_call(b=baseline, x=arg):
            return b(x)

        rounds = [(time_calls(jit_call, budget=opts.budget / ROUNDS).median,
                   time_calls(py_call, budget=opts.budget / ROUNDS).median) for _ in range(ROUNDS)]
        stats = program.last_jit_stats
        t_vm = time_calls(lambda p=program, f=func, x=arg: p.call(f, x, engine="vm"), budget=opts.budget).median
        t_jit = statistics.median(j for j, _ in rounds)
        t_py = statistics.median(p for _, p in rounds)
        ratio = statistics.median(j / p for j, p in rounds)
        how = ", ".join(f"{k.name}:{k.backend}" for k in stats.functions) or "-"
        loops = ", ".join(f"{s.label}:{s.backend}" for s in stats.compiled)
        how = how + (f"; loops {loops}" if loops else "")
        print(f"| {path.stem:<8} | {fmt_time(t_vm):>11} | {fmt_time(t_jit):>11} | {fmt_time(t_py):>11} | "
              f"{ratio:6.2f}x | {t_vm / t_py:6.2f}x | {how} |")
        ratios.append(ratio)
    if ratios:
        print(f"\nmedian jit/cpython {statistics.median(ratios):.2f}x, worst {max(ratios):.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
