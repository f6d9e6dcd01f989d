"""A loop region of a chunk: the instructions between a loop header and its back-edge.

In: a ``Chunk`` from ``ilo.vm.chunk`` (decoded to ``Ins`` by ``ops.decode``), a header pc
and the pc of the backward jump to it. Out: a ``Region`` — its instructions, the registers
it reads and writes, the pcs it can exit to, and a fingerprint that identifies the loop's
bytecode for the kernel cache — or a ``FallbackReason``.

The JIT works on ``Ins``, a normalised instruction (kind + operands), so the rest of the
JIT never depends on the VM's encoding; ``ops.py`` is the one place that maps VM opcodes
to kinds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class K:
    """A constant operand (the VM's ``*K`` forms): renders as a literal in kernels."""

    value: object


@dataclass(slots=True)
class Ins:
    """One normalised instruction.

    kind: const move arith cmp not neg jump branch ret len index listappend mset mget
    mhas builtin foreach opaque. ``srcs`` are register numbers or ``K`` constants.
    ``op`` is the operator for arith/cmp (``+ - * / mod``, ``< <= > >= = !=``), the test for
    branch (``falsy truthy nil notnil``) or the builtin name.
    """

    pc: int
    kind: str
    dst: int | None = None
    srcs: tuple = ()
    op: str = ""
    value: object = None
    target: int | None = None
    name: str = ""  # the VM's opcode name, for messages
    dst2: int | None = None  # second register written (RANGEPREP limit, RANGENEXT counter)

    @property
    def reads(self) -> tuple:
        return tuple(s for s in self.srcs if isinstance(s, int))

    @property
    def dsts(self) -> tuple:
        return tuple(d for d in (self.dst, self.dst2) if d is not None)

    def is_jump(self) -> bool:
        return self.target is not None


class FallbackReason(Exception):
    """Why a loop stays on the VM. Raised inside the JIT, recorded in stats."""


@dataclass
class Region:
    """Loop pcs ``header`` (first body pc) .. ``backedge``; loops are inverted by the VM
    compiler: the body, then the test at ``test``, then a conditional back-edge."""

    function: str
    header: int
    test: int
    backedge: int
    code: list  # Ins for pcs header..backedge, indexed by pc - header
    reads: tuple = ()
    writes: tuple = ()
    exits: tuple = ()
    fingerprint: str = ""
    inner: dict = field(default_factory=dict)  # inner loop's test pc -> (body, test, backedge)
    temps: tuple = ()  # registers whose first use in pc order is a write (scratch values)
    # loop regions: registers no path from an exit of the loop reads before writing them
    # (the VM never looks at them again once a kernel leaves); None: not worked out
    dead_at_exits: frozenset | None = None

    @property
    def exit(self) -> int:
        return self.backedge + 1

    def at(self, pc: int) -> Ins:
        return self.code[pc - self.header]

    def contains(self, pc: int) -> bool:
        return self.header <= pc <= self.backedge


def find_region(function: str, code: list, loop, loops=()) -> Region:
    """Cut ``loop`` (a ``LoopInfo``) out of ``code`` (a list of ``Ins``)."""
    header, test, backedge = loop.body, loop.test, loop.back_edge
    if not (0 <= header <= test <= backedge < len(code)):
        raise FallbackReason(f"bad loop bounds {header}..{backedge}")
    body = code[header: backedge + 1]
    reads, writes, exits = [], [], []
    for ins in body:
        if ins.kind == "opaque":
            raise FallbackReason(f"{ins.name} at pc {ins.pc} has no kernel form")
        for r in ins.reads:
            if r not in reads:
                reads.append(r)
        for d in ins.dsts:
            if d not in writes:
                writes.append(d)
        if ins.kind == "ret":
            exits.append(ins.pc)
        if ins.is_jump() and not (header <= ins.target <= backedge) and ins.target not in exits:
            exits.append(ins.target)
    if body[-1].target != header:
        raise FallbackReason("the loop's back-edge does not jump to the loop body")
    inner = {}
    for other in loops:
        if header <= other.body and other.back_edge < backedge:
            inner[other.test] = (other.body, other.test, other.back_edge)
    seen, temps = set(), []
    for ins in body:
        for r in ins.reads:
            seen.add(r)
        for d in ins.dsts:
            if d not in seen:
                temps.append(d)
            seen.add(d)
    dead = _dead_at_exits(code, [backedge + 1, *exits])
    # what the kernel may leave unwritten depends on the code after the loop too
    shape = [[_shape(i, header) for i in body], sorted(dead)]
    digest = hashlib.sha256(repr(shape).encode()).hexdigest()[:16]
    return Region(function, header, test, backedge, body, tuple(reads), tuple(writes), tuple(exits),
                  digest, inner, tuple(temps), dead)


# instructions that never fall through to the next pc (``infer.UNCONDITIONAL``, which
# imports this module)
_NO_FALLTHROUGH = frozenset({"jump", "rangeprep", "forprep", "ret"})
_LIVENESS_ROUNDS = 64


def _dead_at_exits(code: list, exits: list) -> frozenset:
    """Registers of the chunk ``code`` that are read on no path from any pc of ``exits``
    before being written (liveness, backwards to a fixed point). An instruction this table
    does not know (``opaque``) counts as reading every register; no fixed point in
    ``_LIVENESS_ROUNDS`` rounds: nothing is dead."""
    n = len(code)
    every = frozenset(r for ins in code for r in (*ins.reads, *ins.dsts))
    live = [frozenset()] * (n + 1)
    for _ in range(_LIVENESS_ROUNDS):
        changed = False
        for pc in range(n - 1, -1, -1):
            ins = code[pc]
            if ins.kind == "opaque":
                now = every
            else:
                after = live[pc + 1] if ins.kind not in _NO_FALLTHROUGH else frozenset()
                if ins.target is not None and 0 <= ins.target < n and ins.kind != "ret":
                    after = after | live[ins.target]
                now = frozenset(ins.reads) | (after - set(ins.dsts))
            if now != live[pc]:
                live[pc] = now
                changed = True
        if not changed:
            break
    else:
        return frozenset()
    seen = frozenset().union(*(live[e] for e in exits if 0 <= e < n))
    return every - seen


def _shape(ins: Ins, header: int) -> tuple:
    """Everything about an instruction that the kernel depends on, position-independent."""
    srcs = tuple(("k", type(s.value).__name__, repr(s.value)) if isinstance(s, K) else s for s in ins.srcs)
    target = None if ins.target is None else ins.target - header
    return (ins.kind, ins.dst, ins.dst2, srcs, ins.op, repr(ins.value), target, ins.pc - header)
