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
# numba is worth timing for only when one kernel entry does this much work: below it, the
# dispatcher's own call cost eats what native code saves
NUMBA_MIN_ENTRY = 5e-6
TIMED_PROBE = 256  # entries timed before a kernel too quick for numba stops being timed
PY_BUILD_COST = 4e-4  # typing, emitting and exec of one python kernel
PY_FIRST_USE_COST = 4e-3  # the process's first kernel: importing the JIT modules
# numba: the first use in a process (import numba + numpy, LLVM initialisation) ~0.45 s even
# when the machine code comes from the disk cache; loading one cached kernel ~0.02 s;
# compiling a small scalar function (or call tree) ~0.3 s, a loop over arrays ~1.2 s.
NUMBA_FIRST_USE, NUMBA_WARM, NUMBA_COLD, NUMBA_COLD_ARRAYS = 0.45, 0.02, 0.3, 1.2
# A numba kernel's cost per loop instruction (native code; a map operation is a hash probe).
NUMBA_INSTR = 1e-9
# A python kernel's cost per instruction, by what the instruction compiles to: most are one
# or two bytecodes on locals (~8 ns), a map operation is a dict method call (~40 ns), a
# builtin without an inline python form calls the shared implementation (~120 ns: ``len``...),
# a user-function call is a Python call plus the callee's own instructions.
PY_COSTS = {"mget": 40e-9, "mset": 40e-9, "mhas": 30e-9, "len": 120e-9, "call": 100e-9, "newmap": 40e-9}
PY_CALL = 120e-9
# A map crossing into a numba kernel and back: the type checks, the arrays and the typed
# dict in, the export and the VM dict out (~0.3 us per key measured for 200k keys).
MAP_BOXING_KEY = 0.3e-6

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
    """What moving a kernel to numba costs before it runs."""
    build = NUMBA_WARM if cached else (NUMBA_COLD_ARRAYS if arrays else NUMBA_COLD)
    return build + (0.0 if warmed_up else NUMBA_FIRST_USE)


def map_boxing(keys: int) -> float:
    """Seconds moving maps of ``keys`` keys in total into a numba kernel and back costs."""
    return keys * MAP_BOXING_KEY


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
    """The estimate alone: each instruction's calibrated cost by its kind."""
    total = 0.0
    for ins in region.code:
        if ins.kind == "builtin":
            total += _builtin_cost(ins)
        elif ins.kind == "call":
            callee = program.chunks.get(ins.op) if program is not None else None
            total += PY_COSTS["call"] + (len(callee.code) * PY_INSTR if callee is not None else 0.0)
        else:
            total += PY_COSTS.get(ins.kind, PY_INSTR)
    return total


def _builtin_cost(ins) -> float:
    from ilo.runtime.builtins import registry

    spec = registry.get(ins.op) if registry.canonical(ins.op) else None
    forms = getattr(spec, "kernels", None)
    if forms and all(f.python is not None for f in forms):
        return 2 * PY_INSTR  # an inline form: a few bytecodes
    return PY_CALL


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
