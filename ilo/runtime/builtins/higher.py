"""Higher-order builtins: ``map``, ``flt``, ``fld``, ``grp`` (``srt fn xs`` lives in ``lists``).

In: the engine's ``call(fn_value, args) -> value`` callback, a function value (a ``FnRef``,
or text naming a function, as the command line passes it) and a list. Out: a new list, a
folded value, or a map of groups. The function is called on elements in list order, once
each, so side effects (``prnt``) happen in the order the reference shows them.
"""

from __future__ import annotations

from ilo.runtime.builtins._support import debug, fail, fn_arg
from ilo.runtime.builtins.registry import builtin
from ilo.runtime.format import format_number


def _list_arg(name: str, xs) -> list:
    if not isinstance(xs, list):
        raise fail(f"{name}: second arg must be a list, got {debug(xs)}")
    return xs


@builtin(
    "map",
    "F a c, L a > L c",
    checked=(0,), doc="Apply a function to every element, giving a new list.",
    example="dbl x:n>n;*x 2\nmap dbl [1 2 3]", result="[2, 4, 6]",
)
def map_(call, fn, xs):
    fn = fn_arg("map", fn)
    return [call(fn, [x]) for x in _list_arg("map", xs)]


@builtin(
    "flt",
    "F a c, L a > L a",
    aliases=("filter",),
    checked=(0,), doc="Keep the elements for which a predicate returns true.",
    example="pos x:n>b;>x 0\nflt pos [-1 2 -3]", result="[2]",
)
def flt(call, fn, xs):
    fn = fn_arg("flt", fn)
    out = []
    for x in _list_arg("flt", xs):
        keep = call(fn, [x])
        if keep is True:
            out.append(x)
        elif keep is not False:
            raise fail(f"flt: predicate must return bool, got {debug(keep)}")
    return out


@builtin(
    "fld",
    "F a c a, L c, a > a",
    aliases=("fold",),
    checked=(0,), doc="Fold a list: acc = f acc x for each element, starting from init.",
    example="add a:n x:n>n;+a x\nfld add [1 2 3] 0", result="6",
)
def fld(call, fn, xs, init):
    fn = fn_arg("fld", fn)
    acc = init
    for x in _list_arg("fld", xs):
        acc = call(fn, [acc, x])
    return acc


def _group_key(key) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float):
        return format_number(key)
    raise fail(f"grp: key function must return a string, number, or bool, got {debug(key)}")


@builtin(
    "grp",
    "F a k, L a > M k (L a)",
    aliases=("group",),
    checked=(0,), doc="Group elements into a map from key (as text) to the list of elements with that key.",
    example='parity x:n>t;r=mod x 2;=r 0{"even"}{"odd"}\ngrp parity [1 2 3]', result='{even: [2]; odd: [1, 3]}',
)
def grp(call, fn, xs):
    fn = fn_arg("grp", fn)
    groups: dict[str, list] = {}
    for x in _list_arg("grp", xs):
        groups.setdefault(_group_key(call(fn, [x])), []).append(x)
    return groups
