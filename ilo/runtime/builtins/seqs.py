"""Sequence builtins: ``at lst take drop rsrt zip enumerate range window chunks`` and the
set operations ``setunion setinter setdiff``.

In: lists or text and numbers. Out: new lists or text; arguments are never mutated. Text is
indexed by character (Unicode scalar), like the reference. Indexes follow the reference:
``at`` floors a fractional index and counts a negative one from the end; ``take``/``drop``
take a negative count Python-style (``take -1 xs`` is ``xs[:-1]``); counts must be whole.
"""

from __future__ import annotations

import functools
import math

from ilo.runtime.builtins._support import as_i64, debug, fail, is_num, need_list, seq_arg
from ilo.runtime.builtins.lists import cmp_partial, sort_by_key
from ilo.runtime.builtins.registry import builtin, kernel
from ilo.runtime.format import format_number


def _at_lines(elem: str, checked: bool) -> tuple[str, ...]:
    """Kernel form of ``at``: floor, count a negative index from the end, leave the kernel
    when out of range (or, in python kernels, when the element is not of the typed kind)."""
    lines = ["{tmp}i = math.floor({a1}) if {a1} == {a1} and abs({a1}) < 1e18 else 0.5",
             "if {tmp}i < 0:", "    {tmp}i += {n0}",
             "if not (0 <= {tmp}i < {n0}) or {tmp}i != int({tmp}i):", "    {exit}",
             "{tmp}v = {a0}[int({tmp}i)]"]
    if checked:
        lines += [f"if type({{tmp}}v) is not {elem}:", "    {exit}"]
    return (*lines, "{d} = {tmp}v")


@builtin(
    "at",
    "L a, n > a",
    "t, n > t",
    doc="Element i of a list, or character i of text: 0-based, negative counts from the end, a fraction floors.",
    example="at [10 20 30] -1", result="30",
    kernels=(kernel("Ln, n > n", numba=_at_lines("float", False), python=_at_lines("float", True)),
             kernel("Lt, n > t", python=_at_lines("str", True))),
)
def at(xs, i):
    if not is_num(i):
        raise fail(f"at: index must be a number, got {debug(i)}")
    k = as_i64(math.floor(i)) if math.isfinite(i) else as_i64(i)
    if isinstance(xs, (list, str)):
        n = len(xs)
        j = k + n if k < 0 else k
        if 0 <= j < n:
            return xs[j]
        raise fail(f"at: index {k} out of range for {'list' if isinstance(xs, list) else 'text'} of length {n}")
    raise fail(f"at requires a list or text, got {debug(xs)}")


@builtin(
    "lst",
    "L a, n, a > L a",
    "_, n, _ > L _",
    aliases=("lset",),
    doc="A new list with index i (0-based, in range) set to v.",
    example="lst [1 2 3] 1 9", result="[1, 9, 3]",
)
def lst(xs, i, v):
    if not is_num(i):
        raise fail(f"lst: index must be a number, got {debug(i)}")
    if i < 0 or not float(i).is_integer():
        raise fail("lst: index must be a non-negative integer")
    need_list(xs, "lst requires a list")
    k = int(i)
    if k >= len(xs):
        raise fail(f"lst: index {k} out of range for list of length {len(xs)}")
    out = list(xs)
    out[k] = v
    return out


def _count(name: str, n) -> int:
    if not is_num(n):
        raise fail(f"{name}: count must be a number, got {debug(n)}")
    if not math.isfinite(n) or not n.is_integer():
        raise fail(f"{name}: count must be an integer")
    return as_i64(n)


def _prefix(n: int, length: int) -> int:
    """How many leading elements ``take n`` keeps (``drop n`` skips the same count)."""
    return min(n, length) if n >= 0 else max(length + n, 0)


@builtin("take", "n, L a > L a", "n, t > t",
         doc="The first n elements or characters; a negative n keeps all but the last -n.",
         example="take 2 [1 2 3]", result="[1, 2]")
def take(n, xs):
    n = _count("take", n)
    return seq_arg("take", xs)[: _prefix(n, len(xs))]


@builtin("drop", "n, L a > L a", "n, t > t",
         doc="Everything after the first n elements or characters; a negative n keeps only the last -n.",
         example="drop 1 [1 2 3]", result="[2, 3]")
def drop(n, xs):
    n = _count("drop", n)
    return seq_arg("drop", xs)[_prefix(n, len(xs)):]


