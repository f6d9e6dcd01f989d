"""The JIT tier: the VM's hot-loop hook (see ``VM_HOOK_CONTRACT.md`` and ``ilo.vm.hooks``).

In: ``on_hot(chunk, header_pc, regs, base)`` from a VM that watches loops itself (it offers a
loop only once it is hot: ``threshold`` iterations in total, and an entry with at least
``min_trips`` iterations ahead).
Out: the pc the VM resumes at after a kernel ran the loop (every register the kernel changed
written back), ``None`` (ask again at the next back-edge), ``LATER`` (not during this entry)
or ``NEVER`` (this loop will never get a kernel).

An offered loop is cut out (``regions``), typed from the live register values (``infer``),
turned into source (``emit``) and compiled or found in the cache (``cache``/``backend``).
Anything that fails on the way is a fallback: the reason is recorded in ``stats`` and the
VM runs the loop as before. Types are part of the kernel key, so a loop re-entered with new
types gets its own kernel or its own fallback. Regions and ready kernels are kept per chunk
(``state``, shared by every tier of the process), so a function called many times builds once.
Building is itself a cost: a kernel is built only once the iterations it would take over
(this entry's and those the VM already ran since the loop got hot) repay it.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from ilo import config
from ilo.jit import budget, costs, state
from ilo.jit.deopt import Deopt
from ilo.jit.protocol import LATER as _LATER
from ilo.jit.protocol import MIN_TRIPS, entry_limits
from ilo.jit.protocol import NEVER as _DECLINED

if TYPE_CHECKING:
    from ilo.jit.stats import JitStats

# The last item of a kernel signature built for a run with a step/time budget: such kernels
# charge it (``ilo.jit.budget``), so they are kept apart from the same loop's plain kernels.
LIMITED = "budget"

# The JIT's other modules are imported on the first offer (``_jit_modules``), and only once
# ``hook.worth_planning`` says a kernel may pay: a loop that is hot but short imports nothing.
boundary = FallbackReason = None


def _jit_modules() -> None:
    global boundary, FallbackReason
    if boundary is None:
        from ilo.jit import boundary as _boundary
        from ilo.jit.regions import FallbackReason as _reason

        boundary, FallbackReason = _boundary, _reason


class _Loop:
    """What every tier knows about one loop of a chunk (kept in the JIT's side table,
    ``state``): its region and its kernels per entry types."""

    __slots__ = ("region", "registers", "kernels", "savable")

    def __init__(self, region):
        self.region = region
        self.registers = tuple(sorted(set(region.reads) | set(region.writes)))
        self.kernels: dict = {}  # entry type signature -> _Ready, or a fallback reason (str)
        self.savable = 0.0  # seconds a kernel would have saved on entries declined so far


class _Plan:
    """One loop as seen by one tier: the shared ``_Loop`` plus this tier's stats."""

    __slots__ = ("loop", "region", "registers", "stats", "seen", "deferred", "told")

    def __init__(self, loop: _Loop, stats):
        self.loop = loop
        self.region = loop.region
        self.registers = loop.registers
        self.stats = stats
        self.seen: set = set()  # signatures whose build facts are in this tier's stats
        self.deferred = 0
        self.told = False  # the function was told its loop runs kernels (hotcalls.offer_soon)


class _Ready:
    __slots__ = ("code", "kernel", "facts", "promote_at", "typed", "sig", "alternative", "credit")

    def __init__(self, code, kernel, typed=None, sig=None):
        self.code = code
        self.kernel = kernel
        self.typed = typed  # numba kernels over maps: to build the python alternative from
        self.sig = sig
        self.alternative = None  # that python kernel, once an entry needed it
        self.facts: dict = {}  # LoopStats fields describing the build, for every tier's stats
        self.promote_at = None  # python kernels: numba cost (s) that python time must repay
        self.credit = 0.0  # python seconds earlier processes spent on this loop (``ledger``)


