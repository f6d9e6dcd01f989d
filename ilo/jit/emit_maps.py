"""Map instructions in kernels (``mset``/``mget``/``mhas``/``newmap``), for both backends.

A mixin of ``emit._Emitter``. Python kernels work on the VM's own dicts. Numba kernels work
on ``numba.typed.Dict`` (int64 keys -> float64 values; numba function kernels may also
have unicode keys or values, ``fnforms``/``nbtext``): ``infer`` sends a map to numba only
when every key the loop uses is a number, and ``tier`` converts the VM's dict on entry
(``nbmaps.to_typed``, which checks every key and value) and boxes the typed dict back on
exit only for registers the kernel wrote. Number keys floor to an integer exactly as
``maps.map_key`` does; a NaN, infinite or out-of-int64 key leaves the kernel before the
instruction, so the VM reports (or computes) it itself.

OWNERSHIP: ``m=mset m k v`` (a == b) is the in-place form. In a numba kernel it is always
safe: the typed dict of a register was made for that register alone (converted on entry, or
made by the kernel), and the blocker keeps maps from being copied between registers. The
copy form (``m2=mset m k v``) copies the typed dict first, so ``m`` stays unchanged.
"""

from __future__ import annotations

import math

from ilo.jit.regions import K

# the int64 range a floored key must fit in (a bigger one is the VM's to handle)
_KEY_LIMIT = "9.2e18"
_NEW_DICT = "_Dict.empty(key_type=_nt.int64, value_type=_nt.float64)"


class MapForms:
    def map_key(self, ins, k: str):
        """(lines, key expression) for key ``k`` of a map instruction."""
        key = ins.srcs[1]
        if isinstance(key, K) or self.t.type_at(ins.pc, key) != "n":
            if isinstance(key, K) and type(key.value) is float:
                v = key.value
                if v == v and v not in (float("inf"), float("-inf")) and abs(v) < 9.2e18:
                    return [], repr(math.floor(v))
                return [self.deopt(ins)], k
            return [], k
        t = f"_k{ins.pc}"
        if self.backend == "numba":
            return [f"if not (-{_KEY_LIMIT} < {k} < {_KEY_LIMIT}):", "    " + self.deopt(ins),
                    f"{t} = np.int64(math.floor({k}))"], t
        return [f"if not math.isfinite({k}):", "    " + self.deopt(ins), f"{t} = math.floor({k})"], t

    def ins_newmap(self, ins):
        if self.backend == "numba":
            return [f"{self.dvar(ins)} = {_NEW_DICT}"]
        return [f"{self.dvar(ins)} = {{}}"]

    def ins_mset(self, ins):
        m, k, v = (self.var(s, ins.pc) for s in ins.srcs)
        pre, k = self.map_key(ins, k)
        if ins.dst == ins.srcs[0]:
            self.in_place.add(ins.dst)
            if self.aliasing:
                # OWNERSHIP: the loop copies containers between registers: test each time
                return pre + [f"if _rc({m}) != _SOLE:", f"    {m} = dict({m})", f"{m}[{k}] = {v}"]
            return pre + [f"{m}[{k}] = {v}"]  # OWNERSHIP: sole-owned on entry (boundary.take)
        d = self.dvar(ins)
        return pre + [f"_g = {m}.copy()" if self.backend == "numba" else f"_g = dict({m})",
                      f"_g[{k}] = {v}", f"{d} = _g"]

    def ins_mget(self, ins):
        """numba: an optional number, the value and its nil flag (python kernels' form, with
        its value test, is ``emit_vars.PythonForms.ins_mget``)."""
        m, k = (self.var(s, ins.pc) for s in ins.srcs)
        pre, k = self.map_key(ins, k)
        d = self.dvar(ins)
        nothing = '""' if d.endswith("_q") else "0.0"  # a text-valued map's (``fnforms``)
        return pre + [f"if {k} in {m}:", f"    {d} = {m}[{k}]", f"    {d}_z = False",
                      "else:", f"    {d} = {nothing}", f"    {d}_z = True"]

    def ins_mhas(self, ins):
        m, k = (self.var(s, ins.pc) for s in ins.srcs)
        pre, k = self.map_key(ins, k)
        return pre + [f"{self.dvar(ins)} = {k} in {m}"]
