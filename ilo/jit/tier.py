"""The JIT tier: the VM's hot-loop hook (see ``VM_HOOK_CONTRACT.md``).

In: calls ``on_backedge(chunk, header_pc, regs, base)`` from the VM each time a loop's
back-edge is taken. Out: ``None`` (the VM keeps interpreting) or the pc the VM resumes at
after a kernel ran the loop, with every register the kernel changed written back.

A loop is looked at once its back-edge count reaches the threshold (``ILO_JIT_THRESHOLD``),
so a cold loop never pays for compilation. It is then cut out (``regions``), typed from
the live register values (``infer``), turned into source (``emit``) and compiled or found
in the cache (``cache``/``backend``). Anything that fails on the way is a fallback: the
reason is recorded in ``stats`` and the VM runs the loop as before. Types are part of the
kernel key, so a loop re-entered with new types gets its own kernel or its own fallback.
"""

from __future__ import annotations

import time

from ilo import config
from ilo.jit import boundary
from ilo.jit.regions import FallbackReason
from ilo.jit.stats import JitStats

_DECLINED = object()


class _Plan:
    """What the tier knows about one loop: its region and kernels per entry types."""

    __slots__ = ("region", "registers", "kernels", "stats", "deferred")

    def __init__(self, region, stats):
        self.region = region
        self.registers = tuple(sorted(set(region.reads) | set(region.writes)))
        self.kernels: dict = {}  # entry type signature -> _Ready or _DECLINED
        self.stats = stats
        self.deferred = 0


class _Ready:
    __slots__ = ("code", "kernel", "pyfunc_code")

    def __init__(self, code, kernel):
        self.code = code
        self.kernel = kernel
        self.pyfunc_code = getattr(kernel.func, "__code__", None)


# What a numba kernel costs before it runs, in seconds, measured on the development machine:
# the first kernel of a process pays ~0.45 s (importing numba, initialising LLVM) even when
# its machine code comes from the disk cache; then loading a cached kernel ~0.02 s, compiling
# a numeric loop ~0.3 s, one with arrays ~1.2 s. The alternative is the python kernel, which
# spends ~8 ns per loop instruction.
FIRST_USE_COST, WARM_COST, COLD_COST, COLD_ARRAY_COST, PY_INSTR = 0.45, 0.02, 0.3, 1.2, 8e-9
# Entering a kernel (taking registers, checking types, writing back) costs about as much as
# a few dozen VM iterations: a loop with fewer known iterations left stays on the VM.
MIN_TRIPS = 32
# Seconds each loop (by region fingerprint) has spent in python kernels in this process: a
# loop that keeps coming back (a function called many times) earns its numba compile.
_PY_SECONDS: dict = {}


def _numba_pays(region, values: dict, code) -> str:
    """'' when compiling with numba is expected to repay itself in this loop run, else why not.

    A cold loop must never pay for a compile: the remaining trip count (known for ranges and
    foreach, estimated from the loop test for while loops) times the python kernel's cost
    per iteration must exceed numba's start-up, load or compile cost.
    """
    from ilo.jit import backend, cache

    trips = _remaining_trips(region, values)
    if trips is None:
        return "trip count unknown, a numba compile might not pay back"
    warm = cache.numba_cached(code.source)
    arrays = any(v.endswith("_L") for _, v in code.args)
    cost = WARM_COST if warm else (COLD_ARRAY_COST if arrays else COLD_COST)
    if not backend.warmed_up():
        cost += FIRST_USE_COST
    saved = trips * len(region.code) * PY_INSTR + _PY_SECONDS.get(region.fingerprint, 0.0)
    if saved < cost:
        return f"~{trips:.0f} iterations left do not repay a {cost:.2f} s numba {'load' if warm else 'compile'}"
    return ""


def _remaining_trips(region, values: dict):
    ins = region.at(region.backedge)
    try:
        if ins.kind == "rangenext":
            return max(0.0, values[ins.srcs[1]] - values[ins.srcs[0]])
        if ins.kind == "fornext":
            return float(values[ins.srcs[0]].__length_hint__())
        if ins.kind == "cjump" and ins.op.lstrip("not ") in ("<", "<=", ">", ">="):
            a, b = (s.value if hasattr(s, "value") else values[s] for s in ins.srcs)
            if type(a) is float and type(b) is float:
                return abs(b - a)
    except (KeyError, TypeError, AttributeError):
        return None
    return None


