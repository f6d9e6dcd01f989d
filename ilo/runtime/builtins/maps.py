"""Map builtins: ``mmap mget mset mhas mkeys mvals mdel``.

In: a map (a Python ``dict`` with text keys) and text keys. Out: values, or a *new* map —
``mset``/``mdel`` copy; the engines own the in-place fast path for ``m=mset m k v`` when
the map has no other owner. ``mkeys``/``mvals`` are ordered by key, as the reference sorts them.
"""

from __future__ import annotations

from ilo.runtime.builtins._support import fail
from ilo.runtime.builtins.registry import builtin, kernel


def _map_key(name: str, m, k, what: str = "map and text key") -> None:
    if not (isinstance(m, dict) and isinstance(k, str)):
        raise fail(f"{name}: expects {what}")


@builtin("mmap", "> M _ _", checked=(), doc="A new empty map.", example='m=mmap;len m', result="0",
         kernels=(kernel("> M?", op="newmap"),))
def mmap():
    return {}


@builtin(
    "mget",
    "M k v, t > O v",
    "_, t > O _",
    checked=(1,), doc="The value at a key, or nil when the key is absent.",
    example='m=mset mmap "a" 1;mget m "a"', result="1",
    kernels=(kernel("Mn, t > On", op="mget"),),
)
def mget(m, k):
    _map_key("mget", m, k)
    return m.get(k)


@builtin(
    "mset",
    "M k _, _, v > M k v",
    "_, _, v > M _ v",
    checked=(), doc="A new map with the key set to the value.",
    example='mset mmap "a" 1', result='{a: 1}',
    kernels=(kernel("Mn, t, n > Mn", op="mset"),),
)
def mset(m, k, v):
    _map_key("mset", m, k, "map, text key, and value")
    out = dict(m)
    out[k] = v
    return out


@builtin(
    "mhas",
    "M _ _, _ > b",
    checked=(0,), doc="True when the map has the key.",
    example='m=mset mmap "a" 1;mhas m "a"', result="true",
    kernels=(kernel("Mn, t > b", op="mhas"),),
)
def mhas(m, k):
    _map_key("mhas", m, k)
    return k in m


@builtin("mkeys", "M _ _ > L t", checked=(0,), doc="The keys, sorted.", example='m=mset mmap "b" 2;m=mset m "a" 1;mkeys m', result="[a, b]")
def mkeys(m):
    if not isinstance(m, dict):
        raise fail("mkeys: expects a map")
    return sorted(m)


@builtin("mvals", "M k v > L v", "_ > L _", checked=(), doc="The values, in key order.", example='m=mset mmap "b" 2;m=mset m "a" 1;mvals m', result="[1, 2]")
def mvals(m):
    if not isinstance(m, dict):
        raise fail("mvals: expects a map")
    return [m[k] for k in sorted(m)]


@builtin(
    "mdel",
    "M k v, _ > M k v",
    "_, _ > M _ _",
    checked=(), doc="A new map without the key (unchanged if absent).",
    example='m=mset mmap "a" 1;mdel m "a"', result="{}",
)
def mdel(m, k):
    _map_key("mdel", m, k)
    out = dict(m)
    out.pop(k, None)
    return out
