"""Statement checks: bindings, guards, matches, loops, ``ret``/``brk``/``cnt``.

In: statements of a function body, checked in order against the current scope. Out: the
type of the statement's value (the last statement's type is the body's type), scope updates
and diagnostics (T004 via expressions, T014, T019, T024, T027, T028; T029 as a hint).
Mixed into ``verifier.Verifier``; one ``check_<node>`` per statement kind.

Loops are checked to a fixed point: a body is first checked silently, variables it rebinds
are widened (``typeops.join``) until the types at the loop head stop changing, and then it
is checked once more for real. So ``s`` in ``s=0;@x xs{s=+s x}`` stays ``n``, while a
variable that changes type in a loop is recorded as ``_`` rather than as a wrong fact.
"""

from __future__ import annotations

from ilo.syntax import ast
from ilo.syntax.dispatch import STMT_KINDS, handler_table
from ilo.types import ANY, BOOL, NIL, NUM, TEXT, TBool, TList, TNamed, TNil, TResult, TSum, Ty
from ilo.verify import builtin_sigs
from ilo.verify.scopes import did_you_mean
from ilo.verify.typeops import compatible, is_any, join

_MAX_LOOP_PASSES = 4


class StmtChecks:
    """Statement checks; expects the attributes set up by ``Verifier.__init__``."""

    def check_body(self, stmts: list[ast.Stmt]) -> Ty:
        last: Ty = NIL
        for i, stmt in enumerate(stmts):
            if type(stmt) is ast.ExprStmt:
                self.warn_discarded(stmt, is_tail=i + 1 == len(stmts))
            last = self.check_stmt(stmt)
            if isinstance(stmt, (ast.Return, ast.Break)) and i + 1 < len(stmts):
                kind = "ret" if isinstance(stmt, ast.Return) else "brk"
                self.hint(f"warning[ILO-T029]: unreachable code after '{kind}' in '{self.func}'")
                # Still visit the dead statements so every call has a target for the
                # compilers, but report nothing about code that never runs (as the reference).
                with self.quiet():
                    for dead in stmts[i + 1:]:
                        self.check_stmt(dead)
                break
        return last

    def warn_discarded(self, stmt: ast.ExprStmt, is_tail: bool) -> None:
        """ILO-T032/T033: a statement whose value is thrown away although it only makes
        a value (a `fmt` text, a new list or map). Warnings never change the result."""
        e = stmt.expr
        if not is_tail and type(e) is ast.Call:
            canon = builtin_sigs.canonical(e.func)
            if canon in ("fmt", "fmt2"):
                self.warn("ILO-T032", f"bare '{canon}' result is discarded", stmt.span,
                          f"did you mean `prnt {canon} ...` to print, or `name = {canon} ...` to capture?")
        if is_tail and not self.in_loop:
            return
        first = None
        if type(e) is ast.BinOp and e.op == "+=":
            name, first, shape = "+=", e.left, "`+=xs v` returns a new list — rebind with `{0}=+={0} v`"
        elif type(e) is ast.Call and e.args and builtin_sigs.canonical(e.func) in ("mset", "mdel"):
            name, first = builtin_sigs.canonical(e.func), e.args[0]
            shape = ("`mset m k v` returns a new map — rebind with `{0}=mset {0} k v`" if name == "mset"
                     else "`mdel m k` returns a new map — rebind with `{0}=mdel {0} k`")
        if first is None:
            return
        default = "xs" if name == "+=" else "m"
        lhs = first.name if type(first) is ast.Ref else default
        self.warn("ILO-T033", f"bare '{name}' result is discarded", stmt.span,
                  shape.format(lhs) + " to mutate, or use the result")

    def check_stmt(self, stmt: ast.Stmt) -> Ty:
        saved = self.stmt_span
        if getattr(stmt, "span", None) and stmt.span.end > stmt.span.start:
            self.stmt_span = stmt.span
        try:
            return _STMT_CHECKS[type(stmt)](self, stmt)
        finally:
            self.stmt_span = saved

    def check_let(self, stmt: ast.Let) -> Ty:
        self.scope.assign(stmt.name, self.infer(stmt.value))
        return NIL

    def check_destructure(self, stmt: ast.Destructure) -> Ty:
        rec = self.infer(stmt.value)
        span = self.span_of(stmt)
        fields = self.records.get(rec.name) if isinstance(rec, TNamed) else None
        if not isinstance(rec, TNamed) and not is_any(rec):
            self.err("ILO-T009", f"destructure requires a record type, got {rec}", span)
        for name in stmt.names:
            ty: Ty = ANY
            if fields is not None:
                found = [t for n, t in fields if n == name]
                if found:
                    ty = found[0]
                else:
                    self.err("ILO-T019", f"no field '{name}' on type '{rec.name}'", span,
                             did_you_mean(name, [n for n, _ in fields]))
            self.scope.assign(name, ty)
        return NIL

    def check_guard(self, stmt: ast.Guard) -> Ty:
        self.infer(stmt.cond)
        if len(stmt.body) == 1 and isinstance(stmt.body[0], ast.ExprStmt):
            ref = stmt.body[0].expr
            if (isinstance(ref, ast.Ref) and self.scope.lookup(ref.name) is None
                    and (ref.name in self.sigs or builtin_sigs.is_builtin(ref.name))):
                self.err("ILO-T027",
                         f"braceless guard body '{ref.name}' is a function name — did you mean to call it?",
                         self.span_of(stmt.body[0]),
                         f"use braces for function calls: cond{{{ref.name} args}}")
        self.scope.push()
        body_ty = self.check_body(stmt.body)
        self.scope.pop()
        if stmt.else_body is None:
            return body_ty
        self.scope.push()
        else_ty = self.check_body(stmt.else_body)
        self.scope.pop()
        return join(body_ty, else_ty)

    def check_match(self, stmt: ast.Match | ast.MatchExpr) -> Ty:
        subject = self.infer(stmt.subject) if stmt.subject is not None else ANY
        result: Ty | None = None
        for arm in stmt.arms:
            self.scope.push()
            self.bind_pattern(arm.pattern, subject)
            arm_ty = self.check_body(arm.body)
            self.scope.pop()
            result = arm_ty if result is None else join(result, arm_ty)
        self.check_exhaustive(subject, stmt.arms, self.span_of(stmt))
        return ANY if result is None else result

    def bind_pattern(self, pattern: ast.Pattern, subject: Ty) -> None:
        # `_` binds too, as in the reference: the payload in `~_:`/`^_:`/`n _:`, the
        # subject itself in a wildcard arm (so `~_:~_` rewraps the value).
        if isinstance(pattern, ast.PWild):
            self.scope.bind("_", subject)
        elif isinstance(pattern, ast.POk):
            self.scope.bind(pattern.binding, subject.ok if isinstance(subject, TResult) else ANY)
        elif isinstance(pattern, ast.PErr):
            self.scope.bind(pattern.binding, subject.err if isinstance(subject, TResult) else ANY)
        elif isinstance(pattern, ast.PType):
            kind = str(pattern.ty)
            bound = {"n": NUM, "t": TEXT, "b": BOOL}.get(kind, ANY)
            if isinstance(pattern.ty, TList):
                bound = TList(ANY)
            self.scope.bind(pattern.binding, bound)

    def check_exhaustive(self, subject: Ty, arms: list[ast.MatchArm], span) -> None:
        pats = [a.pattern for a in arms]
        if any(isinstance(p, (ast.PWild, ast.PType)) for p in pats):
            return
        if isinstance(subject, TResult):
            missing = []
            if not any(isinstance(p, ast.POk) for p in pats):
                missing.append(("~", f"~v: <expr>  (v is of type {subject.ok})"))
            if not any(isinstance(p, ast.PErr) for p in pats):
                missing.append(("^", f"^e: <expr>  (e is of type {subject.err})"))
            what = "Result"
        elif isinstance(subject, TBool):
            lits = [p.value for p in pats if isinstance(p, ast.PLit)]
            missing = [(str(v).lower(), f"{str(v).lower()}: <expr>")
                       for v in (True, False) if not any(x is v for x in lits)]
            what = "Bool"
        elif isinstance(subject, TSum):
            covered = {p.value for p in pats if isinstance(p, ast.PLit) and isinstance(p.value, str)}
            missing = [(v, f'"{v}": <expr>') for v in subject.variants if v not in covered]
            what = "sum type"
        elif is_any(subject) or isinstance(subject, TNil):
            return
        else:
            self.err("ILO-T024", "non-exhaustive match: no wildcard arm", span,
                     "add a wildcard arm: _: <default-expr>")
            return
        if missing:
            self.err("ILO-T024",
                     f"non-exhaustive match on {what}: missing {', '.join(m for m, _ in missing)}",
                     span, "add: " + " or ".join(h for _, h in missing))

    # ── loops ──────────────────────────────────────────────────────────────

    def check_for_each(self, stmt: ast.ForEach) -> Ty:
        coll = self.infer(stmt.collection)
        if isinstance(coll, TList):
            elem = coll.elem
        else:
            elem = ANY
            if not is_any(coll):
                self.err("ILO-T014", f"foreach expects a list, got {coll}", self.span_of(stmt.collection))
        return self._check_loop(lambda: self._scoped_body(stmt.binding, elem, stmt.body))

    def check_for_range(self, stmt: ast.ForRange) -> Ty:
        for which, expr in (("start", stmt.start), ("end", stmt.end)):
            ty = self.infer(expr)
            if not compatible(ty, NUM):
                self.err("ILO-T014", f"range {which} must be n, got {ty}", self.span_of(expr))
        return self._check_loop(lambda: self._scoped_body(stmt.binding, NUM, stmt.body))

    def check_while(self, stmt: ast.While) -> Ty:
        def once() -> Ty:
            self.infer(stmt.cond)
            return self.check_body(stmt.body)

        return self._check_loop(once)

    def _scoped_body(self, binding: str, elem: Ty, body: list[ast.Stmt]) -> Ty:
        self.scope.push()
        self.scope.bind(binding, elem)
        ty = self.check_body(body)
        self.scope.pop()
        return ty

    def _check_loop(self, once) -> Ty:
        prev, self.in_loop = self.in_loop, True
        try:
            with self.quiet():
                for _ in range(_MAX_LOOP_PASSES):
                    before = self.scope.snapshot()
                    ty = once()
                    self._widen(before)
                    if self.scope.snapshot() == before:
                        break
            if self.is_quiet:
                return ty
            before = self.scope.snapshot()
            ty = once()
            self._widen(before)
            return ty
        finally:
            self.in_loop = prev

    def _widen(self, before: list[dict[str, Ty]]) -> None:
        """The loop may run any number of times: each variable that existed before it has
        either its old type or the type the body left it with."""
        for old, cur in zip(before, self.scope.frames):
            for name, ty in old.items():
                cur[name] = join(ty, cur.get(name, ty))

    # ── control flow ───────────────────────────────────────────────────────

    def check_return(self, stmt: ast.Return) -> Ty:
        return self.infer(stmt.value)

    def check_break(self, stmt: ast.Break) -> Ty:
        if not self.in_loop:
            self.err("ILO-T028", "brk can only be used inside a loop (@/wh)", self.span_of(stmt))
        return self.infer(stmt.value) if stmt.value is not None else NIL

    def check_continue(self, stmt: ast.Continue) -> Ty:
        if not self.in_loop:
            self.err("ILO-T028", "cnt can only be used inside a loop (@/wh)", self.span_of(stmt))
        return NIL

    def check_expr_stmt(self, stmt: ast.ExprStmt) -> Ty:
        return self.infer(stmt.expr)


_STMT_CHECKS = handler_table(StmtChecks, "check_", STMT_KINDS, helpers=("check_body", "check_stmt", "check_exhaustive"))
