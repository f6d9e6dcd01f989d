"""What the JIT's build decisions weigh: measured costs, in seconds, and the estimators.

Every figure was measured on the development machine (2 cores, CPython 3.12, numba 0.60).
The decisions are a ski-rental: a kernel is built once the work it would have taken over
(estimated from the code's size, then measured while the kernel runs) has reached what
building it costs, so the JIT never spends more than twice what the best choice in hindsight
would have.

Loops (``hook.py``/``tier.py`` keep their own copies of these for now, see VM_INSTR there):
the VM spends ~45 ns per instruction, a python kernel ~8 ns. Calls: a VM call (frame list,
push, return) costs ~0.35 us beyond its instructions; a direct call between python kernels
~0.1 us.
"""

from __future__ import annotations

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
# compiling a small scalar function (or call tree) ~0.3 s.
NUMBA_FIRST_USE, NUMBA_WARM, NUMBA_COLD = 0.45, 0.02, 0.3


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


def python_build_cost(built_before: bool) -> float:
    return PY_BUILD_COST + (0.0 if built_before else PY_FIRST_USE_COST)


def numba_cost(cached: bool, warmed_up: bool) -> float:
    """What moving a kernel to numba costs before it runs."""
    return (NUMBA_WARM if cached else NUMBA_COLD) + (0.0 if warmed_up else NUMBA_FIRST_USE)


# A python kernel's cost per instruction, by what the instruction compiles to: most are one
# or two bytecodes on locals (~8 ns), a map operation is a dict method call (~40 ns), a
# builtin without an inline python form calls the shared implementation (~120 ns: ``mod``,
# ``len``...), a user-function call is a Python call plus the callee's own instructions.
PY_COSTS = {"mget": 40e-9, "mset": 40e-9, "mhas": 30e-9, "len": 120e-9, "call": 100e-9, "newmap": 40e-9}
PY_CALL = 120e-9
# Measured python kernel time per loop (region fingerprint): [seconds, iterations]. Once a
# loop has run, its measured cost per iteration replaces the estimate.
MEASURED: dict = {}


# A map crossing into a numba kernel and back: the type checks, the arrays and the typed
# dict in, the export and the VM dict out (~0.3 us per key measured for 200k keys).
MAP_BOXING_KEY = 0.3e-6


def map_boxing(keys: int) -> float:
    """Seconds moving maps of ``keys`` keys in total into a numba kernel and back costs."""
    return keys * MAP_BOXING_KEY


def python_iteration(region, program=None) -> float:
    """Estimated seconds one iteration of ``region`` costs a python kernel, from its body."""
    measured = MEASURED.get(region.fingerprint)
    if measured is not None and measured[1] >= 1000:
        return measured[0] / measured[1]
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
    if trips is None:
        return
    m = MEASURED.setdefault(region.fingerprint, [0.0, 0.0])
    m[0] += seconds
    m[1] += trips
