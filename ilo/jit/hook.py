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


def entry_limits(threshold: int | None) -> tuple[int, int]:
    """(threshold, min_trips) for a tier asked for ``threshold`` (None: ILO_JIT_THRESHOLD).
    A threshold below MIN_TRIPS asks for eager compilation (tests): short entries count too."""
    threshold = config.JIT_THRESHOLD if threshold is None else threshold
    threshold = threshold if threshold > 1 else 1
    return threshold, (MIN_TRIPS if threshold > MIN_TRIPS else threshold)


class JitHook:
    """Forwards the VM's offers to a ``JitTier`` made on the first one.

    The API sets ``fresh = True`` before each call (one store, cheaper than a method call on
    a path every call takes); the next look at ``stats`` or the next offer then starts the
    call's own stats and forgets the last call's list mirrors (they would keep its lists
    alive). Kernels, regions and plans stay."""

    __slots__ = ("threshold", "min_trips", "fresh", "_numba", "_tier", "_stats")
    NEVER = NEVER
    LATER = LATER

    def __init__(self, threshold: int | None = None, numba: str | None = None):
        self.threshold, self.min_trips = entry_limits(threshold)
        self.fresh = False
        self._numba = numba
        self._tier = None
        self._stats = None  # empty stats, while no loop was offered

    def on_hot(self, chunk, header: int, regs: list, base: int = 0):
        if self.fresh:
            self._start_call()
        tier = self._tier
        if tier is None:
            from ilo.jit.tier import JitTier

            tier = self._tier = JitTier(self.threshold, self._numba)
        return tier.on_hot(chunk, header, regs, base)

    def _start_call(self) -> None:
        self.fresh = False
        self._stats = None
        if self._tier is not None:
            self._tier.new_call()

    @property
    def stats(self):
        if self.fresh:
            self._start_call()
        if self._tier is not None:
            return self._tier.stats
        if self._stats is None:
            from ilo.jit.stats import JitStats

            self._stats = JitStats()
        return self._stats
