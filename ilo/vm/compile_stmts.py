"""Statement family of the bytecode compiler: bodies, lets, guards, matches, loops, exits.

In: statement lists and a destination register ``dst`` for the body's value (``None`` when no
one can observe it). Out: instructions. A body's value is its last value-producing
statement's value, nil if none ran (a ``x=v`` produces none), exactly as the tree
interpreter's ``eval_body``; the compiler drops values it can prove are overwritten before
anyone reads them, so loops pay nothing for it.

Loops are emitted with the test at the bottom (one dispatch per iteration for the test and
the back-edge together)::

    [prep]  JMP/PREP → test
    body:   ...                  (cnt → test, brk → exit)
    test:   cond-jump → body     (the back-edge; LoopInfo records body/test/back_edge/exit)
    exit:

Mixed into ``FunctionCompiler`` (``compiler.py``).
"""

from __future__ import annotations

from ilo.syntax import ast
from ilo.syntax.dispatch import STMT_KINDS, handler_table
from ilo.vm.flow import Ctx, Exit
from ilo.vm.opcodes import Op


def sets_value(s: ast.Stmt) -> bool:
    """True if ``s`` always replaces the body's value (or always leaves the body)."""
    if isinstance(s, (ast.ExprStmt, ast.ForEach, ast.ForRange, ast.While, ast.Return, ast.Break, ast.Continue)):
        return True
    if isinstance(s, ast.Guard):
        return s.else_body is not None
    if isinstance(s, ast.Match):
        return any(isinstance(arm.pattern, ast.PWild) for arm in s.arms)
    return False


