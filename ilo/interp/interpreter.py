"""The tree-walking interpreter: the reference semantics every other engine is checked against.

In: a ``VerifiedProgram``, a function name and ilo runtime values (``ilo.runtime.values``).
Out: the function's value, or ``IloRuntimeError`` carrying a code, a span and the ilo
function it happened in (``ilo.api`` turns it into an ``IloError``). Entry point: ``run``.

Semantics follow the reference tree interpreter (``src/interpreter/mod.rs``) including its
corners, which other engines must reproduce:

- a body's value is the value of its last statement that *has* one: ``x=...``, a braced
  guard whose condition is false and a match where no arm matched have none (so they leave
  the previous value in place); an empty body, or none at all, gives nil;
- a braceless guard returns from the function; ``cond{...}`` runs and continues (its value
  is the body's); ``cond{a}{b}`` is a value and even a ``ret`` inside it only ends the branch;
- a match statement gives its arm's value to the body it ends; it never returns from the
  function (the reference's match_in_loop fix); a match with no subject matches nil;
- a loop's value is its last iteration's value, or the ``brk`` value; ``@`` gives each
  iteration a fresh scope, ``wh`` does not;
- ``f! x`` with ``^e`` leaves the innermost body being executed as if by ``ret ^e``;
- a tool call reports itself on stderr and returns ``~nil``.

Statement handlers return a value or ``NOVALUE``; expression handlers live in ``exprs.py``,
calls in ``calls.py``, control flow signals in ``signals.py``. Self-rebinds
(``m=mset m k v``...; the shape is ``VerifiedProgram.self_rebind``) are planned once per
``Let`` node and delegated to ``ilo.runtime.ownership``, which updates the container in
place when nobody else owns it.
"""

from __future__ import annotations

import sys
import threading

from ilo import config
from ilo.interp import bigstack
from ilo.interp.calls import CallMixin
from ilo.interp.exprs import ExprEvaluator
from ilo.interp.frames import Frame
from ilo.interp.operators import BINARY
from ilo.interp.signals import BreakSignal, ContinueSignal, PropagateSignal, ReturnSignal
from ilo.runtime import ownership
from ilo.runtime.builtins import registry
from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.limits import UNLIMITED, Budget
from ilo.runtime.operators import add_values, append_value, range_bound
from ilo.runtime.sizes import out_of_memory
from ilo.runtime.values import Record, truthy, type_name
from ilo.syntax import ast
from ilo.syntax.dispatch import EXPR_KINDS, STMT_KINDS, handler_table
from ilo.verify.program import VerifiedProgram

DEFAULT_MAX_DEPTH = config.MAX_DEPTH  # ILO_MAX_DEPTH, 10,000 unless set
NOVALUE = object()  # a statement that produces no value (the reference's `None`)

# Python frames one ilo call may need (call → body → statement → expressions → call...),
# generously, so Python's own recursion limit never trips before ``max_depth`` does.
_PY_FRAMES_PER_CALL = 40
_STACK_BYTES_PER_CALL = 8 * 1024


