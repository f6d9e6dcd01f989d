"""Maps and number lists in numba function kernels: the forms ``fnkernels._FnEmitter``
adds to the loop emitter's (``emit._Emitter``, ``emit_maps.MapForms``).

A mixin: each method falls back to the loop emitter's form for the python backend (or an
instruction it does not change). Maps are ``numba.typed.Dict`` (int64 -> float64) with an
ownership flag per register; number lists are float64 arrays with a length, as in loop
kernels, and an iterator is the array, its length at the loop's start and a position.
``mdel``/``mkeys``/``mvals`` are function-kernel kinds (``fnkernels.decode``).

Text in numba function kernels is numba's unicode string (``r<r>_s``): constants, ``+`` of
texts (the size limit checked first: past it the VM reports ``ILO-R018``), ``str`` of a
whole number and equality; maps with text keys or text values (``M t n``, ``M n t``,
``nbtext.dict_types``) are typed dicts with ``unicode_type`` keys or values, and the ``mget``
of a text-valued map is an optional text (``r<r>_q`` with a nil flag ``r<r>_q_z``, as an
optional number is ``_o``/``_o_z``). Whatever numba cannot print exactly as ilo's ``str``
does raises ``Deopt``, and the VM runs the call.
"""

from __future__ import annotations

from ilo.jit.regions import K
from ilo.runtime import sizes

MAPS = frozenset({"Mn", "M?", "Mt"})
LISTS = frozenset({"Ln", "L?", "ILn"})
_PLAIN = ("int64", "float64")


def new_dict(types: tuple = _PLAIN) -> str:
    """Source making an empty typed dict of numba (key, value) type names."""
    return f"_Dict.empty(key_type=_nt.{types[0]}, value_type=_nt.{types[1]})"

# ilo's ``str`` of a whole number is ``str(int(x))`` for -2**63 <= x < 2**63; numba's
# ``str`` of an int64 agrees, except at -2**63 (it cannot negate it): a bound just inside
# keeps every printed number exact, and what lies outside goes back to the VM
_STR_LIMIT = "9.2e18"


