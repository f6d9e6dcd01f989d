"""Higher-order builtins: ``map flt ct fld partition flatmap mapr uniqby grp`` and ``frq``
(``srt``/``rsrt fn xs`` live with the sorts).

In: the engine's ``call(fn_value, args) -> value`` callback, a function value (a ``FnRef``,
or text naming a function, as the command line passes it) and a list. Out: a new list, a
folded value, or a map of groups. The function is called on elements in list order, once
each, so side effects (``prnt``) happen in the order the reference shows them.
"""

from __future__ import annotations

import math

from ilo.runtime.builtins._support import debug, fail, fn_arg, need_list
from ilo.runtime.builtins.registry import builtin
from ilo.runtime.format import format_number
from ilo.runtime.values import Err, Ok


def _list_arg(name: str, xs, which: str = "list arg") -> list:
    return need_list(xs, f"{name}: {which} must be a list")


def _split_ctx(rest: tuple) -> tuple[list, object]:
    """``fn xs`` or ``fn ctx xs``: the extra arguments each call gets after the element."""
    return list(rest[:-1]), rest[-1]


def _predicate(name: str, keep) -> bool:
    if keep is True or keep is False:
        return keep
    raise fail(f"{name}: predicate must return bool, got {debug(keep)}")


@builtin(
    "map",
    "F a c, L a > L c",
    "F a x c, x, L a > L c",
    checked=(0,), doc="Apply a function to every element, giving a new list (with a context value: f x ctx).",
    example="dbl x:n>n;*x 2\nmap dbl [1 2 3]", result="[2, 4, 6]",
)
def map_(call, fn, *rest):
    fn = fn_arg("map", fn)
    extra, xs = _split_ctx(rest)
    return [call(fn, [x, *extra]) for x in _list_arg("map", xs)]


@builtin(
    "flt",
    "F a c, L a > L a",
    "F a x c, x, L a > L a",
    aliases=("filter",),
    checked=(0,), doc="Keep the elements for which a predicate returns true (with a context value: f x ctx).",
    example="pos x:n>b;>x 0\nflt pos [-1 2 -3]", result="[2]",
)
def flt(call, fn, *rest):
    fn = fn_arg("flt", fn)
    extra, xs = _split_ctx(rest)
    return [x for x in _list_arg("flt", xs) if _predicate("flt", call(fn, [x, *extra]))]


@builtin(
    "ct",
    "F a b, L a > n",
    "F a x b, x, L a > n",
    doc="How many elements a predicate holds for (with a context value: f x ctx).",
    example="pos x:n>b;>x 0\nct pos [-1 2 3]", result="2",
)
def ct(call, fn, *rest):
    fn = fn_arg("ct", fn)
    extra, xs = _split_ctx(rest)
    return float(sum(1 for x in _list_arg("ct", xs) if _predicate("ct", call(fn, [x, *extra]))))


@builtin(
    "fld",
    "F a c a, L c, a > a",
    "F a c x a, x, L c, a > a",
    aliases=("fold",),
    checked=(0,), doc="Fold a list: acc = f acc x for each element, starting from init (with a context value: f acc x ctx).",
    example="add a:n x:n>n;+a x\nfld add [1 2 3] 0", result="6",
)
def fld(call, fn, *rest):
    fn = fn_arg("fld", fn)
    extra, xs, acc = list(rest[:-2]), rest[-2], rest[-1]
    for x in _list_arg("fld", xs):
        acc = call(fn, [acc, x, *extra])
    return acc


@builtin(
    "partition",
    "F a b, L a > L (L a)",
    doc="Split a list into [passing, failing] by a predicate.",
    example="pos x:n>b;>x 0\npartition pos [1 -2 3]", result="[[1, 3], [-2]]",
)
def partition(call, fn, xs):
    fn = fn_arg("partition", fn)
    yes, no = [], []
    for x in _list_arg("partition", xs, "second arg"):
        (yes if _predicate("partition", call(fn, [x])) else no).append(x)
    return [yes, no]


