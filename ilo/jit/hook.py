"""The JIT as the API hands it to the VM: a light ``hooks`` object (``ilo.vm.hooks``).

In: ``JitHook(threshold, numba)``, made by ``ilo.api`` once per program and reused for every
``engine="jit"`` call. Out: the attributes the VM's counting protocol reads (``threshold``,
``min_trips``, ``on_hot``, ``NEVER``, ``LATER``) and ``stats`` for ``--jit-stats``.

Why a separate module: choosing the JIT engine must cost (almost) nothing for a program
whose loops never get hot, including its first call in a fresh process. This module imports
nothing of the JIT but its cost ledger (``costs``) and the protocol's answers (``protocol``);
the real tier (``tier.JitTier``, with its own imports) is created when the VM first offers a
loop, and the function side (``calls.Calls``) at the first hot call.
"""

from __future__ import annotations

from ilo import config
from ilo.jit import costs
from ilo.jit.protocol import LATER, MIN_TRIPS, NEVER, entry_limits


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
        if self.threshold >= MIN_TRIPS and not costs.worth_planning(chunk, header, regs, base, self.threshold):
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
