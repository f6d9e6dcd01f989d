"""Which typed dicts of a numba function bundle hold text keys or text values: a pass over
the whole bundle.

In: the members of a bundle (``fnkernels.Member``, typed). Out: each member's
``dict_types`` (map register, or ``"ret"`` for its result -> the numba key and value types
of its typed dict, when not ``int64 -> float64``), and the reason numba cannot run the
bundle, or ''.

The type letters (``Mn``/``Mt``/``M?``) say what a map's values are but not what its keys
are: a VM dict may hold both kinds. A numba typed dict has one key type and one value type,
so every register a map can flow through (``mset``/``mdel`` results, moves, call arguments
and results, returns) is one group, and the keys the bundle's instructions use on the group
decide its key type (text keys only -> unicode, number keys only or none -> int64, both ->
the python backend), the values it holds its value type (``Mt``: unicode, else float64).

Text keys are only ever made inside the kernel (text constants, ``+`` of texts, ``str`` of a
whole number): a text-keyed map passed in by the VM is declined (``TEXT_ARGUMENT``), and
``mkeys``/``mvals`` (number lists here) of a text-keyed map stay on python.

Cost (measured, ``bench/jit_maps.py``, one run, kernels alone, 200k keys): numba's unicode
dict with ``str`` keys takes 0.7x-1.0x the python kernel's time when only a number comes
back and 1.4x-1.6x when the map is boxed back (each key is a new ``str``), and numba grows
a text by copying it (6x the python kernel, which CPython appends to in place). Numba's
build (seconds) is never repaid at 1.0x, so without ``ILO_JIT_NUMBA=always`` a bundle that
holds any text stays on the python backend (``SLOWER``): nothing gets slower.
"""

from __future__ import annotations

from ilo.jit.fnforms import MAPS
from ilo.jit.regions import K

SLOWER = ("texts: numba's unicode strings and unicode-keyed typed dicts run no faster than python "
          "kernels (bench/jit_maps.py); ILO_JIT_NUMBA=always runs them on numba")
TEXT_ARGUMENT = ("a text-keyed map argument from the VM: the python kernel uses the VM's dict as it is, "
                 "numba would convert every key first")


class _Groups:
    """Union-find over (member, register) nodes; each root collects the key kinds used."""

    def __init__(self):
        self.parent: dict = {}
        # root -> set of "n", "t" (keys), "vn", "vt" (values), "list" (mkeys/mvals), "arg" (root argument)
        self.kinds: dict = {}

    def find(self, a):
        self.parent.setdefault(a, a)
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb
            self.kinds.setdefault(rb, set()).update(self.kinds.pop(ra, set()))

    def mark(self, a, kind: str) -> None:
        self.kinds.setdefault(self.find(a), set()).add(kind)


def _key_kind(typed, ins) -> str:
    key = ins.srcs[1]
    if isinstance(key, K):
        return "t" if type(key.value) is str else "n"
    return "t" if typed.type_at(ins.pc, key) == "t" else "n"


def dict_types(members: list, root) -> str:
    """Set ``dict_types`` on every member; '' or why numba cannot hold the bundle's maps."""
    g = _Groups()
    for m in members:
        me = id(m)
        typed = m.typed
        if m.ret in MAPS:
            g.mark((me, "ret"), "vt" if m.ret == "Mt" else "vn")
        for pc, state in typed.states.items():
            for r, (t, _w) in state.items():
                if t in ("Mn", "Mt"):
                    g.mark((me, r), "vt" if t == "Mt" else "vn")
            ins = typed.region.at(pc)
            kind = ins.kind
            if kind in ("mset", "mdel"):
                g.union((me, ins.dst), (me, ins.srcs[0]))
                g.mark((me, ins.srcs[0]), _key_kind(typed, ins))
            elif kind in ("mget", "mhas"):
                g.mark((me, ins.srcs[0]), _key_kind(typed, ins))
            elif kind in ("mkeys", "mvals"):
                g.mark((me, ins.srcs[0]), "list")
            elif kind == "newmap":
                g.find((me, ins.dst))
            elif kind == "move" and typed.type_at(pc, ins.srcs[0]) in MAPS:
                g.union((me, ins.dst), (me, ins.srcs[0]))
            elif kind == "ret" and typed.type_at(pc, ins.srcs[0]) in MAPS:
                g.union((me, "ret"), (me, ins.srcs[0]))
            elif kind == "call":
                callee = m.calls[pc]
                for i, s in enumerate(ins.srcs):
                    if isinstance(s, int) and typed.type_at(pc, s) in MAPS:
                        g.union((me, s), (id(callee), i))
                if callee.ret in MAPS:
                    g.union((me, ins.dst), (id(callee), "ret"))
    for i, t in enumerate(root.argtypes):
        if t in MAPS:
            g.mark((id(root), i), "arg")
    why = ""
    types = {}
    for r, kinds in g.kinds.items():
        if {"vn", "vt"} <= kinds:
            why = why or "a map with both number and text values needs the python backend"
        if "t" in kinds:
            if "n" in kinds:
                why = why or "a map with both number and text keys needs the python backend"
            elif "list" in kinds:
                why = why or "mkeys/mvals of a text-keyed map need the python backend"
            elif "arg" in kinds:
                why = why or TEXT_ARGUMENT
        pair = ("unicode_type" if "t" in kinds else "int64", "unicode_type" if "vt" in kinds else "float64")
        if pair != ("int64", "float64"):
            types[r] = pair
    for m in members:
        m.dict_types = {node[1]: types[g.find(node)] for node in g.parent
                        if node[0] == id(m) and g.find(node) in types}
    return why


_TEXTS = frozenset({"t", "Mt", "Ot"})


def text_valued(members: list) -> bool:
    """Does a member hold a text-valued map? Python kernels test that map values are
    numbers, so such a bundle is numba's only. (An ``Ot`` register alone is no sign: a
    register holding nil before it holds a text is one too.)"""
    return any(m.ret == "Mt" or any(t == "Mt" for state in m.typed.states.values() for t, _w in state.values())
               for m in members)


def uses_text(members: list) -> bool:
    """Does any member hold a text (an argument, a result, a register or a map key)?"""
    for m in members:
        if m.dict_types or m.ret in _TEXTS or "t" in m.argtypes:
            return True
        if any(t in _TEXTS for state in m.typed.states.values() for t, _w in state.values()):
            return True
    return False
