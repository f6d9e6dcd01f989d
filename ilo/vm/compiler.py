"""VerifiedProgram → CompiledProgram: one register-code ``Chunk`` per ilo function.

In: a ``VerifiedProgram`` (AST plus the verifier's side tables). Out: a ``CompiledProgram``.
Called by ``ilo.vm.compile_program``. The compiler reads expression types from
``vp.type_of`` and call targets from ``vp.target`` and infers nothing of its own; where the
verifier has no fact it emits the generic (checking) instruction.

This module holds the per-function state (code, constants, labels, spans, registers and the
control-flow context); ``compile_exprs`` and ``compile_stmts`` add one ``compile_<node>``
method per AST node kind, named as in the tree interpreter (``eval_<node>``).

Control flow follows the tree interpreter's body results (``ilo.interp.signals``): a body
completes with its last value, or ends with return / break / continue. Which construct
absorbs each ending is kept in ``Ctx``: a function returns; a ternary branch and a match
expression arm turn a return into their value; loops take break and continue.
"""

from __future__ import annotations

from dataclasses import dataclass

from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.values import FnRef
from ilo.source import UNKNOWN_SPAN, Span
from ilo.syntax import ast
from ilo.types import TAny, TNil, TOpt, TVar
from ilo.verify.program import VerifiedProgram
from ilo.vm import peephole
from ilo.vm.chunk import Chunk, CompiledProgram, LoopInfo
from ilo.vm.compile_exprs import ExprCompiler
from ilo.vm.compile_stmts import StmtCompiler
from ilo.vm.opcodes import OPCODES, Op, with_jump_target
from ilo.vm.regalloc import Registers


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


class FunctionCompiler(ExprCompiler, StmtCompiler):
    def __init__(self, vp: VerifiedProgram, fn: ast.Function, loose_params: frozenset[str] = frozenset()):
        self.vp = vp
        self.fn = fn
        self.chunk = Chunk(fn.name, [p.name for p in fn.params])
        self.regs = Registers(self.chunk.params)
        self.fixups: list[tuple[int, Label]] = []
        self.const_index: dict[tuple, int] = {}
        self.span: Span = fn.span
        self.ctx = FUNCTION_CTX
        self.pending_loops: list[tuple[str, Label, Label, int, Label]] = []
        self.loose = loose_names(vp, fn, loose_params)

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
        if type(expr) is ast.Ref and expr.name in self.loose:
            return None  # the verifier's type may be stale at this read: use generic code
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


_LOOSE_KINDS = frozenset({TAny, TVar, TOpt, TNil, type(None)})


def loose_names(vp: VerifiedProgram, fn: ast.Function, params: frozenset[str] = frozenset()) -> frozenset[str]:
    """Variables whose verified type at a read may not hold at run time.

    The verifier types a read by the bindings seen *before* it, so in
    ``s=0;@i 0..n{s=+s i;=i 50{s=x}}`` with ``x:_`` the ``+s i`` is typed ``n + n`` although
    ``s`` holds whatever ``x`` is from the 51st iteration on. A typed instruction there
    would silently compute ``true + 51``; the tree interpreter reports ``ILO-R004``. So a
    variable assigned values of more than one kind, or of an unknown kind (``_``, a type
    variable, an optional, nil), gets generic, checking instructions at every read. So do
    the ``params`` that a caller may pass another type (``loose_params``), and, transitively,
    variables bound from a loose one (``y=x``, ``@v xs``)."""
    kinds: dict[str, set] = {p.name: {type(p.ty)} for p in fn.params}
    for name in params:
        kinds[name].add(type(None))
    lets, loops = [], []
    for node in _walk(fn.body):
        if type(node) is ast.Let:
            lets.append(node)
            kinds.setdefault(node.name, set()).add(type(vp.type_of(node.value)))
        elif type(node) is ast.Destructure:
            for name in node.names:
                kinds.setdefault(name, set()).add(type(None))
        elif type(node) is ast.ForEach:
            loops.append(node)
    loose = {name for name, seen in kinds.items() if len(seen) > 1 or seen & _LOOSE_KINDS}
    changed = True
    while changed:  # a value computed from a loose variable may not have its verified type
        changed = False
        for node in lets:
            if node.name not in loose and _reads(node.value, loose):
                loose.add(node.name)
                changed = True
        for node in loops:
            if node.binding not in loose and _reads(node.collection, loose):
                loose.add(node.binding)
                changed = True
    return frozenset(loose)


def _reads(expr, names: set) -> bool:
    return any(type(n) is ast.Ref and n.name in names for n in _walk([expr]))


def loose_params(vp: VerifiedProgram) -> dict[str, frozenset[str]]:
    """For each function, the parameters a call may fill with a value of another type than
    declared: an argument whose verified type differs from the parameter's, or any call
    through a function value (higher-order builtins, ``f`` held in a variable). Arguments
    from the API and the CLI are checked against the declared types before a run."""
    loose: dict[str, set] = {fn.name: set() for fn in vp.program.functions}
    for fn in vp.program.functions:
        for node in _walk(fn.body):
            kind = type(node)
            if kind is ast.Call:
                target = vp.call_targets.get(id(node))
                if target is not None and target.kind == "function" and target.name in vp.functions:
                    callee = vp.functions[target.name]
                    for param, arg in zip(callee.params, node.args):
                        if vp.type_of(arg) != param.ty:
                            loose[callee.name].add(param.name)
            elif kind is ast.Ref and node.name in vp.functions:
                loose[node.name] |= {p.name for p in vp.functions[node.name].params}
    return {name: frozenset(names) for name, names in loose.items()}


def _walk(items):
    """Every AST node under ``items`` (statements, expressions, arms, patterns)."""
    stack = list(items)
    while stack:
        node = stack.pop()
        yield node
        for slot in getattr(node, "__slots__", ()):
            child = getattr(node, slot, None)
            if isinstance(child, list | tuple):
                for item in child:
                    if isinstance(item, tuple):
                        stack.extend(x for x in item if hasattr(x, "__slots__"))
                    elif hasattr(item, "__slots__"):
                        stack.append(item)
            elif hasattr(child, "__slots__") and not isinstance(child, str):
                stack.append(child)


def compile_function(vp: VerifiedProgram, fn: ast.Function, params: frozenset[str] = frozenset()) -> Chunk:
    return FunctionCompiler(vp, fn, params).compile()


def compile_program(vp: VerifiedProgram) -> CompiledProgram:
    """Compile every function of ``vp``. Raises ``IloRuntimeError`` (ILO-R010/R011) only for
    programs the verifier should have rejected."""
    chunks: dict[str, Chunk] = {}
    loose = loose_params(vp)
    for fn in vp.program.functions:
        chunks[fn.name] = compile_function(vp, fn, loose.get(fn.name, frozenset()))
    records = {name: tuple(f.name for f in td.fields) for name, td in vp.records.items()}
    return CompiledProgram(chunks, vp.source, records, frozenset(vp.tools))


__all__ = ["compile_program", "compile_function", "IloRuntimeError"]