class JitTier:
    """Counts loop back-edges, compiles hot loops, runs their kernels."""

    def __init__(self, threshold: int | None = None, numba: str | None = None):
        self.threshold = max(1, config.JIT_THRESHOLD if threshold is None else threshold)
        # a low threshold asks for eager compilation (tests): then short loops enter kernels too
        self.min_trips = min(MIN_TRIPS, self.threshold)
        # "auto": numba when the trip count repays the compile; "always" / "never" (tests, bench)
        self.numba = numba or config.JIT_NUMBA
        self.stats = JitStats()
        self._counts: dict = {}
        self._plans: dict = {}
        self._mirror = boundary.ListMirror()

    # ── the hook ────────────────────────────────────────────────────────────
    def on_backedge(self, chunk, header: int, regs: list, base: int = 0):
        # called on every taken back-edge while the VM runs hooked: keep the cold path short
        key = (id(chunk), header)
        plan = self._plans.get(key)
        if plan is None:
            n = self._counts[key] = self._counts.get(key, 0) + 1
            if n < self.threshold:
                return None
            plan = self._plans[key] = self._plan(chunk, header)
        if plan is _DECLINED:
            return None
        return self._enter(plan, regs, base)

    NEVER = _DECLINED  # returned by on_hot: this loop will never get a kernel

    def on_hot(self, chunk, header: int, regs: list, base: int = 0):
        """Like ``on_backedge`` for a VM that counts back-edges itself (contract section 4)."""
        key = (id(chunk), header)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._plan(chunk, header)
        if plan is _DECLINED:
            return _DECLINED
        return self._enter(plan, regs, base)

    # ── planning ────────────────────────────────────────────────────────────
    def _plan(self, chunk, header: int):
        stats = self.stats.loop(chunk.name, header)
        if config.NO_JIT:
            stats.fallback = "ILO_NO_JIT is set"
            return _DECLINED
        loop = next((lp for lp in chunk.loops if lp.body == header), None)
        if loop is None:
            stats.fallback = "no loop information for this back-edge"
            return _DECLINED
        from ilo.jit import ops
        from ilo.jit.regions import find_region

        try:
            region = find_region(chunk.name, ops.decode(chunk), loop, chunk.loops)
        except FallbackReason as why:
            stats.fallback = str(why)
            return _DECLINED
        return _Plan(region, stats)

    def _ready(self, plan: _Plan, values: dict):
        from ilo.jit.infer import runtime_type

        sig = tuple(runtime_type(values[r]) for r in plan.registers)
        ready = plan.kernels.get(sig)
        if ready is not None:
            return ready
        try:
            ready = self._build(plan, values, sig)
        except FallbackReason as why:
            plan.stats.fallback = str(why)
            ready = _DECLINED
        plan.kernels[sig] = ready
        return ready

    def _build(self, plan: _Plan, values: dict, sig: tuple):
        from ilo.jit import cache
        from ilo.jit.emit import generate
        from ilo.jit.infer import infer

        t0 = time.perf_counter()
        typed = infer(plan.region, values)
        backend = typed.backend
        code = None
        if backend == "numba":
            try:
                code = generate(typed, backend)
                why = {"always": "", "never": "numba disabled (ILO_JIT_NUMBA=never)"}.get(self.numba)
                if why is None:
                    why = _numba_pays(plan.region, values, code)
            except FallbackReason as e:
                why = str(e)
            if why:
                typed.why_not_numba = why
                backend, code = "python", None
        if code is None:
            code = generate(typed, backend)
        kernel = cache.load((plan.region.fingerprint, sig, backend), code.source, backend)
        if backend == "numba" and kernel.origin == "new":
            try:
                self._compile_numba(kernel, code, values, plan)
            except Exception as e:  # noqa: BLE001 - a kernel numba rejects runs on the python backend
                typed.why_not_numba = f"numba could not compile it ({type(e).__name__})"
                backend = "python"
                code = generate(typed, backend)
                kernel = cache.load((plan.region.fingerprint, sig, backend), code.source, backend)
        s = plan.stats
        s.backend = backend
        s.types = {f"r{r}": typed.entry[r] for r in plan.registers}
        s.choices = [f"{label} at pc {pc}: {how}" for pc, label, how in typed.choices]
        if typed.why_not_numba and backend == "python":
            s.choices.append(f"python backend: {typed.why_not_numba}")
        s.compile_seconds = time.perf_counter() - t0
        s.origin = "python" if backend == "python" else None
        s.fallback = None
        return _Ready(code, kernel)

    def _compile_numba(self, kernel, code, values: dict, plan: _Plan) -> None:
        """Compile now, for the entry types (so a numba failure becomes a python kernel)."""
        import numpy as np

        from ilo.jit import backend as nb

        params = []
        for r, var in code.args:
            if var.endswith("_L"):
                params += [np.empty(16), 0]
            else:
                params.append(values[r])
        seconds, kernel.origin = nb.prepare(kernel.func, params)
        plan.stats.compile_seconds += seconds

    # ── running ─────────────────────────────────────────────────────────────
    def _enter(self, plan: _Plan, regs: list, base: int):
        values = {r: regs[base + r] for r in plan.registers}
        trips = _remaining_trips(plan.region, values)
        if trips is not None and trips < self.min_trips:
            return None  # entering costs more than the few iterations left
        if plan.deferred < 2 and any(values[r] is None for r in plan.region.temps):
            # the VM enters loops at the test, so the body's scratch registers are still nil
            # at the first back-edge: one more VM iteration gives them their real types
            plan.deferred += 1
            return None
        ready = self._ready(plan, values)
        del values
        if ready is _DECLINED:
            return None
        plan.stats.entries += 1
        if ready.code.backend == "python":
            resume = self._run_python(ready, plan, regs, base)
        else:
            resume = self._run_numba(ready, plan, regs, base)
        if resume is not None and plan.region.contains(resume):
            plan.stats.deopts += 1
        return resume

    def _run_python(self, ready: _Ready, plan: _Plan, regs: list, base: int):
        code = ready.code
        taken, sole = boundary.take(regs, base, plan.registers)
        for i, r in enumerate(plan.registers):
            if r in code.in_place and not sole[i]:
                # OWNERSHIP: shared with another binding: copy once, then mutate the copy
                v = taken[i]
                taken[i] = list(v) if type(v) is list else dict(v) if type(v) is dict else v
        t0 = time.perf_counter()
        try:
            result = ready.kernel.func(taken)
        except Exception as exc:  # noqa: BLE001 - any failure hands the instruction to the VM
            return self._recover(ready, plan, exc, regs, base)
        finally:
            fp = plan.region.fingerprint
            _PY_SECONDS[fp] = _PY_SECONDS.get(fp, 0.0) + time.perf_counter() - t0
        resume, back = code.exits[result[0]]
        for r, slot, _t in back:
            regs[base + r] = result[1 + slot]
        return resume

    def _recover(self, ready: _Ready, plan: _Plan, exc: Exception, regs: list, base: int):
        """A python kernel raised: resume the VM at the instruction that raised, with the
        kernel's registers as they were just before it."""
        tb = exc.__traceback__
        frame = lineno = None
        while tb is not None:
            if tb.tb_frame.f_code is ready.pyfunc_code:
                frame, lineno = tb.tb_frame, tb.tb_lineno
            tb = tb.tb_next
        pc = ready.code.lines.get(lineno) if frame is not None else None
        if pc is None:
            raise exc
        local = frame.f_locals
        for r in plan.registers:
            regs[base + r] = local.get(f"r{r}")
        return pc

    def _run_numba(self, ready: _Ready, plan: _Plan, regs: list, base: int):
        code = ready.code
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
        k = ready.kernel
        plan.stats.origin = k.origin
        result = k.func(*params)
        resume, back = code.exits[result[0]]
        slots = code.slots
        restored = set()
        for r, slot, t in back:
            if t in ("Ln", "L?"):
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
