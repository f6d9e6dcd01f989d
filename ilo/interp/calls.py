"""Calls in the tree interpreter: user functions, builtins, tools and function values.

In: an ``ast.Call`` (whose target the verifier recorded in ``VerifiedProgram.call_targets``)
or a function value (``FnRef``, or text naming a function, as the reference allows) plus
evaluated arguments. Out: the callee's value, or ``IloRuntimeError``.

``CallMixin`` is part of ``Interpreter``. The callee of a call node is resolved once and
cached as a small Python callable, so the per-call cost is one dict lookup; only calls
through a local variable (kind ``"local"``) look the variable up each time. Calls decided at
run time (through variables and function values, by name) go through ``runtime.calls``,
which the VM uses too; this module supplies how a user function runs (``enter``).
"""

from __future__ import annotations

from ilo.interp.frames import MISSING, Frame
from ilo.interp.signals import PropagateSignal
from ilo.runtime.builtins import registry
from ilo.runtime.calls import Calls, arity_error, call_tool, undefined_function
from ilo.runtime.errors import IloRuntimeError, panic_error
from ilo.runtime.sizes import out_of_memory
from ilo.runtime.values import Err, FnRef, Ok
from ilo.syntax import ast


class CallMixin:
    # ── call expressions ────────────────────────────────────────────────────

    def eval_call(self, e: ast.Call, frame: Frame):
        ev = self.eval
        args = [ev[type(a)](a, frame) for a in e.args]
        callee = self.callees.get(id(e))
        if callee is None:
            callee = self.callees[id(e)] = self.resolve_callee(e)
        try:
            result = callee(args, frame)
        except IloRuntimeError as err:
            if err.span is None:
                err.span = e.span
            raise
        except MemoryError:  # a builtin's result too big to build (the VM maps it the same)
            err = out_of_memory()
            err.span = e.span
            raise err from None
        if e.unwrap:
            kind = type(result)
            if kind is Ok:
                return result.value
            if kind is Err or result is None:
                if e.panic:
                    raise panic_error(result, e.span)
                # `f! x` with ^e (or nil, for an optional): leave the innermost body with
                # it (see signals.py).
                raise PropagateSignal(result)
        return result

    def resolve_callee(self, e: ast.Call):
        """A callable ``(args, frame) -> value`` for what ``e`` calls, from the verifier's table."""
        target = self.vp.call_targets.get(id(e))
        if target is None:
            raise IloRuntimeError("ILO-R013", f"call to '{e.func}' was not resolved by the verifier", e.span)
        kind, name = target.kind, target.name
        if kind == "function":
            return lambda args, frame: self.call_function(name, args)
        if kind == "builtin":
            return self.builtin_caller(name)
        if kind == "tool":
            return lambda args, frame: call_tool(name, args)
        if kind == "local":
            return lambda args, frame: self.call_local(name, args, frame)
        raise IloRuntimeError("ILO-R013", f"unknown call target kind '{kind}'", e.span)

    def make_calls(self) -> Calls:
        """The shared call machinery (runtime.calls) over this program's functions; the
        interpreter builds it once, as ``self.calls``."""
        return Calls(self.vp.functions, self.vp.tools, _nparams, self.enter)

    def call_local(self, name: str, args: list, frame: Frame):
        """Call through a variable (``runtime.calls.Calls.resolve_local`` decides what)."""
        value = frame.lookup(name)
        if value is MISSING:  # not a variable here after all: the name as written
            return self.calls.call_named(name, args)
        if type(value) is FnRef and value.captures:
            args = args + list(value.captures)
        return self.calls.call_named(self.calls.resolve_local(value, name), args)

    def call_value(self, fn, args: list):
        """Call a function value; the callback handed to higher-order builtins."""
        return self.calls.call_value(fn, args)

    def call_named(self, name: str, args: list):
        return self.calls.call_named(name, args)

    # ── user functions and builtins ─────────────────────────────────────────

    def call_function(self, name: str, args: list):
        fn = self.vp.functions.get(name)
        if fn is None:
            raise undefined_function(name)
        if len(args) != len(fn.params):
            raise arity_error(name, len(fn.params), len(args))
        return self.enter(fn, args)

    def enter(self, fn: ast.Function, args: list):
        """Run user function ``fn`` on ``args`` (already the right number) in a new frame."""
        name = fn.name
        if self.depth >= self.max_depth:
            raise IloRuntimeError(
                "ILO-R014", f"call depth exceeded: more than {self.max_depth} nested calls (in '{name}')"
            )
        left = self.left
        left[0] -= 1
        if left[0] < 0:
            self.limits.exhausted()
        frame = Frame(name, {p.name: a for p, a in zip(fn.params, args)})
        self.depth += 1
        try:
            return self.body_value(fn.body, frame)
        finally:
            self.depth -= 1

    def builtin_caller(self, name: str):
        caller = self.builtins.get(name)
        if caller is None:
            spec = registry.get(name)
            impl = spec.impl
            if spec.needs_call:
                call_value = self.calls.call_value

                def caller(args, frame):
                    return impl(call_value, *args)
            else:

                def caller(args, frame):
                    return impl(*args)

            self.builtins[name] = caller
        return caller

    def builtin_name(self, name: str) -> str | None:
        return registry.canonical(name)


def _nparams(fn: ast.Function) -> int:
    return len(fn.params)
