"""Baselines for the JIT benchmarks: idiomatic CPython and hand-written ``numba.njit`` kernels.

Run ``python bench/jit_baselines.py`` for the baseline table plus the boundary costs the JIT
design is built around (typed List of text construction, typed Dict boxing, compile times).
``bench/jit_run.py`` imports the data generators and baselines from here so every engine is
timed on the same inputs in one run.
"""

from __future__ import annotations

import time

NUMERIC_N = 10_000_000
MSET_SIZES = (5_000, 16_000, 58_000, 200_000)
WC_TOKENS = 222_000
WC_VOCAB = 17_000


def zipf_tokens(n: int = WC_TOKENS, vocab: int = WC_VOCAB, seed: int = 7) -> list[str]:
    """``n`` words drawn from a Zipf (1/rank) distribution over ``vocab`` distinct words."""
    import numpy as np

    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, vocab + 1)
    weights /= weights.sum()
    words = [f"w{i:05d}" for i in range(vocab)]
    return [words[i] for i in rng.choice(vocab, size=n, p=weights)]


# ── idiomatic CPython ────────────────────────────────────────────────────────


def py_numeric(n: float) -> float:
    s = 0.0
    i = 0.0
    while i < n:
        s = s + i * 2.0
        i = i + 1.0
    return s


def py_mset(n: int) -> dict:
    m = {}
    for i in range(n):
        m[str(i)] = float(i)
    return m


def py_wordcount(words: list[str]) -> dict:
    m = {}
    for w in words:
        m[w] = m.get(w, 0.0) + 1.0
    return m


# ── hand-written numba ───────────────────────────────────────────────────────

_NB = {}


def nb_kernels():
    """Compile (once) and return the hand-written numba kernels."""
    if _NB:
        return _NB
    import numba
    from numba import types
    from numba.typed import Dict

    @numba.njit(cache=False)
    def numeric(n):
        s = 0.0
        i = 0.0
        while i < n:
            s = s + i * 2.0
            i = i + 1.0
        return s

    @numba.njit(cache=False)
    def mset(n):
        m = Dict.empty(types.unicode_type, types.float64)
        for i in range(n):
            m[str(i)] = float(i)
        return m

    @numba.njit(cache=False)
    def wordcount(words):
        m = Dict.empty(types.unicode_type, types.float64)
        for w in words:
            m[w] = m.get(w, 0.0) + 1.0
        return m

    _NB.update(numeric=numeric, mset=mset, wordcount=wordcount)
    return _NB


def timed(fn, *args, repeat: int = 3) -> float:
    """Best wall time of ``repeat`` calls, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best


def boundary_costs(words: list[str]) -> dict:
    """The measured facts the JIT is designed around (seconds)."""
    from numba.typed import List

    nb = nb_kernels()
    out = {}
    t0 = time.perf_counter()
    typed_words = List(words)
    out["typed List(222k str) build"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    nb["mset"](10)
    out["compile unicode-Dict kernel"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    nb["wordcount"](typed_words)
    out["compile List[str]+Dict kernel"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    nb["numeric"](1.0)
    out["compile numeric kernel"] = time.perf_counter() - t0
    d = nb["mset"](58_000)
    t0 = time.perf_counter()
    dict(d)
    out["box typed Dict(58k) -> dict"] = time.perf_counter() - t0
    return out


def main() -> None:
    t0 = time.perf_counter()
    import numba

    print(f"numba {numba.__version__} import: {time.perf_counter() - t0:.3f} s")
    words = zipf_tokens()
    for name, secs in boundary_costs(words).items():
        print(f"{name:34s} {secs:8.3f} s")
    nb = nb_kernels()
    from numba.typed import List

    typed_words = List(words)
    rows = [("numeric while n=1e7", timed(py_numeric, float(NUMERIC_N), repeat=1),
             timed(nb["numeric"], float(NUMERIC_N)))]
    for n in MSET_SIZES:
        rows.append((f"m[str(i)]=i n={n}", timed(py_mset, n), timed(nb["mset"], n)))
    rows.append(("word count 222k/17k", timed(py_wordcount, words), timed(nb["wordcount"], typed_words)))
    print(f"{'benchmark':28s} {'cpython':>10s} {'numba':>10s}")
    for name, py, nbt in rows:
        print(f"{name:28s} {py:10.4f} {nbt:10.4f}")


if __name__ == "__main__":
    main()
