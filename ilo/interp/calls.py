"""Calls in the tree interpreter: user functions, builtins, tools and function values.

In: an ``ast.Call`` (whose target the verifier recorded in ``VerifiedProgram.call_targets``)
or a function value (``FnRef``, or text naming a function, as the reference allows) plus
evaluated arguments. Out: the callee's value, or ``IloRuntimeError``.

``CallMixin`` is part of ``Interpreter``. The callee of a call node is resolved once and
cached as a small Python callable, so the per-call cost is one dict lookup; only calls
through a local variable (kind ``"local"``) look the variable up each time.
"""

from __future__ import annotations

import sys

from ilo.interp.frames import MISSING, Frame
from ilo.interp.signals import BreakSignal, ContinueSignal, PropagateSignal, ReturnSignal
from ilo.runtime.builtins import registry
from ilo.runtime.errors import IloRuntimeError, panic_error
from ilo.runtime.format import format_value
from ilo.runtime.sizes import out_of_memory
from ilo.runtime.values import Err, FnRef, Ok, type_name
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
            return lambda args, frame: self.call_tool(name, args)
        if kind == "local":
            return lambda args, frame: self.call_local(name, args, frame)
        raise IloRuntimeError("ILO-R013", f"unknown call target kind '{kind}'", e.span)

    def call_local(self, name: str, args: list, frame: Frame):
        """Call through a variable. Like the reference, a variable holding an ``FnRef`` or a
        text naming a function is called; otherwise the name as written is called."""
        value = frame.lookup(name)
        if type(value) is FnRef:
            return self.call_named(value.name, args + list(value.captures) if value.captures else args)
        if type(value) is str and (value in self.vp.functions or value in self.vp.tools):
            return self.call_named(value, args)
        if value is not MISSING and not self.is_callable_name(name):
            raise IloRuntimeError("ILO-R002", f"'{name}' holds {type_name(value)}, not a function")
        return self.call_named(name, args)

    # ── function values ─────────────────────────────────────────────────────

    def call_value(self, fn, args: list):
        """Call a function value; the callback handed to higher-order builtins."""
        if type(fn) is FnRef:
            return self.call_named(fn.name, [*args, *fn.captures])
        if type(fn) is str and self.is_callable_name(fn):
            return self.call_named(fn, list(args))
        raise IloRuntimeError("ILO-R004", f"expected a function, got {type_name(fn)}")

    def is_callable_name(self, name: str) -> bool:
        return name in self.vp.functions or name in self.vp.tools or self.builtin_name(name) is not None

    def call_named(self, name: str, args: list):
        if name in self.vp.functions:
            return self.call_function(name, args)
        if name in self.vp.tools:
            return self.call_tool(name, args)
        canonical = self.builtin_name(name)
        if canonical is not None:
            spec = registry.get(canonical)
            spec.check_arity(len(args))
            return self.builtin_caller(canonical)(args, None)
        raise IloRuntimeError("ILO-R002", f"undefined function: {name}")

    # ── the three kinds of callee ───────────────────────────────────────────

    def call_function(self, name: str, args: list):
        fn = self.vp.functions.get(name)
        if fn is None:
            raise IloRuntimeError("ILO-R002", f"undefined function: {name}")
        params = fn.params
        if len(args) != len(params):
            raise IloRuntimeError("ILO-R004", f"{name}: expected {len(params)} args, got {len(args)}")
        if self.depth >= self.max_depth:
            raise IloRuntimeError(
                "ILO-R014", f"call depth exceeded: more than {self.max_depth} nested calls (in '{name}')"
            )
        left = self.left
        left[0] -= 1
        if left[0] < 0:
            self.limits.exhausted()
        frame = Frame(name, {p.name: a for p, a in zip(params, args)})
        self.depth += 1
        try:
            return self.exec_body(fn.body, frame)
        except (ReturnSignal, BreakSignal) as s:
            return s.value
        except ContinueSignal:
            return None
        finally:
            self.depth -= 1

    def builtin_caller(self, name: str):
        caller = self.builtins.get(name)
        if caller is None:
            spec = registry.get(name)
            impl = spec.impl
            if spec.needs_call:
                call_value = self.call_value

                def caller(args, frame):
                    return impl(call_value, *args)
            else:

                def caller(args, frame):
                    return impl(*args)

            self.builtins[name] = caller
        return caller

    def builtin_name(self, name: str) -> str | None:
        return registry.canonical(name)

    def call_tool(self, name: str, args: list):
        # The reference has no tool provider by default: it reports the call on stderr
        # and answers ~nil.
        shown = ", ".join(format_value(a) for a in args)
        print(f"tool call: {name}({shown})", file=sys.stderr)
        return Ok(None)
