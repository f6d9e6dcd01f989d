"""The Diagnostic value and the one exception every stage raises.

Stages never format text for the user: they build ``Diagnostic`` objects (code, message,
span, notes, suggestion) and raise ``IloError`` carrying all of them. Only
``ilo.diagnostics.render`` turns them into human or JSON text.
"""

from __future__ import annotations

from dataclasses import field

from ilo.records import record
from ilo.source import Span


@record
class Diagnostic:
    code: str  # e.g. "ILO-T004"; must be a key of codes.REGISTRY
    message: str
    span: Span | None = None
    notes: list[str] = field(default_factory=list)
    suggestion: str | None = None
    severity: str = "error"
    function: str | None = None  # enclosing ilo function, when known

    @property
    def phase(self) -> str:
        return {"L": "lexer", "P": "parser", "T": "verifier", "R": "runtime", "W": "warning"}.get(
            self.code[4:5], "error"
        )


class IloError(Exception):
    """Raised by every stage; carries one or more diagnostics (verify reports all at once)."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = diagnostics
        first = diagnostics[0] if diagnostics else None
        super().__init__(f"{first.code}: {first.message}" if first else "ilo error")

    @property
    def code(self) -> str:
        return self.diagnostics[0].code if self.diagnostics else ""
