"""An ilo value as the JSON the reference's ``--json`` mode (and ``ilo serv``) prints for it.

This is the reference's ``Value::to_json`` (``src/interpreter/json.rs``), which differs from
``jdmp``: a nested result keeps its side as ``{"ok": v}`` / ``{"err": v}``, map keys become
text, and a function value cannot be written (``TypeError``; callers fall back to its display
text). Numbers follow serde_json: integral values below 1e15 as integers, others in shortest
form, NaN and infinities as ``null``. Objects are written with sorted keys, compactly, as
serde_json's default map does.
"""

from __future__ import annotations

import json
import math

from ilo.runtime.builtins.jsonfmt import ryu
from ilo.runtime.format import format_value
from ilo.runtime.values import Err, FnRef, Ok, Record


def dumps(v, max_depth: int | None = None) -> str:
    """Compact JSON text of ``v``; ``TypeError`` for a value JSON cannot hold (a function);
    ``ValueError`` when ``max_depth`` is given and containers nest deeper than that."""
    if max_depth is not None and _deeper_than(v, max_depth):
        raise ValueError("recursion limit exceeded")
    out: list[str] = []
    # An explicit stack, not recursion: a program can build lists nested thousands deep.
    stack: list = [v]
    while stack:
        item = stack.pop()
        if isinstance(item, _Text):
            out.append(item.text)
            continue
        _emit(item, out, stack)
    return "".join(out)


class _Text:
    """Literal JSON text queued on the stack between the parts of a container."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


def _emit(v, out: list[str], stack: list) -> None:
    if v is None:
        out.append("null")
    elif v is True or v is False:
        out.append("true" if v else "false")
    elif isinstance(v, (float, int)):
        out.append(_number(float(v)))
    elif isinstance(v, str):
        out.append(json.dumps(v, ensure_ascii=False))
    elif isinstance(v, list):
        _queue(stack, "[", "]", [(None, x) for x in v])
    elif isinstance(v, dict):
        _queue(stack, "{", "}", sorted(((format_value(k), x) for k, x in v.items()), key=_first))
    elif isinstance(v, Record):
        _queue(stack, "{", "}", sorted(v.fields.items(), key=_first))
    elif isinstance(v, Ok):
        _queue(stack, "{", "}", [("ok", v.value)])
    elif isinstance(v, Err):
        _queue(stack, "{", "}", [("err", v.value)])
    elif isinstance(v, FnRef):
        raise TypeError("closures cannot be serialized" if v.captures else "functions cannot be serialized")
    else:
        raise TypeError(f"cannot serialize {type(v).__name__}")


def _deeper_than(v, limit: int) -> bool:
    stack = [(v, 0)]
    while stack:
        x, depth = stack.pop()
        if isinstance(x, (Ok, Err)):
            stack.append((x.value, depth + 1))
        elif isinstance(x, (list, dict, Record)):
            if depth >= limit:
                return True
            items = x if isinstance(x, list) else (x.fields if isinstance(x, Record) else x).values()
            stack.extend((e, depth + 1) for e in items)
    return False


def _first(pair):
    return pair[0]


def _queue(stack: list, open_: str, close: str, items: list) -> None:
    """Push a container's parts so they pop in order: open, items with separators, close."""
    parts: list = [_Text(open_)]
    for i, (key, value) in enumerate(items):
        prefix = "," if i else ""
        if key is not None:
            prefix += json.dumps(key, ensure_ascii=False) + ":"
        if prefix:
            parts.append(_Text(prefix))
        parts.append(value)
    parts.append(_Text(close))
    stack.extend(reversed(parts))


def _number(n: float) -> str:
    if not math.isfinite(n):
        return "null"
    if n == int(n) and abs(n) < 1e15:
        return str(int(n))
    return ryu(n)


def result_json(v) -> str:
    """What ``ilo --json`` prints on stdout for the entry function's result: ``{"ok": v}``, or
    ``{"error": {"phase": "program", "value": v}}`` for an Err (a value JSON cannot hold is
    written as its display text, or null inside an Ok, as the reference does)."""
    if isinstance(v, Err):
        return '{"error":{"phase":"program","value":' + value_text(v.value) + "}}"
    if isinstance(v, Ok):
        return '{"ok":' + ok_text(v.value) + "}"
    return '{"ok":' + value_text(v) + "}"


def ok_text(v) -> str:
    """``v``'s JSON text inside a top-level Ok: null when JSON cannot hold it."""
    try:
        return dumps(v)
    except TypeError:
        return "null"


def value_text(v) -> str:
    """``v``'s JSON text, or its display text as a JSON string when JSON cannot hold it."""
    try:
        return dumps(v)
    except TypeError:
        return json.dumps(format_value(v), ensure_ascii=False)