class StmtCompiler:
    def compile_body(self, stmts: list, dst: int | None, new_scope: bool = False) -> None:
        if new_scope:
            self.regs.push()
        # The body's value is the last statement's that sets one: statement i writes `dst`
        # only if none after it does. One backward scan (not a slice per statement), so a
        # long body compiles in linear time.
        last = len(stmts) - 1
        live = [False] * len(stmts)
        later = False
        for i in range(last, -1, -1):
            live[i] = not later
            later = later or sets_value(stmts[i])
        if dst is not None and not later:
            self.emit(Op.LOADNIL, dst)
        for i, s in enumerate(stmts):
            self.compile_stmt(s, dst if dst is not None and live[i] else None, i == last)
        if new_scope:
            self.regs.pop()

    def compile_stmt(self, s: ast.Stmt, dst: int | None, is_last: bool) -> None:
        old = self.at(s)
        try:
            STMT_DISPATCH[type(s)](self, s, dst, is_last)
        finally:
            self.span = old

    # ── exits ────────────────────────────────────────────────────────────
    def emit_exit(self, exit_, reg: int | None) -> None:
        """End the current body the way ``exit_`` says, with value ``reg`` (None: nil)."""
        kind = exit_.kind
        if kind in ("ret", "retnil"):
            if reg is None or kind == "retnil":
                reg = self.regs.alloc()
                self.emit(Op.LOADNIL, reg)
                self.regs.release(reg)
            self.emit(Op.RET, reg)
            return
        if exit_.dst is not None:
            if reg is None or kind == "nil":
                self.emit(Op.LOADNIL, exit_.dst)
            elif reg != exit_.dst:
                self.emit(Op.MOVE, exit_.dst, reg)
        self.emit_jump(Op.JMP, exit_.label)

    # ── simple statements ────────────────────────────────────────────────
    def compile_expr_stmt(self, s: ast.ExprStmt, dst, is_last):
        e = s.expr
        if dst is None and (isinstance(e, ast.Lit) or (isinstance(e, ast.Ref) and self.regs.lookup(e.name) is not None)):
            return  # a value no one reads, computed without effects or errors: nothing to run
        if dst is not None:
            self.compile_expr(s.expr, dst)
        else:
            self.regs.release(self.compile_expr(s.expr))

    def compile_let(self, s: ast.Let, dst, is_last):
        reg = self.regs.lookup(s.name)
        if reg is None:
            new = self.regs.alloc()
            self.compile_expr(s.value, new)
            self.regs.define(s.name, new)
            return
        if not self.compile_self_rebind(s, reg):
            self.compile_expr(s.value, reg)

    # ── self-rebinds ─────────────────────────────────────────────────────
    # ``vp.self_rebind`` names the shape; here it becomes the a == b form of its opcode:
    #   append  ``xs=+=xs v``    → ``LISTAPPEND r r v``
    #   add     ``s=+s t``       → ``ADD_SS r r t`` / ``ADD r r t`` (``ADDK_SS r r K`` for a
    #                              text literal); numbers keep the ordinary typed ADD
    #   mset    ``m=mset m k v`` → ``MSET r r (k, v)``
    # ``a == b`` is the machine's signal for the sole-owner fast path (ilo.runtime.ownership),
    # which mutates in place only when no other binding can see the container. Any other
    # shape (``ys=+=xs v``) compiles to the same opcode with ``a != b`` and always copies.

    def compile_self_rebind(self, s: ast.Let, reg: int) -> bool:
        """Emit the a == b form for a self-rebind ``s`` of the variable in ``reg``; False if
        ``s`` has no self-rebind shape (the caller then compiles it the general way)."""
        shape = self.vp.self_rebind(s)
        if shape is None:
            return False
        v = s.value
        old_span = self.at(v)  # errors point at the operation, as in the tree interpreter
        try:
            if shape == "append":
                item = self.compile_expr(v.right)
                self.emit(Op.LISTAPPEND, reg, reg, item)
                self.regs.release(item)
                return True
            if shape == "add":
                if self.is_num(v.left) and self.is_num(v.right):
                    return False  # numbers have no container to reuse: the typed ADD is better
                texts = self.is_text(v.left) and self.is_text(v.right)
                if texts and isinstance(v.right, ast.Lit):
                    self.emit(Op.ADDK_SS, reg, reg, self.const(v.right.value))
                    return True
                other = self.compile_expr(v.right)
                self.emit(Op.ADD_SS if texts else Op.ADD, reg, reg, other)
                self.regs.release(other)
                return True
            key, value = self.operands(v.args[1:])
            self.emit(Op.MSET, reg, reg, (key, value))
            self.release_all((key, value))
            return True
        finally:
            self.span = old_span

    def compile_destructure(self, s: ast.Destructure, dst, is_last):
        obj = self.compile_expr(s.value)
        if self.regs.is_var(obj) and any(self.regs.lookup(n) == obj for n in s.names):
            tmp = self.regs.alloc()
            self.emit(Op.MOVE, tmp, obj)
            obj = tmp
        for name in s.names:
            reg = self.regs.lookup(name)
            if reg is None:
                reg = self.regs.alloc()
                self.emit(Op.FIELD, reg, obj, self.const(name))
                self.regs.define(name, reg)
            else:
                self.emit(Op.FIELD, reg, obj, self.const(name))
        self.regs.release(obj)

    def compile_return(self, s: ast.Return, dst, is_last):
        reg = self.compile_expr(s.value)
        self.emit_exit(self.ctx.ret, reg)
        self.regs.release(reg)

    def compile_break(self, s: ast.Break, dst, is_last):
        reg = self.compile_expr(s.value) if s.value is not None else None
        self.emit_exit(self.ctx.brk, reg)
        self.regs.release(reg)

    def compile_continue(self, s: ast.Continue, dst, is_last):
        self.emit_exit(self.ctx.cnt, None)

    # ── guards ───────────────────────────────────────────────────────────
    def compile_guard(self, s: ast.Guard, dst, is_last):
        skip = self.label()
        # jump over the body when the condition does not select it
        self.compile_cond(s.cond, s.negated, skip)
        if s.else_body is not None:
            # ternary: the chosen branch's value (its `ret` too) is the statement's value
            done = self.label()
            saved = self.ctx
            self.ctx = Ctx(Exit("absorb", dst, done), saved.brk, saved.cnt)
            try:
                self.compile_body(s.body, dst, new_scope=True)
                self.emit_jump(Op.JMP, done)
                self.place(skip)
                self.compile_body(s.else_body, dst, new_scope=True)
            finally:
                self.ctx = saved
            self.place(done)
            return
        if s.braceless:
            # early return of the body's value
            if len(s.body) == 1 and isinstance(s.body[0], ast.ExprStmt):
                self.regs.push()
                reg = self.compile_expr(s.body[0].expr)
                self.regs.pop()
            else:
                reg = self.regs.alloc()
                self.compile_body(s.body, reg, new_scope=True)
            self.emit_exit(self.ctx.ret, reg)
            self.regs.release(reg)
            self.place(skip)
            return
        # braced: conditional execution; the body's value becomes the statement's value
        self.compile_body(s.body, dst, new_scope=True)
        self.place(skip)

    # ── match statement ──────────────────────────────────────────────────
    def compile_match(self, s: ast.Match, dst, is_last):
        subject = self.match_subject(s.subject)
        subject_num = self.is_num(s.subject) if s.subject is not None else False
        done = self.label()
        for arm in s.arms:
            nxt = self.label()
            self.regs.push()
            self.compile_pattern(arm.pattern, subject, nxt, subject_num)
            # A match ending a body gives that body its value; it never returns from the
            # function (the reference's match_in_loop fix).
            self.compile_body(arm.body, dst)
            self.emit_jump(Op.JMP, done)
            self.regs.pop()
            self.place(nxt)
        self.place(done)
        self.regs.release(subject)

    # ── loops ────────────────────────────────────────────────────────────
    def _loop_body(self, body: list, dst, exit_, test, new_scope: bool, bind=None) -> None:
        """Compile a loop body: brk → exit (value into dst), cnt → test; a completed
        iteration's value becomes the loop's value."""
        saved = self.ctx
        self.ctx = Ctx(saved.ret, Exit("loop", dst, exit_), Exit("loop", None, test))
        if new_scope:
            self.regs.push()
        bound = self.regs.define(bind) if bind is not None else None
        try:
            tmp = self.regs.alloc() if dst is not None else None
            self.compile_body(body, tmp)
            if tmp is not None:
                self.emit(Op.MOVE, dst, tmp)
                self.regs.release(tmp)
        finally:
            self.ctx = saved
            if new_scope:
                self.regs.pop()
        return bound

    def _record_loop(self, kind, body, test, exit_) -> None:
        self.pending_loops.append((kind, body, test, self.here() - 1, exit_))

    def compile_while(self, s: ast.While, dst, is_last):
        body, test, exit_ = self.label(), self.label(), self.label()
        if dst is not None:
            self.emit(Op.LOADNIL, dst)
        self.emit_jump(Op.JMP, test)
        self.place(body)
        self._loop_body(s.body, dst, exit_, test, new_scope=False)
        self.place(test)
        self.compile_cond(s.cond, True, body)
        self._record_loop("while", body, test, exit_)
        self.place(exit_)

    def compile_for_range(self, s: ast.ForRange, dst, is_last):
        body, test, exit_ = self.label(), self.label(), self.label()
        start, end = self.operands([s.start, s.end])
        self.release_all((start, end))
        counter = self.regs.alloc_pair()  # counter, end: side by side for RANGENEXT
        if dst is not None:
            self.emit(Op.LOADNIL, dst)
        self.emit_jump(Op.RANGEPREP, test, counter, (start, end))
        self._for_rest(s, dst, (body, test, exit_), Op.RANGENEXT, counter, "range")
        self.regs.release(counter)
        self.regs.release(counter + 1)

    def compile_for_each(self, s: ast.ForEach, dst, is_last):
        body, test, exit_ = self.label(), self.label(), self.label()
        coll = self.compile_expr(s.collection)
        it = self.regs.alloc()
        self.regs.release(coll)
        if dst is not None:
            self.emit(Op.LOADNIL, dst)
        old = self.at(s.collection)  # "foreach needs a list" points at the collection
        self.emit_jump(Op.FORPREP, test, it, coll)
        self.span = old
        self._for_rest(s, dst, (body, test, exit_), Op.FORNEXT, it, "foreach")
        self.regs.release(it)

    def _for_rest(self, s: ast.ForRange | ast.ForEach, dst, labels, next_op, state, kind: str):
        """A `for` loop after its PREP jump: the body (binding the loop variable in a new
        scope), then the test, whose NEXT op steps ``state`` and jumps back while it lasts."""
        body, test, exit_ = labels
        self.place(body)
        bound = self._loop_body(s.body, dst, exit_, test, new_scope=True, bind=s.binding)
        self.place(test)
        self.emit_jump(next_op, body, bound, state)
        self._record_loop(kind, body, test, exit_)
        self.place(exit_)


STMT_DISPATCH = handler_table(StmtCompiler, "compile_", STMT_KINDS,
                              helpers=("compile_body", "compile_stmt", "compile_self_rebind"))
