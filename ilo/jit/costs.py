"""What the JIT's build decisions weigh: the one place for measured costs (seconds), the
ledger of what the process has spent and saved, and the trip-count estimator.

Every figure was measured on the development machine (2 cores, CPython 3.11/3.12, numba
0.60-0.68). The decisions are a ski-rental: a kernel is built once the work it would have
taken over (estimated from what the code does, then measured while kernels run) has
reached what building it costs, so the JIT never spends more than about twice what the
best choice in hindsight would have. ``hook.py`` (before anything is built), ``tier.py``
(loops) and ``calls.py`` (functions) all decide from here; this module imports nothing of
the JIT at import time, so the light hook can use it.
"""

from __future__ import annotations

from ilo.jit import state

# ── constants ────────────────────────────────────────────────────────────────
# The VM spends ~45 ns per instruction, a python kernel ~8 ns on one that compiles to a few
# bytecodes on locals.
VM_INSTR, PY_INSTR = 45e-9, 8e-9
VM_CALL = 0.35e-6  # a VM call's own cost (building the frame, pushing and popping it)
KERNEL_ENTRY = 0.6e-6  # the VM entering a function kernel: type checks, the call, the result
# A numba dispatcher call with a few scalar arguments (type dispatch, unboxing, the native
# call, boxing the result): ~0.31 us, against ~0.09 us for a Python call of the same shape.
NUMBA_CALL = 0.31e-6
# numba is worth timing for only when one python kernel entry costs this many dispatcher
# calls: below it, the dispatcher's own cost eats what native code saves
NUMBA_MIN_ENTRY_CALLS = 4.0
TIMED_PROBE = 256  # entries timed before a kernel too quick for numba stops being timed
PY_BUILD_COST = 4e-4  # typing, emitting and exec of one python kernel
PY_FIRST_USE_COST = 4e-3  # the process's first kernel: importing the JIT modules
# numba: the first use in a process (import numba + numpy, LLVM initialisation) ~0.5 s even
# when the machine code comes from the disk cache; loading one cached kernel ~0.02 s;
# compiling a small scalar function (or call tree) ~0.3 s, a loop over arrays ~1.2 s.
NUMBA_FIRST_USE, NUMBA_WARM, NUMBA_COLD, NUMBA_COLD_ARRAYS = 0.5, 0.02, 0.3, 1.2
# A native kernel (numba's machine code stored by ``native``, loaded without numba): the
# first in a process imports llvmlite and makes an MCJIT engine (~0.05 s), each one after
# loads its object in a few ms. Storing one costs a second, inlined compile (~0.1 s).
NATIVE_FIRST_USE, NATIVE_LOAD, NATIVE_SAVE = 0.05, 0.005, 0.1
# A numba kernel's cost per loop instruction (native code; a map operation is a hash probe).
NUMBA_INSTR = 1e-9
# A python kernel's cost per instruction, in units of one simple instruction (``PY_INSTR``:
# one or two bytecodes on locals), by what the instruction compiles to; measured on kernel-
# shaped loops (``python bench/jit_costs.py`` prints them for this machine). A builtin with
# an inline python form costs about 1.5 units per template line; one without calls the
# shared implementation (argument checks included: ~50 units for ``mod``); a map operation
# is a dict method call plus the key's floor; a user-function call is a Python call plus the
# callee's own instructions.
PY_UNITS = {"mget": 12.0, "mset": 8.0, "mhas": 6.0, "len": 20.0, "call": 15.0, "newmap": 4.0}
PY_SHARED_CALL = 50.0  # units: a builtin called through its shared implementation
PY_TEMPLATE_LINE = 1.5  # units per line of a builtin's inline python form
# A map crossing into a numba kernel and back: the type checks, the arrays and the typed
# dict in, the export and the VM dict out (~0.35 us per key measured for 200k keys:
# ``bench/jit_maps.py``, the bulk-boxed row against the len-only one).
MAP_BOXING_KEY = 0.35e-6

