"""Named rewrites of a compiled chunk (after jump targets are resolved).

In: a ``Chunk`` whose code is complete. Out: the same chunk, smaller. A leaf: it knows
opcodes only, never the AST (self-rebinds are chosen while compiling, in
``compile_stmts.StmtCompiler.compile_self_rebind``). ``optimize`` runs:

- ``thread_jumps``: a jump to an unconditional ``JMP`` goes straight to that jump's target;
- ``return_directly``: ``MOVE a b`` followed by ``RET a`` returns ``b`` at once;
- ``drop_dead``: ``MOVE r r``, and a ``JMP`` or side-effect-free conditional jump to the very
  next instruction, are removed (jump targets, spans and loop records are renumbered).
"""

from __future__ import annotations

from ilo.vm.opcodes import OPCODES, Op, jump_target, with_jump_target

# Conditional jumps whose test cannot fail or have an effect (typed compares, truthiness).
_PURE_TESTS = frozenset(
    info.num for info in OPCODES
    if info.name in ("JMPF", "JMPT", "JMPNIL", "JMPNN") or (info.jump and info.name.endswith(("_NN", "_NK")))
)


def optimize(chunk) -> None:
    thread_jumps(chunk)
    return_directly(chunk)
    drop_dead(chunk)


def return_directly(chunk) -> None:
    """``MOVE a b; RET a`` → ``RET b; RET a`` (the second RET stays for jumps that target it)."""
    code = chunk.code
    for pc in range(len(code) - 1):
        op, a, b, _c = code[pc]
        if op == Op.MOVE and code[pc + 1][0] == Op.RET and code[pc + 1][1] == a:
            code[pc] = (Op.RET, b, 0, 0)


def thread_jumps(chunk) -> None:
    code = chunk.code
    for pc, ins in enumerate(code):
        target = jump_target(ins)
        if target is None:
            continue
        seen = set()
        while target < len(code) and code[target][0] == Op.JMP and target not in seen:
            seen.add(target)
            target = code[target][1]
        if target != jump_target(ins):
            code[pc] = with_jump_target(ins, target)


def drop_dead(chunk) -> None:
    code = chunk.code
    dead = set()
    for pc, (op, a, b, _c) in enumerate(code):
        if (op == Op.MOVE and a == b) or (op == Op.JMP and a == pc + 1):
            dead.add(pc)
        elif op in _PURE_TESTS and jump_target(code[pc]) == pc + 1:
            dead.add(pc)  # both ways lead to the next instruction and the test has no effect
    if not dead:
        return
    new_pc, n = [], 0
    for pc in range(len(code) + 1):
        new_pc.append(n)
        if pc not in dead:
            n += 1
    kept_code, kept_spans = [], []
    for pc, ins in enumerate(code):
        if pc in dead:
            continue
        if OPCODES[ins[0]].jump:
            ins = with_jump_target(ins, new_pc[jump_target(ins)])
        kept_code.append(ins)
        kept_spans.append(chunk.spans[pc])
    chunk.code[:] = kept_code
    chunk.spans[:] = kept_spans
    for loop in chunk.loops:
        loop.body, loop.test, loop.exit = new_pc[loop.body], new_pc[loop.test], new_pc[loop.exit]
        loop.back_edge = new_pc[loop.back_edge]
