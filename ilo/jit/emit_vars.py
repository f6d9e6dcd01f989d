"""Small facts the kernel emitter (``emit.py``) reads: how a type letter tests truthy, how a
constant is written, which numba variables travel together, which registers are optional
numbers, which instructions can neither raise nor alias a container, which text appends
need no size check of their own (one per loop iteration covers them), and which
``mget``/``??`` pairs run as one ``dict.get``."""

from __future__ import annotations

from ilo.jit.infer import TypedRegion
from ilo.jit.regions import K
from ilo.runtime import sizes
from ilo.runtime.operators import RANGE_LIMIT


def _aliases_containers(typed: TypedRegion) -> bool:
    """True if the loop may put one container in two places (a move, or storing it as a value)."""
    for ins in typed.region.code:
        if ins.pc not in typed.states:
            continue
        held = [s for s in ins.srcs if isinstance(s, int)]
        if ins.kind in ("listappend", "mset"):
            held = held[-1:]
        elif ins.kind != "move":
            continue
        if any(typed.type_at(ins.pc, r)[0] in "LM" for r in held):
            return True
    return False


# instructions whose python form cannot raise (no call, no operator on unknown values)
_CANNOT_RAISE = frozenset({"nop", "const", "move", "newmap", "newlist", "not", "mhas", "index"})


def _optional_registers(typed: TypedRegion) -> set:
    """Registers that hold an optional number (``On``) somewhere in the region."""
    return {r for state in typed.states.values() for r, (t, _w) in state.items() if t == "On"}


def _companions(var: str) -> list:
    """The numba variables travelling with ``var``: a list's length, an optional's nil flag."""
    if var.endswith("_L"):
        return [var + "_n"]
    if var.endswith("_o"):
        return [var + "_z"]
    return []


def _truthy(t: str, v: str, backend: str) -> str:
    if backend == "numba" and v.endswith("_o"):
        return f"(not {v}_z and {v} != 0.0)"
    if t in ("Ln", "L?", "Lt", "La"):
        return f"{v}_n > 0" if backend == "numba" else f"len({v}) > 0"
    return {
        "n": f"{v} != 0.0", "b": f"{v}", "t": f"len({v}) > 0",
        "On": f"({v} is not None and {v} != 0.0)", "nil": "False",
    }.get(t, "True")


def _literal(v) -> str:
    if isinstance(v, float):
        if v != v:
            return "math.nan"
        if v in (float("inf"), float("-inf")):
            return "math.inf" if v > 0 else "-math.inf"
    return repr(v)


# ── text appends: one size check per loop iteration ─────────────────────────
# ``s=+s x`` must stop with ILO-R018 before a text passes ``sizes.MAX_TEXT``. When every
# append to ``s`` inside a loop adds a bounded number of characters, the kernel checks
# ``len(s)`` once at the top of each iteration against the limit less the iteration's total
# and leaves to the VM there (a state the VM resumes from, or a whole-call ``Deopt``); the VM
# then runs the iteration itself and refuses the append at exactly the instruction it always
# does. Below that point no append of the iteration can pass the limit, so they carry no guard.

STR_NUMBER_MAX = 400  # ``str`` of any float is at most 327 characters (format_number)
_BOUND_CAP = 1 << 16  # a text known shorter than this counts as bounded
_MAX_WORK = 20_000  # give up (keep per-append guards) on loops this analysis finds too big


def _loops(region) -> list:
    """(body, test, back-edge) of every loop in ``region``: its inner loops, and the region's
    own loop when it is a loop region (a function region ends with a return)."""
    loops = list(region.inner.values())
    if region.at(region.backedge).target == region.header:
        loops.append((region.header, region.test, region.backedge))
    return loops


def _produced_bound(typed: TypedRegion, ins, known: dict):
    """At most how many characters the text ``ins`` writes has, or None if unbounded."""
    kind = ins.kind
    if kind == "const":
        return len(ins.value) if type(ins.value) is str else None
    if kind == "move":
        return known.get(ins.srcs[0])
    if kind == "builtin" and ins.op == "str" and typed.type_at(ins.pc, ins.srcs[0]) == "n":
        return STR_NUMBER_MAX
    if kind == "arith" and ins.op == "+" and typed.type_at(ins.pc, ins.srcs[0]) == "t":
        total = 0
        for s in ins.srcs:
            n = _operand_bound(s, known)
            if n is None:
                return None
            total += n
        return total if total < _BOUND_CAP else None
    return None


