"""Control-flow bookkeeping of the bytecode compiler: jump labels and where body endings go.

In: nothing but the compiler's own choices. Out: ``Label`` (a position patched in once the
code after it is placed), ``Exit`` and ``Ctx`` (which construct absorbs a return, break or
continue) and ``FUNCTION_CTX``. A leaf module, imported by ``compiler``, ``compile_exprs``
and ``compile_stmts`` so that none of them needs another.

Control flow follows the tree interpreter's body results (``ilo.interp.signals``): a body
completes with its last value, or ends with return / break / continue. A function returns;
a ternary branch and a match expression arm turn a return into their value; loops take
break and continue.
"""

from __future__ import annotations

from dataclasses import dataclass


class Label:
    __slots__ = ("pc",)

    def __init__(self) -> None:
        self.pc: int | None = None


@dataclass(frozen=True, slots=True)
class Exit:
    """Where one kind of body ending goes.

    ``kind``: ``"ret"`` (RET from the function), ``"absorb"`` (move the value into ``dst``
    and jump to ``label``: ternary branches, match-expression arms), ``"nil"`` (``dst`` = nil,
    jump to ``label``), ``"loop"`` (break: move the value into the loop's ``dst`` if it is
    live, jump to ``label``; continue: jump to ``label``), ``"retnil"`` (return nil: ``cnt``
    outside any loop).
    """

    kind: str
    dst: int | None = None
    label: Label | None = None


@dataclass(frozen=True, slots=True)
class Ctx:
    ret: Exit
    brk: Exit
    cnt: Exit


FUNCTION_CTX = Ctx(Exit("ret"), Exit("ret"), Exit("retnil"))

__all__ = ["Label", "Exit", "Ctx", "FUNCTION_CTX"]
