"""Call machinery every engine shares: calls by name, through function values and variables.

In: what an engine knows about the program — its user functions by name (``functions``: a
mapping to whatever the engine runs: a tree ``ast.Function`` or a VM ``Chunk``), its tool
names, how many parameters a function takes (``nparams``) and how to run one to completion
(``run(fn, args)``). Out: ``Calls``, whose methods both engines (and the higher-order
builtins, through ``call_value``) use, so which name a value reaches, the order names are
tried in, the arity check and every message are written once.

Callers: ``interp/calls.py`` (the tree) and ``vm/machine.py`` / ``vm/handlers_data.py``
(the VM's dynamic calls, ``call_value`` callbacks and tool calls). A call the verifier
resolved to a user function may skip this (each engine has its fast path) but reports a
wrong argument count through ``arity_error``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Container, Mapping

from ilo.runtime.builtins import registry
from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.format import format_value
from ilo.runtime.values import FnRef, Ok, type_name


def arity_error(name: str, expected: int, got: int, function: str | None = None) -> IloRuntimeError:
    """``ILO-R004``: user function ``name`` takes ``expected`` arguments, was given ``got``."""
    return IloRuntimeError("ILO-R004", f"{name}: expected {expected} args, got {got}", function=function)


def undefined_function(name: str) -> IloRuntimeError:
    return IloRuntimeError("ILO-R002", f"undefined function: {name}")


# The tool provider in force (``ilo.toolprov`` sets it for a run with --tools / --mcp):
# one slot, read on every tool call by every engine, so no engine needs to know providers.
PROVIDER: list = [None]


def call_tool(name: str, args: list):
    """A tool call. With a provider, its answer (a value, or ``ILO-R099`` raised). Without
    one the reference reports the call on stderr and answers ``~nil``; so do we, on every
    engine."""
    provider = PROVIDER[0]
    if provider is not None:
        return provider.call(name, args)
    shown = ", ".join(format_value(a) for a in args)
    print(f"tool call: {name}({shown})", file=sys.stderr)
    return Ok(None)


class Calls:
    """One engine's view of a program for calls that are decided at run time."""

    __slots__ = ("functions", "tools", "nparams", "run", "call_value")

    def __init__(self, functions: Mapping, tools: Container[str], nparams: Callable, run: Callable):
        self.functions = functions
        self.tools = tools
        self.nparams = nparams
        self.run = run
        # bound once: higher-order builtins receive it as their callback on every call
        self.call_value = self._call_value

    def is_callable(self, name: str) -> bool:
        """True if ``name`` names a user function, a tool or a builtin (or its alias)."""
        return name in self.functions or name in self.tools or registry.canonical(name) is not None

    def resolve_local(self, value, written: str) -> str:
        """The name a call through a variable reaches (``f x`` where ``f`` is a local). As in
        the reference: a variable holding an ``FnRef`` or text naming a user function or tool
        calls that; one holding anything else is an error unless the name as written is
        itself callable, which is then called."""
        if type(value) is FnRef:
            return value.name
        if type(value) is str and (value in self.functions or value in self.tools):
            return value
        if not self.is_callable(written):
            raise IloRuntimeError("ILO-R002", f"'{written}' holds {type_name(value)}, not a function")
        return written

    def _call_value(self, fn, args):
        """Call a function value (``FnRef`` with its captures appended, or text naming a
        function); the callback handed to higher-order builtins."""
        if type(fn) is FnRef:
            return self.call_named(fn.name, [*args, *fn.captures])
        if type(fn) is str and self.is_callable(fn):
            return self.call_named(fn, list(args))
        raise IloRuntimeError("ILO-R004", f"expected a function, got {type_name(fn)}")

    def call_named(self, name: str, args: list):
        """Call what ``name`` names: a user function first, then a tool, then a builtin."""
        fn = self.functions.get(name)
        if fn is not None:
            expected = self.nparams(fn)
            if len(args) != expected:
                raise arity_error(name, expected, len(args))
            return self.run(fn, args)
        if name in self.tools:
            return call_tool(name, args)
        canonical = registry.canonical(name)
        if canonical is None:
            raise undefined_function(name)
        spec = registry.get(canonical)
        spec.check_arity(len(args))
        if spec.needs_call:
            return spec.impl(self.call_value, *args)
        return spec.impl(*args)
