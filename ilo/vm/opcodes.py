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
    # What the instruction does, as data (the JIT's decoder and the VM's classifications
    # read these instead of parsing names): ``family`` groups opcodes one handler shape
    # serves (const move arith arithk neg not compare jump branch cjump loopprep loopnext
    # ret ...); ``operator`` is the arithmetic or comparison symbol (``+ - * / < <= > >= =
    # !=``) or the branch test (``falsy truthy nil notnil``); ``operand_types`` says what the
    # verifier proved about the operands (``NN`` two numbers, ``NK`` a number and a number
    # constant, ``SS`` texts, ``N`` a number and a constant, "" unknown); ``negated``: a
    # compare-and-jump that jumps when the comparison does not hold.
    family: str = ""
    operator: str = ""
    operand_types: str = ""
    negated: bool = False

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
_op("NOP", "- - -", "nothing", family="nop")
_op("LOADK", "r k -", "R[a] = K[b]", family="const")
_op("LOADNIL", "r - -", "R[a] = nil", family="const")
_op("MOVE", "r r -", "R[a] = R[b]", family="move")
_op("FAIL", "k - -", "raise the runtime error K[a] = (code, message)", ends_block=True, family="fail", jit_ok=False)

# ── arithmetic ──────────────────────────────────────────────────────────────
_op("ADD", "r r r", "R[a] = R[b] + R[c]  (n+n, t+t, L+L; in place when a == b and sole owner)",
    self_rebind=True, family="arith", operator="+")
_op("SUB", "r r r", "R[a] = R[b] - R[c]", family="arith", operator="-")
_op("MUL", "r r r", "R[a] = R[b] * R[c]", family="arith", operator="*")
_op("DIV", "r r r", "R[a] = R[b] / R[c]  (ILO-R003 when R[c] == 0)", family="arith", operator="/")
_op("ADD_NN", "r r r", "R[a] = R[b] + R[c]  (both numbers, proved by the verifier)",
    family="arith", operator="+", operand_types="NN")
_op("SUB_NN", "r r r", "R[a] = R[b] - R[c]  (numbers)", family="arith", operator="-", operand_types="NN")
_op("MUL_NN", "r r r", "R[a] = R[b] * R[c]  (numbers)", family="arith", operator="*", operand_types="NN")
_op("DIV_NN", "r r r", "R[a] = R[b] / R[c]  (numbers; ILO-R003 when R[c] == 0)",
    family="arith", operator="/", operand_types="NN")
_op("ADD_SS", "r r r", "R[a] = R[b] + R[c]  (texts; appends in place when a == b and sole owner)",
    self_rebind=True, family="arith", operator="+", operand_types="SS")
_op("ADDK_N", "r r k", "R[a] = R[b] + K[c]  (number plus number constant)",
    family="arithk", operator="+", operand_types="N")
_op("ADDK_SS", "r r k", "R[a] = R[b] + K[c]  (text plus text constant; appends in place when a == b and sole owner)",
    self_rebind=True, family="arithk", operator="+", operand_types="SS")
_op("SUBK_N", "r r k", "R[a] = R[b] - K[c]  (number minus number constant)",
    family="arithk", operator="-", operand_types="N")
_op("MULK_N", "r r k", "R[a] = R[b] * K[c]  (number times number constant)",
    family="arithk", operator="*", operand_types="N")
_op("DIVK_N", "r r k", "R[a] = R[b] / K[c]  (number over a non-zero number constant)",
    family="arithk", operator="/", operand_types="N")
_op("NEG", "r r -", "R[a] = -R[b]", family="neg")
_op("NOT", "r r -", "R[a] = not truthy(R[b])", family="not")

# ── comparisons to a value ──────────────────────────────────────────────────
_op("EQ", "r r r", "R[a] = R[b] == R[c]  (structural, never true across types)", family="compare", operator="=")
_op("NE", "r r r", "R[a] = R[b] != R[c]", family="compare", operator="!=")
_op("LT", "r r r", "R[a] = R[b] < R[c]  (n/n or t/t)", family="compare", operator="<")
_op("LE", "r r r", "R[a] = R[b] <= R[c]", family="compare", operator="<=")
_op("GT", "r r r", "R[a] = R[b] > R[c]", family="compare", operator=">")
_op("GE", "r r r", "R[a] = R[b] >= R[c]", family="compare", operator=">=")
_op("LT_NN", "r r r", "R[a] = R[b] < R[c]  (numbers)", family="compare", operator="<", operand_types="NN")
_op("LE_NN", "r r r", "R[a] = R[b] <= R[c]  (numbers)", family="compare", operator="<=", operand_types="NN")
_op("GT_NN", "r r r", "R[a] = R[b] > R[c]  (numbers)", family="compare", operator=">", operand_types="NN")
_op("GE_NN", "r r r", "R[a] = R[b] >= R[c]  (numbers)", family="compare", operator=">=", operand_types="NN")

# ── jumps ───────────────────────────────────────────────────────────────────
_op("JMP", "j - -", "pc = a", jump=True, ends_block=True, family="jump")
_op("JMPF", "r j -", "if not truthy(R[a]): pc = b", jump=True, family="branch", operator="falsy")
_op("JMPT", "r j -", "if truthy(R[a]): pc = b", jump=True, family="branch", operator="truthy")
_op("JMPNIL", "r j -", "if R[a] is nil: pc = b", jump=True, family="branch", operator="nil")
_op("JMPNN", "r j -", "if R[a] is not nil: pc = b", jump=True, family="branch", operator="notnil")

