"""VerifiedProgram → CompiledProgram: one register-code ``Chunk`` per ilo function.

In: a ``VerifiedProgram`` (AST plus the verifier's side tables). Out: a ``CompiledProgram``.
Called by ``ilo.vm.compile_program``. The compiler reads expression types from
``vp.type_of`` and call targets from ``vp.target`` and infers nothing of its own; where the
verifier has no fact it emits the generic (checking) instruction.

This module holds the per-function state (code, constants, labels, spans, registers and the
control-flow context); ``compile_exprs`` and ``compile_stmts`` add one ``compile_<node>``
method per AST node kind (``compile_`` + the snake_case class name, the rule of
``ilo.syntax.dispatch`` every stage follows).

Which construct absorbs each body ending (return, break, continue) is kept in a ``Ctx``
(``flow.py``). Reads of variables the verifier marks uncertain (``vp.uncertain``) get the
generic form too.
"""

from __future__ import annotations

from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.values import FnRef
from ilo.source import UNKNOWN_SPAN, Span
from ilo.syntax import ast
from ilo.verify.program import VerifiedProgram
from ilo.vm import peephole
from ilo.vm.chunk import Chunk, CompiledProgram, LoopInfo
from ilo.vm.compile_exprs import ExprCompiler
from ilo.vm.compile_stmts import StmtCompiler
from ilo.vm.flow import FUNCTION_CTX, Label
from ilo.vm.opcodes import OPCODES, Op, with_jump_target
from ilo.vm.regalloc import Registers


class FunctionCompiler(ExprCompiler, StmtCompiler):
    def __init__(self, vp: VerifiedProgram, fn: ast.Function):
        self.vp = vp
        self.fn = fn
        self.chunk = Chunk(fn.name, [p.name for p in fn.params])
        self.regs = Registers(self.chunk.params)
        self.fixups: list[tuple[int, Label]] = []
        self.const_index: dict[tuple, int] = {}
        self.span: Span = fn.span
        self.ctx = FUNCTION_CTX
        self.pending_loops: list[tuple[str, Label, Label, int, Label]] = []
        # Reads of these get generic, checking instructions (ilo.verify.certainty).
        self.uncertain = vp.uncertain.get(fn.name, frozenset())

    # ── emission ─────────────────────────────────────────────────────────
    def emit(self, op: int, a=0, b=0, c=0) -> int:
        self.chunk.code.append((op, a, b, c))
        self.chunk.spans.append(self.span)
        return len(self.chunk.code) - 1

    def emit_jump(self, op: int, label: Label, a=0, b=0) -> int:
        """Emit a jump to ``label``: ``a`` and ``b`` fill the operands other than the target,
        in order (``JMPF r L`` is ``emit_jump(Op.JMPF, L, r)``)."""
        slot = OPCODES[op].jump_operand()
        assert slot is not None
        others = iter((a, b))
        operands = [0 if i == slot else next(others) for i in range(3)]
        pc = self.emit(op, *operands)
        self.fixups.append((pc, label))
        return pc

    def label(self) -> Label:
        return Label()

    def place(self, label: Label) -> None:
        label.pc = len(self.chunk.code)

    def here(self) -> int:
        return len(self.chunk.code)

    def const(self, value) -> int:
        # floats by repr, so 0.0 and -0.0 (equal in Python) stay two constants
        key = (type(value).__name__, repr(value) if type(value) is float else value)
        idx = self.const_index.get(key)
        if idx is None:
            idx = len(self.chunk.constants)
            self.chunk.constants.append(value)
            self.const_index[key] = idx
        return idx

    def at(self, node) -> Span:
        """Make ``node``'s span current (spans of instructions emitted next); return the old one."""
        old = self.span
        span = getattr(node, "span", None)
        if span is not None and span is not UNKNOWN_SPAN:
            self.span = span
        return old

    def fail(self, code: str, message: str) -> None:
        """Emit an instruction that raises ``code`` when (and only if) it is reached."""
        self.emit(Op.FAIL, self.const((code, message)))

    # ── facts from the verifier ──────────────────────────────────────────
    def ty(self, expr: ast.Expr):
        if type(expr) is ast.Ref and expr.name in self.uncertain:
            return None  # the verifier's type may not hold at this read: use generic code
        return self.vp.type_of(expr)

    def function_value(self, name: str):
        """The value of a bare name that is no variable: a function or builtin as a value."""
        if name in self.vp.functions or name in self.vp.tools:
            return FnRef(name)
        from ilo.runtime.builtins import registry

        canon = registry.canonical(name)
        if canon is not None:
            return FnRef(canon)
        return None

    # ── whole function ───────────────────────────────────────────────────
    def compile(self) -> Chunk:
        result = self.regs.alloc()
        self.compile_body(self.fn.body, result)  # the function scope holds the parameters
        self.span = self.fn.span
        self.emit(Op.RET, result)
        self.finish()
        return self.chunk

    def finish(self) -> None:
        code = self.chunk.code
        for pc, label in self.fixups:
            assert label.pc is not None, f"unplaced label in {self.fn.name}"
            code[pc] = with_jump_target(code[pc], label.pc)
        for kind, body, test, back_edge, exit_ in self.pending_loops:
            self.chunk.loops.append(LoopInfo(kind, body.pc, test.pc, back_edge, exit_.pc))
        peephole.optimize(self.chunk)
        self.chunk.nregs = max(self.regs.nregs, 1)
        self.chunk.reg_names = dict(self.regs.names)


def compile_function(vp: VerifiedProgram, fn: ast.Function) -> Chunk:
    return FunctionCompiler(vp, fn).compile()


def compile_program(vp: VerifiedProgram) -> CompiledProgram:
    """Compile every function of ``vp``. Raises ``IloRuntimeError`` (ILO-R010/R011) only for
    programs the verifier should have rejected."""
    chunks: dict[str, Chunk] = {}
    for fn in vp.program.functions:
        chunks[fn.name] = compile_function(vp, fn)
    records = {name: tuple(f.name for f in td.fields) for name, td in vp.records.items()}
    return CompiledProgram(chunks, vp.source, records, frozenset(vp.tools))


__all__ = ["compile_program", "compile_function", "IloRuntimeError"]
