"""The only code that turns diagnostics into text: human (optionally coloured) and JSON.

Human form (the reference's layout)::

    error[ILO-T005]: undefined function 'foo'
      --> 1:9
      |
    1 | f x:n>n;foo x
      |         ^^^
      |
      = note: in function 'f'
      = suggestion: did you mean 'f'?

(lexer, parser and runtime errors write ``here`` after the carets).

Plain form (``--plain``, for piping and grep): one line per diagnostic,
``<file>:<line>:<col>: error[ILO-T005]: undefined function 'foo' (in 'f'; did you mean 'f'?)``
(the location is left out when there is none).

JSON form: one compact object per diagnostic per line, in the reference's schema: ``severity``,
``code``, ``message``, ``labels`` (each ``{"start", "end", "line", "col", "message",
"primary"}``, character offsets and 1-based position), ``notes`` (list of text) and, when
there is one, ``suggestion``. ``JSON_FIELDS`` lists them; the README documents them.
"""

from __future__ import annotations

import json

from ilo.diagnostics.diagnostic import Diagnostic
from ilo.source import Source

_RED = "\x1b[1;31m"
_CYAN = "\x1b[36m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


def render_human(diag: Diagnostic, source: Source | None, color: bool = False) -> str:
    """The reference's human form (``src/diagnostic/ansi.rs``), optionally coloured."""
    red, cyan, bold, dim, reset = (_RED, _CYAN, _BOLD, _DIM, _RESET) if color else ("",) * 5
    head = f"{red}error{reset}" if diag.severity == "error" else f"{bold}{cyan}{diag.severity}{reset}"
    out = [f"{head}{bold}[{diag.code}]{reset}: {bold}{diag.message}{reset}"]
    if diag.span is not None and source is not None and source.text:
        line, col = source.line_col(diag.span.start)
        text = source.line_text(line)
        pad = " " * len(str(line))
        out.append(f"  {cyan}-->{reset} {line}:{col}")
        out.append(f"{pad} {cyan}|{reset}")
        out.append(f"{cyan}{line}{reset} {cyan}|{reset} {text}")
        end_line, _ = source.line_col(max(diag.span.start, diag.span.end - 1))
        length = max(1, diag.span.end - diag.span.start) if end_line == line else max(1, len(text) - col + 1)
        label = label_text(diag)
        tail = f" {red}{label}{reset}" if label else ""
        out.append(f"{pad} {cyan}|{reset} {' ' * (col - 1)}{red}{'^' * length}{reset}{tail}")
        out.append(f"{pad} {cyan}|{reset}")
    for note in _notes(diag):
        out.append(f"  {dim}={reset} note: {note}")
    if diag.suggestion:
        out.append(f"  {dim}={reset} suggestion: {diag.suggestion}")
    return "\n".join(out)


def render_plain(diag: Diagnostic, source: Source | None) -> str:
    where = ""
    if diag.span is not None and source is not None and source.text:
        line, col = source.line_col(diag.span.start)
        where = f"{source.name}:{line}:{col}: "
    extra = [f"in '{diag.function}'"] if diag.function else []
    extra += [n for n in diag.notes if not (diag.function and n == f"in function '{diag.function}'")]
    if diag.suggestion:
        extra.append(diag.suggestion)
    tail = f" ({'; '.join(extra)})" if extra else ""
    return f"{where}{diag.severity}[{diag.code}]: {diag.message}{tail}".replace("\n", " ")


# The JSON object's keys: the reference's schema (``src/diagnostic/json.rs``), printed in sorted
# order as its serde_json does. ``suggestion`` is left out when there is none; each label is
# ``{"col", "end", "line", "message", "primary", "start"}`` (``line``/``col`` only with a source).
JSON_FIELDS = ("code", "labels", "message", "notes", "severity", "suggestion")
LABEL_FIELDS = ("col", "end", "line", "message", "primary", "start")


def label_text(diag: Diagnostic) -> str:
    """The words under the caret: the reference writes "here" for lexer, parser and runtime
    errors and nothing for the verifier's (whose note names the function instead)."""
    return "" if diag.phase in ("verifier", "warning") or diag.severity == "warning" else "here"


def _notes(diag: Diagnostic) -> list[str]:
    notes = list(diag.notes)
    where = f"in function '{diag.function}'" if diag.function else None
    if where and where not in notes:
        notes.insert(0, where)  # verify errors know their function too, as the reference shows
    return notes


def to_json_obj(diag: Diagnostic, source: Source | None) -> dict:
    labels = []
    if diag.span is not None:
        label = {"start": diag.span.start, "end": diag.span.end, "message": label_text(diag), "primary": True}
        if source is not None:
            label["line"], label["col"] = source.line_col(diag.span.start)
        labels.append(label)
    obj = {"severity": diag.severity, "code": diag.code, "message": diag.message, "labels": labels,
           "notes": _notes(diag)}
    if diag.suggestion:
        obj["suggestion"] = diag.suggestion
    return obj


def render_json(diag: Diagnostic, source: Source | None) -> str:
    return json.dumps(to_json_obj(diag, source), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
