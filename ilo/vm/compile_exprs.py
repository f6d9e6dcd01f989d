"""Expression family of the bytecode compiler: one ``compile_<node>`` per expression kind.

In: expression nodes, plus an optional destination register ``want``. Out: instructions, and
the register that holds the value. A plain variable reference costs nothing (its own register
is returned). Typed instructions (``ADD_NN``, fused compare-and-jump...) are chosen only where
the verifier recorded the operand types (``vp.type_of``); otherwise the checking form is used.

Mixed into ``FunctionCompiler`` (``compiler.py``), which owns emission and registers.
"""

from __future__ import annotations

from ilo.runtime.values import FnRef
from ilo.syntax import ast
from ilo.syntax.dispatch import EXPR_KINDS, handler_table
from ilo.syntax.walk import runs_statements
from ilo.types import PATTERN_LETTERS, TNum, TText
from ilo.vm.flow import Ctx, Exit
from ilo.vm.opcodes import Op

ARITH = {"+": (Op.ADD, Op.ADD_NN, Op.ADDK_N), "-": (Op.SUB, Op.SUB_NN, Op.SUBK_N),
         "*": (Op.MUL, Op.MUL_NN, Op.MULK_N), "/": (Op.DIV, Op.DIV_NN, Op.DIVK_N)}
COMPARE = {"<": (Op.LT, Op.LT_NN), "<=": (Op.LE, Op.LE_NN), ">": (Op.GT, Op.GT_NN),
           ">=": (Op.GE, Op.GE_NN), "=": (Op.EQ, None), "!=": (Op.NE, None)}
CMP_NAME = {"<": "LT", "<=": "LE", ">": "GT", ">=": "GE", "=": "EQ", "!=": "NE"}
# `<k x` is `x > k`: the comparison seen from the other operand.
FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}


def fused_jump(cmp: str, when: bool, with_const: bool) -> int:
    """The fused compare-and-jump opcode: jump when ``cmp`` holds (``when``) or fails."""
    name = ("J" if when else "JN") + CMP_NAME[cmp] + ("_NK" if with_const else "_NN")
    return getattr(Op, name)


def is_num_lit(e) -> bool:
    return isinstance(e, ast.Lit) and type(e.value) is float


