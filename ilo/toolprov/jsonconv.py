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
    """A JSON tree as compact text (serde_json's ``to_string``); Unserialisable if it is
    nested too deeply to write."""
    try:
        return jsonfmt.render(tree)
    except RecursionError:
        raise Unserialisable("recursion limit exceeded") from None


def parse(text: str):
    """JSON text as plain Python data; ``jsonfmt.JsonError`` (serde-worded) if it is not JSON."""
    return jsonfmt.loads(text)


def raw_text(data) -> str:
    """Parsed JSON written back compactly, numbers as serde_json re-renders them (used for an
    error body in ``HTTP <status>: <body>`` and for an MCP result without text content)."""
    return jsonfmt.render(jsonfmt._parsed_tree(data))


def to_value(x):
    """Parsed JSON as an ilo value, the way the reference's ``from_json`` reads a response.
    Recursive: ``jsonfmt.loads`` refuses JSON nested 128 deep, so the depth is small."""
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, list):
        return [to_value(e) for e in x]
    if len(x) == 1 and "ok" in x:
        return Ok(to_value(x["ok"]))
    if len(x) == 1 and "err" in x:
        return Err(to_value(x["err"]))
    return Record("_", {k: to_value(x[k]) for k in sorted(x)})
