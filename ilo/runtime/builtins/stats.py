"""Statistics builtins over number lists: ``cumsum median quantile stdev variance``.

In: a list of numbers (and ``p`` for ``quantile``). Out: a number, or a list for ``cumsum``.
Sums run left to right as the reference's do (no compensated summation), a NaN element
makes the result NaN, and ``stdev``/``variance`` are the sample forms (divide by N-1).
"""

from __future__ import annotations

import itertools
import math

from ilo.runtime.builtins._support import debug, fail, is_num, need_list
from ilo.runtime.builtins.registry import builtin, kernel


def numbers(name: str, xs, what: str = "arg") -> list[float]:
    need_list(xs, f"{name}: {what} must be a list")
    if set(map(type, xs)) <= _FLOAT:  # one C-speed pass in the common case
        return xs
    for x in xs:
        if not is_num(x):
            raise fail(f"{name}: list elements must be numbers, got {debug(x)}")
    return xs


_FLOAT = {float}


def _nonempty(name: str, xs, what: str = "arg", noun: str | None = None) -> list[float]:
    if isinstance(xs, list) and not xs:
        raise fail(f"{name}: cannot take {noun or name} of an empty list")
    return numbers(name, xs, what)


def _sorted(xs: list[float]) -> list[float]:
    return sorted(xs)  # NaN-free here: callers return NaN first


@builtin("cumsum", "L n > L n", doc="Running sums: element i is the sum of the first i+1 elements.",
         example="cumsum [1 2 3 4]", result="[1, 3, 6, 10]")
def cumsum(xs):
    # left-to-right float additions from 0.0, as the reference's loop (so -0.0 becomes 0.0)
    sums = itertools.accumulate(numbers("cumsum", xs), initial=0.0)
    next(sums)
    return list(sums)


@builtin("median", "L n > n", doc="Median of a non-empty list of numbers (mean of the middle two for even lengths).",
         example="median [3 1 4 2]", result="2.5",
         kernels=(kernel("Ln > n"),))
def median(xs):
    xs = _nonempty("median", xs)
    if any(x != x for x in xs):
        return float("nan")
    s = _sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2.0


@builtin("quantile", "L n, n > n", doc="Sample quantile p of a list (linear interpolation; p clamped to [0, 1]).",
         example="quantile [1 2 3 4 5] 0.25", result="2")
def quantile(xs, p):
    need_list(xs, "quantile: first arg must be a list")
    if not is_num(p):
        raise fail(f"quantile: second arg p must be a number, got {debug(p)}")
    xs = _nonempty("quantile", xs, "first arg")
    if any(x != x for x in xs):
        return float("nan")
    s = _sorted(xs)
    p = min(max(p, 0.0), 1.0) if p == p else p
    n = len(s)
    if n == 1:
        return s[0]
    pos = p * (n - 1)
    if pos != pos:  # p is NaN: Rust's casts make both indices 0
        lo = hi = 0
    else:
        lo, hi = int(pos // 1), -int(-pos // 1)
    frac = pos - lo
    return s[lo] + frac * (s[hi] - s[lo])


def _sample_variance(name: str, xs) -> float:
    xs = _nonempty(name, xs)
    n = len(xs)
    if n == 1:
        raise fail(f"{name}: at least 2 samples required")
    if any(x != x for x in xs):
        return float("nan")
    total = 0.0
    for x in xs:
        total += x
    mean = total / n
    sse = 0.0
    for x in xs:
        sse += (x - mean) * (x - mean)
    return sse / (n - 1)


@builtin("variance", "L n > n", doc="Sample variance (divides by N-1; needs at least 2 numbers).",
         example="variance [1 2 3 4]", result="1.6666666666666667")
def variance(xs):
    return _sample_variance("variance", xs)


@builtin("stdev", "L n > n", doc="Sample standard deviation (divides by N-1; needs at least 2 numbers).",
         example="stdev [2 4 4 4 5 5 7 9]", result="2.138089935299395")
def stdev(xs):
    return math.sqrt(_sample_variance("stdev", xs))