@builtin(
    "rsrt",
    "L a > L a",
    "t > t",
    "F a _, L a > L a",
    "F a c _, c, L a > L a",
    doc="Sort descending: numbers or text, the characters of text, or by a key function (optionally with a context value).",
    example="rsrt [3 1 2]", result="[3, 2, 1]",
)
def rsrt(call, first, *rest):
    if not rest:
        if isinstance(first, str):
            return "".join(sorted(first, reverse=True))
        need_list(first, "rsrt requires a list or text")
        if all(is_num(x) for x in first) or all(isinstance(x, str) for x in first):
            # a stable descending sort: ties keep their order, NaN compares equal
            return sorted(first, key=functools.cmp_to_key(lambda a, b: cmp_partial(b, a)))
        raise fail("rsrt: list must contain all numbers or all text")
    return sort_by_key("rsrt", call, first, rest, descending=True)


def _list(name: str, xs, which: str = "") -> list:
    return need_list(xs, f"{name}{which} requires a list")


@builtin("zip", "L a, L c > L (L _)", doc="Pairs [x, y] of two lists, as long as the shorter one.",
         example="zip [1 2 3] [4 5]", result="[[1, 4], [2, 5]]")
def zip_(xs, ys):
    xs, ys = _list("zip", xs, " arg 1"), _list("zip", ys, " arg 2")
    return [[x, y] for x, y in zip(xs, ys)]


@builtin("enumerate", "L a > L (L _)", doc="Pairs [i, x] of each element with its 0-based index.",
         example='enumerate ["a" "b"]', result="[[0, a], [1, b]]")
def enumerate_(xs):
    return [[float(i), x] for i, x in enumerate(_list("enumerate", xs))]


_RANGE_MAX = 1_000_000


@builtin("range", "n, n > L n", doc="The whole numbers a, a+1, ..., b-1 (empty when a >= b; at most a million).",
         example="range 2 5", result="[2, 3, 4]")
def range_(a, b):
    if not (is_num(a) and is_num(b)):
        raise fail("range requires two numbers")
    if not (math.isfinite(a) and math.isfinite(b) and a.is_integer() and b.is_integer()):
        raise fail("range: bounds must be integers")
    lo, hi = as_i64(a), as_i64(b)
    if lo >= hi:
        return []
    if hi - lo > _RANGE_MAX:
        raise fail(f"range too large: {hi - lo} elements (max {_RANGE_MAX})")
    return [float(i) for i in range(lo, hi)]


def _size(name: str, n) -> int:
    if not is_num(n):
        raise fail(f"{name}: size must be a number, got {debug(n)}")
    if not math.isfinite(n) or n <= 0 or not n.is_integer():
        raise fail(f"{name}: size must be a positive integer, got {format_number(n)}")
    return as_i64(n)


@builtin("window", "n, L a > L (L a)", doc="Every run of n consecutive elements (none when n > length).",
         example="window 2 [1 2 3]", result="[[1, 2], [2, 3]]")
def window(n, xs):
    n = _size("window", n)
    xs = _list("window", xs, " arg 2")
    return [xs[i:i + n] for i in range(len(xs) - n + 1)]


@builtin("chunks", "n, L a > L (L a)", doc="Consecutive pieces of n elements; the last may be shorter.",
         example="chunks 2 [1 2 3]", result="[[1, 2], [3]]")
def chunks(n, xs):
    n = _size("chunks", n)
    need_list(xs, "chunks: requires a list")
    return [xs[i:i + n] for i in range(0, len(xs), n)]


def _set_key(name: str, v) -> str:
    # text keys sort by their type prefix and code points, as the reference's string keys do
    if isinstance(v, str):
        return "t:" + v
    if is_num(v):
        return "n:" + format_number(v)
    if isinstance(v, bool):
        return "b:" + ("true" if v else "false")
    raise fail(f"{name}: elements must be text, number, or bool, got {debug(v)}")


def _firsts(name: str, xs) -> dict:
    out: dict = {}
    for v in xs:
        out.setdefault(_set_key(name, v), v)
    return out


def _set_op(name: str, xs, ys, pick) -> list:
    a = _firsts(name, _list(name, xs, " arg 1"))
    b = _firsts(name, _list(name, ys, " arg 2"))
    merged = {**b, **a}
    return [merged[k] for k in sorted(pick(a.keys(), b.keys()))]


@builtin("setunion", "L a, L a > L a", doc="Elements in either list, deduplicated, sorted by a type-prefixed text key.",
         example="setunion [3 1] [2 1]", result="[1, 2, 3]")
def setunion(xs, ys):
    return _set_op("setunion", xs, ys, lambda a, b: a | b)


@builtin("setinter", "L a, L a > L a", doc="Elements in both lists, deduplicated and sorted.",
         example="setinter [3 1 2] [2 3 4]", result="[2, 3]")
def setinter(xs, ys):
    return _set_op("setinter", xs, ys, lambda a, b: a & b)


@builtin("setdiff", "L a, L a > L a", doc="Elements of the first list not in the second, deduplicated and sorted.",
         example="setdiff [3 1 2] [2]", result="[1, 3]")
def setdiff(xs, ys):
    return _set_op("setdiff", xs, ys, lambda a, b: a - b)
