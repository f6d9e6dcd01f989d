"""The HotLoop protocol: how a JIT tier attaches to the VM without the VM importing it.

This docstring is the one description of the protocol (``ilo/jit/VM_HOOK_CONTRACT.md`` is
the JIT side's summary of it). ``ilo.vm.run(cp, func, args, hooks=obj)`` runs hooked; what
the VM does depends on what ``obj`` offers.

Counting protocol (the JIT; ``counted`` mode, ``hotloops.py``)
---------------------------------------------------------------
``hooks`` has ``threshold`` (int) and ``on_hot``; optionally ``min_trips`` (int, default 0),
``NEVER`` and ``LATER`` (objects). The VM watches each loop itself and calls::

    answer = hooks.on_hot(chunk, header_pc, regs)

only when the loop is *hot* — it has run ``threshold`` iterations in total, over all its
entries and all runs of the same compiled program — and the current entry is worth it:

- ``@i a..b`` / ``@x xs``: an entry with at least ``min_trips`` trips adds its trip count
  to the loop's total (shorter entries can never be offered and are not counted). Once the
  total reaches ``threshold``, such an entry is offered at the back-edge's jump that starts
  iteration one; every other entry runs with plain handlers (no per-iteration cost).
- ``wh`` whose test is one numeric compare (``wh <i n``): the same, with the compare's gap
  ``|b - a|`` at entry as the estimate; the offer waits for iteration two, and the entry
  stays on the VM if the first iteration's progress shows far fewer trips (a halving loop).
  Once a kernel has run the loop, entries are offered at once.
- other ``wh`` loops: the VM counts taken back-edges and offers at the ``threshold``-th.

Arguments: ``chunk`` is the running ``Chunk`` (``code`` as ``(op, a, b, c)`` tuples,
``constants``, ``name``, ``loops``: ``LoopInfo`` records with ``body``/``test``/
``back_edge``/``exit``); ``header_pc`` is ``LoopInfo.body``, the first instruction of the
body (for ``@`` loops the loop variable of the coming iteration is already bound);
``regs[r]`` is register ``r`` of the running frame. Answers:

- an ``int``: the hook ran the loop (a kernel) and wrote back every register it changed,
  each holding a plain ilo value; the VM continues at that pc in this frame (the loop exit,
  or an instruction inside the loop a kernel could not run, which the VM then runs itself);
- ``None``: offer again at the next taken back-edge (e.g. scratch registers still nil);
- ``hooks.LATER``: not during this entry (too few iterations left, types not handled, a
  kernel not worth building yet); counted ``wh`` loops are offered again after another
  ``threshold`` back-edges;
- ``hooks.NEVER``: never again: the VM puts the loop's plain handlers back for good.

Hot functions (also ``counted`` mode, ``hotcalls.py``): the handler at pc 0 counts a
function's entries; at ``threshold`` it calls ``hooks.on_hot_call(program, chunk, code,
plain, R)`` when the hooks have it, and stores the entry handler it answers at ``code[0]``
(or ``LATER``: count again; ``NEVER``: ``plain`` back for good). While a hooked run is
active, ``hotloops.PROGRAM[0]`` is its ``CompiledProgram``.

Basic protocol (``hooked`` mode): hooks without ``threshold``/``on_hot`` get every taken
back-edge, ``resume = hooks.on_backedge(chunk, header_pc, regs)`` (``None`` or a pc,
as above). ``CountingHooks`` below uses it.

With ``hooks=None`` (plain mode) the VM decodes chunks without any of this: back-edges and
loop entries cost nothing extra. A run with a step/time budget and counting hooks runs in
``limited_hot`` mode (``machine._charged_hot``): loops are counted at their charged
back-edges and offered the same way; the tier's kernels charge the budget themselves.
"""

from __future__ import annotations

from typing import Protocol


class HotLoop(Protocol):
    def on_backedge(self, chunk, header_pc: int, regs: list) -> int | None: ...


class CountedHotLoop(Protocol):
    threshold: int
    min_trips: int
    NEVER: object
    LATER: object

    def on_hot(self, chunk, header_pc: int, regs: list) -> int | object | None: ...


class CountingHooks:
    """A minimal ``HotLoop`` that only counts back-edges per (function, header); used by tests
    and handy for profiling which loops are hot."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, int], int] = {}

    def on_backedge(self, chunk, header_pc: int, regs: list) -> int | None:
        key = (chunk.name, header_pc)
        self.counts[key] = self.counts.get(key, 0) + 1
        return None
