"""The opcode table is complete and consistent, and everything derived from it covers it."""

from __future__ import annotations

from ilo.vm import handlers, handlers_data  # noqa: F401  (registers the data/call factories)
from ilo.vm.chunk import Chunk
from ilo.vm.disasm import format_instruction
from ilo.vm.opcodes import BY_NAME, OPCODES, OPERAND_KINDS, Op, jump_target, name_of, with_jump_target


def test_numbers_are_dense_and_names_unique():
    assert [info.num for info in OPCODES] == list(range(len(OPCODES)))
    assert len(BY_NAME) == len(OPCODES)
    for info in OPCODES:
        assert getattr(Op, info.name) == info.num
        assert name_of(info.num) == info.name
        assert info.name == info.name.upper()


def test_every_opcode_has_a_handler_factory():
    missing = [info.name for info in OPCODES if info.name not in handlers.FACTORIES]
    assert not missing
    assert set(handlers.FACTORIES) == set(BY_NAME)


def test_every_opcode_has_an_equation_operand_kinds_and_a_jit_verdict():
    for info in OPCODES:
        assert info.equation.strip(), info.name
        assert len(info.operands) == 3 and all(k in OPERAND_KINDS for k in info.operands)
        assert isinstance(info.jit_ok, bool)


def test_jump_flag_matches_a_single_jump_operand():
    for info in OPCODES:
        jumps = [k for k in info.operands if k == "j"]
        assert (len(jumps) == 1) == info.jump, info.name


def test_self_rebind_opcodes():
    assert {info.name for info in OPCODES if info.self_rebind} == {"ADD", "ADD_SS", "ADDK_SS", "LISTAPPEND", "MSET"}


def test_every_opcode_disassembles():
    samples = {"r": 0, "k": 0, "j": 7, "i": 2, "rs": (0, 1), "fs": (("x", 0),), "-": 0}
    chunk = Chunk("f", ["a"], constants=[1.0], reg_names={0: "a"})
    for info in OPCODES:
        operands = tuple(samples[k] for k in info.operands)
        chunk.code = [(info.num, *operands)]
        text = format_instruction(chunk, 0)
        assert text.startswith(info.name)
        if info.jump:
            assert "@7" in text


def test_jump_target_helpers():
    ins = (Op.JLT_NN, 1, 2, 5)
    assert jump_target(ins) == 5
    assert with_jump_target(ins, 9) == (Op.JLT_NN, 1, 2, 9)
    assert jump_target((Op.JMP, 3, 0, 0)) == 3
    assert jump_target((Op.MOVE, 1, 2, 0)) is None


def test_jit_ok_says_exactly_which_opcodes_the_jit_decodes():
    """``OpInfo.jit_ok`` against the JIT's own decoder (loops and function kernels)."""
    from ilo.jit.fnkernels import decode

    samples = {"r": 0, "k": 0, "j": 0, "i": 2, "rs": (0, 1), "fs": (("x", 0),), "-": 0}
    for info in OPCODES:
        operands = [samples[k] for k in info.operands]
        if info.name in ("CALL_BUILTIN", "CALL", "CALL_TOOL", "CALL_DYN", "MKCLOSURE", "NEWREC"):
            operands[1] = 1  # a builtin with a kernel form / a function or record name
        chunk = Chunk("f", ["a"], constants=[1.0, "len"], reg_names={0: "a"})
        chunk.code = [(info.num, *operands)]
        (ins,) = decode(chunk)
        assert (ins.kind != "opaque") == info.jit_ok, info.name


def test_families_and_operators_classify_every_jump_and_arithmetic_opcode():
    for info in OPCODES:
        if info.name in ("ADD", "SUB", "MUL", "DIV") or info.family == "cjump":
            assert info.operator, info.name
        if info.family == "cjump":
            assert info.operand_types in ("NN", "NK") and info.jump
            assert info.negated == info.equation.startswith("if not ")
        if info.jump:
            assert info.family in ("jump", "branch", "cjump", "loopprep", "loopnext", "result", "match"), info.name
