"""THE opcode table of the register VM: every opcode is defined here, once.

Each entry gives the opcode number, its name, the kind of each operand ``a b c``, its
register equation (shown by the disassembler), and flags:

- ``jump``: the instruction may transfer control to the pc held in its ``j`` operand;
- ``self_rebind``: when ``a == b`` the instruction is a self-rebind (``m=mset m k v``,
  ``xs=+=xs v``, ``s=+s t``) and mutates the container in place if it has no other owner;
- ``jit_ok``: the JIT tier may translate the instruction into a kernel (a hint: the JIT
  keeps its own per-name tables and declines whatever it does not know);
- ``ends_block``: control never falls through to the next instruction.

Operand kinds: ``r`` register, ``k`` constant-pool index, ``j`` absolute jump target,
``i`` small integer immediate, ``rs`` tuple of registers, ``fs`` tuple of
``(field name, register)`` pairs, ``-`` unused (0).

An instruction is the plain tuple ``(op, a, b, c)``. The machine (``machine.py``) turns each
one into a pre-decoded handler once per chunk, through the factory registered for its name;
``tests/unit/test_vm_opcodes.py`` checks that every opcode here has a handler factory, a
disassembly format and a JIT verdict. Nothing else in the VM spells opcode numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

OPERAND_KINDS = ("r", "k", "j", "i", "rs", "fs", "-")


@dataclass(frozen=True, slots=True)
class OpInfo:
    num: int
    name: str
    operands: tuple[str, str, str]
    equation: str
    jump: bool = False
    self_rebind: bool = False
    jit_ok: bool = True
    ends_block: bool = False

    def jump_operand(self) -> int | None:
        """Index (0, 1 or 2) of the operand holding the jump target, or None."""
        for i, kind in enumerate(self.operands):
            if kind == "j":
                return i
        return None


_SPECS: list[tuple] = []


def _op(name: str, operands: str, equation: str, **flags) -> None:
    kinds = tuple(operands.split())
    assert len(kinds) == 3 and all(k in OPERAND_KINDS for k in kinds), name
    _SPECS.append((name, kinds, equation, flags))


# ── moves and constants ─────────────────────────────────────────────────────
_op("NOP", "- - -", "nothing")
_op("LOADK", "r k -", "R[a] = K[b]")
_op("LOADNIL", "r - -", "R[a] = nil")
_op("MOVE", "r r -", "R[a] = R[b]")
_op("FAIL", "k - -", "raise the runtime error K[a] = (code, message)", ends_block=True, jit_ok=False)

# ── arithmetic ──────────────────────────────────────────────────────────────
_op("ADD", "r r r", "R[a] = R[b] + R[c]  (n+n, t+t, L+L; in place when a == b and sole owner)",
    self_rebind=True)
_op("SUB", "r r r", "R[a] = R[b] - R[c]")
_op("MUL", "r r r", "R[a] = R[b] * R[c]")
_op("DIV", "r r r", "R[a] = R[b] / R[c]  (ILO-R003 when R[c] == 0)")
_op("ADD_NN", "r r r", "R[a] = R[b] + R[c]  (both numbers, proved by the verifier)")
_op("SUB_NN", "r r r", "R[a] = R[b] - R[c]  (numbers)")
_op("MUL_NN", "r r r", "R[a] = R[b] * R[c]  (numbers)")
_op("DIV_NN", "r r r", "R[a] = R[b] / R[c]  (numbers; ILO-R003 when R[c] == 0)")
_op("ADD_SS", "r r r", "R[a] = R[b] + R[c]  (texts; appends in place when a == b and sole owner)",
    self_rebind=True)
_op("ADDK_N", "r r k", "R[a] = R[b] + K[c]  (number plus number constant)")
_op("ADDK_SS", "r r k", "R[a] = R[b] + K[c]  (text plus text constant; appends in place when a == b and sole owner)",
    self_rebind=True)
_op("SUBK_N", "r r k", "R[a] = R[b] - K[c]  (number minus number constant)")
_op("MULK_N", "r r k", "R[a] = R[b] * K[c]  (number times number constant)")
_op("DIVK_N", "r r k", "R[a] = R[b] / K[c]  (number over a non-zero number constant)")
_op("NEG", "r r -", "R[a] = -R[b]")
_op("NOT", "r r -", "R[a] = not truthy(R[b])")

# ── comparisons to a value ──────────────────────────────────────────────────
_op("EQ", "r r r", "R[a] = R[b] == R[c]  (structural, never true across types)")
_op("NE", "r r r", "R[a] = R[b] != R[c]")
_op("LT", "r r r", "R[a] = R[b] < R[c]  (n/n or t/t)")
_op("LE", "r r r", "R[a] = R[b] <= R[c]")
_op("GT", "r r r", "R[a] = R[b] > R[c]")
_op("GE", "r r r", "R[a] = R[b] >= R[c]")
_op("LT_NN", "r r r", "R[a] = R[b] < R[c]  (numbers)")
_op("LE_NN", "r r r", "R[a] = R[b] <= R[c]  (numbers)")
_op("GT_NN", "r r r", "R[a] = R[b] > R[c]  (numbers)")
_op("GE_NN", "r r r", "R[a] = R[b] >= R[c]  (numbers)")

# ── jumps ───────────────────────────────────────────────────────────────────
_op("JMP", "j - -", "pc = a", jump=True, ends_block=True)
_op("JMPF", "r j -", "if not truthy(R[a]): pc = b", jump=True)
_op("JMPT", "r j -", "if truthy(R[a]): pc = b", jump=True)
_op("JMPNIL", "r j -", "if R[a] is nil: pc = b", jump=True)
_op("JMPNN", "r j -", "if R[a] is not nil: pc = b", jump=True)

# Fused compare-and-jump on numbers the verifier proved: `J<cmp>` jumps when the comparison
# holds, `JN<cmp>` when it does not. `_NN` compares two registers, `_NK` a register with a
# number constant.
FUSED_COMPARES = {"LT": "<", "LE": "<=", "GT": ">", "GE": ">=", "EQ": "==", "NE": "!="}
for _cmp, _sym in FUSED_COMPARES.items():
    _op(f"J{_cmp}_NN", "r r j", f"if R[a] {_sym} R[b]: pc = c  (numbers)", jump=True)
    _op(f"JN{_cmp}_NN", "r r j", f"if not R[a] {_sym} R[b]: pc = c  (numbers)", jump=True)
    _op(f"J{_cmp}_NK", "r k j", f"if R[a] {_sym} K[b]: pc = c  (numbers)", jump=True)
    _op(f"JN{_cmp}_NK", "r k j", f"if not R[a] {_sym} K[b]: pc = c  (numbers)", jump=True)

# ── loops ───────────────────────────────────────────────────────────────────
_op("FORPREP", "r r j", "R[a] = iterator over list R[b] (ILO-R007 otherwise); pc = c",
    jump=True, ends_block=True, jit_ok=True)
_op("FORNEXT", "r r j", "if R[b] has a next item v: R[a] = v; pc = c", jump=True)
_op("RANGEPREP", "r rs j", "R[a] = trunc(R[b0]); R[a+1] = trunc(R[b1]) (ILO-R007 if not numbers); pc = c",
    jump=True, ends_block=True)
_op("RANGENEXT", "r r j", "if R[b] < R[b+1]: R[a] = R[b]; R[b] += 1; pc = c", jump=True)

# ── calls ───────────────────────────────────────────────────────────────────
_op("CALL", "r k rs", "R[a] = user function K[b](R[c0], R[c1], ...)", jit_ok=False)
_op("CALL_DYN", "r k rs", "R[a] = the function held in register K[b][0] (written K[b][1])(R[c0], ...)",
    jit_ok=False)
_op("CALL_BUILTIN", "r k rs", "R[a] = builtin K[b](R[c0], ...)  (the registry's implementation)",
    jit_ok=False)
_op("CALL_TOOL", "r k rs", "R[a] = tool K[b](R[c0], ...)  (declared tools answer ~nil)", jit_ok=False)
_op("RET", "r - -", "return R[a] to the caller", ends_block=True, jit_ok=False)
_op("UNWRAP", "r r j", "~v: R[a] = v, pc = c;  other non-^e non-nil: R[a] = R[b], pc = c;"
    "  ^e or nil: falls through (the next instructions propagate R[b])", jump=True)
_op("PANIC", "r - -", "raise ILO-R026 for R[a] (^e or nil met by `f!! x`)", ends_block=True, jit_ok=False)
_op("MKCLOSURE", "r k rs", "R[a] = function value K[b] with captured values (R[c0], R[c1], ...)",
    jit_ok=False)

# ── results and match tests ─────────────────────────────────────────────────
_op("MKOK", "r r -", "R[a] = ~R[b]")
_op("MKERR", "r r -", "R[a] = ^R[b]")
_op("PAYLOAD", "r r -", "R[a] = the value inside the result R[b]")
_op("JNTYPE", "r k j", "if R[a] is not of kind K[b] (ok err n t b l never): pc = c", jump=True)
_op("JNEQK", "r k j", "if R[a] != K[b] (ilo equality): pc = c", jump=True)

# ── lists, maps, records ────────────────────────────────────────────────────
_op("NEWLIST", "r - rs", "R[a] = [R[c0], R[c1], ...]")
_op("LISTAPPEND", "r r r", "R[a] = R[b] with R[c] appended (in place when a == b and sole owner)",
    self_rebind=True)
_op("INDEX", "r r i", "R[a] = R[b][c]  (ILO-R006 past the end)")
_op("MSET", "r r rs", "R[a] = R[b] with key R[c0] set to R[c1] (in place when a == b and sole owner)",
    self_rebind=True)
_op("NEWREC", "r k fs", "R[a] = record K[b] {name: R[reg] for name, reg in c}")
_op("FIELD", "r r k", "R[a] = R[b].K[c]  (ILO-R005 when missing)")
_op("FIELD_SAFE", "r r k", "R[a] = R[b].?K[c]  (nil when R[b] is nil, not a record, or has no such field)",
    jit_ok=False)
_op("WITH", "r r fs", "R[a] = copy of record R[b] with {name: R[reg] for name, reg in c}")


OPCODES: list[OpInfo] = [
    OpInfo(num, name, kinds, equation, **flags) for num, (name, kinds, equation, flags) in enumerate(_SPECS)
]
BY_NAME: dict[str, OpInfo] = {info.name: info for info in OPCODES}


class _Numbers:
    """``Op.ADD`` etc.: the opcode numbers as attributes (so compiler code reads naturally)."""

    def __init__(self) -> None:
        for info in OPCODES:
            setattr(self, info.name, info.num)


Op = _Numbers()


def name_of(op: int) -> str:
    return OPCODES[op].name


def jump_target(ins: tuple) -> int | None:
    """The jump target of instruction ``ins``, or None if it does not jump."""
    idx = OPCODES[ins[0]].jump_operand()
    return None if idx is None else ins[1 + idx]


def with_jump_target(ins: tuple, target: int) -> tuple:
    idx = OPCODES[ins[0]].jump_operand()
    assert idx is not None, ins
    parts = list(ins)
    parts[1 + idx] = target
    return tuple(parts)