# Fused compare-and-jump on numbers the verifier proved: `J<cmp>` jumps when the comparison
# holds, `JN<cmp>` when it does not. `_NN` compares two registers, `_NK` a register with a
# number constant.
FUSED_COMPARES = {"LT": "<", "LE": "<=", "GT": ">", "GE": ">=", "EQ": "==", "NE": "!="}
for _cmp, _sym in FUSED_COMPARES.items():
    _ilo = {"==": "="}.get(_sym, _sym)  # ``operator`` is ilo's spelling, as for EQ/NE
    _op(f"J{_cmp}_NN", "r r j", f"if R[a] {_sym} R[b]: pc = c  (numbers)", jump=True,
        family="cjump", operator=_ilo, operand_types="NN")
    _op(f"JN{_cmp}_NN", "r r j", f"if not R[a] {_sym} R[b]: pc = c  (numbers)", jump=True,
        family="cjump", operator=_ilo, operand_types="NN", negated=True)
    _op(f"J{_cmp}_NK", "r k j", f"if R[a] {_sym} K[b]: pc = c  (numbers)", jump=True,
        family="cjump", operator=_ilo, operand_types="NK")
    _op(f"JN{_cmp}_NK", "r k j", f"if not R[a] {_sym} K[b]: pc = c  (numbers)", jump=True,
        family="cjump", operator=_ilo, operand_types="NK", negated=True)

# ── loops ───────────────────────────────────────────────────────────────────
_op("FORPREP", "r r j", "R[a] = iterator over list R[b] (ILO-R007 otherwise); pc = c",
    jump=True, ends_block=True, family="loopprep")
_op("FORNEXT", "r r j", "if R[b] has a next item v: R[a] = v; pc = c", jump=True, family="loopnext")
_op("RANGEPREP", "r rs j", "R[a] = trunc(R[b0]); R[a+1] = trunc(R[b1]) (ILO-R007 if not numbers); pc = c",
    jump=True, ends_block=True, family="loopprep")
_op("RANGENEXT", "r r j", "if R[b] < R[b+1]: R[a] = R[b]; R[b] += 1; pc = c", jump=True, family="loopnext")

# ── calls ───────────────────────────────────────────────────────────────────
_op("CALL", "r k rs", "R[a] = user function K[b](R[c0], R[c1], ...)", family="call")
_op("CALL_DYN", "r k rs", "R[a] = the function held in register K[b][0] (written K[b][1])(R[c0], ...)", family="call", jit_ok=False)
_op("CALL_BUILTIN", "r k rs", "R[a] = builtin K[b](R[c0], ...)  (the registry's implementation)", family="builtin")
_op("CALL_TOOL", "r k rs", "R[a] = tool K[b](R[c0], ...)  (declared tools answer ~nil)", family="call", jit_ok=False)
_op("RET", "r - -", "return R[a] to the caller", ends_block=True, family="ret")
_op("UNWRAP", "r r j", "~v: R[a] = v, pc = c;  other non-^e non-nil: R[a] = R[b], pc = c;"
    "  ^e or nil: falls through (the next instructions propagate R[b])", jump=True, family="result", jit_ok=False)
_op("PANIC", "r - -", "raise ILO-R026 for R[a] (^e or nil met by `f!! x`)", ends_block=True, family="fail", jit_ok=False)
_op("MKCLOSURE", "r k rs", "R[a] = function value K[b] with captured values (R[c0], R[c1], ...)", family="call", jit_ok=False)

# ── results and match tests ─────────────────────────────────────────────────
_op("MKOK", "r r -", "R[a] = ~R[b]", family="result", jit_ok=False)
_op("MKERR", "r r -", "R[a] = ^R[b]", family="result", jit_ok=False)
_op("PAYLOAD", "r r -", "R[a] = the value inside the result R[b]", family="result", jit_ok=False)
_op("JNTYPE", "r k j", "if R[a] is not of kind K[b] (ok err n t b l never): pc = c", jump=True, family="match", jit_ok=False)
_op("JNEQK", "r k j", "if R[a] != K[b] (ilo equality): pc = c", jump=True, family="match", jit_ok=False)

# ── lists, maps, records ────────────────────────────────────────────────────
_op("NEWLIST", "r - rs", "R[a] = [R[c0], R[c1], ...]", family="newlist")
_op("LISTAPPEND", "r r r", "R[a] = R[b] with R[c] appended (in place when a == b and sole owner)",
    self_rebind=True, family="listappend")
_op("INDEX", "r r i", "R[a] = R[b][c]  (ILO-R006 past the end)", family="index")
_op("MSET", "r r rs", "R[a] = R[b] with key R[c0] set to R[c1] (in place when a == b and sole owner)",
    self_rebind=True, family="mset")
_op("NEWREC", "r k fs", "R[a] = record K[b] {name: R[reg] for name, reg in c}", family="newrec")
_op("FIELD", "r r k", "R[a] = R[b].K[c]  (ILO-R005 when missing)", family="field")
_op("FIELD_SAFE", "r r k", "R[a] = R[b].?K[c]  (nil when R[b] is nil, not a record, or has no such field)", family="field", jit_ok=False)
_op("WITH", "r r fs", "R[a] = copy of record R[b] with {name: R[reg] for name, reg in c}", family="record", jit_ok=False)


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
