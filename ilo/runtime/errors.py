"""Runtime errors raised by builtins and engines.

``IloRuntimeError`` is a plain exception carrying a code and message; the engine that
catches it attaches the span and the ilo function name, then converts it to a
``Diagnostic`` so the user sees one consistent error on every engine.
"""

from __future__ import annotations

from ilo.diagnostics.diagnostic import Diagnostic, IloError
from ilo.source import Span


class IloRuntimeError(Exception):
    def __init__(self, code: str, message: str, span: Span | None = None, function: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.span = span
        self.function = function

    def to_error(self) -> IloError:
        notes = [f"in function '{self.function}'"] if self.function else []
        return IloError(Diagnostic(self.code, self.message, self.span, notes=notes, function=self.function))


def panic_error(result, span=None) -> IloRuntimeError:
    """`f!! x` met ^e or nil: the program stops with ILO-R026 (the same on every engine)."""
    if result is None:
        return IloRuntimeError("ILO-R026", "panic-unwrap: expected value, got nil", span)
    from ilo.runtime.format import format_value

    inner = getattr(result, "value", result)
    return IloRuntimeError("ILO-R026", f"panic-unwrap: {format_value(inner)}", span)