# ── the ledger ───────────────────────────────────────────────────────────────
BUILT = [False]  # has this process built a kernel yet?
# Per loop (region fingerprint): [seconds, iterations] measured in python kernels; once a
# loop has run enough, its measured cost per iteration replaces the estimate.
MEASURED: dict = {}
PY_SECONDS: dict = {}  # per loop: every second spent in python kernels (trip count known or not)
MEASURED_ENOUGH = 1000  # iterations after which the measurement is trusted over the estimate


def python_build_cost(built_before: bool | None = None) -> float:
    built_before = BUILT[0] if built_before is None else built_before
    return PY_BUILD_COST + (0.0 if built_before else PY_FIRST_USE_COST)


def numba_cost(cached: bool, warmed_up: bool, arrays: bool = False) -> float:
    """What moving a kernel to numba costs before it runs, in this process's time."""
    build = NUMBA_WARM if cached else (NUMBA_COLD_ARRAYS if arrays else NUMBA_COLD)
    return (build + (0.0 if warmed_up else NUMBA_FIRST_USE)) * speed()


def native_cost() -> float:
    """What running a stored native kernel costs before it runs, in this process's time."""
    from ilo.jit import native

    return (NATIVE_LOAD + (0.0 if native.engine_ready() else NATIVE_FIRST_USE)) * speed()


def numba_min_entry() -> float:
    """Seconds a python function kernel entry must take for numba to be worth timing for
    (``NUMBA_MIN_ENTRY_CALLS`` dispatcher calls, in this process's time)."""
    return NUMBA_MIN_ENTRY_CALLS * NUMBA_CALL * speed()


def map_boxing(keys: float) -> float:
    """Seconds moving maps of ``keys`` keys in total into a numba kernel and back costs."""
    return keys * MAP_BOXING_KEY * speed()


def map_growth_boxing(region, trips) -> float:
    """Seconds boxing the keys a loop may add to its maps costs (each ``mset`` adds at most
    one key per iteration): what a numba kernel that fills a map pays on exit."""
    adds = sum(1 for ins in region.code if ins.kind == "mset")
    return map_boxing(adds * (trips or 0.0)) if adds else 0.0


def call_saving(ninstr: int) -> float:
    """Seconds a python function kernel saves per call of a function of ``ninstr``
    instructions (loops inside count once: their trips are measured later, not guessed)."""
    return ninstr * (VM_INSTR - PY_INSTR) + VM_CALL


def entry_saving(ninstr: int, straight: bool) -> float | None:
    """Seconds the VM saves per entry by running a function kernel, or None when it cannot
    be known from the code (loops or calls: the work per call is not in the code's size).
    A straight-line function runs at most ``ninstr`` instructions per call."""
    if not straight:
        return None
    return ninstr * (VM_INSTR - PY_INSTR) - KERNEL_ENTRY


def python_iteration(region, program=None) -> float:
    """Seconds one iteration of ``region`` costs a python kernel: measured once the loop has
    run ``MEASURED_ENOUGH`` iterations in python kernels, else estimated from its body."""
    measured = MEASURED.get(region.fingerprint)
    if measured is not None and measured[1] >= MEASURED_ENOUGH:
        return measured[0] / measured[1]
    return estimated_iteration(region, program)


def estimated_iteration(region, program=None) -> float:
    """The estimate alone: each instruction's calibrated cost by its kind, in seconds of
    this process (``unit``)."""
    return estimated_units(region, program) * unit()


def estimated_units(region, program=None) -> float:
    total = 0.0
    for ins in region.code:
        if ins.kind == "builtin":
            total += _builtin_units(ins)
        elif ins.kind == "call":
            callee = program.chunks.get(ins.op) if program is not None else None
            total += PY_UNITS["call"] + (len(callee.code) if callee is not None else 0.0)
        else:
            total += PY_UNITS.get(ins.kind, 1.0)
    return total


def numba_iteration(region) -> float:
    """Estimated seconds one iteration of ``region`` costs a numba kernel."""
    return len(region.code) * NUMBA_INSTR * speed()


def _builtin_units(ins) -> float:
    from ilo.runtime.builtins import registry

    spec = registry.get(ins.op) if registry.canonical(ins.op) else None
    forms = [f for f in getattr(spec, "kernels", ()) if f.python is not None]
    if forms:
        return 1.0 + PY_TEMPLATE_LINE * max(len(f.python) for f in forms)
    return PY_SHARED_CALL