class NumbaContainers:
    """Mixed into ``fnkernels._FnEmitter`` ahead of ``emit._Emitter``."""

    # ── number lists in numba function kernels ─────────────────────────────
    # A list is an array ``r<r>_L`` with its length ``r<r>_L_n`` (the loop emitter's forms);
    # an iterator over one is the array it iterates, its length when the loop started and
    # the next position (``r<r>_I``, ``_I_n``, ``_I_i``): appending to the list while it is
    # iterated writes beyond that length, so the loop sees the list as it was, as ilo does.

    def nvar(self, r: int, t: str) -> str:
        if t == "ILn":
            return f"r{r}_I"
        if t == "t" or t == "Ot":
            # a register that is a text or nil somewhere (an ``mget`` of a text-valued map)
            # lives in ``_q`` with a nil flag ``_q_z`` wherever it holds a text
            return f"r{r}_q" if t == "Ot" or r in self.optional_texts() else f"r{r}_s"
        if t == "Mt":
            return f"r{r}_D"
        return super().nvar(r, t)

    def optional_texts(self) -> frozenset:
        found = getattr(self, "_opt_texts", None)
        if found is None:
            found = self._opt_texts = frozenset(r for state in self.t.states.values()
                                                for r, (t, _w) in state.items() if t == "Ot")
        return found

    def dict_of(self, r) -> str:
        """Source making an empty typed dict for map register ``r`` (``nbtext.dict_types``)."""
        return new_dict(self.m.dict_types.get(r, _PLAIN))

    def instruction(self, ins, ind: int, lines=None) -> None:
        super().instruction(ins, ind, lines)
        if self.backend != "numba" or ins.kind == "mget":
            return
        for d in ins.dsts:  # an optional-text register written here: its nil flag follows
            v = self.dvar(ins, d)
            if v.endswith("_q"):
                moved = ins.kind == "move" and self._type_after(ins, d) == "Ot"
                self.emit(f"{v}_z = {self.var(ins.srcs[0], ins.pc)}_z" if moved else f"{v}_z = False", ind, ins.pc)

    def optional_text_test(self, ins) -> str:
        if self.backend == "numba" and ins.kind == "branch" and ins.op in ("nil", "notnil"):
            v = self.var(ins.srcs[0], ins.pc)
            if v.endswith("_q"):
                return f"{v}_z" if ins.op == "nil" else f"not {v}_z"
        return super().test(ins)

    def prep(self, ins):
        if self.backend == "numba" and ins.kind == "forprep":
            it, lst = self.dvar(ins), self.var(ins.srcs[0], ins.pc)
            return [f"{it} = {lst}", f"{it}_n = {lst}_n", f"{it}_i = 0"]
        return super().prep(ins)

    def test(self, ins) -> str:
        if self.backend == "numba" and ins.kind == "fornext":
            it = self.var(ins.srcs[0], ins.pc)
            return f"{it}_i < {it}_n"
        return self.optional_text_test(ins)

    def step(self, ins) -> list:
        if self.backend == "numba" and ins.kind == "fornext":
            it, d = self.var(ins.srcs[0], ins.pc), self.dvar(ins)
            flag = [f"{d}_z = False"] if d.endswith("_o") else []  # the item is never nil
            return [f"{d} = {it}[{it}_i]", f"{it}_i += 1", *flag]
        return super().step(ins)

    # ── maps in numba function kernels ─────────────────────────────────────
    # OWNERSHIP: numba has no reference counts, so each map register carries a flag
    # ``r<r>_own``: True only while the typed dict it holds was made in this frame (``mmap``,
    # or the copy an ``mset`` made) and no other register or call result can see it. An
    # in-place ``mset`` on a map it does not own copies it first (once: the copy is owned).
    # A map argument is never owned (the caller still holds it); a move shares the dict
    # between two registers; a call whose result is a map may hand back an argument.

    def map_regs(self) -> set:
        if self.backend != "numba":
            return set()
        return {int(v[1:].split("_")[0]) for v in self.slot_vars if v.endswith("_D")}

    def ins_newmap(self, ins):
        if self.backend == "numba" and ins.dst in self.m.dict_types:
            return [f"{self.dvar(ins)} = {self.dict_of(ins.dst)}", f"r{ins.dst}_own = True"]
        lines = super().ins_newmap(ins)
        return lines + [f"r{ins.dst}_own = True"] if self.backend == "numba" else lines

    def ins_mset(self, ins):
        lines = super().ins_mset(ins)
        if self.backend != "numba":
            return lines
        m = ins.srcs[0]
        if ins.dst != m:
            return lines + [f"r{ins.dst}_own = True"]  # the copy form made a dict of its own
        mv = self.var(m, ins.pc)
        return lines[:-1] + [f"if not r{m}_own:", f"    {mv} = {mv}.copy()", f"    r{m}_own = True", lines[-1]]

    def ins_mdel(self, ins):
        m = self.var(ins.srcs[0], ins.pc)
        if self.backend != "numba":  # the VM's own implementation (it copies)
            return [f"{self.dvar(ins)} = _B['mdel']({m}, {self.var(ins.srcs[1], ins.pc)})"]
        pre, k = self.map_key(ins, self.var(ins.srcs[1], ins.pc))
        d = ins.dst
        if d == ins.srcs[0]:
            return pre + [f"if {k} in {m}:", f"    if not r{d}_own:", f"        {m} = {m}.copy()",
                          f"        r{d}_own = True", f"    del {m}[{k}]"]
        return pre + [f"_g = {m}.copy()", f"if {k} in _g:", f"    del _g[{k}]", f"{self.dvar(ins)} = _g",
                      f"r{d}_own = True"]

    def ins_mkeys(self, ins):
        return self._sorted_keys(ins, values=False)

    def ins_mvals(self, ins):
        return self._sorted_keys(ins, values=True)

    def _sorted_keys(self, ins, values: bool):
        """``mkeys``/``mvals``: a number list in key order (number keys ascending)."""
        m, d = self.var(ins.srcs[0], ins.pc), self.dvar(ins)
        if self.backend != "numba":
            # a text key (or a VM map's value that is not a number) makes a list that is
            # not the number list typed here: the VM runs the call
            return [f"{d} = _B[{ins.kind!r}]({m})",
                    f"for _x in {d}:", "    if type(_x) is not float:", "        " + self.deopt(ins)]
        t = f"_t{ins.pc}_"
        lines = [f"{t}k = np.empty(len({m}), np.int64)", f"{t}i = 0", f"for {t}x in {m}.keys():",
                 f"    {t}k[{t}i] = {t}x", f"    {t}i += 1", f"{t}k.sort()", f"{d} = np.empty(max(16, len({m})))",
                 f"{d}_n = len({m})", f"for {t}j in range({d}_n):"]
        return lines + [f"    {d}[{t}j] = " + (f"{m}[{t}k[{t}j]]" if values else f"{t}k[{t}j]")]

    def ins_move(self, ins):
        lines = super().ins_move(ins)
        s = ins.srcs[0]
        if self.backend == "numba" and isinstance(s, int) and self.t.type_at(ins.pc, s) in MAPS:
            lines += [f"r{ins.dst}_own = False", f"r{s}_own = False"]
        return lines

    # ── text in numba function kernels ─────────────────────────────────────

    def ins_arith(self, ins):
        if self.backend != "numba" or ins.op != "+" or self.t.type_at(ins.pc, ins.srcs[0]) != "t":
            return super().ins_arith(ins)
        a, b = (self.var(s, ins.pc) for s in ins.srcs)
        rhs = ins.srcs[1]
        limit = sizes.MAX_TEXT  # read now: a test may lower it before loading a program
        # numba's len of a unicode string counts code points, as the VM's check does
        test = (f"len({a}) > {limit - len(rhs.value)}" if isinstance(rhs, K) and isinstance(rhs.value, str)
                else f"len({a}) + len({b}) > {limit}")
        return [f"if {test}:", "    raise _Deopt", f"{self.dvar(ins)} = {a} + {b}"]

    def ins_builtin(self, ins):
        if self.backend == "numba" and ins.op == "str":
            x = self.var(ins.srcs[0], ins.pc)
            # a number that is not whole (or NaN, inf, huge) prints digits numba cannot match
            return [f"if not (-{_STR_LIMIT} < {x} < {_STR_LIMIT} and np.floor({x}) == {x}):", "    raise _Deopt",
                    f"{self.dvar(ins)} = str(np.int64({x}))"]
        return super().ins_builtin(ins)
