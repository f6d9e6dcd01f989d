"""The JIT as the API hands it to the VM: a light ``hooks`` object (``ilo.vm.hooks``).

In: ``JitHook(threshold, numba)``, made by ``ilo.api`` once per program and reused for every
``engine="jit"`` call. Out: the attributes the VM's counting protocol reads (``threshold``,
``min_trips``, ``on_hot``, ``NEVER``, ``LATER``) and ``stats`` for ``--jit-stats``.

Why a separate module: choosing the JIT engine must cost (almost) nothing for a program
whose loops never get hot, including its first call in a fresh process. This module imports
nothing of the JIT; the real tier (``tier.JitTier``, with its own imports) is created when
the VM first offers a loop. ``NEVER``/``LATER`` live here so both share the same objects.
"""

from __future__ import annotations

from ilo import config

NEVER = object()  # this loop will never get a kernel: the VM stops offering it
LATER = object()  # not during this entry: the VM runs it and offers again when hot
# Entering a kernel (taking registers, checking types, writing back) costs about as much as
# a few dozen VM iterations: an entry with fewer iterations ahead stays on the VM.
MIN_TRIPS = 32


# Costs the build decisions weigh, in seconds, measured on the development machine. The VM
# spends ~45 ns per loop instruction, a python kernel ~8 ns (``PY_INSTR``). Building a
# python kernel (typing, emitting, exec) costs ~0.4 ms; the first one of a process also
# imports the JIT's modules and writes its first kernel file, ~4 ms more with bytecode
# caches. A kernel is built once a loop's iterations (this entry's and earlier declined
# ones) save more than that.
VM_INSTR, PY_INSTR, PY_BUILD_COST, PY_FIRST_USE_COST = 45e-9, 8e-9, 4e-4, 4e-3
_BUILT = [False]  # has this process built a kernel yet? (set by the tier)


def entry_limits(threshold: int | None) -> tuple[int, int]:
    """(threshold, min_trips) for a tier asked for ``threshold`` (None: ILO_JIT_THRESHOLD).
    A threshold below MIN_TRIPS asks for eager compilation (tests): short entries count too."""
    threshold = config.JIT_THRESHOLD if threshold is None else threshold
    threshold = threshold if threshold > 1 else 1
    return threshold, (MIN_TRIPS if threshold > MIN_TRIPS else threshold)


def worth_planning(chunk, header: int, regs: list, base: int, unknown: int = MIN_TRIPS) -> bool:
    """Before a loop's first kernel is built: have the iterations offered so far (this one's
    ahead included) repaid a build? Read from the raw bytecode, importing nothing, so
    declining a loop that is hot but short costs next to nothing. ``unknown``: iterations
    to assume when the trip count cannot be read (a counted loop has just run ``threshold``
    iterations since it was last offered)."""
    shared = chunk.decoded.get("jit_loops")
    if shared is not None and header in shared:
        return True  # planned already: ``_build_pays`` keeps the account from here
    loop = next((lp for lp in chunk.loops if lp.body == header), None)
    if loop is None:
        return True
    trips = raw_trips(chunk, loop, regs, base)
    saved = chunk.decoded.setdefault("jit_saved", {})  # header -> seconds of earlier entries
    per_trip = (loop.back_edge - loop.body + 1) * (VM_INSTR - PY_INSTR)
    earlier = saved.get(header, 0.0)
    ahead = (trips if trips is not None else unknown) * per_trip
    if earlier + ahead >= PY_BUILD_COST + (0.0 if _BUILT[0] else PY_FIRST_USE_COST):
        return True  # ``_build_pays`` counts this entry again, from the region's own size
    saved[header] = earlier + ahead
    return False


def raw_trips(chunk, loop, regs: list, base: int):
    """Iterations left, from the back-edge instruction itself (None if not known)."""
    from ilo.vm.opcodes import OPCODES

    op, a, b, _c = chunk.code[loop.back_edge]
    name = OPCODES[op].name
    try:
        if name == "RANGENEXT":
            return max(0.0, regs[base + b + 1] - regs[base + b])
        if name == "FORNEXT":
            return float(regs[base + b].__length_hint__())
        if name[-3:] in ("_NN", "_NK") and name.lstrip("JN")[:2] in ("LT", "LE", "GT", "GE"):
            x = regs[base + a]
            y = chunk.constants[b] if name.endswith("_NK") else regs[base + b]
            return abs(y - x) if type(x) is float and type(y) is float else None
    except (TypeError, AttributeError, IndexError):
        return None
    return None


class JitHook:
    """Forwards the VM's offers to a ``JitTier`` made on the first one.

    The API sets ``fresh = True`` before each call (a store, plus a snapshot of the function
    kernels' entries once any exist; cheaper than a method call on
    a path every call takes); the next look at ``stats`` or the next offer then starts the
    call's own stats and forgets the last call's list mirrors (they would keep its lists
    alive). Kernels, regions and plans stay."""

    __slots__ = ("threshold", "min_trips", "_fresh", "_numba", "_tier", "_stats", "_calls")
    NEVER = NEVER
    LATER = LATER

    def __init__(self, threshold: int | None = None, numba: str | None = None):
        self.threshold, self.min_trips = entry_limits(threshold)
        self._fresh = False
        self._numba = numba
        self._tier = None
        self._stats = None  # empty stats, while no loop was offered
        self._calls = None  # the function side (``calls.Calls``), made on the first hot call

    @property
    def fresh(self) -> bool:
        return self._fresh

    @fresh.setter
    def fresh(self, value: bool) -> None:
        # function kernels run without asking the hook: their per-call view starts here
        self._fresh = value
        if value and self._calls is not None:
            self._calls.new_call()

    def on_hot(self, chunk, header: int, regs: list, base: int = 0):
        if self._fresh:
            self._start_call()
        if self.threshold >= MIN_TRIPS and not worth_planning(chunk, header, regs, base, self.threshold):
            return LATER  # decided without loading the tier
        tier = self._tier
        if tier is None:
            from ilo.jit.tier import JitTier

            tier = self._tier = JitTier(self.threshold, self._numba)
        return tier.on_hot(chunk, header, regs, base)

    def on_hot_call(self, program, chunk, code, plain, R):
        """A function got hot (``ilo.vm.hotcalls``): its kernel's entry handler, or LATER/NEVER."""
        if config.NO_JIT:
            return NEVER
        calls = self._calls
        if calls is None:
            from ilo.jit.calls import Calls

            calls = self._calls = Calls(self.threshold, self.threshold < MIN_TRIPS, self._numba or config.JIT_NUMBA)
        return calls.offer(program, chunk, code, plain, R)

    def _start_call(self) -> None:
        self._fresh = False
        self._stats = None
        if self._tier is not None:
            self._tier.new_call()

    @property
    def stats(self):
        if self._fresh:
            self._start_call()
        if self._tier is not None:
            stats = self._tier.stats
        else:
            if self._stats is None:
                from ilo.jit.stats import JitStats

                self._stats = JitStats()
            stats = self._stats
        stats.calls = self._calls
        return stats
