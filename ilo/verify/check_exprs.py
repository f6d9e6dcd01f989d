"""Expression checks: infer the type of every expression and resolve every call.

In: expressions, checked against the current scope and the collected declarations. Out:
``expr_types[id(expr)]`` for every expression, ``call_targets[id(call)]`` for every call,
and diagnostics (T003–T007, T009–T013, T015–T023, T025, T026). Mixed into
``verifier.Verifier``; one ``check_<node>`` per expression kind, found through a table.

Recorded types are facts the VM and JIT rely on, so where the reference verifier would
guess (the first arm of a match, the left operand of ``&``) the type recorded here is the
exact join, or ``_``. ``_`` never makes a check fail, so this is never stricter.
"""

from __future__ import annotations

from ilo.syntax import ast
from ilo.syntax.dispatch import EXPR_KINDS, handler_table
from ilo.types import ANY, BOOL, NIL, NUM, TEXT, TFn, TList, TNamed, TNil, TNum, TOpt, TResult, TText, Ty
from ilo.verify import builtin_sigs
from ilo.verify.program import CallTarget
from ilo.verify.scopes import did_you_mean
from ilo.verify.typeops import compatible, is_any, join

_ORDERING = (">", "<", ">=", "<=")


class ExprChecks:
    """Expression checks; expects the attributes set up by ``Verifier.__init__``."""

    def infer(self, expr: ast.Expr) -> Ty:
        ty = _EXPR_CHECKS[type(expr)](self, expr)
        self.expr_types[id(expr)] = self.precise_types.pop(id(expr), ty)
        return ty

    def check_lit(self, expr: ast.Lit) -> Ty:
        v = expr.value
        if v is None:
            return NIL
        if isinstance(v, bool):
            return BOOL
        return TEXT if isinstance(v, str) else NUM

    def check_ref(self, expr: ast.Ref) -> Ty:
        ty = self.scope.lookup(expr.name)
        if ty is not None:
            return ty
        sig = self.sigs.get(expr.name)
        if sig is not None:  # a function used as a value
            return TFn(tuple(t for _, t in sig.params), sig.ret)
        canon = builtin_sigs.canonical(expr.name)
        if canon is not None:
            return builtin_sigs.value_type(canon)
        self.err("ILO-T004", f"undefined variable '{expr.name}'", self.span_of(expr),
                 did_you_mean(expr.name, self.scope.names() + list(self.sigs)))
        return ANY

    # ── calls ──────────────────────────────────────────────────────────────

    def check_call(self, call: ast.Call) -> Ty:
        arg_types = [self.infer(a) for a in call.args]
        name, span = call.func, self.span_of(call)
        canon = builtin_sigs.canonical(name)
        sig = self.sigs.get(name)
        # Builtins win over user functions of the same name, except when only the user
        # function takes this many arguments (the run time dispatches the same way).
        if canon is not None and (sig is None or builtin_sigs.takes_arity(canon, len(arg_types))):
            ty = self._call_builtin(call, canon, arg_types, span)
        elif sig is not None:
            ty = self._call_declared(call, sig, arg_types, span)
        else:
            local = self.scope.lookup(name)
            if isinstance(local, TFn) or (local is not None and is_any(local)):
                ty = self._call_local(call, local, arg_types, span)
            elif local is not None and call.unwrap and not call.args:
                op = "!!" if call.panic else "!"
                self.err("ILO-T034", f"'{op}' is the auto-unwrap operator and only applies to function calls "
                         f"— '{name}' is a {local} value", span,
                         f"to inspect a Result value use match: `?{name}{{~v:v;^e:^e}}`; to auto-unwrap a "
                         f"producer use `{name} = producer! ...` and reference `{name}` afterwards")
                return ANY
            elif local is not None:
                self.err("ILO-T005", f"'{name}' is a {local}, not a function (called with {len(arg_types)} args)",
                         span, f"'{name}' is bound as {local} in this scope; only functions can be called")
                return ANY
            else:
                candidates = list(self.sigs) + builtin_sigs.builtin_names()
                self.err("ILO-T005", f"undefined function '{name}' (called with {len(arg_types)} args)",
                         span, did_you_mean(name, candidates))
                return ANY
        return self._unwrap(call, ty, span) if call.unwrap else ty

    def _call_builtin(self, call: ast.Call, canon: str, arg_types: list[Ty], span) -> Ty:
        if canon != call.func:
            self.hint(f"hint: `{call.func}` → `{canon}` (canonical short form)")
        self.call_targets[id(call)] = CallTarget("builtin", canon)
        literals = [a.value if type(a) is ast.Lit else None for a in call.args]
        ty, problems = builtin_sigs.check_call(canon, arg_types, literals)
        for p in problems:
            self.err(p.code, p.message, span, p.suggestion)
        if builtin_sigs.reference_untyped(canon):
            if not call.unwrap:
                self.precise_types[id(call)] = ty
            return ANY
        return ty

    def _call_declared(self, call: ast.Call, sig, arg_types: list[Ty], span) -> Ty:
        name = call.func
        self.call_targets[id(call)] = CallTarget(sig.kind, name)
        if len(arg_types) != len(sig.params):
            self.err("ILO-T006", f"arity mismatch: '{name}' expects {len(sig.params)} args, got {len(arg_types)}",
                     span, f"'{name}' expects: {sig.describe()}")
            return sig.ret
        for (pname, pty), aty in zip(sig.params, arg_types):
            if not compatible(pty, aty):
                hint = None
                if isinstance(pty, TText) and isinstance(aty, TNum):
                    hint = "use 'str' to convert number to text"
                elif isinstance(pty, TNum) and isinstance(aty, TText):
                    hint = "use 'num' to parse text as number (returns R n t)"
                self.err("ILO-T007", f"type mismatch: param '{pname}' of '{name}' expects {pty}, got {aty}",
                         span, hint)
        return sig.ret

    def _call_local(self, call: ast.Call, fn_ty: Ty, arg_types: list[Ty], span) -> Ty:
        name = call.func
        self.call_targets[id(call)] = CallTarget("local", name)
        if not isinstance(fn_ty, TFn):
            return ANY
        if len(arg_types) != len(fn_ty.params):
            self.err("ILO-T006",
                     f"arity mismatch: function parameter '{name}' expects {len(fn_ty.params)} args, got {len(arg_types)}",
                     span, f"'{name}' has type {fn_ty}")
            return fn_ty.ret
        for i, (pty, aty) in enumerate(zip(fn_ty.params, arg_types), 1):
            if not compatible(pty, aty):
                self.err("ILO-T007", f"type mismatch: arg {i} of '{name}' expects {pty}, got {aty}", span)
        return fn_ty.ret

    def _unwrap(self, call: ast.Call, ty: Ty, span) -> Ty:
        """``f! x`` / ``f!! x``: the callee must return R or O. ``!`` propagates, so the
        enclosing function must return R (or O, for nil); ``!!`` stops the program instead."""
        enclosing = self.func_ret
        if isinstance(ty, TResult):
            if not call.panic and not isinstance(enclosing, TResult) and not is_any(enclosing):
                self.err("ILO-T026",
                         f"'!' used in function '{self.func}' which returns {enclosing}, not a Result",
                         span, "the enclosing function must return R to propagate errors")
            return ty.ok
        if isinstance(ty, TOpt):
            if not call.panic and not isinstance(enclosing, (TOpt, TNil)) and not is_any(enclosing):
                self.err("ILO-T026",
                         f"'!' used in function '{self.func}' which returns {enclosing}, not an Optional",
                         span, "the enclosing function must return O to propagate nil")
            return ty.inner
        if is_any(ty):
            return ANY
        op = "!!" if call.panic else "!"
        verb = "abort" if call.panic else "propagate"
        self.err("ILO-T025", f"'{op}' used on call to '{call.func}' which returns {ty}, not a Result or Optional",
                 span, f"'{op}' auto-unwraps R (Ok→v, Err→{verb}) or O (Some→v, Nil→{verb})")
        return ANY

    # ── operators ──────────────────────────────────────────────────────────

    def check_bin_op(self, expr: ast.BinOp) -> Ty:
        lt, rt = self.infer(expr.left), self.infer(expr.right)
        op, span = expr.op, self.span_of(expr)
        if op == "+":
            return self._check_add(lt, rt, span)
        if op in ("-", "*", "/"):
            if not compatible(lt, NUM) or not compatible(rt, NUM):
                text = isinstance(lt, TText) or isinstance(rt, TText)
                self.err("ILO-T009", f"'{op}' expects n and n, got {lt} and {rt}", span,
                         "parse text as number with 'num' first" if text else None)
            return NUM
        if op in _ORDERING:
            same = type(lt) is type(rt) and isinstance(lt, (TNum, TText))
            if not same and not is_any(lt) and not is_any(rt):
                self.err("ILO-T010", f"comparison expects matching n or t, got {lt} and {rt}", span)
            return BOOL
        if op in ("=", "!="):
            return BOOL
        if op in ("&", "|"):
            # Short-circuit: the value is one of the operands, which is a bool only if both are.
            return BOOL if lt == BOOL and rt == BOOL else ANY
        if op == "+=":
            return self._check_append(lt, rt, span)
        raise AssertionError(f"unknown operator {op!r}")

    def _check_add(self, lt: Ty, rt: Ty, span) -> Ty:
        if isinstance(lt, TNum) and isinstance(rt, TNum):
            return NUM
        if isinstance(lt, TText) and isinstance(rt, TText):
            return TEXT
        if isinstance(lt, TList) and isinstance(rt, TList):
            return TList(join(lt.elem, rt.elem))
        if is_any(lt) or is_any(rt):
            return ANY
        mixed = {type(lt), type(rt)} == {TNum, TText}
        self.err("ILO-T009", f"'+' expects matching n, t, or L types, got {lt} and {rt}", span,
                 "convert number to text with 'str' before concatenating" if mixed else None)
        return ANY

    def _check_append(self, lt: Ty, rt: Ty, span) -> Ty:
        if isinstance(lt, TList):
            if not compatible(lt.elem, rt):
                self.err("ILO-T011", f"'+=' list element type {lt.elem} doesn't match appended {rt}", span)
            return TList(join(lt.elem, rt))
        if not is_any(lt):
            self.err("ILO-T011", f"'+=' expects a list on the left, got {lt}", span)
        return ANY

    def check_unary(self, expr: ast.Unary) -> Ty:
        ty = self.infer(expr.operand)
        if expr.op == "-":
            if not compatible(ty, NUM):
                self.err("ILO-T012", f"negate expects n, got {ty}", self.span_of(expr))
            return NUM
        return BOOL

    def check_ok_expr(self, expr: ast.OkExpr) -> Ty:
        return TResult(self.infer(expr.value), ANY)

    def check_err_expr(self, expr: ast.ErrExpr) -> Ty:
        return TResult(ANY, self.infer(expr.value))

    def check_list_expr(self, expr: ast.ListExpr) -> Ty:
        elem: Ty | None = None
        for item in expr.items:
            ty = self.infer(item)
            elem = ty if elem is None else join(elem, ty)
        return TList(ANY if elem is None else elem)

    def check_nil_coalesce(self, expr: ast.NilCoalesce) -> Ty:
        val, default = self.infer(expr.value), self.infer(expr.default)
        if isinstance(val, TNil):
            return default
        if isinstance(val, TOpt):
            val = val.inner
        return join(val, default)

    def check_lambda(self, expr: ast.Lambda) -> Ty:
        # The body is checked as the lifted function; here only the captured names must
        # exist where the lambda is written.
        for name in expr.captures:
            if self.scope.lookup(name) is None:
                self.err("ILO-T004", f"undefined variable '{name}'", self.span_of(expr),
                         did_you_mean(name, self.scope.names() + list(self.sigs)))
        return TFn(tuple(p.ty for p in expr.params), expr.ret)

    def check_ternary(self, expr: ast.Ternary) -> Ty:
        self.infer(expr.cond)
        then, other = self.infer(expr.then), self.infer(expr.otherwise)
        if not compatible(then, other):
            self.err("ILO-T003", f"ternary branches have different types: {then} vs {other}",
                     self.span_of(expr))
        return join(then, other)

    def check_match_expr(self, expr: ast.MatchExpr) -> Ty:
        return self.check_match(expr)

    # ── records and lists ──────────────────────────────────────────────────

    def check_record_expr(self, expr: ast.RecordExpr) -> Ty:
        given = [(name, self.infer(value)) for name, value in expr.fields]
        span = self.span_of(expr)
        fields = self.records.get(expr.type_name)
        if fields is None:
            self.err("ILO-T003", f"undefined type '{expr.type_name}'", span,
                     did_you_mean(expr.type_name, list(self.records)))
            return ANY
        declared = dict(fields)
        provided = {name for name, _ in given}
        for fname, _ in fields:
            if fname not in provided:
                self.err("ILO-T015", f"missing field '{fname}' in record '{expr.type_name}'", span)
        self._check_given(given, declared, expr.type_name, span, ("ILO-T016", "ILO-T017"),
                          f"record '{expr.type_name}'", "field")
        return TNamed(expr.type_name)

    def _check_given(self, given, declared: dict, owner: str, span, codes, where: str, label: str):
        """Each (name, type) given to a record literal or a `with`: a field of ``owner``
        (``codes[0]`` if not) holding a value of its declared type (``codes[1]`` if not)."""
        for fname, ty in given:
            if fname not in declared:
                self.err(codes[0], f"unknown field '{fname}' in {where}", span,
                         did_you_mean(fname, list(declared)))
            elif not compatible(declared[fname], ty):
                self.err(codes[1], f"{label} '{fname}' of '{owner}' expects {declared[fname]}, got {ty}",
                         span)

    def _access_base(self, expr: ast.Field | ast.Index):
        """(object type, whether a safe access `.?` lifts the result to optional, the type
        accessed), or None when a safe access on nil makes the whole access nil."""
        obj = self.infer(expr.obj)
        if expr.safe and isinstance(obj, TNil):
            return None
        optional = expr.safe and isinstance(obj, TOpt)
        return obj, optional, obj.inner if optional else obj

    @staticmethod
    def _lifted(ty: Ty, optional: bool) -> Ty:
        return TOpt(ty) if optional and not isinstance(ty, TOpt) and not is_any(ty) else ty

    def check_field(self, expr: ast.Field) -> Ty:
        access = self._access_base(expr)
        if access is None:
            return NIL
        obj, optional, base = access
        if is_any(base):
            return ANY
        if not isinstance(base, TNamed):
            self.err("ILO-T018", f"field access on non-record type {obj}", self.span_of(expr))
            return ANY
        fields = self.records.get(base.name)
        if fields is None:
            return ANY
        for fname, fty in fields:
            if fname == expr.name:
                return self._lifted(fty, optional)
        self.err("ILO-T019", f"no field '{expr.name}' on type '{base.name}'", self.span_of(expr),
                 did_you_mean(expr.name, [n for n, _ in fields]))
        return ANY

    def check_index(self, expr: ast.Index) -> Ty:
        access = self._access_base(expr)
        if access is None:
            return NIL
        obj, optional, base = access
        if isinstance(base, TList):
            return self._lifted(base.elem, optional)
        if not is_any(base):
            self.err("ILO-T023", f"index access on non-list type {obj}", self.span_of(expr))
        return ANY

    def check_with(self, expr: ast.With) -> Ty:
        obj = self.infer(expr.obj)
        updates = [(name, self.infer(value)) for name, value in expr.updates]
        span = self.span_of(expr)
        if is_any(obj):
            return ANY
        if not isinstance(obj, TNamed):
            self.err("ILO-T020", f"'with' on non-record type {obj}", span)
            return ANY
        fields = self.records.get(obj.name)
        if fields is not None:
            self._check_given(updates, dict(fields), obj.name, span, ("ILO-T021", "ILO-T022"),
                              f"'with' on '{obj.name}'", "'with' field")
        return obj


_EXPR_CHECKS = handler_table(ExprChecks, "check_", EXPR_KINDS)
