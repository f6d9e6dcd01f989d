"""Number builtins: conversion (``str``, ``num``), arithmetic helpers, aggregates, randomness, time.

In: floats (and text for ``num``, lists for ``sum``/``avg``). Out: floats, text or results.
Rounding and min/max follow Rust's f64 methods, which the reference uses: ``rou`` rounds
half away from zero, ``min``/``max`` ignore a NaN operand, ``mod`` keeps the dividend's sign.
"""

from __future__ import annotations

import math
import random
import re
import time

from ilo.runtime.builtins._support import as_i64, debug, fail, is_num, need_list, need_text
from ilo.runtime.builtins.registry import builtin, kernel
from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.format import format_number
from ilo.runtime.values import Err, Ok

# Rust's f64 grammar: no surrounding whitespace and no `_` separators, unlike Python's float().
_RUST_FLOAT = re.compile(r"[+-]?(?:inf|infinity|nan|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)", re.IGNORECASE)


def _need_num(name: str, v) -> float:
    if not is_num(v):
        raise fail(f"{name} requires a number, got {debug(v)}")
    return v


@builtin(
    "str",
    "n > t",
    aliases=("string",),
    checked=(0,), doc="Number to text; whole numbers print without a decimal point.",
    example="str 42", result="42",
    # python kernels print the common case (a whole number) inline
    kernels=(kernel("n > t", python="{d} = str(int({a0})) if {a0}.is_integer() and -9.223372036854776e+18 <= {a0} < 9.223372036854776e+18 else _B['str']({a0})"),),
)
def str_(n):
    return format_number(_need_num("str", n))


@builtin(
    "num",
    "t > R n t",
    aliases=("number",),
    checked=(0,), doc="Parse text as a number: ~number, or ^the text itself when it is not one.",
    example='num "3.5"', result='~3.5',
)
def num(s):
    need_text(s, "num requires text")
    if _RUST_FLOAT.fullmatch(s):
        return Ok(float(s))
    return Err(s)


@builtin("abs", "n > n", checked=(0,), doc="Absolute value.", example="abs -3", result="3",
         kernels=(kernel("n > n", numba="{d} = abs({a0})", python="{d} = abs({a0})"),))
def abs_(n):
    return abs(_need_num("abs", n))


def _integral(name: str, fn, n):
    n = _need_num(name, n)
    if not math.isfinite(n):
        return n
    # Python's floor/ceil return ints, which lose the sign of a zero result (`cel -0.5` is -0).
    return math.copysign(float(fn(n)), n) if -1.0 < n < 1.0 else float(fn(n))


@builtin("flr", "n > n", aliases=("floor",), checked=(0,), doc="Round down to a whole number.", example="flr 2.7", result="2",
         kernels=(kernel("n > n", numba="{d} = np.floor({a0})"),))
def flr(n):
    return _integral("flr", math.floor, n)


@builtin("cel", "n > n", aliases=("ceil",), checked=(0,), doc="Round up to a whole number.", example="cel 2.1", result="3",
         kernels=(kernel("n > n", numba="{d} = np.ceil({a0})"),))
def cel(n):
    return _integral("cel", math.ceil, n)


def round_half_away(n: float) -> float:
    """Rust's ``f64::round``; Python's ``round`` would round halves to even."""
    if not math.isfinite(n):
        return n
    whole = float(math.trunc(n))
    if abs(n - whole) >= 0.5:  # exact: n - trunc(n) never rounds
        whole += math.copysign(1.0, n)
    return math.copysign(whole, n) if whole == 0.0 else whole


@builtin(
    "rou",
    "n > n",
    aliases=("round",),
    checked=(0,), doc="Round to the nearest whole number, halves away from zero.",
    example="rou 2.5", result="3",
    # the same steps as round_half_away, in numpy scalars
    kernels=(kernel("n > n", numba=("{tmp}w = np.trunc({a0})", "if abs({a0} - {tmp}w) >= 0.5:",
                                    "    {tmp}w += np.copysign(1.0, {a0})", "if {tmp}w == 0.0:",
                                    "    {tmp}w = np.copysign({tmp}w, {a0})", "{d} = {tmp}w")),),
)
def rou(n):
    return round_half_away(_need_num("rou", n))


def _two_nums(name: str, a, b) -> tuple[float, float]:
    if not (is_num(a) and is_num(b)):
        raise fail(f"{name} requires two numbers")
    return a, b


def _list_best(name: str, xs, is_min: bool) -> float:
    need_list(xs, f"{name}: arg must be a list")
    if not xs:
        raise fail(f"{name}: cannot take {name} of an empty list")
    best = None
    for x in xs:
        if not is_num(x):
            raise fail(f"{name}: list elements must be numbers, got {debug(x)}")
        if x != x:
            return math.nan  # unlike the two-number form, a NaN element wins
        if best is None or (x < best if is_min else x > best):
            best = x
    return best


def _best_of(name: str, args: tuple, is_min: bool) -> float:
    """``min``/``max`` of one list, or of two numbers like Rust's f64::min/max (a NaN operand loses)."""
    if len(args) == 1:
        return _list_best(name, args[0], is_min)
    a, b = _two_nums(name, *args)
    if a != a:
        return b
    if b != b:
        return a
    return a if (a <= b if is_min else a >= b) else b


