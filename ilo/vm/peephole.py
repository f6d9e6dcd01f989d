"""Named rewrites of the bytecode compiler.

Two kinds, both applied while compiling one function:

``compile_self_rebind`` (AST level, called for ``name=value`` when ``name`` is bound):

- ``self_rebind_append``: ``xs=+=xs v``      → ``LISTAPPEND r r v``
- ``self_rebind_concat``: ``s=+s t`` (not numbers) → ``ADD_SS r r t`` / ``ADD r r t``
  (``ADDK_SS r r K`` when ``t`` is a text literal)
- ``self_rebind_mset``:   ``m=mset m k v``   → ``MSET r r (k, v)``

The destination register equals the source register (``a == b``); that is the signal for the
machine's sole-owner fast path (``ilo.runtime.ownership``), which mutates in place only when
no other binding can see the container. Any other shape (``ys=+=xs v``) compiles to the same
opcode with ``a != b`` and always copies.

``optimize`` (chunk level, after jump targets are resolved):

- ``thread_jumps``: a jump to an unconditional ``JMP`` goes straight to that jump's target;
- ``return_directly``: ``MOVE a b`` followed by ``RET a`` returns ``b`` at once;
- ``drop_dead``: ``MOVE r r``, and a ``JMP`` or side-effect-free conditional jump to the very
  next instruction, are removed (jump targets, spans and loop records are renumbered).
"""

from __future__ import annotations

from ilo.syntax import ast
from ilo.vm.opcodes import OPCODES, Op, jump_target, with_jump_target


def _is_ref(e, name: str) -> bool:
    return isinstance(e, ast.Ref) and e.name == name


def compile_self_rebind(comp, s: ast.Let, reg: int) -> bool:
    """Emit the a == b form for a self-rebind ``s`` of the variable in ``reg``; False if
    ``s`` has another shape (the caller then compiles it the general way)."""
    from ilo.vm.compile_exprs import has_body

    v = s.value
    old_span = comp.at(v)  # errors point at the operation, as in the tree interpreter
    try:
        return _self_rebind(comp, s, v, reg, has_body)
    finally:
        comp.span = old_span


def _self_rebind(comp, s: ast.Let, v, reg: int, has_body) -> bool:
    if isinstance(v, ast.BinOp) and _is_ref(v.left, s.name) and not has_body(v.right):
        if v.op == "+=":  # self_rebind_append
            item = comp.compile_expr(v.right)
            comp.emit(Op.LISTAPPEND, reg, reg, item)
            comp.regs.release(item)
            return True
        if v.op == "+" and not (comp.is_num(v.left) and comp.is_num(v.right)):  # self_rebind_concat
            texts = comp.is_text(v.left) and comp.is_text(v.right)
            if texts and isinstance(v.right, ast.Lit):
                comp.emit(Op.ADDK_SS, reg, reg, comp.const(v.right.value))
                return True
            other = comp.compile_expr(v.right)
            comp.emit(Op.ADD_SS if texts else Op.ADD, reg, reg, other)
            comp.regs.release(other)
            return True
    if (isinstance(v, ast.Call) and not v.unwrap and len(v.args) == 3 and _is_ref(v.args[0], s.name)
            and not any(has_body(a) for a in v.args)):
        target = comp.vp.call_targets.get(id(v))
        if target is not None and target.kind == "builtin" and target.name == "mset":  # self_rebind_mset
            key, value = comp.operands(v.args[1:])
            comp.emit(Op.MSET, reg, reg, (key, value))
            comp.release_all((key, value))
            return True
    return False


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