class Interpreter(ExprEvaluator, CallMixin):
    def __init__(self, vp: VerifiedProgram, max_depth: int = DEFAULT_MAX_DEPTH, max_steps: int | None = None,
                 timeout: float | None = None):
        self.vp = vp
        self.max_depth = max_depth
        # Steps are loop iterations and calls, charged as the VM charges them (runtime.limits).
        self.limits = UNLIMITED if max_steps is None and timeout is None else Budget(max_steps, timeout)
        self.left = self.limits.left
        self.depth = 0
        self.callees: dict = {}  # id(Call) → callable(args, frame)
        self.builtins: dict = {}  # canonical builtin name → callable(args, frame)
        self.lets: dict = {}  # id(Let) → handler(let, frame)
        self.calls = self.make_calls()  # calls decided at run time (runtime.calls)
        # Dispatch tables: node class → handler bound to this interpreter (eval_<node>,
        # exec_<node>; the tables of names are derived once, below the class).
        self.eval = {cls: fn.__get__(self) for cls, fn in EVAL_HANDLERS.items()}
        self.exec = {cls: fn.__get__(self) for cls, fn in EXEC_HANDLERS.items()}

    # ── bodies ──────────────────────────────────────────────────────────────

    def exec_body(self, stmts: list, frame: Frame):
        """Run statements in order; the value of the last one that has a value (or nil).
        Return/break/continue leave as signals."""
        last = None
        value = NOVALUE
        handlers = self.exec
        stmt = None
        try:
            for stmt in stmts:
                value = handlers[type(stmt)](stmt, frame)
                if value is not NOVALUE:
                    last = value
        except PropagateSignal as p:
            raise ReturnSignal(p.value) from None
        except IloRuntimeError as err:
            if err.span is None and stmt is not None:
                err.span = stmt.span
            if err.function is None:
                err.function = frame.function
            raise
        # A match statement that ends a body is just that body's value (the reference's
        # match_in_loop fix: it no longer returns from the function).
        return last

    # ── statements ──────────────────────────────────────────────────────────

    def exec_expr_stmt(self, s: ast.ExprStmt, frame: Frame):
        return self.eval[type(s.expr)](s.expr, frame)

    def exec_let(self, s: ast.Let, frame: Frame):
        handler = self.lets.get(id(s))
        if handler is None:
            handler = self.lets[id(s)] = self.plan_let(s)
        handler(s, frame)
        return NOVALUE

    def assign(self, s: ast.Let, frame: Frame) -> None:
        frame.assign(s.name, self.eval[type(s.value)](s.value, frame))

    def exec_destructure(self, s: ast.Destructure, frame: Frame):
        value = self.eval[type(s.value)](s.value, frame)
        if type(value) is not Record:
            raise IloRuntimeError("ILO-R005", f"destructuring needs a record, got {type_name(value)}", s.span)
        for name in s.names:
            if name not in value.fields:
                raise IloRuntimeError("ILO-R005", f"no field '{name}' on record", s.span)
            frame.assign(name, value.fields[name])
        return NOVALUE

    def exec_guard(self, s: ast.Guard, frame: Frame):
        holds = truthy(self.eval[type(s.cond)](s.cond, frame)) != s.negated
        if s.else_body is not None:
            frame.push()
            try:
                return self.exec_body(s.body if holds else s.else_body, frame)
            except ReturnSignal as r:
                return r.value  # a ternary never returns from the function
            finally:
                frame.pop()
        if not holds:
            return NOVALUE
        frame.push()
        try:
            value = self.exec_body(s.body, frame)
        finally:
            frame.pop()
        if s.braceless:
            raise ReturnSignal(value)
        return value

    def exec_match(self, s: ast.Match, frame: Frame):
        return self.run_match(s, frame, self.exec_body, NOVALUE)

    def exec_for_each(self, s: ast.ForEach, frame: Frame):
        items = self.eval[type(s.collection)](s.collection, frame)
        if type(items) is not list:
            raise IloRuntimeError("ILO-R007", f"foreach needs a list, got {type_name(items)}", s.collection.span)
        # OWNERSHIP: `items` is a live reference for the whole loop, so a body that rebinds
        # the list it iterates (xs=+=xs v) sees it shared and copies instead of mutating.
        return self._run_loop(items, s.binding, s.body, frame)

    def exec_for_range(self, s: ast.ForRange, frame: Frame):
        ev = self.eval
        low = ev[type(s.start)](s.start, frame)
        high = ev[type(s.end)](s.end, frame)  # both bounds are evaluated before either is checked
        # a bad bound is reported at the whole range statement, as the VM (one instruction) does
        start, end = _range_bound(low, "start", s), _range_bound(high, "end", s)
        return self._run_loop(map(float, range(start, end)), s.binding, s.body, frame)

    def _run_loop(self, items, name: str, body: list, frame: Frame):
        """Run ``body`` once per item with ``name`` bound in a fresh scope; the loop's value is
        the last body value (or the value given to ``brk``)."""
        last = None
        scopes, left = frame.scopes, self.left
        for item in items:
            left[0] -= 1  # one step per iteration (runtime.limits), as the VM's back-edges
            if left[0] < 0:
                self.limits.exhausted()
            scopes.append({name: item})
            try:
                last = self.exec_body(body, frame)
            except BreakSignal as b:
                last = b.value
                break
            except ContinueSignal:
                continue
            finally:
                scopes.pop()
        return last

    def exec_while(self, s: ast.While, frame: Frame):
        last = None
        cond, body, ev = s.cond, s.body, self.eval
        cond_eval = ev[type(cond)]
        left = self.left
        while truthy(cond_eval(cond, frame)):
            left[0] -= 1
            if left[0] < 0:
                self.limits.exhausted()
            try:
                last = self.exec_body(body, frame)  # no new scope: the reference runs wh bodies in place
            except BreakSignal as b:
                last = b.value
                break
            except ContinueSignal:
                continue
        return last

    def exec_return(self, s: ast.Return, frame: Frame):
        raise ReturnSignal(self.eval[type(s.value)](s.value, frame))

    def exec_break(self, s: ast.Break, frame: Frame):
        raise BreakSignal(None if s.value is None else self.eval[type(s.value)](s.value, frame))

    def exec_continue(self, s: ast.Continue, frame: Frame):
        raise ContinueSignal()

    # ── self-rebinds ────────────────────────────────────────────────────────

    def plan_let(self, s: ast.Let):
        """The handler for one ``Let`` node: the plain assignment, or an in-place plan when
        the node has a self-rebind shape (decided once per node)."""
        # OWNERSHIP: the shapes below only *allow* the in-place path; ownership.py decides
        # per execution whether the old value really has no other owner.
        shape = self.vp.self_rebind(s)
        if shape == "mset":
            return self._rebind_mset_handler(s.value)
        if shape is not None:
            return self._rebind_binop_handler(s.value)
        return self.assign

    def _rebind_mset_handler(self, call: ast.Call):
        mset = registry.get("mset").impl
        key_expr, val_expr = call.args[1], call.args[2]

        def rebind(s: ast.Let, frame: Frame) -> None:
            scope = frame.scope_of(s.name)
            if scope is None:  # not a variable of this frame: evaluate normally
                return self.assign(s, frame)
            ev = self.eval
            key = ev[type(key_expr)](key_expr, frame)
            value = ev[type(val_expr)](val_expr, frame)
            try:
                ownership.rebind_mset(scope, s.name, key, value, mset)
            except IloRuntimeError as err:
                if err.span is None:
                    err.span = call.span
                raise

        return rebind

    def _rebind_binop_handler(self, op: ast.BinOp):
        right = op.right
        helper = ownership.rebind_append if op.op == "+=" else ownership.rebind_add
        fallback = append_value if op.op == "+=" else add_values
        plain = BINARY[op.op]

        def rebind(s: ast.Let, frame: Frame) -> None:
            scope = frame.scope_of(s.name)
            if scope is None:
                return self.assign(s, frame)
            other = self.eval[type(right)](right, frame)
            if type(scope[s.name]) is float:  # numbers have no container to reuse
                scope[s.name] = plain(scope[s.name], other, op)
                return
            try:
                helper(scope, s.name, other, fallback)
            except IloRuntimeError as err:
                if err.span is None:
                    err.span = op.span
                raise

        return rebind



