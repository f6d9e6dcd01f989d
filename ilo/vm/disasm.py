"""Chunk → human-readable listing (``ilo --dis``, traces and test failure messages).

In: a ``CompiledProgram`` or one ``Chunk``. Out: text, one line per instruction::

    fib (n) regs=5
      0000  JNLE_NK     r0 K0(1) @3            if not R[a] <= K[b]: pc = c  (numbers)
          ...

Operands print by kind (``opcodes.OPERAND_KINDS``): registers as ``r3`` (with the variable
name when one is known), constants as ``K2(value)``, jump targets as ``@12``. Loop headers and
back-edges are marked from ``Chunk.loops``. The equation column comes straight from the
opcode table.
"""

from __future__ import annotations

from ilo.runtime.format import format_value
from ilo.vm.chunk import Chunk, CompiledProgram
from ilo.vm.opcodes import OPCODES


def _reg(chunk: Chunk, r: int) -> str:
    name = chunk.reg_names.get(r)
    return f"r{r}" if name is None else f"r{r}:{name}"


def _const(chunk: Chunk, k: int) -> str:
    value = chunk.constants[k]
    if isinstance(value, str):
        shown = repr(value)
    elif isinstance(value, tuple):
        shown = ",".join(str(x) for x in value)
    else:
        shown = format_value(value)
    if len(shown) > 24:
        shown = shown[:21] + "..."
    return f"K{k}({shown})"


def format_operand(chunk: Chunk, kind: str, value) -> str | None:
    if kind == "-":
        return None
    if kind == "r":
        return _reg(chunk, value)
    if kind == "k":
        return _const(chunk, value)
    if kind == "j":
        return f"@{value}"
    if kind == "i":
        return str(value)
    if kind == "rs":
        return "(" + ", ".join(_reg(chunk, r) for r in value) + ")"
    if kind == "fs":
        return "{" + ", ".join(f"{name}={_reg(chunk, r)}" for name, r in value) + "}"
    raise ValueError(f"unknown operand kind {kind!r}")


def format_instruction(chunk: Chunk, pc: int, with_equation: bool = True) -> str:
    op, a, b, c = chunk.code[pc]
    info = OPCODES[op]
    parts = [format_operand(chunk, kind, v) for kind, v in zip(info.operands, (a, b, c))]
    text = f"{info.name:<12} " + " ".join(p for p in parts if p is not None)
    if with_equation:
        text = f"{text:<44} {info.equation}"
    return text.rstrip()


def disassemble_chunk(chunk: Chunk, with_equation: bool = True) -> str:
    headers = {loop.body: loop.kind for loop in chunk.loops}
    back_edges = {loop.back_edge for loop in chunk.loops}
    lines = [f"{chunk.name} ({' '.join(chunk.params)}) regs={chunk.nregs}"]
    for pc in range(len(chunk.code)):
        mark = "L>" if pc in headers else ("<-" if pc in back_edges else "  ")
        lines.append(f"  {pc:04d} {mark} {format_instruction(chunk, pc, with_equation)}")
    return "\n".join(lines)


def disassemble(cp: CompiledProgram | Chunk, with_equation: bool = True) -> str:
    if isinstance(cp, Chunk):
        return disassemble_chunk(cp, with_equation)
    return "\n\n".join(disassemble_chunk(ch, with_equation) for ch in cp.chunks.values()) + "\n"
