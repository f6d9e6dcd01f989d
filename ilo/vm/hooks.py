"""The HotLoop protocol: how a JIT tier attaches to the VM without the VM importing it.

``ilo.vm.run(cp, func, args, hooks=obj)`` runs in *hooked* mode: every backward jump (a loop
back-edge; loops are compiled with the test at the bottom, see ``compile_stmts``) is wrapped
so that, when the jump is taken, the VM first calls::

    resume = hooks.on_backedge(chunk, header_pc, regs, base)

- ``chunk``: the running ``Chunk`` (``code`` as ``(op, a, b, c)`` tuples, ``constants``,
  ``name``, ``loops``: ``LoopInfo`` records with ``body``/``test``/``back_edge``/``exit``);
- ``header_pc``: the jump's target, the first instruction of the loop body. For ``@`` loops
  the FORNEXT/RANGENEXT back-edge has already bound the loop variable for the coming
  iteration;
- ``regs``: the frame's register list (``regs[base + r]`` is register ``r``; ``base`` is 0);
- return ``None`` to let the VM jump to ``header_pc`` as usual, or the pc at which the VM must
  continue in this frame after the hook ran the loop itself and wrote back every register it
  changed (each holding a plain ilo value).

Counting protocol (cheaper for loops that never get hot): if ``hooks`` has an int
``threshold`` and a method ``on_hot`` (same arguments and result as ``on_backedge``), the VM
counts taken back-edges per loop itself (the count lives with the decoded code, so it carries
over between calls) and calls ``on_hot`` only once the count reaches ``threshold``. If
``on_hot`` returns ``hooks.NEVER``, the VM stops offering that loop.

With ``hooks=None`` the VM decodes chunks without the wrappers, so back-edges cost nothing.
"""

from __future__ import annotations

from typing import Protocol


class HotLoop(Protocol):
    def on_backedge(self, chunk, header_pc: int, regs: list, base: int) -> int | None: ...


class CountedHotLoop(Protocol):
    threshold: int
    NEVER: object

    def on_hot(self, chunk, header_pc: int, regs: list, base: int) -> int | object | None: ...


class CountingHooks:
    """A minimal ``HotLoop`` that only counts back-edges per (function, header); used by tests
    and handy for profiling which loops are hot."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, int], int] = {}

    def on_backedge(self, chunk, header_pc: int, regs: list, base: int) -> int | None:
        key = (chunk.name, header_pc)
        self.counts[key] = self.counts.get(key, 0) + 1
        return None