EVAL_HANDLERS = handler_table(Interpreter, "eval_", EXPR_KINDS)
EXEC_HANDLERS = handler_table(Interpreter, "exec_", STMT_KINDS, helpers=("exec_body",))


def _range_bound(v, which: str, node: ast.Expr) -> int:
    try:
        return int(range_bound(v, which))
    except IloRuntimeError as err:
        err.span = node.span
        raise


# ── entry point ─────────────────────────────────────────────────────────────


def run(vp: VerifiedProgram, func: str, args: list, max_depth: int = DEFAULT_MAX_DEPTH,
        max_steps: int | None = None, timeout: float | None = None):
    """Call ilo function ``func`` with runtime values ``args``; return its value.

    Raises ``IloRuntimeError`` (with span and ilo function name) on any run-time failure,
    including ``ILO-R014`` when recursion exceeds ``max_depth`` calls and ``ILO-R015`` when
    more than ``max_steps`` steps (loop iterations and calls) run or ``timeout`` seconds
    pass. Never lets a Python exception escape.
    """
    interp = Interpreter(vp, max_depth=max_depth, max_steps=max_steps, timeout=timeout)
    return _on_big_stack(lambda: _call_entry(interp, func, args), max_depth)


def _call_entry(interp: Interpreter, func: str, args: list):
    try:
        return interp.call_function(func, list(args))
    except IloRuntimeError:
        raise
    except RecursionError:
        raise IloRuntimeError("ILO-R014", "call depth exceeded (the Python stack ran out)") from None
    except MemoryError:
        raise out_of_memory() from None
    except Exception as e:  # noqa: BLE001 - the boundary: no Python exception reaches the user
        raise IloRuntimeError("ILO-R013", f"internal interpreter error: {type(e).__name__}: {e}") from e


def _on_big_stack(fn, max_depth: int):
    """Run ``fn`` on a thread whose C stack and Python recursion limit fit ``max_depth``
    nested ilo calls, and hand back its value or exception."""
    _raise_recursion_limit(max_depth * _PY_FRAMES_PER_CALL + 1_000)
    try:
        return _run_thread(fn, max_depth)
    finally:
        _restore_recursion_limit()


# The recursion limit is process-wide: runs on several threads share one raised limit, and
# the last run to finish puts the caller's limit back.
_LIMIT_LOCK = threading.Lock()
_limit_state = {"runs": 0, "saved": 0}


def _raise_recursion_limit(needed: int) -> None:
    with _LIMIT_LOCK:
        if _limit_state["runs"] == 0:
            _limit_state["saved"] = sys.getrecursionlimit()
        _limit_state["runs"] += 1
        if sys.getrecursionlimit() < needed:
            sys.setrecursionlimit(needed)


def _restore_recursion_limit() -> None:
    with _LIMIT_LOCK:
        _limit_state["runs"] -= 1
        if _limit_state["runs"] == 0:
            sys.setrecursionlimit(_limit_state["saved"])


def _run_thread(fn, max_depth: int):
    return bigstack.run(fn, max(64 * 1024 * 1024, max_depth * _STACK_BYTES_PER_CALL))
