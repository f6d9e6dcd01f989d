"""Compiled code: one ``Chunk`` per ilo function, gathered in a ``CompiledProgram``.

Produced by ``ilo.vm.compiler``; read by the machine, the disassembler and the JIT tier.
A chunk holds the instructions as plain ``(op, a, b, c)`` tuples (see ``opcodes.py``), the
constant pool, one source span per instruction (runtime errors point at it), the register
count, the registers' variable names (for listings) and the loops found while compiling
(for the JIT's region finder and the disassembler's loop markers).

Chunks are data: the machine keeps its pre-decoded handlers in ``Chunk.decoded`` (a cache it
owns), so compiling never depends on how the machine dispatches. The JIT keeps its state in
a side table of its own (``ilo.jit.state``), never on the chunk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ilo.source import Source, Span


@dataclass(slots=True)
class LoopInfo:
    """A loop of a chunk, with the loop inverted (the test sits at the bottom).

    ``body``: first pc of the body (the target of the back-edge); ``test``: first pc of the
    test (``cnt`` jumps here, and so does the initial entry); ``back_edge``: pc of the
    conditional backward jump; ``exit``: first pc after the loop (``brk`` jumps here).
    ``kind``: ``"while"``, ``"range"`` or ``"foreach"``.
    """

    kind: str
    body: int
    test: int
    back_edge: int
    exit: int


# eq=False: a chunk is identified by the object (hashable, weakly referable), so the JIT can
# keep its own per-chunk state in a side table that dies with the chunk
@dataclass(slots=True, eq=False, weakref_slot=True)
class Chunk:
    name: str
    params: list[str]
    code: list[tuple] = field(default_factory=list)
    constants: list = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    nregs: int = 0
    reg_names: dict[int, str] = field(default_factory=dict)
    loops: list[LoopInfo] = field(default_factory=list)
    # Owned by the machine: pre-decoded handler lists, keyed by dispatch mode.
    decoded: dict = field(default_factory=dict, repr=False)

    @property
    def nparams(self) -> int:
        return len(self.params)


@dataclass(slots=True)
class CompiledProgram:
    chunks: dict[str, Chunk]
    source: Source | None = None
    records: dict[str, tuple[str, ...]] = field(default_factory=dict)  # type name → field order
    tools: frozenset[str] = frozenset()

    def chunk(self, name: str) -> Chunk:
        return self.chunks[name]
