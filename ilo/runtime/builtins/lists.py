"""Sequence builtins on lists and text: ``len has hd tl rev srt unq slc flat``.

In: a list or text (``len`` also takes a map). Out: a new value; arguments are never
mutated. Text is handled per character (Unicode scalar), except ``len``, which counts
UTF-8 bytes as the reference does. ``srt`` with a key function is here too, so it gets
the engine's ``call`` callback like the other higher-order builtins.
"""

from __future__ import annotations

import functools
import math

from ilo.runtime.builtins._support import (
    as_i64,
    debug,
    fail,
    fn_arg,
    is_num,
    need_list,
    need_text,
    nonempty_seq,
    seq_arg,
)
from ilo.runtime.builtins.registry import builtin, kernel
from ilo.runtime.values import dedup_key, values_equal


@builtin(
    "len",
    "t > n",
    "L a > n",
    "M k v > n",
    aliases=("length",),
    checked=(0,), doc="Length: bytes of UTF-8 text, elements of a list, or entries of a map.",
    example='len "héllo"', result='6',
    # a dedicated kernel instruction; the JIT types it for text, lists and maps
    kernels=(kernel("Ln > n", op="len"), kernel("Lt > n", op="len"), kernel("t > n", op="len")),
)
def len_(x):
    if isinstance(x, str):
        return float(len(x) if x.isascii() else len(x.encode("utf-8", "surrogatepass")))
    if isinstance(x, (list, dict)):
        return float(len(x))
    raise fail(f"len requires string, list, or map, got {debug(x)}")


@builtin(
    "has",
    "L a, _ > b",
    "t, _ > b",
    aliases=("contains",),
    checked=(0,), doc="Membership: an equal element in a list, or a substring in text.",
    example="has [1 2 3] 2", result="true",
)
def has(xs, v):
    if isinstance(xs, list):
        return any(values_equal(x, v) for x in xs)
    if isinstance(xs, str):
        need_text(v, "has: text search requires text needle")
        return v in xs
    raise fail(f"has requires a list or text, got {debug(xs)}")


@builtin(
    "hd",
    "L a > a",
    "t > t",
    aliases=("head",),
    checked=(0,), doc="First element of a list, or first character of text; empty input is an error.",
    example="hd [7 8 9]", result="7",
    kernels=(kernel("Ln > n", numba=("if {n0} == 0:", "    {exit}", "{d} = {a0}[0]"),
                    python=("if {n0} == 0:", "    {exit}", "{tmp}v = {a0}[0]", "if type({tmp}v) is not float:",
                            "    {exit}", "{d} = {tmp}v")),),
)
def hd(xs):
    return nonempty_seq("hd", xs)[0]


@builtin(
    "tl",
    "L a > L a",
    "t > t",
    aliases=("tail",),
    checked=(0,), doc="Everything after the first element or character; empty input is an error.",
    example="tl [7 8 9]", result="[8, 9]",
)
def tl(xs):
    return nonempty_seq("tl", xs)[1:]


@builtin(
    "rev",
    "L a > L a",
    "t > t",
    aliases=("reverse",),
    checked=(0,), doc="Reverse a list or the characters of text.",
    example='rev "abc"', result='cba',
)
def rev(xs):
    return seq_arg("rev", xs)[::-1]


def cmp_partial(a, b) -> int:
    # Rust's partial_cmp(...).unwrap_or(Equal): NaN compares equal to everything.
    if a < b:
        return -1
    if a > b:
        return 1
    return 0


def _cmp_keys(ka, kb) -> int:
    if (is_num(ka) and is_num(kb)) or (isinstance(ka, str) and isinstance(kb, str)):
        return cmp_partial(ka, kb)
    return 0  # keys of different kinds keep their order, as in the reference


def _sort_plain(xs):
    if isinstance(xs, str):
        return "".join(sorted(xs))
    need_list(xs, "srt requires a list or text")
    if not xs:
        return []
    if all(is_num(x) for x in xs):
        if any(x != x for x in xs):
            return sorted(xs, key=functools.cmp_to_key(cmp_partial))
        return sorted(xs)
    if all(isinstance(x, str) for x in xs):
        return sorted(xs)
    raise fail("srt: list must contain all numbers or all text")


@builtin(
    "srt",
    "L a > L a",
    "t > t",
    "F a _, L a > L a",
    "F a c _, c, L a > L a",
    aliases=("sort",),
    checked=(0,), doc="Sort a list of numbers or of text (or the characters of text); with a function first, sort by its key (optionally with a context value).",
    example="srt [3 1 2]", result="[1, 2, 3]",
)
def srt(call, first, *rest):
    if not rest:
        return _sort_plain(first)
    return sort_by_key("srt", call, first, rest, descending=False)


def sort_by_key(name: str, call, fn, rest: tuple, descending: bool) -> list:
    """``srt``/``rsrt`` with a key function: ``fn xs``, or ``fn ctx xs`` calling ``fn x ctx``.
    The sort is stable; keys of different kinds (or NaN) compare equal, as in the reference."""
    fn = fn_arg(name, fn, "key arg")
    xs = rest[-1]
    need_list(xs, f"{name}: list arg must be a list")
    extra = list(rest[:-1])
    keyed = [(call(fn, [x, *extra]), x) for x in xs]
    sign = -1 if descending else 1
    keyed.sort(key=functools.cmp_to_key(lambda p, q: sign * _cmp_keys(p[0], q[0])))
    return [x for _, x in keyed]


_dedup_key = dedup_key  # flat and iterative: any nesting depth (runtime/values.py)


@builtin(
    "unq",
    "L a > L a",
    "t > t",
    aliases=("unique",),
    checked=(0,), doc="Drop repeated elements or characters, keeping first occurrences in order.",
    example='unq "banana"', result='ban',
)
def unq(xs):
    if isinstance(xs, str):
        return "".join(dict.fromkeys(xs))
    need_list(xs, "unq requires a list or text")
    seen, out = set(), []
    for x in xs:
        k = _dedup_key(x)
        if k not in seen:
            seen.add(k)
            out.append(x)
    return out


@builtin(
    "slc",
    "L a, n, n > L a",
    "t, n, n > t",
    aliases=("slice",),
    checked=(0, 1, 2), doc="Elements or characters from index a up to (not including) b; negative bounds count from the end, bounds clamp.",
    example="slc [1 2 3 4] 1 3", result="[2, 3]",
)
def slc(xs, a, b):
    start, end = _bound("start", a), _bound("end", b)
    n = len(seq_arg("slc", xs))
    end = _resolve(end, n)
    return xs[min(_resolve(start, n), end):end]


def _bound(which: str, v) -> int:
    if not is_num(v):
        raise fail(f"slc: {which} index must be a number, got {debug(v)}")
    if not (math.isfinite(v) and v.is_integer()):
        raise fail(f"slc: {which} index must be an integer")
    return as_i64(v)


def _resolve(i: int, n: int) -> int:
    """A Python-style bound: negative counts from the end; clamped to [0, n]."""
    return min(max(i + n if i < 0 else i, 0), n)


@builtin(
    "flat",
    "L (L a) > L a",
    "_ > L _",
    aliases=("flatten",),
    checked=(), doc="Flatten one level: inner lists are spliced in, other elements kept.",
    example="flat [[1 2] [3]]", result="[1, 2, 3]",
)
def flat(xs):
    need_list(xs, "flat: arg must be a list")
    out = []
    for x in xs:
        if isinstance(x, list):
            out.extend(x)
        else:
            out.append(x)
    return out
