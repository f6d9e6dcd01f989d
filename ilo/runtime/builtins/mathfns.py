"""Math builtins: ``clamp pow sqrt exp log log10 log2 sin cos tan asin acos atan atan2 rndn``.

In: floats. Out: floats, with IEEE results where Python's ``math`` would raise: the reference
uses Rust's f64 methods, so ``sqrt -1`` and ``asin 2`` are NaN, ``log 0`` is -inf, ``exp
1000`` and ``pow 10 400`` are inf. Each numeric builtin also carries its JIT kernel form
(numpy's scalar functions in numba kernels, which give the same IEEE results).
"""

from __future__ import annotations

import math
import random

from ilo.runtime.builtins._support import debug, fail, is_num
from ilo.runtime.builtins.registry import builtin, kernel


def _num(name: str, v) -> float:
    if not is_num(v):
        raise fail(f"{name} requires a number, got {debug(v)}")
    return v


def _nums(name: str, *vs) -> tuple:
    if not all(is_num(v) for v in vs):
        raise fail(f"{name} requires {'two' if len(vs) == 2 else 'three'} numbers")
    return vs


def rust_min(a: float, b: float) -> float:
    """Rust's ``f64::min``: a NaN operand is ignored."""
    if a != a:
        return b
    if b != b:
        return a
    return a if a <= b else b


def rust_max(a: float, b: float) -> float:
    if a != a:
        return b
    if b != b:
        return a
    return a if a >= b else b


def _min_expr(a: str, b: str, op: str) -> str:
    return f"({b} if {a} != {a} else ({a} if {b} != {b} else ({a} if {a} {op}= {b} else {b})))"


@builtin(
    "clamp",
    "n, n, n > n",
    doc="Restrict x to [lo, hi]; when lo > hi the lower bound wins.",
    example="clamp 15 0 10", result="10",
    kernels=(kernel("n, n, n > n",
                    numba=["{tmp}m = " + _min_expr("{a0}", "{a2}", "<"), "{d} = " + _min_expr("{tmp}m", "{a1}", ">")],
                    python=["{tmp}m = " + _min_expr("{a0}", "{a2}", "<"), "{d} = " + _min_expr("{tmp}m", "{a1}", ">")]),),
)
def clamp(x, lo, hi):
    x, lo, hi = _nums("clamp", x, lo, hi)
    return rust_max(rust_min(x, hi), lo)


def _pow(a: float, b: float) -> float:
    try:
        return math.pow(a, b)
    except OverflowError:
        odd = b.is_integer() and b % 2 == 1
        return -math.inf if a < 0 and odd else math.inf
    except ValueError:
        if a == 0.0:  # zero to a negative power
            odd = b.is_integer() and b % 2 == 1
            return -math.inf if odd and math.copysign(1.0, a) < 0 else math.inf
        return math.nan  # a negative base to a fractional power


@builtin("pow", "n, n > n", doc="b raised to the power e.", example="pow 2 10", result="1024",
         kernels=(kernel("n, n > n", numba="{d} = np.power({a0}, {a1})"),))
def pow_(b, e):
    b, e = _nums("pow", b, e)
    return _pow(b, e)


def _unary(name: str, fn, on_error, doc: str, example: str, result: str, np_name: str) -> None:
    """Register a one-number builtin computed by ``fn``; ``on_error(x)`` gives the IEEE
    result where ``math`` raises (domain errors and overflow)."""

    def impl(x):
        x = _num(name, x)
        try:
            return fn(x)
        except (ValueError, OverflowError):
            return on_error(x)

    impl.__name__ = f"{name}_"
    builtin(name, "n > n", doc=doc, example=example, result=result,
            kernels=(kernel("n > n", numba=f"{{d}} = np.{np_name}({{a0}})"),))(impl)


def _nan(x):
    return math.nan


def _log_error(x):
    return -math.inf if x == 0.0 else math.nan


_unary("sqrt", math.sqrt, _nan, "Square root (NaN for a negative number).", "sqrt 16", "4", "sqrt")
_unary("exp", math.exp, lambda x: math.inf, "e raised to the power n.", "exp 0", "1", "exp")
_unary("log", math.log, _log_error, "Natural logarithm (-inf at 0, NaN below).", "log 1", "0", "log")
_unary("log10", math.log10, _log_error, "Base-10 logarithm.", "log10 1000", "3", "log10")
_unary("log2", math.log2, _log_error, "Base-2 logarithm.", "log2 8", "3", "log2")
_unary("sin", math.sin, _nan, "Sine of an angle in radians.", "sin 0", "0", "sin")
_unary("cos", math.cos, _nan, "Cosine of an angle in radians.", "cos 0", "1", "cos")
_unary("tan", math.tan, _nan, "Tangent of an angle in radians.", "tan 0", "0", "tan")
_unary("asin", math.asin, _nan, "Arcsine in radians, in [-pi/2, pi/2]; NaN outside [-1, 1].", "asin 0", "0", "arcsin")
_unary("acos", math.acos, _nan, "Arccosine in radians, in [0, pi]; NaN outside [-1, 1].", "acos 1", "0", "arccos")
_unary("atan", math.atan, _nan, "Arctangent in radians, in [-pi/2, pi/2].", "atan 0", "0", "arctan")


@builtin("atan2", "n, n > n", doc="Two-argument arctangent of y and x (y first), in radians.",
         example="atan2 0 1", result="0", kernels=(kernel("n, n > n", numba="{d} = np.arctan2({a0}, {a1})"),))
def atan2(y, x):
    y, x = _nums("atan2", y, x)
    return math.atan2(y, x)


@builtin("rndn", "n, n > n", doc="One sample from the normal distribution N(mu, sigma) (Box-Muller).",
         example="rndn 0 1", pure=False)
def rndn(mu, sigma):
    mu, sigma = _nums("rndn", mu, sigma)
    if sigma == 0.0:
        return mu  # a point mass: never 0 * inf
    u1 = random.random()
    while u1 <= 2.2250738585072014e-308:  # keep log(u1) finite
        u1 = random.random()
    u2 = random.random()
    return mu + sigma * (math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2))
