"""Step and time budgets that stop a runaway program with ``ILO-R015`` on every engine.

In: ``max_steps`` (a count of *steps*: loop iterations and function calls) and/or
``timeout`` (seconds of wall-clock time). Out: a ``Budget`` that engines charge at loop
back-edges and function entries. Counting only those two events keeps the hot path to one
decrement and one compare; every program that runs forever must take one of them forever.

Engines hold ``budget.left`` in a one-element list they decrement themselves and call
``budget.exhausted()`` when it drops below zero. That call either grants a fresh slice
(so a timeout is checked every ``SLICE`` steps, never on every step) or raises.

JIT kernels charge the same steps (each iteration of each loop, each call of a function
kernel) to ``left[0]`` and leave the kernel before it would drop below zero, so the VM
takes that step itself and raises at the same place with the same message (``top_up``
gives them longer slices under a timeout).
"""

from __future__ import annotations

import math
import time

from ilo.runtime.errors import IloRuntimeError

SLICE = 1024  # steps between two looks at the clock when a timeout is set
# Steps a compiled kernel may take between two looks at the clock (``top_up``): entering a
# kernel costs microseconds, so a kernel stopped every SLICE steps would run at VM speed.
KERNEL_SLICE = 1 << 16


class Budget:
    __slots__ = ("max_steps", "timeout", "deadline", "remaining", "left")

    def __init__(self, max_steps: int | None = None, timeout: float | None = None):
        if max_steps is not None and max_steps < 0:
            raise ValueError("max_steps must be >= 0")
        if timeout is not None and not timeout > 0:
            raise ValueError("timeout must be > 0 seconds")
        self.max_steps = max_steps
        self.timeout = timeout
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.remaining = math.inf if max_steps is None else max_steps
        self.left = [0]  # the engines' countdown; `exhausted` refills it
        self._grant(0)

    @property
    def active(self) -> bool:
        return self.max_steps is not None or self.timeout is not None

    def _grant(self, taking: int) -> None:
        grant = min(SLICE if self.deadline is not None else math.inf, self.remaining)
        self.remaining -= grant
        self.left[0] = int(min(grant, 2**62)) - taking

    def exhausted(self) -> None:
        """Called by an engine when ``left[0]`` went below zero while taking one step."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise self.time_out()
        if self.remaining <= 0:
            raise IloRuntimeError(
                "ILO-R015", f"step limit exceeded: more than {self.max_steps} steps (loop iterations and calls)"
            )
        self._grant(1)

    def time_out(self) -> IloRuntimeError:
        return IloRuntimeError("ILO-R015", f"time limit exceeded: the program ran longer than {self.timeout:g} s")

    def top_up(self, steps: int = KERNEL_SLICE) -> None:
        """Before a JIT kernel runs: look at the clock, then let the countdown cover up to
        ``steps`` steps. Kernels charge ``left[0]`` themselves and stop before it would go
        below zero, so the engine charging the next step calls ``exhausted`` as usual. Without
        a timeout the countdown already holds every step left."""
        if self.deadline is None:
            return
        if time.monotonic() > self.deadline:
            raise self.time_out()
        left = self.left
        extra = min(steps - left[0], self.remaining)
        if extra > 0:
            self.remaining -= extra
            left[0] += int(extra)


UNLIMITED = Budget()