# Kernel forms: Rust's f64::min/max ignore a NaN operand; the list forms leave the kernel
# on an empty list (the VM reports the error) and return NaN as soon as one element is NaN.
def _pick_form(op: str) -> tuple:
    two = kernel("n, n > n", numba=f"{{d}} = {{a1}} if {{a0}} != {{a0}} else ({{a0}} if {{a1}} != {{a1}} else "
                                f"({{a0}} if {{a0}} {op}= {{a1}} else {{a1}}))")
    head = ("if {n0} == 0:", "    {exit}", "{tmp}b = {a0}[0]")
    scan = ("    if {tmp}x != {tmp}x:", "        {tmp}b = {tmp}x", "        break",
            f"    if {{tmp}}x {op} {{tmp}}b:", "        {tmp}b = {tmp}x")
    numba = (*head, "for {tmp}k in range({n0}):", "    {tmp}x = {a0}[{tmp}k]", *scan, "{d} = {tmp}b")
    python = (*head, "for {tmp}x in {a0}:", "    if type({tmp}x) is not float:", "        {exit}", *scan, "{d} = {tmp}b")
    return (two, kernel("Ln > n", numba=numba, python=python))


@builtin("min", "n, n > n", "L n > n", doc="The smaller of two numbers, or the smallest number of a list.",
         example="min 3 7", result="3", kernels=_pick_form("<"))
def min_(*args):
    return _best_of("min", args, True)


@builtin("max", "n, n > n", "L n > n", doc="The larger of two numbers, or the largest number of a list.",
         example="max [3 9 7]", result="9", kernels=_pick_form(">"))
def max_(*args):
    return _best_of("max", args, False)


@builtin(
    "mod",
    "n, n > n",
    doc="Remainder of a divided by b, with the sign of a; a zero divisor is an error.",
    example="mod 7 3", result="1",
    kernels=(kernel("n, n > n", numba=("if {a1} == 0.0:", "    {exit}",
                                       "{d} = math.nan if math.isinf({a0}) else np.fmod({a0}, {a1})"),
                    python=("if {a1} == 0.0:", "    {exit}",
                            "{d} = math.nan if math.isinf({a0}) else math.fmod({a0}, {a1})")),),
)
def mod(a, b):
    a, b = _two_nums("mod", a, b)
    if b == 0.0:
        raise IloRuntimeError("ILO-R003", "modulo by zero")
    if math.isinf(a):
        return math.nan
    return math.fmod(a, b)


def _numbers(name: str, xs) -> list[float]:
    need_list(xs, f"{name}: arg must be a list")
    for x in xs:
        if not is_num(x):
            raise fail(f"{name}: list elements must be numbers, got {debug(x)}")
    return xs


def _total(xs: list[float]) -> float:
    # Left-to-right like the reference (no compensated summation).
    total = 0.0
    for x in xs:
        total += x
    return total


# left to right, exactly as the implementation adds (no pairwise or compensated sum)
# Templates write {d} last: it may be the register of an argument, and an exit before that
# must leave every register as the VM had it. Python kernels check element types (a list
# typed Ln from its first element may hold anything later); numba arrays are all floats.
_SUM_NUMBA = ("{tmp}s = 0.0", "for {tmp}k in range({n0}):", "    {tmp}s += {a0}[{tmp}k]")
_SUM_PYTHON = ("{tmp}s = 0.0", "for {tmp}x in {a0}:", "    if type({tmp}x) is not float:", "        {exit}",
               "    {tmp}s += {tmp}x")


@builtin("sum", "L n > n", "_ > n", checked=(), untyped=True, doc="Sum of a list of numbers (0 for an empty list).",
         example="sum [1 2 3]", result="6", kernels=(kernel("Ln > n", numba=(*_SUM_NUMBA, "{d} = {tmp}s"), python=(*_SUM_PYTHON, "{d} = {tmp}s")),))
def sum_(xs):
    return _total(_numbers("sum", xs))


@builtin(
    "avg",
    "L n > n",
    "_ > n",
    aliases=("average",),
    checked=(), untyped=True, doc="Mean of a non-empty list of numbers.",
    example="avg [2 4 6]", result="4",
    kernels=(kernel("Ln > n", numba=("if {n0} == 0:", "    {exit}", *_SUM_NUMBA, "{d} = {tmp}s / {n0}"),
                    python=("if {n0} == 0:", "    {exit}", *_SUM_PYTHON, "{d} = {tmp}s / {n0}")),),
)
def avg(xs):
    if isinstance(xs, list) and not xs:
        raise fail("avg: cannot average an empty list")
    xs = _numbers("avg", xs)
    return _total(xs) / len(xs)


@builtin(
    "rnd",
    "> n",
    "n, n > n",
    aliases=("random",),
    doc="No arguments: a random number in [0, 1). Two: a random whole number from a to b inclusive.",
    example="rnd 1 6",
    pure=False,
)
def rnd(*args):
    if not args:
        return random.random()
    if len(args) != 2 or not (is_num(args[0]) and is_num(args[1])):
        raise fail("rnd requires two numbers")
    lo, hi = as_i64(args[0]), as_i64(args[1])
    if lo > hi:
        raise fail(f"rnd: lower bound {lo} > upper bound {hi}")
    return float(random.randint(lo, hi))


@builtin("now", "> n", checked=(), untyped=True, doc="Current Unix time in seconds, with a fraction.", example="now", pure=False)
def now():
    return time.time()