def _operand_bound(s, known: dict):
    if isinstance(s, K):
        return len(s.value) if type(s.value) is str else None
    return known.get(s)


def _bounds(typed: TypedRegion, body: int, back: int):
    """pc -> {register: at most this many characters} before each instruction of the loop
    ``body``..``back`` (registers not named: unknown), for one iteration: the state at the
    body knows nothing, and the loop's own back-edge is not followed. None: too much work."""
    from ilo.jit.infer import _successors

    region = typed.region
    states: dict = {}
    work = [(body, {})]
    steps = 0
    while work:
        pc, known = work.pop()
        steps += 1
        if steps > _MAX_WORK:
            return None
        old = states.get(pc)
        if old is not None:
            merged = {r: max(n, old[r]) for r, n in known.items() if r in old}
            if merged == old:
                continue
            known = merged
        states[pc] = known
        ins = region.at(pc)
        after = {r: n for r, n in known.items() if r not in ins.dsts}
        if ins.dst is not None and ins.kind != "call":
            n = _produced_bound(typed, ins, known)
            if n is not None:
                after[ins.dst] = n
        for succ, _taken in _successors(region, ins):
            if body < succ <= back:
                work.append((succ, after))
    return states


def hoisted_text_guards(typed: TypedRegion) -> tuple:
    """({loop body pc: [(register, characters one iteration may add)]}, {pcs of the appends
    those checks cover}). A register qualifies in a loop when it is text at the body and every
    instruction of the loop writing it is ``r=+r x`` outside the loop's inner loops with ``x``
    bounded (a constant, ``str`` of a number, a concatenation of those, ...), and in the body
    proper: the test part of an inner loop first runs on entry, before any body."""
    region, states = typed.region, typed.states
    loops = _loops(region)
    guards, covered = {}, set()
    for body, test, back in loops:
        if body not in states:
            continue
        nested = [(b, k) for b, _t, k in loops if body <= b and k < back]
        adds: dict = {}  # register -> [(pc, bound)]
        bad: set = set()
        bounds = None
        for pc in range(body, back + 1):
            if pc not in states:
                continue
            ins = region.at(pc)
            for d in ins.dsts:
                if d in bad:
                    continue
                appends = (ins.kind == "arith" and ins.op == "+" and ins.srcs[0] == d == ins.dst
                           and typed.type_at(pc, d) == "t" and pc < test and not any(b <= pc <= k for b, k in nested))
                if appends and bounds is None:
                    bounds = _bounds(typed, body, back) or {}
                n = _operand_bound(ins.srcs[1], bounds.get(pc, {})) if appends else None
                if n is None or ins.srcs[1] == d:
                    bad.add(d)
                else:
                    adds.setdefault(d, []).append((pc, n))
        for r, items in sorted(adds.items()):
            if r in bad or states[body].get(r, ("",))[0] != "t":
                continue
            guards.setdefault(body, []).append((r, sum(n for _pc, n in items)))
            covered.update(pc for pc, _n in items)
    return guards, covered


def mget_default(typed: TypedRegion, ins, hi: int):
    """The number ``c=mget m k;c=c??d`` falls back to when the pair sits at ``ins`` (``MGET``,
    ``JMPNN`` over the next instruction, ``LOADK`` of a number into the same register, and
    nothing jumps between them) inside a block ending at ``hi``; else None. A python kernel
    then runs the pair as one ``m.get(k, d)``: a stored number comes back as itself, a
    missing key as ``d``, and anything else (text, nil) leaves before the ``MGET``."""
    region, pc = typed.region, ins.pc
    if ins.kind != "mget" or pc + 3 > hi or pc + 2 > region.backedge:
        return None
    br, k = region.at(pc + 1), region.at(pc + 2)
    if not (br.kind == "branch" and br.op == "notnil" and br.srcs == (ins.dst,) and br.target == pc + 3):
        return None
    if not (k.kind == "const" and k.dst == ins.dst and type(k.value) is float):
        return None
    if pc + 1 not in typed.states or pc + 2 not in typed.states:
        return None
    if any(other.target in (pc + 1, pc + 2) for other in region.code):
        return None
    return k.value


