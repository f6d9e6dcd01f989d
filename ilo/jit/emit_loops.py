"""Counted loops in python kernels: CPython's ``for _i in range(lo, hi)`` drives the loop.

A python kernel runs a loop's control the way the VM does: a float compare and a jump per
iteration (``while True: if not (r4 < r5): ...``), and ``str i`` has to turn the float
counter back into an ``int`` first. CPython's own ``for`` over a ``range`` does the
counting in C, and its ``int`` is what ``str`` wants. Two loop shapes qualify (a mixin of
``emit._Emitter``, python backend, no step budget):

* ``@i a..b``: the back-edge is ``RANGENEXT`` (``if cnt < lim: var = cnt; cnt += 1``) and
  nothing in the body writes ``cnt`` or ``lim``;
* ``wh <i n`` (also ``<=``, or ``>``/``>=`` with the operands the other way round): the
  back-edge is the loop's only test, the last instruction of the body is ``i=+i 1``, nothing
  else in the loop writes ``i`` or ``n``, and nothing jumps to the test (a ``cnt`` would
  skip the step, which the ``for`` would not).

The registers stay exactly what the VM would hold at every point: the float counter is
still stepped (``r4 = r4 + 1.0``), so every exit hands back the VM's own values; only the
compare and the jump are gone, and ``str`` of a counter that equals ``float(_i)`` there is
``str(_i)``. A ``range`` is exact only while the float steps are: the loop is entered as a
``for`` when, on entry, the counter is whole and it and the bound lie within 2**53; else
the same loop runs in its ``while`` form (emitted after it).
"""

from __future__ import annotations

from ilo.jit.regions import K
from ilo.runtime import sizes
from ilo.runtime.operators import RANGE_LIMIT

EXACT = 9007199254740992.0  # 2**53: up to here a float counter stepping by 1.0 is exact
_FLIP = {">": "<", ">=": "<="}