def _numba_pays(region, trips, code=None, credit: float = 0.0) -> tuple[str, float]:
    """('' or why not, numba's cost in seconds): does compiling with numba repay itself?

    A cold loop must never pay for a compile: the remaining trip count (known for ranges and
    foreach, estimated from the loop test for while loops) times the python kernel's cost
    per iteration, plus the time this loop already spent in python kernels, must exceed
    numba's start-up, load or compile cost (or a stored native kernel's load). Without
    ``code`` (the numba kernel's source, not generated yet) the cheapest cost is assumed, a
    quick check before generating it.
    """
    from ilo.jit import backend, cache

    if trips is None:
        return "trip count unknown, a numba compile might not pay back", float("inf")
    from ilo.jit import native

    warm = code is None or cache.numba_cached(code.source)
    arrays = code is not None and any(v.endswith(("_L", "_D")) for _, v in code.args)
    # without the code, the cheapest way a numba kernel can arrive: a stored native kernel
    # (used only while numba is not loaded)
    if code is None:
        stored = "numba" not in sys.modules
    else:
        stored = native.loop_eligible(code) and native.usable(code.source)
    cost = costs.native_cost() if stored else costs.numba_cost(warm, backend.warmed_up(), arrays)
    from ilo.vm.hotloops import PROGRAM

    per_trip = costs.python_iteration(region, PROGRAM[0])
    saved = trips * per_trip + costs.python_seconds(region) + credit
    # maps the loop fills cross back into VM dicts on every exit: that is numba's cost too
    cost += costs.map_growth_boxing(region, trips)
    if saved < cost:
        return f"~{trips:.0f} iterations left do not repay a {cost:.2f} s numba {'load' if warm else 'compile'}", cost
    return "", cost


def _remaining_trips(region, values: dict):
    """``costs.trips_left`` for the region's back-edge, from the entry values."""
    ins = region.at(region.backedge)
    x, y = (s.value if hasattr(s, "value") else values.get(s) for s in (*ins.srcs, None)[:2])
    if ins.kind == "rangenext":
        return costs.trips_left("range", x, y)
    if ins.kind == "fornext":
        return costs.trips_left("foreach", x)
    if ins.kind == "cjump" and ins.op.removeprefix("not ") in ("<", "<=", ">", ">="):
        return costs.trips_left("compare", x, y)
    return None


def _key(region, sig, backend, code):
    """The in-memory kernel key: a loop that calls functions also depends on their code."""
    if code.depth or "_DEPTH" in code.source:
        return (region.fingerprint, sig, backend, code.source)
    return (region.fingerprint, sig, backend)


