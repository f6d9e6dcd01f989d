"""Programs run from several Python threads at once give the same results as run alone.

Agents embed ilo in servers; a run must not see another thread's run state (hooks, call
depth, step budget, recursion limit)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from conftest import ENGINES

import ilo

PROGRAMS = [
    ("fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b", 15, 610.0),
    ("f n:n>n;s=0;i=0;wh <i n{s=+s i;i=+i 1};s", 3000, 4498500.0),
    ("f n:n>n;m=mmap;@i 0..n{k=str i;m=mset m k i};len m", 2000, 2000.0),
    ("d n:n>n;<=n 0 0;r=d -n 1;+r 1", 2000, 2000.0),
]


def test_concurrent_runs_agree_with_single_runs():
    loaded = [(ilo.load(src), arg, expected) for src, arg, expected in PROGRAMS]
    jobs = [(prog, arg, expected, eng) for prog, arg, expected in loaded for eng in ENGINES] * 6

    def one(job):
        prog, arg, expected, eng = job
        return prog.call(None, arg, engine=eng) == expected

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(one, jobs))
    assert all(results), f"{results.count(False)} of {len(results)} concurrent runs went wrong"