class ExprCompiler:
    # ── helpers ──────────────────────────────────────────────────────────
    def is_num(self, e) -> bool:
        return is_num_lit(e) or isinstance(self.ty(e), TNum)

    def is_text(self, e) -> bool:
        return (isinstance(e, ast.Lit) and type(e.value) is str) or isinstance(self.ty(e), TText)

    def dest(self, want: int | None) -> int:
        return self.regs.alloc() if want is None else want

    def multi_dest(self, want: int | None) -> int:
        """A destination for expressions that write it before they finish (``&``, ``??``,
        ternaries, matches): never a variable's own register, which the expression may still
        read; the caller moves the result over with ``settle``."""
        if want is None or not self.regs.is_var(want):
            return self.dest(want)
        return self.regs.alloc()

    def settle(self, reg: int, want: int | None) -> int:
        if want is not None and reg != want:
            self.emit(Op.MOVE, want, reg)
            self.regs.release(reg)
            return want
        return reg

    def operands(self, exprs: list) -> list[int]:
        """Registers holding each expression's value, evaluated left to right."""
        regs = []
        for i, e in enumerate(exprs):
            reg = self.compile_expr(e)
            if self.regs.is_var(reg) and any(runs_statements(x) for x in exprs[i + 1:]):
                tmp = self.regs.alloc()
                self.emit(Op.MOVE, tmp, reg)
                reg = tmp
            regs.append(reg)
        return regs

    def release_all(self, regs) -> None:
        for r in regs:
            self.regs.release(r)

    # ── dispatch ─────────────────────────────────────────────────────────
    def compile_expr(self, e: ast.Expr, want: int | None = None) -> int:
        old = self.at(e)
        try:
            return EXPR_DISPATCH[type(e)](self, e, want)
        finally:
            self.span = old

    def compile_lit(self, e: ast.Lit, want):
        dst = self.dest(want)
        if e.value is None:
            self.emit(Op.LOADNIL, dst)
        else:
            self.emit(Op.LOADK, dst, self.const(e.value))
        return dst

    def compile_ref(self, e: ast.Ref, want):
        reg = self.regs.lookup(e.name)
        if reg is not None:
            if want is not None and want != reg:
                self.emit(Op.MOVE, want, reg)
                return want
            return reg
        dst = self.dest(want)
        value = self.function_value(e.name)
        if value is None:
            self.fail("ILO-R001", f"undefined variable: {e.name}")
        else:
            self.emit(Op.LOADK, dst, self.const(value))
        return dst

    def compile_lambda(self, e: ast.Lambda, want):
        dst = self.dest(want)
        if not e.captures:
            self.emit(Op.LOADK, dst, self.const(FnRef(e.name)))
            return dst
        regs = self.operands([ast.Ref(name, span=e.span) for name in e.captures])
        self.release_all(regs)
        self.emit(Op.MKCLOSURE, dst, self.const(e.name), tuple(regs))
        return dst

    def compile_field(self, e: ast.Field, want):
        if e.safe:
            obj = self.compile_expr(e.obj)
            self.regs.release(obj)
            dst = self.dest(want)
            self.emit(Op.FIELD_SAFE, dst, obj, self.const(e.name))
            return dst
        return self._access(e, want, Op.FIELD, lambda: self.const(e.name))

    def compile_index(self, e: ast.Index, want):
        return self._access(e, want, Op.INDEX, lambda: e.index)

    def _access(self, e, want, op, operand):
        obj = self.compile_expr(e.obj)
        if not e.safe:
            self.regs.release(obj)
            dst = self.dest(want)
            self.emit(op, dst, obj, operand())
            return dst
        dst = self.multi_dest(want)
        is_nil, done = self.label(), self.label()
        self.emit_jump(Op.JMPNIL, is_nil, obj)
        self.emit(op, dst, obj, operand())
        self.emit_jump(Op.JMP, done)
        self.place(is_nil)
        self.emit(Op.LOADNIL, dst)
        self.place(done)
        self.regs.release(obj)
        return self.settle(dst, want)

    def compile_bin_op(self, e: ast.BinOp, want):
        op = e.op
        if op in ("&", "|"):
            return self._logical(e, want)
        num = self.is_num(e.left) and self.is_num(e.right)
        if op in ARITH:
            generic, typed, with_k = ARITH[op]
            if num:
                left, right = e.left, e.right
                if op in ("+", "*") and is_num_lit(left) and not is_num_lit(right):
                    left, right = right, left
                if is_num_lit(right) and not (op == "/" and right.value == 0.0) and not runs_statements(left):
                    b = self.compile_expr(left)
                    self.regs.release(b)
                    dst = self.dest(want)
                    self.emit(with_k, dst, b, self.const(right.value))
                    return dst
                return self._binary(typed, e, want)
            if op == "+" and self.is_text(e.left) and self.is_text(e.right):
                return self._binary(Op.ADD_SS, e, want)
            return self._binary(generic, e, want)
        if op == "+=":
            return self._binary(Op.LISTAPPEND, e, want)
        generic, typed = COMPARE[op]
        return self._binary(typed if (num and typed is not None) else generic, e, want)

    def _binary(self, opcode, e, want):
        b, c = self.operands([e.left, e.right])
        self.release_all((b, c))
        dst = self.dest(want)
        self.emit(opcode, dst, b, c)
        return dst

    def _logical(self, e: ast.BinOp, want):
        """``&a b`` is a when a is falsy, else b; ``|a b`` is a when a is truthy, else b."""
        dst = self.multi_dest(want)
        done = self.label()
        self.compile_expr(e.left, dst)
        self.emit_jump(Op.JMPF if e.op == "&" else Op.JMPT, done, dst)
        self.compile_expr(e.right, dst)
        self.place(done)
        return self.settle(dst, want)

    def compile_unary(self, e: ast.Unary, want):
        if e.op == "-" and is_num_lit(e.operand):
            dst = self.dest(want)
            self.emit(Op.LOADK, dst, self.const(-e.operand.value))
            return dst
        b = self.compile_expr(e.operand)
        self.regs.release(b)
        dst = self.dest(want)
        self.emit(Op.NEG if e.op == "-" else Op.NOT, dst, b)
        return dst

    def compile_ok_expr(self, e, want):
        return self._wrap(Op.MKOK, e, want)

    def compile_err_expr(self, e, want):
        return self._wrap(Op.MKERR, e, want)

    def _wrap(self, opcode, e, want):
        b = self.compile_expr(e.value)
        self.regs.release(b)
        dst = self.dest(want)
        self.emit(opcode, dst, b)
        return dst

    def compile_list_expr(self, e: ast.ListExpr, want):
        regs = self.operands(e.items)
        self.release_all(regs)
        dst = self.dest(want)
        self.emit(Op.NEWLIST, dst, 0, tuple(regs))
        return dst

    def compile_record_expr(self, e: ast.RecordExpr, want):
        regs = self.operands([v for _, v in e.fields])
        by_name = {name: reg for (name, _), reg in zip(e.fields, regs)}
        td = self.vp.records.get(e.type_name)
        order = [f.name for f in td.fields] if td is not None else [n for n, _ in e.fields]
        order += [n for n in by_name if n not in order]
        self.release_all(regs)
        dst = self.dest(want)
        fields = tuple((name, by_name[name]) for name in order if name in by_name)
        self.emit(Op.NEWREC, dst, self.const(e.type_name), fields)
        return dst

    def compile_with(self, e: ast.With, want):
        regs = self.operands([e.obj] + [v for _, v in e.updates])
        self.release_all(regs)
        dst = self.dest(want)
        self.emit(Op.WITH, dst, regs[0], tuple((n, r) for (n, _), r in zip(e.updates, regs[1:])))
        return dst

    def compile_nil_coalesce(self, e: ast.NilCoalesce, want):
        if (want is not None and isinstance(e.value, ast.Ref) and self.regs.is_var(want)
                and self.regs.lookup(e.value.name) == want):
            # `c=c??d`: keep c when it is not nil, else write d straight into c's register
            # (d, evaluated only when c is nil, still reads c as nil): no temporary, no moves.
            done = self.label()
            self.emit_jump(Op.JMPNN, done, want)
            self.compile_expr(e.default, want)
            self.place(done)
            return want
        dst = self.multi_dest(want)
        done = self.label()
        self.compile_expr(e.value, dst)
        self.emit_jump(Op.JMPNN, done, dst)
        self.compile_expr(e.default, dst)
        self.place(done)
        return self.settle(dst, want)

    def compile_ternary(self, e: ast.Ternary, want):
        dst = self.multi_dest(want)
        other, done = self.label(), self.label()
        self.compile_cond(e.cond, False, other)
        self.compile_expr(e.then, dst)
        self.emit_jump(Op.JMP, done)
        self.place(other)
        self.compile_expr(e.otherwise, dst)
        self.place(done)
        return self.settle(dst, want)

    def compile_call(self, e: ast.Call, want):
        target = self.vp.call_targets.get(id(e))
        # The verifier gives every call it accepts a target (dead code included); only a
        # hand-built program has none, and then the call fails where it is reached.
        kind, name = (target.kind, target.name) if target is not None else ("missing", e.func)
        fn_reg = self.regs.lookup(e.func) if kind == "local" else None
        if kind == "local" and fn_reg is None:
            kind = "function" if e.func in self.vp.functions else "missing"
        args = tuple(self.operands(e.args))
        self.release_all(args)
        dst = self.dest(want) if not e.unwrap else self.regs.alloc()
        if kind == "builtin":
            self.emit(Op.CALL_BUILTIN, dst, self.const(name), args)
        elif kind == "function":
            self.emit(Op.CALL, dst, self.const(name), args)
        elif kind == "tool":
            self.emit(Op.CALL_TOOL, dst, self.const(name), args)
        elif kind == "local":
            self.emit(Op.CALL_DYN, dst, self.const((fn_reg, e.func)), args)
        else:
            self.fail("ILO-R002", f"undefined function: {e.func}")
        if not e.unwrap:
            return dst
        # `f! x`: ~v gives v; ^e (or nil) ends the current body as a return of it;
        # `f!! x` stops the program there instead.
        out = self.dest(want)
        ok = self.label()
        self.emit_jump(Op.UNWRAP, ok, out, dst)
        if e.panic:
            self.emit(Op.PANIC, dst)
        else:
            self.emit_exit(self.ctx.ret, dst)
        self.place(ok)
        self.regs.release(dst)
        return out

    # ── conditions: jump on truth without materialising a bool ───────────
    def compile_cond(self, e: ast.Expr, when: bool, target) -> None:
        """Jump to ``target`` if the truth of ``e`` equals ``when``; else fall through."""
        old = self.at(e)
        try:
            self._cond(e, when, target)
        finally:
            self.span = old

    def _cond(self, e, when, target) -> None:
        if isinstance(e, ast.Unary) and e.op == "!":
            return self.compile_cond(e.operand, not when, target)
        if isinstance(e, ast.BinOp) and e.op in ("&", "|"):
            # truthy(&a b) == truthy(a) and truthy(b); likewise for |.
            both = e.op == "&"
            if both != when:
                self.compile_cond(e.left, when, target)
                self.compile_cond(e.right, when, target)
            else:
                skip = self.label()
                self.compile_cond(e.left, not when, skip)
                self.compile_cond(e.right, when, target)
                self.place(skip)
            return None
        if isinstance(e, ast.BinOp) and e.op in CMP_NAME and self.is_num(e.left) and self.is_num(e.right):
            left, right, cmp = e.left, e.right, e.op
            if is_num_lit(left) and not is_num_lit(right):
                left, right, cmp = right, left, FLIPPED[cmp]
            if is_num_lit(right) and not runs_statements(left):
                a = self.compile_expr(left)
                self.emit_jump(fused_jump(cmp, when, True), target, a, self.const(right.value))
                self.regs.release(a)
                return None
            a, b = self.operands([left, right])
            self.emit_jump(fused_jump(cmp, when, False), target, a, b)
            self.release_all((a, b))
            return None
        reg = self.compile_expr(e)
        self.emit_jump(Op.JMPT if when else Op.JMPF, target, reg)
        self.regs.release(reg)
        return None

    # ── match (expression form; the statement form is in compile_stmts) ──
    def compile_match_expr(self, e: ast.MatchExpr, want):
        dst = self.multi_dest(want)
        subject = self.match_subject(e.subject)
        done = self.label()
        saved = self.ctx
        # An arm's return, break and continue all end the match with a value (the reference).
        self.ctx = Ctx(Exit("absorb", dst, done), Exit("absorb", dst, done), Exit("nil", dst, done))
        try:
            for arm in e.arms:
                nxt = self.label()
                self.regs.push()
                self.compile_pattern(arm.pattern, subject, nxt, self.is_num(e.subject) if e.subject else False)
                self.compile_body(arm.body, dst)
                self.regs.pop()
                self.emit_jump(Op.JMP, done)
                self.place(nxt)
        finally:
            self.ctx = saved
        self.emit(Op.LOADNIL, dst)  # no arm matched
        self.place(done)
        self.regs.release(subject)
        return self.settle(dst, want)

    def match_subject(self, subject) -> int:
        if subject is None:
            reg = self.regs.alloc()
            self.emit(Op.LOADNIL, reg)
            return reg
        # A variable is tested in place: once an arm is chosen no other test runs, so an
        # arm that rebinds the variable cannot change which arm was chosen.
        return self.compile_expr(subject)

    def compile_pattern(self, p: ast.Pattern, subject: int, nomatch, subject_num: bool) -> None:
        """Test ``subject`` against ``p`` (jump to ``nomatch`` on failure) and bind its name."""
        old = self.at(p)
        try:
            if isinstance(p, ast.PWild):
                # `_` names the subject in a wildcard arm (see Verifier.bind_pattern).
                self.emit(Op.MOVE, self.regs.define("_"), subject)
                return
            if isinstance(p, ast.PLit):
                if type(p.value) is float and subject_num:
                    self.emit_jump(Op.JNEQ_NK, nomatch, subject, self.const(p.value))
                else:
                    self.emit_jump(Op.JNEQK, nomatch, subject, self.const(p.value))
                return
            if isinstance(p, (ast.POk, ast.PErr)):
                self.emit_jump(Op.JNTYPE, nomatch, subject, self.const("ok" if isinstance(p, ast.POk) else "err"))
                self.emit(Op.PAYLOAD, self.regs.define(p.binding), subject)
                return
            if isinstance(p, ast.PType):
                self.emit_jump(Op.JNTYPE, nomatch, subject, self.const(type_tag(p.ty)))
                self.emit(Op.MOVE, self.regs.define(p.binding), subject)
                return
            raise AssertionError(f"unknown pattern {p!r}")
        finally:
            self.span = old


def type_tag(ty) -> str:
    """The run-time kind a type pattern (``n v:``, ``t v:``...) tests for: its letter, or
    ``"never"`` for a type no pattern can name (the tree's type patterns never match those)."""
    return PATTERN_LETTERS.get(type(ty), "never")


EXPR_DISPATCH = handler_table(ExprCompiler, "compile_", EXPR_KINDS,
                              helpers=("compile_expr", "compile_cond", "compile_pattern"))