class PythonForms:
    """Python-kernel forms of ``emit._Emitter`` built on the facts above (a mixin)."""

    def python_facts(self, typed: TypedRegion, backend: str) -> None:
        """Work out what lets this kernel leave checks out (python kernels only)."""
        self.text_guards, self.unguarded, self.whole, self.entry_whole = {}, set(), {}, frozenset()
        self.pure = self.pure_assumed = self.whole_assumed = {}
        self.entry_pure = self.entry_counters = frozenset()
        if backend != "python":
            return
        self.text_guards, self.unguarded = hoisted_text_guards(typed)
        self.entry_whole = entry_whole(typed)
        self.whole = self.whole_assumed = whole_registers(typed, self.entry_whole)
        self.pure, self.pure_assumed, self.entry_pure = pure_map_facts(typed)
        self.entry_counters = entry_counters(typed, self.entry_whole, self.whole)
        if self.entry_counters:
            self.whole_assumed = whole_registers(typed, self.entry_whole | self.entry_counters)

    def kernel_body(self, ind: int) -> None:
        """A loop kernel: its entry tests, then the loop. When maps that came in with only
        numbers make ``mget`` tests redundant, or counters that came in whole make ``str``
        plain, first a copy of the loop relying on that, run when tests on entry (a bounded
        scan of each map) confirm it; else the checking copy runs."""
        for line in self.entry_checks():
            self.emit(line, ind)
        tests = [f"len(r{r}) <= {ENTRY_SCAN} and {{*map(type, r{r}.values())}} <= {{float}}"
                 for r in sorted(self.entry_pure)]
        tests += [f"r{r}.is_integer() and -{RANGE_LIMIT!r} <= r{r} <= {RANGE_LIMIT!r}"
                  for r in sorted(self.entry_counters)]
        back = self.r.at(self.r.backedge)
        scan = self.backend == "python" and back.kind == "fornext" and self._type_after(back) == "t"
        if scan:  # a foreach over text: one scan of the items left, not a test per item
            tests.append(f"_alltext({self.var(back.srcs[0], back.pc)})")
        if tests:
            self.emit(f"if {' and '.join(tests)}:", ind)
            base = self.pure, self.whole
            self.pure, self.whole, self.items_scanned = self.pure_assumed, self.whole_assumed, scan
            self.kernel_loop(ind + 1)
            self.pure, self.whole, self.items_scanned = *base, False
        self.kernel_loop(ind)

    def ins_mget(self, ins):
        if self.backend != "python":
            return super().ins_mget(ins)
        m, k = (self.var(s, ins.pc) for s in ins.srcs)
        pre, k = self.map_key(ins, k)
        d = self.dvar(ins)
        if ins.srcs[0] in self.pure.get(ins.pc, ()):
            return pre + [f"{d} = {m}.get({k})"]  # a number or nil: nothing to test
        # as in ``mget_or``: the map and key stay intact for the VM until the value passed
        tmp = f"_t{ins.pc}_" if ins.dst in ins.reads else d
        return pre + [f"{tmp} = {m}.get({k})", f"if type({tmp}) is not float and {tmp} is not None:",
                      "    " + self.deopt(ins)] + ([f"{d} = {tmp}"] if tmp != d else [])

    def entry_checks(self) -> list:
        """A loop kernel's tests of what it takes as given on entry (``entry_whole``)."""
        lines = []
        for r in sorted(self.entry_whole):
            lines += [f"if not (r{r}.is_integer() and -{RANGE_LIMIT!r} <= r{r} <= {RANGE_LIMIT!r}):",
                      "    " + self.exit_stmt(self.r.header, self.t.states[self.r.header])]
        return lines

    def whole_str(self, ins) -> list:
        """``str`` of a whole register (``whole_registers``) as ``str(int(x))``, else []."""
        counted = self.counter_str(ins)  # a counter of an enclosing ``for`` (``emit_loops``)
        if counted:
            return counted
        if ins.op == "str" and ins.srcs[0] in self.whole.get(ins.pc, ()):
            return [f"{self.dvar(ins)} = str(int({self.var(ins.srcs[0], ins.pc)}))"]
        return []

    def ins_newrec(self, ins):
        fields = ", ".join(f"{n!r}: {self.var(r, ins.pc)}" for n, r in zip(ins.value, ins.srcs))
        return [f"{self.dvar(ins)} = _Record({ins.op!r}, {{{fields}}})"]

    def ins_field(self, ins):
        # typed from the record's own type letter: the kernel made it, with this field
        return [f"{self.dvar(ins)} = {self.var(ins.srcs[0], ins.pc)}.fields[{ins.op!r}]"]

    def iteration_guards(self, pc: int) -> list:
        """The size checks at the top of an iteration of the loop whose body starts at ``pc``
        (``hoisted_text_guards``); they leave to the VM at that pc."""
        lines = []
        for r, most in self.text_guards.get(pc, ()):
            lines += [f"if len(r{r}) > {sizes.MAX_TEXT - most}:", "    " + self.exit_stmt(pc, self.t.states[pc])]
        return lines

    def mget_or(self, ins, default: float) -> list:
        """``mget`` with its ``??`` default folded in (``mget_default``)."""
        m, k = (self.var(s, ins.pc) for s in ins.srcs)
        pre, k = self.map_key(ins, k)
        d = self.dvar(ins)
        got = f"{m}.get({k}, {_literal(default)})"
        if ins.srcs[0] in self.pure.get(ins.pc, ()):
            return pre + [f"{d} = {got}"]
        # the VM re-runs the MGET on a value that is not a number: its map and key must be
        # intact, so a destination that is one of them is written only after the test
        tmp = f"_t{ins.pc}_" if ins.dst in ins.reads else d
        return pre + [f"{tmp} = {got}", f"if type({tmp}) is not float:", "    " + self.deopt(ins)] + (
            [f"{d} = {tmp}"] if tmp != d else [])