class JitTier:
    """Takes over hot loops offered by the VM: builds, caches and runs their kernels."""

    NEVER = _DECLINED  # this loop will never get a kernel: stop offering it
    LATER = _LATER  # not during this entry (too few iterations left, or types declined)

    # Creating one must be cheap (a program that never gets hot pays for it): the rest is
    # made on use.
    __slots__ = ("threshold", "min_trips", "numba", "_stats", "_plans", "_list_mirror")

    def __init__(self, threshold: int | None = None, numba: str | None = None):
        # a low threshold asks for eager compilation (tests): then short loops enter kernels too
        self.threshold, self.min_trips = entry_limits(threshold)
        # "auto": numba when the trip count repays the compile; "always" / "never" (tests, bench)
        self.numba = numba or config.JIT_NUMBA
        self._stats = None
        self._plans: dict = {}
        self._list_mirror = None

    def new_call(self) -> None:
        """The API reuses a tier for a program's calls: start fresh stats (``stats`` then
        describes one call) and forget list mirrors (they would keep the last call's lists
        alive). Kernels, regions and plans stay."""
        self._stats = None
        self._list_mirror = None

    @property
    def stats(self) -> JitStats:
        if self._stats is None:
            from ilo.jit.stats import JitStats

            self._stats = JitStats()
        return self._stats

    @property
    def _mirror(self):
        if self._list_mirror is None:
            self._list_mirror = boundary.ListMirror()
        return self._list_mirror

    # ── the hooks ───────────────────────────────────────────────────────────
    def on_hot(self, chunk, header: int, regs: list, base: int = 0):
        """The counting protocol: the VM offers a loop it found hot (``ilo.vm.hooks``)."""
        if self.threshold >= MIN_TRIPS and not costs.worth_planning(chunk, header, regs, base, self.threshold):
            return _LATER
        _jit_modules()
        plan = self._plan_for(chunk, header)
        if plan is _DECLINED:
            return _DECLINED
        resume = self._enter(plan, regs, base)
        if not plan.told and resume is not _LATER and resume is not None:
            # a loop that pays for a kernel makes its function worth compiling whole
            plan.told = True
            from ilo.vm.hotcalls import offer_soon

            offer_soon(chunk)
        return resume

    # ── planning ────────────────────────────────────────────────────────────
    def _plan_for(self, chunk, header: int):
        key = (id(chunk), header)
        found = self._plans.get(key)
        if found is not None and found[0] is chunk and found[2] is self._stats:
            return found[1]
        stats = self.stats.loop(chunk.name, header)
        st = state.of(chunk)
        shared = st.loops
        loop = shared.get(header)
        if loop is None or config.NO_JIT:
            loop = shared[header] = self._region(chunk, header)
        if isinstance(loop, str):
            stats.fallback = loop
            plan = _DECLINED
        else:
            plan = _Plan(loop, stats)
            if not loop.savable:  # the account ``worth_planning`` kept before the plan
                loop.savable = st.saved.get(header, 0.0)
        self._plans[key] = (chunk, plan, self._stats)
        return plan

    @staticmethod
    def _region(chunk, header: int):
        """The loop's ``_Loop``, or the reason (text) it can never get a kernel."""
        if config.NO_JIT:
            return "ILO_NO_JIT is set"
        info = next((lp for lp in chunk.loops if lp.body == header), None)
        if info is None:
            return "no loop information for this back-edge"
        from ilo.jit.fnkernels import decode
        from ilo.jit.regions import find_region

        try:  # user-function calls decode as kind "call": they run the callees' kernels
            region = find_region(chunk.name, decode(chunk), info, chunk.loops)
            if any(ins.kind == "call" for ins in region.code):
                from ilo.jit.fnkernels import check_callees
                from ilo.vm.hotloops import PROGRAM

                check_callees(PROGRAM[0], region)
            return _Loop(region)
        except FallbackReason as why:
            return str(why)

    def _ready(self, plan: _Plan, values: dict, trips, limited: bool = False):
        """The kernel for these entry types, _DECLINED, or None when building it now would
        not pay back (the VM runs this entry)."""
        from ilo.jit.infer import runtime_type

        sig = tuple(runtime_type(values[r]) for r in plan.registers)
        if limited:
            sig += (LIMITED,)
        loop = plan.loop
        ready = loop.kernels.get(sig)
        if type(ready) is _Ready and ready.promote_at is not None and self._promote(plan, ready, trips):
            ready = None
        if ready is None:
            if not self._build_pays(plan, trips):
                return None
            try:
                ready = self._build(plan, values, sig, trips)
            except FallbackReason as why:
                ready = str(why)
            except Exception as e:  # noqa: BLE001 - a JIT bug must cost speed, never the program
                ready = f"the JIT failed to build it ({type(e).__name__}: {e})"
            loop.kernels[sig] = ready
            plan.seen.discard(sig)
        if sig not in plan.seen:  # this tier's stats describe the build, wherever it happened
            plan.seen.add(sig)
            s = plan.stats
            if type(ready) is str:
                s.fallback = ready
            else:
                for name, value in ready.facts.items():
                    setattr(s, name, list(value) if type(value) is list else value)
        return _DECLINED if type(ready) is str else ready

    def _build_pays(self, plan: _Plan, trips) -> bool:
        """True when the iterations a new kernel would take over repay building it."""
        if self.threshold < MIN_TRIPS:  # eager compilation asked for (tests)
            return True
        loop = plan.loop
        per_trip = len(plan.region.code) * (costs.VM_INSTR - costs.PY_INSTR)
        loop.savable += (trips if trips is not None else self.threshold) * per_trip
        return loop.savable >= costs.python_build_cost()

    def _promote(self, plan: _Plan, ready: _Ready, trips) -> bool:
        """A python kernel whose loop keeps coming back: has its time repaid numba?"""
        spent = costs.python_seconds(plan.region)
        from ilo.vm.hotloops import PROGRAM

        ahead = (trips or 0) * costs.python_iteration(plan.region, PROGRAM[0])
        return spent + ready.credit + ahead >= ready.promote_at

    def _build(self, plan: _Plan, values: dict, sig: tuple, trips):
        from ilo.jit import cache, ledger, native
        from ilo.jit.emit import generate
        from ilo.jit.infer import infer
        from ilo.vm.hotloops import PROGRAM

        t0 = time.perf_counter()
        limited = sig[-1:] == (LIMITED,)
        typer = None
        if any(ins.kind == "call" for ins in plan.region.code):
            from ilo.jit.fnkernels import Typer

            if PROGRAM[0] is not None:
                typer = Typer(PROGRAM[0])
        typed = infer(plan.region, values, typer)
        backend = typed.backend
        code = None
        promote_at = None
        credit = 0.0
        if backend == "numba":
            try:
                why = {"always": "", "never": "numba disabled (ILO_JIT_NUMBA=never)"}.get(self.numba)
                if why is None:
                    # the python seconds earlier processes spent here count too (``ledger``)
                    region = plan.region
                    credit = ledger.track(f"loop {region.fingerprint} {sig}", lambda: costs.python_seconds(region))
                    why, promote_at = _numba_pays(plan.region, trips, credit=credit)
                    if not why:
                        code = generate(typed, backend, limited)
                        why, promote_at = _numba_pays(plan.region, trips, code, credit)
                else:
                    code = generate(typed, backend, limited) if not why else None
            except FallbackReason as e:
                why = str(e)
            if not why:
                why = budget.numba_too_slow(code.source)
            if why:
                typed.why_not_numba = why
                backend, code = "python", None
        if code is None:
            code = generate(typed, backend, limited)
        key = _key(plan.region, sig, backend, code)
        kernel = cache.lookup(key)
        if kernel is None and backend == "numba":
            kernel = native.loop_kernel(key, code)  # stored machine code: numba is not needed
        if kernel is None:
            kernel = cache.load(key, code.source, backend)
        compile_seconds = 0.0
        if backend == "numba" and kernel.origin == "new":
            try:
                compile_seconds = self._compile_numba(kernel, code, values)
                if native.loop_eligible(code):  # for the next process: it need not load numba
                    t1 = time.perf_counter()
                    native.save_loop(code, kernel.func)
                    compile_seconds += time.perf_counter() - t1
            except Exception as e:  # noqa: BLE001 - a kernel numba rejects runs on the python backend
                typed.why_not_numba = f"numba could not compile it ({type(e).__name__})"
                backend = "python"
                promote_at = None
                code = generate(typed, backend, limited)
                kernel = cache.load(_key(plan.region, sig, backend, code), code.source, backend)
        costs.BUILT[0] = True
        ready = _Ready(code, kernel, typed, sig)
        ready.promote_at = promote_at if backend == "python" else None
        ready.credit = credit
        choices = [f"{label} at pc {pc}: {how}" for pc, label, how in typed.choices]
        if typed.why_not_numba and backend == "python":
            choices.append(f"python backend: {typed.why_not_numba}")
        ready.facts = {
            "backend": backend,
            "types": {f"r{r}": typed.entry[r] for r in plan.registers},
            "choices": choices,
            "compile_seconds": time.perf_counter() - t0 + compile_seconds,
            "origin": "python" if backend == "python" else None,
            "fallback": None,
            "estimate": (costs.python_iteration(plan.region, PROGRAM[0]) if backend == "python"
                         else costs.numba_iteration(plan.region)),
        }
        return ready

    def _compile_numba(self, kernel, code, values: dict) -> float:
        """Compile now, for the entry types (so a numba failure becomes a python kernel);
        returns the seconds it took."""
        import numpy as np

        from ilo.jit import backend as nb

        params = []
        maps = 0.0
        for r, var in code.args:
            if var.endswith("_L"):
                params += [np.empty(16), 0]
            elif var.endswith("_D"):
                from ilo.jit import nbmaps

                maps = nbmaps.warm()
                params.append(nbmaps.to_typed({}))
            elif var.endswith("_o"):
                params += [0.0, True]
            else:
                params.append(values[r])
        if code.depth:
            params.append(0)
        if code.limited:
            params.append(budget.sample())
        seconds, kernel.origin = nb.prepare(kernel.func, params)
        return seconds + maps

    # ── running ─────────────────────────────────────────────────────────────
    def _enter(self, plan: _Plan, regs: list, base: int):
        values = {r: regs[base + r] for r in plan.registers}
        trips = _remaining_trips(plan.region, values)
        if trips is not None and trips < self.min_trips:
            return _LATER  # entering costs more than the few iterations left
        if plan.deferred < 2 and any(values[r] is None for r in plan.region.temps):
            # the VM offers a loop before its body ran, so on the first entry its scratch
            # registers are still nil: one more VM iteration gives them their real types
            plan.deferred += 1
            return None
        ready = self._ready(plan, values, trips, budget.active())
        del values
        if ready is None or ready is _DECLINED:
            return _LATER
        s = plan.stats
        s.entries += 1
        t0 = time.perf_counter()
        if ready.code.backend == "python":
            resume = self._run_python(ready, plan, regs, base, trips)
        else:
            resume = self._run_numba(ready, plan, regs, base, trips)
        if trips is not None:  # what the cost model is checked against (--jit-stats)
            s.seconds += time.perf_counter() - t0
            s.trips += trips
        if resume is None:
            return _LATER
        if plan.region.contains(resume):
            plan.stats.deopts += 1
        return resume

    def _run_python(self, ready: _Ready, plan: _Plan, regs: list, base: int, trips=None):
        code = ready.code
        if code.limited:  # BUDGET: the kernel charges the run's countdown (may time out here)
            counter = budget.enter(False)
        taken, sole = boundary.take(regs, base, plan.registers)
        for i, r in enumerate(plan.registers):
            if r in code.in_place and not sole[i]:
                # OWNERSHIP: shared with another binding: copy once, then mutate the copy
                v = taken[i]
                taken[i] = list(v) if type(v) is list else dict(v) if type(v) is dict else v
        if code.limited:
            taken.append(counter)
        t0 = time.perf_counter()
        try:
            # an instruction that raises exits the kernel before itself (``emit``): the VM
            # then runs it and reports the error
            result = ready.kernel.func(taken)
        finally:
            costs.measured(plan.region, time.perf_counter() - t0, trips)
        resume, back = code.exits[result[0]]
        for r, slot, _t in back:
            regs[base + r] = result[1 + slot]
        return resume

    def _run_numba_maps(self, ready: _Ready, plan: _Plan, regs: list, base: int, trips):
        """A numba kernel over typed dicts. Every map register is converted on entry (its
        VM dict is left untouched: the kernel works on its own typed copy) and boxed back on
        exit only if the kernel wrote it. A map numba cannot hold (a text key, a value that
        is not a number), or one so big that converting it costs more than the iterations
        ahead save, runs this entry on the python kernel instead."""
        from ilo.jit import nbmaps

        code = ready.code
        maps = [r for r, var in code.args if var.endswith("_D")]
        size = sum(len(regs[base + r]) for r in maps)
        region = plan.region
        boxing = costs.map_boxing(size) + costs.map_growth_boxing(region, trips)
        gain = (trips or 0.0) * (costs.python_iteration(region) - costs.numba_iteration(region))
        if boxing > gain and self.numba != "always":  # converting costs more than native code saves
            return self._run_alternative(ready, plan, regs, base, trips)
        params = []
        for r, var in code.args:
            v = regs[base + r]
            if var.endswith("_D"):
                v = nbmaps.to_typed(v)
                if v is None:
                    return self._run_alternative(ready, plan, regs, base, trips)
                params.append(v)
            elif var.endswith("_o"):
                params += [0.0, True] if v is None else [v, False]
            else:
                params.append(v)
        counter = budget.enter(True) if code.limited else None  # BUDGET: as in _run_numba
        result = self._call_numba(ready, plan, params, counter)
        resume, back = code.exits[result[0]]
        slots = code.slots
        written = code.in_place | code.reassigned
        for r, slot, _t in back:
            var = slots[slot]
            v = result[1 + slot]
            if var.endswith("_D"):
                if r in written:  # a map only read keeps its VM dict
                    regs[base + r] = nbmaps.to_python(v)
            elif var.endswith("_o"):
                regs[base + r] = None if result[2 + slot] else float(v)
            else:
                regs[base + r] = bool(v) if var.endswith("_b") else float(v)
        return resume

    @staticmethod
    def _call_numba(ready: _Ready, plan: _Plan, params: list, counter):
        """Call the numba kernel on ``params`` plus the trailing arguments its code asks for:
        the VM's recursion depth, then the budget countdown ``counter`` (charged back after)."""
        if ready.code.depth:
            from ilo.vm.machine import DEPTH

            params.append(DEPTH[1] - DEPTH[0])
        if counter is not None:
            params.append(counter)
        k = ready.kernel
        plan.stats.origin = k.origin
        result = k.func(*params)
        if counter is not None:
            budget.leave(counter)
        return result

    def _run_alternative(self, ready: _Ready, plan: _Plan, regs: list, base: int, trips):
        """Run this entry on the python kernel of the same loop and types (built once)."""
        alt = ready.alternative
        if alt is None:
            from ilo.jit import cache
            from ilo.jit.emit import generate

            code = generate(ready.typed, "python", ready.code.limited)
            kernel = cache.load(_key(plan.region, ready.sig, "python", code), code.source, "python")
            alt = ready.alternative = _Ready(code, kernel)
        plan.stats.alternative_entries += 1
        return self._run_python(alt, plan, regs, base, trips)

    def _run_numba(self, ready: _Ready, plan: _Plan, regs: list, base: int, trips=None):
        code = ready.code
        if code.maps:
            return self._run_numba_maps(ready, plan, regs, base, trips)
        counter = None
        if code.limited:  # BUDGET: a copy of the run's countdown, charged inside (may time out here)
            counter = budget.enter(True)
        lists = [r for r, var in code.args if var.endswith("_L")]
        taken, sole = boundary.take(regs, base, lists, self._mirror.holds)
        originals = dict(zip(lists, taken))
        owned = dict(zip(lists, sole))
        del taken
        params = []
        arrays = set()
        for r, var in code.args:
            if var.endswith("_L"):
                mirrored = self._mirror.to_array(originals[r])
                if mirrored is None:  # a list that is not all numbers after all: the VM runs it
                    boundary.put_back(regs, base, lists, [originals[x] for x in lists])
                    return None
                arr, n = mirrored
                if id(arr) in arrays:
                    arr = arr.copy()  # OWNERSHIP: one list in two registers: one array each
                arrays.add(id(arr))
                params += [arr, n]
            else:
                params.append(regs[base + r])
        try:
            result = self._call_numba(ready, plan, params, counter)
        except Deopt:  # a native kernel raised inside (it took no list): the VM runs this entry
            return None
        resume, back = code.exits[result[0]]
        slots = code.slots
        restored = set()
        for r, slot, t in back:
            if slots[slot].endswith("_o"):  # an optional number: value, then its nil flag
                regs[base + r] = None if result[2 + slot] else float(result[1 + slot])
            elif t in ("Ln", "L?"):
                arr, n = result[1 + slot], result[2 + slot]
                appended_only = r in code.in_place and r not in code.reassigned
                regs[base + r] = self._mirror.from_array(originals.get(r), owned.get(r, False), arr, n,
                                                         appended_only)
                restored.add(r)
            else:
                v = result[1 + slot]
                regs[base + r] = bool(v) if slots[slot].endswith("_b") else float(v)
        for r in lists:
            if r not in restored:
                regs[base + r] = originals[r]
        return resume