# ── calibration ──────────────────────────────────────────────────────────────
_UNIT: list = []


def unit() -> float:
    """Seconds one simple python-kernel instruction takes in this process, measured once on
    a kernel-shaped loop (~0.2 ms), so estimates read in this machine's (and load's) time."""
    if not _UNIT:
        import time

        def loop(n):  # a kernel's shape: the test, two float updates (three instructions)
            s = i = 0.0
            while True:
                if not (i < n):
                    return s
                s = s + i
                i = i + 1.0

        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            loop(2000.0)
            best = min(best, time.perf_counter() - t0)
        _UNIT.append(best / (2000 * 3))
    return _UNIT[0]


def speed() -> float:
    """This process's speed relative to the development machine the fixed costs (numba's
    start-up, load and compile) were measured on: >1 is slower. Python and numba costs both
    scale with it, so a loaded machine does not tilt the python/numba choice."""
    return unit() / PY_INSTR


def measured(region, seconds: float, trips) -> None:
    """Record a python kernel entry: ``seconds`` spent on ~``trips`` iterations."""
    fp = region.fingerprint
    PY_SECONDS[fp] = PY_SECONDS.get(fp, 0.0) + seconds
    if trips is None:
        return
    m = MEASURED.setdefault(region.fingerprint, [0.0, 0.0])
    m[0] += seconds
    m[1] += trips


def python_seconds(region) -> float:
    """Seconds this loop has spent in python kernels in this process."""
    return PY_SECONDS.get(region.fingerprint, 0.0)


# ── trip counts ──────────────────────────────────────────────────────────────


def trips_left(kind: str, x, y=None):
    """Iterations a loop has left, from its back-edge's operands (None if not known):
    ``range`` (counter ``x``, limit ``y``), ``foreach`` (iterator ``x``), or ``compare``
    (an ordering compare of ``x`` with ``y``: their gap)."""
    try:
        if kind == "range":
            return max(0.0, y - x)
        if kind == "foreach":
            return float(x.__length_hint__())
        if kind == "compare":
            return abs(y - x) if type(x) is float and type(y) is float else None
    except (TypeError, AttributeError):
        return None
    return None


def raw_trips(chunk, loop, regs: list, base: int):
    """``trips_left`` read from the VM's own back-edge instruction (nothing decoded)."""
    from ilo.vm.opcodes import OPCODES

    op, a, b, _c = chunk.code[loop.back_edge]
    info = OPCODES[op]
    if info.family == "loopnext":
        if info.name == "RANGENEXT":
            return trips_left("range", regs[base + b], regs[base + b + 1])
        return trips_left("foreach", regs[base + b])
    if info.family == "cjump" and info.operator in ("<", "<=", ">", ">="):
        y = chunk.constants[b] if info.operand_types == "NK" else regs[base + b]
        return trips_left("compare", regs[base + a], y)
    return None


# ── the first gate ───────────────────────────────────────────────────────────


def worth_planning(chunk, header: int, regs: list, base: int, unknown: int) -> bool:
    """Before a loop's first kernel is built: have the iterations offered so far (this one's
    ahead included) repaid a build? Read from the raw bytecode, importing nothing, so
    declining a loop that is hot but short costs next to nothing. ``unknown``: iterations
    to assume when the trip count cannot be read (a counted loop has just run ``threshold``
    iterations since it was last offered)."""
    st = state.of(chunk)
    if header in st.loops:
        return True  # planned already: the tier keeps the account from here
    loop = next((lp for lp in chunk.loops if lp.body == header), None)
    if loop is None:
        return True
    trips = raw_trips(chunk, loop, regs, base)
    per_trip = (loop.back_edge - loop.body + 1) * (VM_INSTR - PY_INSTR)
    earlier = st.saved.get(header, 0.0)
    ahead = (trips if trips is not None else unknown) * per_trip
    if earlier + ahead >= python_build_cost():
        return True  # the tier counts this entry again, from the region's own size
    st.saved[header] = earlier + ahead
    return False
