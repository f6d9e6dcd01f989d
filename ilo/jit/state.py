"""The JIT's own per-chunk state, in a side table keyed on the chunk (the VM's ``Chunk`` is
the compiler's and the machine's; the JIT never stores anything on it).

Entries die with their chunk (a ``WeakKeyDictionary``), so a program that is dropped takes
its decoded instructions, regions, kernels and cost accounts with it. Light: importing this
module imports nothing else of the JIT (``costs.worth_planning`` reads it before the tier
exists).
"""

from __future__ import annotations

from weakref import WeakKeyDictionary


class ChunkState:
    """What the JIT knows about one chunk, shared by every tier of the process."""

    __slots__ = ("ins", "fn_ins", "loops", "saved", "fn_declined", "fn_saved")

    def __init__(self) -> None:
        self.ins = None  # ``ops.decode``: one ``Ins`` per pc
        self.fn_ins = None  # ``fnkernels.decode``: the same with calls and records decoded
        self.loops: dict = {}  # loop header -> tier._Loop, or why it never gets a kernel (text)
        self.saved: dict = {}  # loop header -> seconds earlier entries would have saved (not planned yet)
        self.fn_declined: dict = {}  # argument types -> why the function kernel was declined
        self.fn_saved = 0.0  # seconds the function's calls would have saved while not built


_STATE: WeakKeyDictionary = WeakKeyDictionary()


def of(chunk) -> ChunkState:
    found = _STATE.get(chunk)
    if found is None:
        found = _STATE[chunk] = ChunkState()
    return found
