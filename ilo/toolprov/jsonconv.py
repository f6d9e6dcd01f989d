"""ilo values <-> JSON for tool calls, as the reference's ``Value::to_json`` / ``from_json``.

Arguments go out the way the reference serialises them: numbers that are whole and below
1e15 as integers, NaN/inf as null, maps and records as objects (keys sorted, as serde_json's
default map writes them), results as ``{"ok": v}`` / ``{"err": e}``. A function value has no
JSON form: that is ``ToolFailure`` ("functions cannot be serialized"). Responses come back as
``from_json`` reads them: a one-key ``{"ok": v}`` / ``{"err": e}`` object is a result, any
other object a record of type ``_``. Arguments are written by ``runtime/jsonvalue`` (the
writer ``--json`` and ``ilo serv`` use) and responses parsed by jsonfmt (the ``jpar`` code):
no second copy of either.
"""

from __future__ import annotations

from ilo.runtime import jsonvalue
from ilo.runtime.builtins import jsonfmt
from ilo.runtime.values import Err, Ok, Record


class Unserialisable(Exception):
    """A value JSON cannot hold (a function); the message is the reference's."""


# Python's own recursion limit was the bound when arguments were rendered recursively; kept as
# the depth past which an argument is refused (the reference would overflow its stack).
MAX_ARG_DEPTH = 1000


def arg_text(v) -> str:
    """An argument's JSON text: the one ``Value::to_json`` writer (``runtime/jsonvalue``, what
    ``--json`` and ``ilo serv`` print); Unserialisable for a function or a value nested too deep."""
    try:
        return jsonvalue.dumps(v, MAX_ARG_DEPTH)
    except (TypeError, ValueError) as e:
        raise Unserialisable(str(e)) from None


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
