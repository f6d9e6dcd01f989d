"""Map builtins: ``mmap mget mset mhas mkeys mvals mdel``.

In: a map (a Python ``dict`` whose keys are ``str`` for text keys and ``int`` for number
keys, see ``map_key``) and keys. Out: values, or a *new* map —
``mset``/``mdel`` copy; the engines own the in-place fast path for ``m=mset m k v`` when
the map has no other owner. ``mkeys``/``mvals`` are ordered by key, as the reference sorts them.
"""

from __future__ import annotations

import math

from ilo.runtime.builtins._support import debug, fail
from ilo.runtime.builtins.registry import builtin, kernel
from ilo.runtime.format import format_number
from ilo.runtime.values import key_order


def map_key(name: str, k):
    """A value as a map key: text stays text, a number floors to an ``int`` (so ``7`` and
    ``"7"`` are different keys, and ``7.9`` is ``7``, as ``at xs i`` floors); NaN and
    infinities are an error."""
    if type(k) is str:
        return k
    if type(k) is float:
        if not math.isfinite(k):
            raise fail(f"{name}: numeric key must be finite, got {format_number(k)}")
        return math.floor(k)
    raise fail(f"{name}: key must be text or number, got {debug(k)}")


def key_value(k):
    """A key as the ilo value ``mkeys`` returns: text, or the number it came from."""
    return k if type(k) is str else float(k)


def sorted_keys(m: dict) -> list:
    """Keys in the reference's order: number keys (ascending) before text keys (by code point)."""
    return sorted(m, key=key_order)


def _map_key_of(name: str, m, k, what: str = "map and key"):
    """The key ``k`` for map ``m`` (see ``map_key``), once ``m`` is checked to be a map:
    the map is checked first, as the reference reports a wrong map before a wrong key."""
    if not isinstance(m, dict):
        raise fail(f"{name}: expects {what}")
    return map_key(name, k)


def _per_key_type(op: str, tail: str) -> tuple:
    """The JIT forms of a keyed op on a number-valued map: one for a text key, one for a
    number key (``tail`` is the rest of the signature after the key)."""
    return tuple(kernel(f"Mn, {key}{tail}", op=op) for key in ("t", "n"))


@builtin("mmap", "> M _ _", checked=(), doc="A new empty map.", example='m=mmap;len m', result="0",
         kernels=(kernel("> M?", op="newmap"),))
def mmap():
    return {}


@builtin(
    "mget",
    "M k v, t > O v",
    "M k v, n > O v",
    "_, _ > O _",
    checked=(1,), doc="The value at a key (text, or a number: floored), or nil when the key is absent.",
    example='m=mset mmap 7 "seven";mget m 7.5', result="seven",
    kernels=_per_key_type("mget", " > On"),
)
def mget(m, k):
    key = _map_key_of("mget", m, k)  # checks m before m.get is looked up
    return m.get(key)


@builtin(
    "mset",
    "M k _, _, v > M k v",
    "_, _, v > M _ v",
    checked=(), doc="A new map with the key (text, or a number: floored) set to the value.",
    example='mset mmap "a" 1', result='{a: 1}',
    kernels=_per_key_type("mset", ", n > Mn"),
)
def mset(m, k, v):
    key = _map_key_of("mset", m, k, "map, key, and value")
    out = dict(m)
    out[key] = v
    return out


@builtin(
    "mhas",
    "M _ _, _ > b",
    checked=(0,), doc="True when the map has the key; number and text keys never match each other.",
    example='m=mset mmap 7 "seven";mhas m "7"', result="false",
    kernels=_per_key_type("mhas", " > b"),
)
def mhas(m, k):
    return _map_key_of("mhas", m, k) in m


@builtin("mkeys", "M k _ > L k", "_ > L _", checked=(0,), doc="The keys, sorted (number keys first).",
         example='m=mset mmap "b" 2;m=mset m "a" 1;mkeys m', result="[a, b]")
def mkeys(m):
    if not isinstance(m, dict):
        raise fail("mkeys: expects a map")
    return [key_value(k) for k in sorted_keys(m)]


@builtin("mvals", "M k v > L v", "_ > L _", checked=(), doc="The values, in key order.",
         example='m=mset mmap "b" 2;m=mset m "a" 1;mvals m', result="[1, 2]")
def mvals(m):
    if not isinstance(m, dict):
        raise fail("mvals: expects a map")
    return [m[k] for k in sorted_keys(m)]


@builtin(
    "mdel",
    "M k v, _ > M k v",
    "_, _ > M _ _",
    checked=(), doc="A new map without the key (unchanged if absent).",
    example='m=mset mmap "a" 1;mdel m "a"', result="{}",
)
def mdel(m, k):
    key = _map_key_of("mdel", m, k)
    out = dict(m)
    out.pop(key, None)
    return out
