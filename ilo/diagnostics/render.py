"""The only code that turns diagnostics into text: human (optionally coloured) and JSON.

Human form::

    error[ILO-T005]: undefined function 'foo'
      --> 1:9
      |
    1 | f x:n>n;foo x
      |         ^^^
      |
      = note: in function 'f'
      = suggestion: did you mean 'f'?

Plain form (``--plain``/``--text``, for piping and grep): one line per diagnostic,
``<file>:<line>:<col>: error[ILO-T005]: undefined function 'foo' (in 'f'; did you mean 'f'?)``
(the location is left out when there is none).

JSON form: one object per diagnostic per line, with the stable fields ``severity``,
``code``, ``phase``, ``message``, ``file``, ``line``, ``col``, ``span`` (``{"start", "end"}``
character offsets, or null), ``function``, ``notes`` (list of text) and ``suggestion``
(text or null). ``JSON_FIELDS`` lists them; the README documents them.
"""

from __future__ import annotations

import json

from ilo.diagnostics.diagnostic import Diagnostic
from ilo.source import Source

_RED = "\x1b[1;31m"
_BLUE = "\x1b[1;34m"
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"


def render_human(diag: Diagnostic, source: Source | None, color: bool = False) -> str:
    red, blue, bold, reset = (_RED, _BLUE, _BOLD, _RESET) if color else ("", "", "", "")
    out = [f"{red}{diag.severity}[{diag.code}]{reset}{bold}: {diag.message}{reset}"]
    if diag.span is not None and source is not None and source.text:
        line, col = source.line_col(diag.span.start)
        text = source.line_text(line)
        width = len(str(line))
        pad = " " * width
        out.append(f"{pad}{blue}-->{reset} {line}:{col}")
        out.append(f"{pad} {blue}|{reset}")
        out.append(f"{blue}{line} |{reset} {text}")
        end_line, _ = source.line_col(max(diag.span.start, diag.span.end - 1))
        length = max(1, diag.span.end - diag.span.start) if end_line == line else max(1, len(text) - col + 1)
        out.append(f"{pad} {blue}|{reset} {' ' * (col - 1)}{red}{'^' * length}{reset}")
        out.append(f"{pad} {blue}|{reset}")
    notes = list(diag.notes)
    where = f"in function '{diag.function}'" if diag.function else None
    if where and where not in notes:
        notes.insert(0, where)  # verify errors know their function too, as the reference shows
    for note in notes:
        out.append(f"  {blue}={reset} note: {note}")
    if diag.suggestion:
        out.append(f"  {blue}={reset} suggestion: {diag.suggestion}")
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


# The JSON object's keys, in order: a stable, documented interface (README, tests).
JSON_FIELDS = ("severity", "code", "phase", "message", "file", "line", "col", "span", "function", "notes",
               "suggestion")


def to_json_obj(diag: Diagnostic, source: Source | None) -> dict:
    line = col = None
    if diag.span is not None and source is not None:
        line, col = source.line_col(diag.span.start)
    return {
        "severity": diag.severity,
        "code": diag.code,
        "phase": diag.phase,
        "message": diag.message,
        "file": source.name if source is not None else None,
        "line": line,
        "col": col,
        "span": None if diag.span is None else {"start": diag.span.start, "end": diag.span.end},
        "function": diag.function,
        "notes": list(diag.notes),
        "suggestion": diag.suggestion,
    }


def render_json(diag: Diagnostic, source: Source | None) -> str:
    return json.dumps(to_json_obj(diag, source), ensure_ascii=False)