@builtin(
    "flatmap",
    "F a (L c), L a > L c",
    doc="Map each element to a list and concatenate the lists.",
    example="two x:n>L n;[x, x]\nflatmap two [1 2]", result="[1, 1, 2, 2]",
)
def flatmap(call, fn, xs):
    fn = fn_arg("flatmap", fn)
    out: list = []
    for x in _list_arg("flatmap", xs, "second arg"):
        got = call(fn, [x])
        need_list(got, "flatmap: function must return a list")
        out.extend(got)
    return out


@builtin(
    "mapr",
    "F a (R c e), L a > R (L c) e",
    doc="Map with a Result-returning function: ~list of the Ok values, or the first ^error.",
    example='half x:n>R n t;r=mod x 2;h=/x 2;=r 0{~h}{^"odd"}\nmapr half [2 4]', result="~[1, 2]",
)
def mapr(call, fn, xs):
    fn = fn_arg("mapr", fn)
    out = []
    for x in _list_arg("mapr", xs):
        got = call(fn, [x])
        if isinstance(got, Ok):
            out.append(got.value)
        elif isinstance(got, Err):
            return got
        else:
            raise fail(f"mapr: fn must return a Result (~v or ^e), got {debug(got)}")
    return Ok(out)


def _hash_key(name: str, key, what: str) -> str:
    """The reference's string identity for ``uniqby`` keys (type-prefixed)."""
    if isinstance(key, str):
        return "t:" + key
    if isinstance(key, bool):
        return "b:" + ("true" if key else "false")
    if isinstance(key, float):
        return "n:" + format_number(key)
    raise fail(f"{name}: {what} must return a string, number, or bool, got {debug(key)}")


@builtin(
    "uniqby",
    "F a k, L a > L a",
    doc="Drop elements whose key (text, number or bool) was already seen; first occurrence wins.",
    example="len2 s:t>n;len s\nuniqby len2 [\"a\" \"bb\" \"c\"]", result="[a, bb]",
)
def uniqby(call, fn, xs):
    fn = fn_arg("uniqby", fn)
    seen: set = set()
    out = []
    for x in _list_arg("uniqby", xs, "second arg"):
        k = _hash_key("uniqby", call(fn, [x]), "key function")
        if k not in seen:
            seen.add(k)
            out.append(x)
    return out


def group_key(name: str, key, what: str):
    """A grouping key as a map key: text, a number floored to an int key, or a bool as its
    text (the reference's ``grp``/``frq``)."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float):
        if not math.isfinite(key):
            raise fail(f"{name}: numeric {'key' if name == 'grp' else 'element'} must be finite, got {format_number(key)}")
        return math.floor(key)
    raise fail(f"{name}: {what}, got {debug(key)}")


@builtin(
    "grp",
    "F a k, L a > M k (L a)",
    aliases=("group",),
    checked=(0,), doc="Group elements into a map from key to the list of elements with that key.",
    example='parity x:n>t;r=mod x 2;=r 0{"even"}{"odd"}\ngrp parity [1 2 3]', result='{even: [2]; odd: [1, 3]}',
)
def grp(call, fn, xs):
    fn = fn_arg("grp", fn)
    groups: dict = {}
    for x in _list_arg("grp", xs, "second arg"):
        k = group_key("grp", call(fn, [x]), "key function must return a string, number, or bool")
        groups.setdefault(k, []).append(x)
    return groups


@builtin("frq", "L a > M _ n", doc="How often each element (text, number or bool) occurs, as a map.",
         example='frq ["a" "b" "a"]', result="{a: 2; b: 1}")
def frq(xs):
    need_list(xs, "frq: arg must be a list")
    counts: dict = {}
    for x in xs:
        k = group_key("frq", x, "list elements must be text, number, or bool")
        counts[k] = counts.get(k, 0.0) + 1.0
    return counts