# ── whole numbers: ``str i`` without the general case ───────────────────────
# ``str`` of a number prints a whole number in the int64 range as ``str(int(x))``; the kernel
# form tests for that each time. A register is *whole* at a pc when on every path it holds a
# whole float of magnitude at most RANGE_LIMIT: a range loop's counter and variable (the VM
# and the kernel truncate and saturate the bounds), a whole constant, or a whole register
# plus or minus 0 or 1 (near RANGE_LIMIT floats are 1024 apart: adding 1 rounds back).


def _whole_constant(v) -> bool:
    return type(v) is float and v.is_integer() and abs(v) <= RANGE_LIMIT


def _whole_after(ins, whole: frozenset) -> set:
    """Which destinations of ``ins`` are whole after it runs, given the whole registers before."""
    kind = ins.kind
    if kind == "const" and _whole_constant(ins.value):
        return {ins.dst}
    if kind == "move" and ins.srcs[0] in whole:
        return {ins.dst}
    if kind == "rangeprep":
        return {ins.dst, ins.dst2}
    if kind == "rangenext" and ins.srcs[0] in whole:
        return {ins.dst, ins.dst2}
    if kind == "arith" and ins.op in ("+", "-"):
        a, b = ins.srcs
        small = (isinstance(b, K) and b.value in (0.0, 1.0, -1.0) and type(b.value) is float)
        if a in whole and small:
            return {ins.dst}
        if ins.op == "+" and b in whole and isinstance(a, K) and type(a.value) is float and a.value in (0.0, 1.0, -1.0):
            return {ins.dst}
    return set()


def must_hold(typed: TypedRegion, assume, gives) -> dict:
    """pc -> the registers a property holds for on every path to it (``assume``: those it
    holds for on entry at the header; ``gives(ins, holding)``: the destinations of ``ins`` it
    holds for afterwards). {} when the region is too big to analyse."""
    from ilo.jit.infer import _successors

    region = typed.region
    states: dict = {}
    work = [(region.header, frozenset(assume))]
    steps = 0
    while work:
        pc, holding = work.pop()
        steps += 1
        if steps > _MAX_WORK:
            return {}
        old = states.get(pc)
        if old is not None:
            merged = old & holding
            if merged == old:
                continue
            holding = merged
        states[pc] = holding
        ins = region.at(pc)
        after = frozenset((holding - set(ins.dsts)) | gives(ins, holding))
        when_taken = ins.kind in ("rangenext", "fornext")
        for succ, taken in _successors(region, ins):
            work.append((succ, after if (taken or not when_taken) else holding))
    return states


