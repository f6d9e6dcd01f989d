"""ilo values <-> JSON for tool calls, as the reference's ``Value::to_json`` / ``from_json``.

Arguments go out the way the reference serialises them: numbers that are whole and below
1e15 as integers, NaN/inf as null, maps and records as objects (keys sorted, as serde_json's
default map writes them), results as ``{"ok": v}`` / ``{"err": e}``. A function value has no
JSON form: that is ``ToolFailure`` ("functions cannot be serialized"). Responses come back as
``from_json`` reads them: a one-key ``{"ok": v}`` / ``{"err": e}`` object is a result, any
other object a record of type ``_``. The number and text rendering is jsonfmt's (the
``jdmp`` code), not a second copy.
"""

from __future__ import annotations

from ilo.runtime.builtins import jsonfmt
from ilo.runtime.format import format_value
from ilo.runtime.values import Err, FnRef, Ok, Record


class Unserialisable(Exception):
    """A value JSON cannot hold (a function); the message is the reference's."""


def arg_tree(v):
    """An ilo value as a JSON tree for ``jsonfmt.render`` (iterative: deep values are fine)."""
    root: list = [None]
    stack = [(v, root, 0)]
    while stack:
        x, slot, key = stack.pop()
        t = type(x)
        if t is Ok or t is Err:
            out = {"ok" if t is Ok else "err": None}
            stack.append((x.value, out, "ok" if t is Ok else "err"))
        elif t is list:
            out = [None] * len(x)
            stack.extend((e, out, i) for i, e in enumerate(x))
        elif t is dict or t is Record:
            items = x.fields if t is Record else x
            out = {}
            for k, e in items.items():
                name = k if type(k) is str else format_value(k)
                out[name] = None
                stack.append((e, out, name))
        elif t is FnRef:
            raise Unserialisable("closures cannot be serialized" if x.captures else "functions cannot be serialized")
        else:
            out = jsonfmt.dump_tree(x)  # scalars: serde_json's number layout
        slot[key] = out
    return root[0]


def dumps(tree) -> str:
    """A JSON tree as compact text (serde_json's ``to_string``)."""
    return jsonfmt.render(tree)


def parse(text: str):
    """JSON text as plain Python data; ``jsonfmt.JsonError`` (serde-worded) if it is not JSON."""
    return jsonfmt.loads(text)


def raw_text(data) -> str:
    """Parsed JSON written back compactly, numbers as serde_json re-renders them (used for an
    error body in ``HTTP <status>: <body>`` and for an MCP result without text content)."""
    return jsonfmt.render(jsonfmt._parsed_tree(data))


def to_value(x):
    """Parsed JSON as an ilo value, the way the reference's ``from_json`` reads a response."""
    root: list = [None]
    stack = [(x, root, 0)]
    while stack:
        d, slot, key = stack.pop()
        if isinstance(d, bool) or d is None or isinstance(d, str):
            out = d
        elif isinstance(d, (int, float)):
            out = float(d)
        elif isinstance(d, list):
            out = [None] * len(d)
            stack.extend((e, out, i) for i, e in enumerate(d))
        elif len(d) == 1 and ("ok" in d or "err" in d):
            which = "ok" if "ok" in d else "err"
            holder: list = [None]
            out = _Pending(Ok if which == "ok" else Err, holder)
            stack.append((d[which], holder, 0))
        else:
            fields = {k: None for k in sorted(d)}
            out = Record("_", fields)
            stack.extend((d[k], fields, k) for k in fields)
        slot[key] = out
    return _settle(root[0])


class _Pending:
    """A result whose inner value is still being converted (results are immutable)."""

    __slots__ = ("cls", "holder")

    def __init__(self, cls, holder):
        self.cls = cls
        self.holder = holder


def _settle(v):
    """Replace every ``_Pending`` by its result, innermost first (iterative)."""
    if not _has_pending(v):
        return v
    return _settle_rec(v)


def _has_pending(v) -> bool:
    stack = [v]
    while stack:
        x = stack.pop()
        if type(x) is _Pending:
            return True
        if type(x) is list:
            stack.extend(x)
        elif type(x) is Record:
            stack.extend(x.fields.values())
    return False


def _settle_rec(v):
    # Results in responses are rare and shallow; plain recursion is enough here.
    t = type(v)
    if t is _Pending:
        return v.cls(_settle_rec(v.holder[0]))
    if t is list:
        return [_settle_rec(e) for e in v]
    if t is Record:
        return Record(v.type_name, {k: _settle_rec(e) for k, e in v.fields.items()})
    return v
