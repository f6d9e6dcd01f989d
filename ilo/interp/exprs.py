"""Expression evaluation for the tree interpreter (one ``eval_<node>`` per expression kind).

In: an ``ast.Expr`` and the current ``Frame``. Out: a runtime value, or ``IloRuntimeError``
with the node's span. ``ExprEvaluator`` is a mixin of ``Interpreter``: it relies on
``self.eval`` (the dispatch table), ``self.exec_body``, ``self.call_expr`` and the program
tables that the interpreter sets up. Semantics follow the reference tree interpreter.
"""

from __future__ import annotations

from ilo.interp.operators import BINARY, unary
from ilo.interp.signals import BreakSignal, ContinueSignal, ReturnSignal
from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.typecheck import pattern_pytype
from ilo.runtime.values import Err, FnRef, Ok, Record, truthy, type_name, values_equal
from ilo.syntax import ast


class ExprEvaluator:
    def eval_lit(self, e: ast.Lit, frame):
        return e.value

    def eval_ref(self, e: ast.Ref, frame):
        name = e.name
        for scope in reversed(frame.scopes):  # Frame.lookup, inlined: the hottest path
            if name in scope:
                return scope[name]
        fn = self.function_value(e.name)
        if fn is None:
            raise IloRuntimeError("ILO-R001", f"undefined variable: {e.name}", e.span)
        return fn

    def eval_field(self, e: ast.Field, frame):
        obj = self.eval[type(e.obj)](e.obj, frame)
        if e.safe:  # `.?`: nil for nil, a non-record, or a missing field
            return obj.fields.get(e.name) if type(obj) is Record else None
        if type(obj) is Record:
            try:
                return obj.fields[e.name]
            except KeyError:
                raise IloRuntimeError("ILO-R005", f"no field '{e.name}' on record", e.span) from None
        raise IloRuntimeError(
            "ILO-R005", f"cannot access field '{e.name}' on {type_name(obj)} (not a record)", e.span
        )

    def eval_index(self, e: ast.Index, frame):
        obj = self.eval[type(e.obj)](e.obj, frame)
        if obj is None and e.safe:
            return None
        if type(obj) is list:
            if 0 <= e.index < len(obj):
                return obj[e.index]
            raise IloRuntimeError(
                "ILO-R006", f"list index {e.index} out of bounds (len {len(obj)})", e.span
            )
        raise IloRuntimeError("ILO-R006", f"index access on {type_name(obj)} (not a list)", e.span)

    def eval_bin_op(self, e: ast.BinOp, frame):
        ev = self.eval
        left = ev[type(e.left)](e.left, frame)
        fn = BINARY.get(e.op)
        if fn is not None:
            return fn(left, ev[type(e.right)](e.right, frame), e)
        # `&` and `|` short-circuit and give back an operand, not a bool (as the reference).
        if e.op == "&":
            return ev[type(e.right)](e.right, frame) if truthy(left) else left
        if e.op == "|":
            return left if truthy(left) else ev[type(e.right)](e.right, frame)
        raise IloRuntimeError("ILO-R013", f"unknown binary operator '{e.op}'", e.span)

    def eval_unary(self, e: ast.Unary, frame):
        return unary(e.op, self.eval[type(e.operand)](e.operand, frame), e)

    def eval_ok_expr(self, e: ast.OkExpr, frame):
        return Ok(self.eval[type(e.value)](e.value, frame))

    def eval_err_expr(self, e: ast.ErrExpr, frame):
        return Err(self.eval[type(e.value)](e.value, frame))

    def eval_list_expr(self, e: ast.ListExpr, frame):
        ev = self.eval
        return [ev[type(item)](item, frame) for item in e.items]

    def eval_record_expr(self, e: ast.RecordExpr, frame):
        ev = self.eval
        given = {name: ev[type(x)](x, frame) for name, x in e.fields}
        typedef = self.vp.records.get(e.type_name)
        if typedef is None:
            return Record(e.type_name, given)
        # Fields are kept in declaration order, whatever order the constructor used.
        fields = {p.name: given.pop(p.name) for p in typedef.fields if p.name in given}
        fields.update(given)
        return Record(e.type_name, fields)

    def eval_match_expr(self, e: ast.MatchExpr, frame):
        return self.run_match(e, frame, self.body_value, None)

    def run_match(self, m, frame, run, no_match):
        """A match (statement or expression ``m``): the first matching arm's body run by
        ``run`` with the arm's bindings in scope, or ``no_match`` when no arm matches.
        ``?{...}`` without a subject matches nil, exactly as the reference does."""
        subject = None if m.subject is None else self.eval[type(m.subject)](m.subject, frame)
        arm, bindings = first_arm(m.arms, subject)
        if arm is None:
            return no_match
        frame.push(bindings)
        try:
            return run(arm.body, frame)
        finally:
            frame.pop()

    def body_value(self, body: list, frame):
        """Run ``body`` where a value is wanted (a match arm in an expression, a function
        body): every way out of it, ``ret``, ``brk`` or falling off the end, gives its value
        (``cnt`` gives nil)."""
        try:
            return self.exec_body(body, frame)
        except (ReturnSignal, BreakSignal) as s:
            return s.value
        except ContinueSignal:
            return None

    def eval_nil_coalesce(self, e: ast.NilCoalesce, frame):
        v = self.eval[type(e.value)](e.value, frame)
        return self.eval[type(e.default)](e.default, frame) if v is None else v

    def eval_with(self, e: ast.With, frame):
        obj = self.eval[type(e.obj)](e.obj, frame)
        if type(obj) is not Record:
            raise IloRuntimeError("ILO-R008", f"'with' needs a record, got {type_name(obj)}", e.span)
        fields = dict(obj.fields)
        ev = self.eval
        for name, x in e.updates:
            fields[name] = ev[type(x)](x, frame)
        return Record(obj.type_name, fields)

    def eval_ternary(self, e: ast.Ternary, frame):
        ev = self.eval
        branch = e.then if truthy(ev[type(e.cond)](e.cond, frame)) else e.otherwise
        return ev[type(branch)](branch, frame)

    def eval_lambda(self, e: ast.Lambda, frame):
        # The captured variables' values now, bound to the lifted function.
        if not e.captures:
            return FnRef(e.name)
        return FnRef(e.name, tuple(frame.lookup(c) for c in e.captures))

    def function_value(self, name: str):
        """A function name used as a value: ``FnRef``, or None if ``name`` names no function."""
        if name in self.vp.functions or name in self.vp.tools:
            return FnRef(name)
        canonical = self.builtin_name(name)
        return None if canonical is None else FnRef(canonical)


def first_arm(arms: list, subject) -> tuple:
    """The first arm whose pattern matches ``subject`` and the bindings it introduces, or
    ``(None, None)``."""
    for arm in arms:
        bindings = match_pattern(arm.pattern, subject)
        if bindings is not None:
            return arm, bindings
    return None, None


def match_pattern(pattern: ast.Pattern, value) -> dict | None:
    """The bindings a match arm introduces if ``pattern`` matches ``value``, else None."""
    kind = type(pattern)
    if kind is ast.PWild:
        return {"_": value}  # `_` names the subject (see Verifier.bind_pattern)
    if kind is ast.PLit:
        return {} if values_equal(pattern.value, value) else None
    if kind is ast.POk or kind is ast.PErr:
        wanted = Ok if kind is ast.POk else Err
        if type(value) is not wanted:
            return None
        return {pattern.binding: value.value}
    if kind is ast.PType:
        py_type = pattern_pytype(pattern.ty)
        if py_type is None or type(value) is not py_type:
            return None
        return {pattern.binding: value}
    raise IloRuntimeError("ILO-R013", f"unknown pattern kind {kind.__name__}", getattr(pattern, "span", None))