class CountedLoops:
    """The ``for``-over-``range`` form of counted loops (a mixin of ``emit._Emitter``)."""

    counting: dict = {}  # register -> (range variable, first pc, end pc) it equals float() of
    items_scanned = False  # the kernel's own foreach: its items were found all text on entry

    def step(self, ins) -> list:
        """What a taken back-edge writes before the body runs."""
        if ins.kind == "rangenext":
            cnt = self.var(ins.srcs[0], ins.pc)
            return [f"{self.dvar(ins)} = {cnt}", f"{self.dvar(ins, ins.dst2)} = {cnt} + 1.0"]
        if ins.kind == "fornext":
            d = self.dvar(ins)
            want = "float" if self._type_after(ins) == "n" else "str"
            if want == "str" and ins.pc == self.r.backedge and self.items_scanned:
                return [f"{d} = _v"]  # every item left was tested on entry (``all_text``)
            # the item is already taken from the iterator: a wrong type resumes at the body
            return [f"{d} = _v", f"if type({d}) is not {want}:",
                    "    " + self.exit_stmt(ins.target, self._state_after(ins))]
        return []

    def _state_after(self, ins) -> dict:
        state = dict(self.t.states[ins.pc])
        for d in ins.dsts:
            state[d] = ("any", True)
        return state

    def prep(self, ins) -> list:
        """Side effects of an inner loop's entry jump (RANGEPREP / FORPREP)."""
        if ins.kind == "rangeprep":
            # the VM truncates toward zero and saturates; NaN and huge bounds go back to it
            lo, hi = (self.var(s, ins.pc) for s in ins.srcs)
            lim = RANGE_LIMIT  # runtime.operators.range_bound's saturation point
            return [f"if not (-{lim!r} <= {lo} <= {lim!r} and -{lim!r} <= {hi} <= {lim!r}):",
                    "    " + self.deopt(ins),
                    f"{self.dvar(ins)} = float(int({lo}))", f"{self.dvar(ins, ins.dst2)} = float(int({hi}))"]
        if ins.kind == "forprep":
            return [f"{self.dvar(ins)} = iter({self.var(ins.srcs[0], ins.pc)})"]
        return []

    def counted_loop(self, body: int, test: int, back: int, ind: int, own: bool) -> int:
        """Emit the ``for`` form of the loop ``body``..``back`` when it qualifies, guarded by
        its entry test; returns the indentation for its ``while`` form (the fallback, or the
        only form). ``own``: the kernel's own loop, whose end is an exit of the kernel."""
        form = self._counted_form(body, test, back) if self.backend == "python" and not self.limited else None
        if form is None:
            return ind
        guard, lo, hi, track = form
        ins = self.r.at(back)
        name = f"_i{back}"
        # the body's bounded text appends (``emit_vars.hoisted_text_guards``): one check of
        # the whole trip count here instead of one per iteration; too long, the ``while``
        # form runs, checking each iteration
        grows = self.text_guards.get(body, ())
        for r, most in grows:
            guard += f" and len(r{r}) <= {sizes.MAX_TEXT} - {most} * ({hi} - {lo})"
        self.emit(f"if {guard}:", ind, back)
        self.emit(f"for {name} in range({lo}, {hi}):", ind + 1, back)
        self.ctx.append(("loop", test, back + 1))
        for line in self.step(ins):
            self.emit(line, ind + 2, back)
        saved, checks = self.counting, self.text_guards
        if track is not None:
            self.counting = {**saved, track[0]: (name, track[1], track[2])}
        if grows:
            self.text_guards = {pc: g for pc, g in checks.items() if pc != body}
        self.block(body, test, ind + 2)
        self.counting, self.text_guards = saved, checks
        self.ctx.pop()
        if own:  # the ``if`` returns: the ``while`` form follows it unindented
            self.emit(self.exit_stmt(back + 1, self.t.states[back]), ind + 1)
            return ind
        self.emit("else:", ind)
        return ind + 1

    def counter_str(self, ins) -> list:
        """``str`` of a register that equals ``float(_i)`` of an enclosing ``for`` here, else []."""
        if ins.op != "str" or len(ins.srcs) != 1:
            return []
        got = self.counting.get(ins.srcs[0])
        if got is None or not (got[1] <= ins.pc < got[2]) or self.t.type_at(ins.pc, ins.srcs[0]) != "n":
            return []
        return [f"{self.dvar(ins)} = str({got[0]})"]

    def _counted_form(self, body: int, test: int, back: int):
        """(entry test, range start, range end, (register equal to float(_i), from pc, to pc)
        or None) for the loop, or None when it is not a counted loop of a known shape."""
        r, t = self.r, self.t
        ins = r.at(back)
        if test != back or back not in t.states:
            return None
        writes = {d for pc in range(body, back) for d in r.at(pc).dsts}
        if ins.kind == "rangenext":
            cnt, lim = ins.srcs
            if not (type(cnt) is int and type(lim) is int and ins.dst2 == cnt) or cnt in writes or lim in writes:
                return None
            if t.type_at(back, cnt) != "n" or t.type_at(back, lim) != "n":
                return None
            c, b = self.var(cnt, back), self.var(lim, back)
            track = None if ins.dst in writes else (ins.dst, body, back)
            return self._guard(back, cnt, c, b), f"int({c})", f"math.ceil({b})", track
        if ins.kind != "cjump" or ins.op not in ("<", "<=", ">", ">="):
            return None
        a, b = ins.srcs
        op = _FLIP.get(ins.op, ins.op)
        cnt, bound = (b, a) if ins.op in _FLIP else (a, b)
        step = r.at(test - 1) if test - 1 >= body else None
        if not (type(cnt) is int and step is not None and _steps_by_one(step, cnt) and test - 1 in t.states):
            return None
        if cnt in {d for pc in range(body, test - 1) for d in r.at(pc).dsts}:
            return None
        if isinstance(bound, K):
            if type(bound.value) is not float:
                return None
        elif bound in writes or t.type_at(back, bound) != "n":
            return None
        if t.type_at(back, cnt) != "n" or any(r.at(pc).target == test for pc in range(body, back)):
            return None
        c, n = self.var(cnt, back), self.var(bound, back)
        hi = f"math.ceil({n})" if op == "<" else f"math.floor({n}) + 1"
        return self._guard(back, cnt, c, n), f"int({c})", hi, (cnt, body, test - 1)

    def _guard(self, back: int, cnt: int, c: str, b: str) -> str:
        """The entry test: both within 2**53 (NaN is not), the counter whole unless known whole."""
        lim = repr(EXACT)
        test = f"-{lim} <= {c} <= {lim} and -{lim} <= {b} <= {lim}"
        return test if cnt in self.whole.get(back, ()) else test + f" and {c}.is_integer()"


def _steps_by_one(ins, r: int) -> bool:
    """Is ``ins`` ``r = r + 1.0`` (either operand order)?"""
    if ins.kind != "arith" or ins.op != "+" or ins.dst != r or len(ins.srcs) != 2:
        return False
    a, b = ins.srcs
    one = b if a == r else a if b == r else None
    return isinstance(one, K) and type(one.value) is float and one.value == 1.0
