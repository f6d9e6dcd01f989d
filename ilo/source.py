"""Source text and spans.

A ``Span`` is a half-open *character* range ``[start, end)`` into the
original program text. Every token, AST node and diagnostic carries one, so any stage can
point at the exact text it is talking about. ``Source.line_col`` turns an offset into the
1-based ``line:col`` pair that diagnostics print.
"""

from __future__ import annotations

from ilo.records import record


@record(frozen=True)
class Span:
    start: int
    end: int

    def merge(self, other: Span) -> Span:
        return Span(min(self.start, other.start), max(self.end, other.end))


UNKNOWN_SPAN = Span(0, 0)


@record(frozen=True)
class Source:
    name: str
    text: str

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset, clamped to the text."""
        offset = max(0, min(offset, len(self.text)))
        line = self.text.count("\n", 0, offset) + 1
        line_start = self.text.rfind("\n", 0, offset) + 1
        return line, offset - line_start + 1

    def line_text(self, line: int) -> str:
        lines = self.text.split("\n")
        return lines[line - 1] if 0 < line <= len(lines) else ""