def whole_registers(typed: TypedRegion, assume=frozenset()) -> dict:
    """pc -> the registers whole before it (``assume``: whole on entry at the header)."""
    return must_hold(typed, assume, _whole_after)


# ── maps whose values are all numbers ────────────────────────────────────────
# A kernel stores only numbers into maps (``infer`` types the value of every ``mset`` ``n``),
# so a map it made (``newmap``), or one that held only numbers when the kernel was entered,
# holds only numbers: its ``mget`` reads a number or nil and needs no test of the value.

ENTRY_SCAN = 4096  # a loop kernel scans a map on entry only up to this size


def _pure_after(ins, pure: frozenset) -> set:
    if ins.kind == "newmap":
        return {ins.dst}
    if ins.kind in ("mset", "move") and ins.srcs[0] in pure:
        return {ins.dst}
    return set()


def pure_map_facts(typed: TypedRegion) -> tuple:
    """(pc -> maps holding only numbers before it, the same if the maps ``entry`` names held
    only numbers on entry, ``entry``). ``entry`` is empty unless assuming it lets some ``mget``
    of a loop kernel skip its test (a function kernel's maps come from its caller or itself)."""
    region = typed.region
    mgets = [(pc, region.at(pc).srcs[0]) for pc in typed.states if region.at(pc).kind == "mget"]
    if not mgets:
        return {}, {}, frozenset()
    base = must_hold(typed, (), _pure_after)
    if region.at(region.backedge).target != region.header:
        return base, base, frozenset()
    entry = frozenset(r for r in region.reads if typed.entry.get(r) in ("Mn", "M?"))
    assumed = must_hold(typed, entry, _pure_after) if entry else base
    if all(m in base.get(pc, ()) or m not in assumed.get(pc, ()) for pc, m in mgets):
        return base, base, frozenset()
    return base, assumed, entry


def _str_args(typed: TypedRegion, whole: dict) -> list:
    """(pc, register) of each ``str`` of a register not whole there."""
    region = typed.region
    return [(pc, ins.srcs[0]) for pc in typed.states if (ins := region.at(pc)).kind == "builtin"
            and ins.op == "str" and isinstance(ins.srcs[0], int) and ins.srcs[0] not in whole.get(pc, ())]


def entry_counters(typed: TypedRegion, known: frozenset, whole: dict) -> frozenset:
    """Number registers a loop kernel should test for being whole on entry: those that,
    if whole then, make some ``str`` argument whole (a ``wh`` loop's counter ``i=+i 1``).
    Found by following moves and steps back from the ``str`` arguments."""
    if typed.region.at(typed.region.backedge).target != typed.region.header:
        return frozenset()
    args = _str_args(typed, whole)
    if not args:
        return frozenset()
    feeds = {r for _pc, r in args}
    changed = True
    while changed:
        changed = False
        for ins in typed.region.code:
            if ins.dst in feeds and ins.kind in ("move", "arith"):
                new = {s for s in ins.srcs if isinstance(s, int)} - feeds
                if new:
                    feeds |= new
                    changed = True
    cands = frozenset(r for r in feeds if typed.entry.get(r) == "n") - known
    if not cands:
        return frozenset()
    assumed = whole_registers(typed, known | cands)
    if len(_str_args(typed, assumed)) == len(args):
        return frozenset()  # assuming them whole helps no ``str``
    return cands


def entry_whole(typed: TypedRegion) -> frozenset:
    """Registers a loop kernel may take as whole on entry, once tested: the variable and
    counter of the loop's own range (the VM's RANGENEXT wrote both just before)."""
    back = typed.region.at(typed.region.backedge)
    if back.kind == "rangenext":
        return frozenset(r for r in (back.dst, back.dst2) if typed.entry.get(r) == "n")
    return frozenset()
