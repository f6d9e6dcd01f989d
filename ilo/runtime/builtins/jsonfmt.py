"""JSON builtins (``jdmp``, ``jpar``, ``jpth``) and the JSON text helpers ``io`` reuses.

In: runtime values or JSON text. Out: JSON text, or parsed values (objects become
``Record("json", ...)``, fields in key order, as the reference's sorted JSON maps give them).
Output follows the reference's serde_json: compact, object keys sorted, no escaping of
non-ASCII, floats in shortest form (``1.5``, ``1e20``, ``0.00001``). ``jdmp`` writes whole
numbers below 1e15 as integers; ``wr ... "json"`` writes every number as a float (``1.0``).
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from json.encoder import encode_basestring as _quote  # C: JSON string, non-ASCII kept

from ilo.runtime.builtins._support import fail, need_text
from ilo.runtime.builtins.registry import builtin, kernel
from ilo.runtime.format import format_value
from ilo.runtime.values import Err, FnRef, Ok, Record

# jdmp's C encoder: compact, keys sorted, non-ASCII kept (serde_json's layout)
_COMPACT = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class _Raw(str):
    """A JSON token already rendered (a number or ``null``)."""


RawJson = _Raw  # for writers that embed JSON text made elsewhere (``ilo serv``'s values)


_NULL = _Raw("null")


def ryu(x: float) -> str:
    """A finite float in the shortest round-trip form Rust's ryu prints (serde_json numbers)."""
    if x == 0.0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    _, digits_t, exp = Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(map(str, digits_t))
    length = len(digits)
    point = length + exp  # the value is 0.<digits> * 10**point
    if 0 <= exp and point <= 16:
        body = digits + "0" * exp + ".0"
    elif 0 < point <= 16:
        body = digits[:point] + "." + digits[point:]
    elif -5 < point <= 0:
        body = "0." + "0" * -point + digits
    elif length == 1:
        body = f"{digits}e{point - 1}"
    else:
        body = f"{digits[0]}.{digits[1:]}e{point - 1}"
    return sign + body


def _dump_number(n: float) -> _Raw:
    if not math.isfinite(n):
        return _NULL
    if n == int(n) and abs(n) < 1e15:
        return _Raw(str(int(n)))
    return _Raw(ryu(n))


def dump_tree(v):
    """An ilo value as a JSON tree the way ``jdmp`` sees it (records/maps → objects, results unwrap)."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, float):
        return _dump_number(v)
    if isinstance(v, list):
        return [dump_tree(x) for x in v]
    if isinstance(v, dict):
        # JSON object keys are text: number keys are written as their digits
        return {str(k): dump_tree(x) for k, x in v.items()}
    if isinstance(v, Record):
        return {k: dump_tree(x) for k, x in v.fields.items()}
    if isinstance(v, (Ok, Err)):
        return dump_tree(v.value)
    if isinstance(v, FnRef):
        return f"<fn:{v.name}>"
    return str(v)


class _NeedsRenderer(Exception):
    """A number whose JSON text differs between Python's repr and serde_json (exponents, inf)."""


def _plain_tree(v):
    """``dump_tree`` for ``json.dumps``: integral numbers as ints, others as floats, but only
    where Python's float repr equals serde_json's (1e-4 <= |x| < 1e16); else _NeedsRenderer."""
    t = type(v)
    if t is float:
        return _plain_number(v)
    if v is None or t is bool or t is str:
        return v
    if t is list:
        return _plain_list(v)
    if t is Record:
        return _plain_fields(v.fields.items())
    if t is dict:
        return _plain_fields((str(k), x) for k, x in v.items())
    if t is Ok or t is Err:
        return _plain_tree(v.value)
    return dump_tree(v)


def _plain_list(xs: list) -> list:
    # one loop for the common element kinds (records and scalars), no recursion per element
    out = []
    add = out.append
    for x in xs:
        t = type(x)
        if t is Record:
            add(_plain_fields(x.fields.items()))
        elif t is str or t is bool or x is None:
            add(x)
        elif t is float:
            add(_plain_number(x))
        else:
            add(_plain_tree(x))
    return out


# jdmp's number rule: whole numbers below 1e15 as integers; other finite numbers as Python's
# repr only where it equals serde_json's (1e-4 <= |x| < 1e16); anything else needs ``ryu``.
_WHOLE_BELOW = 1e15
_REPR_FROM, _REPR_BELOW = 1e-4, 1e16


def _plain_number(v: float):
    if -_WHOLE_BELOW < v < _WHOLE_BELOW and v.is_integer():  # NaN fails the first test
        return int(v)
    if _REPR_FROM <= abs(v) < _REPR_BELOW:
        return v
    raise _NeedsRenderer


def _plain_fields(items) -> dict:
    # Records are the common payload (``jdmp`` of a list of records): text and other plain
    # fields pass without a call, numbers through the one rule (``_plain_number``).
    out = {}
    for k, x in items:
        t = type(x)
        if t is float:
            x = _plain_number(x)
        elif not (t is str or t is bool or x is None):
            x = _plain_tree(x)
        out[k] = x
    return out


def float_tree(v):
    """An ilo value as a JSON tree the way ``wr path v "json"`` sees it: every number a float,
    maps as objects, and anything else that JSON cannot hold written as its display text."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, float):
        return _Raw(ryu(v)) if math.isfinite(v) else _NULL
    if isinstance(v, list):
        return [float_tree(x) for x in v]
    if isinstance(v, dict):
        return {str(k): float_tree(x) for k, x in v.items()}
    return format_value(v)


def _parsed_tree(x):
    """A tree from ``json.loads`` output, numbers rendered as serde_json re-renders them."""
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, int):
        return _Raw(str(x)) if -(2**63) <= x < 2**64 else _Raw(ryu(float(x)))
    if isinstance(x, float):
        return _Raw(ryu(x))
    if isinstance(x, list):
        return [_parsed_tree(e) for e in x]
    return {k: _parsed_tree(e) for k, e in x.items()}


def _text(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def render(tree, indent: int | None = None, depth: int = 0) -> str:
    """A JSON tree as text: compact, or serde_json's pretty layout with ``indent`` spaces."""
    if isinstance(tree, _Raw):
        return str(tree)
    if tree is None:
        return "null"
    if tree is True:
        return "true"
    if tree is False:
        return "false"
    if isinstance(tree, str):
        return _text(tree)
    if isinstance(tree, list):
        parts = [render(x, indent, depth + 1) for x in tree]
        open_, close = "[", "]"
    else:
        sep = ": " if indent is not None else ":"
        parts = [_text(k) + sep + render(tree[k], indent, depth + 1) for k in sorted(tree)]
        open_, close = "{", "}"
    if not parts:
        return open_ + close
    if indent is None:
        return open_ + ",".join(parts) + close
    pad, inner = " " * (indent * depth), " " * (indent * (depth + 1))
    return open_ + "\n" + ",\n".join(inner + p for p in parts) + "\n" + pad + close


class JsonError(Exception):
    """JSON text that does not parse; the message is worded like serde_json's."""


_PY_TO_SERDE = (
    ("Extra data", "trailing characters"),
    ("Expecting property name enclosed in double quotes", "key must be a string"),
    ("Expecting ':' delimiter", "expected `:`"),
    ("Expecting ',' delimiter", "expected `,` or a closing bracket"),
    ("Illegal trailing comma", "trailing comma"),
    ("Unterminated string", "EOF while parsing a string"),
    ("Invalid control character", "control character (\\u0000-\\u001F) found while parsing a string"),
    ("Invalid \\escape", "invalid escape"),
    ("Invalid \\uXXXX escape", "invalid escape"),
)


def _reject_constant(name: str):
    raise JsonError(f"expected value (JSON has no {name})")


# serde_json (the reference's parser) refuses to nest arrays and objects 128 deep: its
# remaining-depth counter starts at 128 and the bracket that takes it to 0 is an error.
MAX_DEPTH = 128
_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_deep_at(text: str) -> int | None:
    """The index of the bracket that opens level ``MAX_DEPTH``, or None. Strings are
    skipped whole, so brackets inside them do not count."""
    if text.count("[") + text.count("{") < MAX_DEPTH:
        return None
    depth = 0
    for m in _BRACKETS.finditer(text):
        c = m.group()
        if c == "[" or c == "{":
            depth += 1
            if depth == MAX_DEPTH:
                return m.start()
        elif c == "]" or c == "}":
            depth -= 1
    return None


def _depth_error(text: str, at: int) -> JsonError:
    # serde_json positions: line from 1, column = the bracket's 1-based *byte* column.
    start = text.rfind("\n", 0, at) + 1
    line = text.count("\n", 0, start) + 1
    column = len(text[start:at].encode("utf-8")) + 1
    return JsonError(f"recursion limit exceeded at line {line} column {column}")


def loads(text: str):
    """Parse JSON text into plain Python data, or raise ``JsonError`` with a serde-like message."""
    at = _too_deep_at(text)
    if at is not None:
        # serde reads left to right: an error before the deep bracket is reported instead.
        try:
            _loads(text[:at])
        except JsonError as e:
            if not str(e).startswith("EOF while parsing"):
                raise
        raise _depth_error(text, at)
    return _loads(text)


def _loads(text: str):
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        what = e.msg
        for py, serde in _PY_TO_SERDE:
            if e.msg.startswith(py):
                what = serde
                break
        if e.msg.startswith("Expecting value"):
            at_end = not text[e.pos :].strip()
            what = "EOF while parsing a value" if at_end else "expected value"
        raise JsonError(f"{what} at line {e.lineno} column {e.colno}") from None
    except RecursionError:
        raise JsonError("recursion limit exceeded") from None


def to_value(x):
    """Plain parsed JSON → ilo value: objects become ``json`` records, numbers floats."""
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, list):
        return [to_value(e) for e in x]
    return Record("json", {k: to_value(x[k]) for k in sorted(x)})


def parse_json_value(text: str):
    """JSON text → ilo value, or raise ``JsonError``."""
    return to_value(loads(text))


@builtin(
    "jdmp",
    "_ > t",
    checked=(), doc="Serialise any value to compact JSON text (records and maps become objects).",
    example='jdmp [1 2 3]', result='[1,2,3]',
    kernels=(kernel("_ > t"),),  # python kernels call it as is: it takes any value, never fails
)
def jdmp(v):
    if type(v) is list and v and type(v[0]) is Record:
        try:
            return _flat_records(v)
        except _NeedsRenderer:
            pass
    try:
        # Fast path: the C encoder, when every number prints the same way serde_json would
        # (one encoder object for every call: json.dumps with options builds one per call).
        return _COMPACT.encode(_plain_tree(v))
    except _NeedsRenderer:
        pass
    except RecursionError:  # nested deeper than the C encoder goes: the iterative writer
        return dump_deep(v)
    try:
        return render(dump_tree(v))
    except RecursionError:
        return dump_deep(v)


# ``jdmp`` of a list of flat records (the common payload: rows, items) written straight to
# text: converting each record to a dict for the C encoder and encoding it costs about twice
# this. Each field layout (the key tuple) gets its sorted keys and their JSON prefixes once.
_LAYOUTS: dict[tuple, tuple] = {}
_LAYOUTS_MAX = 256


def _layout(keys: tuple) -> tuple:
    pieces = tuple((("," if i else "{") + _text(k) + ":", k) for i, k in enumerate(sorted(keys)))
    if len(_LAYOUTS) < _LAYOUTS_MAX:
        _LAYOUTS[keys] = pieces
    return pieces


def _flat_records(xs: list) -> str:
    """JSON text of a list of records whose fields are text, numbers, bools or nil; raise
    _NeedsRenderer for anything else (a nested value, a number that needs ``ryu``) so the
    general path writes it."""
    out = ["["]
    add = out.append
    quote = _quote
    layouts = _LAYOUTS
    for x in xs:
        if type(x) is not Record:
            raise _NeedsRenderer
        fields = x.fields
        keys = tuple(fields)
        layout = layouts.get(keys) or _layout(keys)
        if not layout:
            add("{}")
        for prefix, k in layout:
            add(prefix)
            f = fields[k]
            t = type(f)
            if t is str:
                add(quote(f))
            elif t is float:
                # the number rule of ``_plain_number``, inlined: this loop runs per field
                if -_WHOLE_BELOW < f < _WHOLE_BELOW and f.is_integer():
                    add("%d" % f)  # noqa: UP031 - the fastest whole-float-to-digits form
                elif _REPR_FROM <= abs(f) < _REPR_BELOW:
                    add(repr(f))
                else:
                    raise _NeedsRenderer
            elif t is bool:
                add("true" if f else "false")
            elif f is None:
                add("null")
            else:
                raise _NeedsRenderer
        if layout:
            add("}")
        add(",")
    out[-1] = "]"
    return "".join(out)


def dump_deep(v) -> str:
    """``jdmp``'s text for a value of any nesting depth, with an explicit stack (the same
    output as ``render(dump_tree(v))``: compact, object keys sorted, results unwrapped)."""
    out: list[str] = []
    emit = out.append
    stack: list = [v]
    while stack:
        x = stack.pop()
        t = type(x)
        if t is _Piece:
            emit(x)
        elif t is list:
            emit("[")
            stack.append(_Piece("]"))
            for i in range(len(x) - 1, -1, -1):
                stack.append(x[i])
                if i:
                    stack.append(_Piece(","))
        elif t is dict or t is Record:
            fields = x if t is dict else x.fields
            emit("{")
            stack.append(_Piece("}"))
            keys = sorted(fields)
            for i in range(len(keys) - 1, -1, -1):
                stack.append(fields[keys[i]])
                stack.append(_Piece(_text(keys[i]) + ":"))
                if i:
                    stack.append(_Piece(","))
        elif t is Ok or t is Err:
            stack.append(x.value)
        else:
            emit(render(dump_tree(x)))  # a scalar
    return "".join(out)


class _Piece(str):
    """Literal JSON text on ``dump_deep``'s stack (a value of type ``str`` is a string)."""


@builtin(
    "jpar",
    "t > R _ t",
    checked=(0,), doc="Parse JSON text: ~value (objects become records of type json) or ^message.",
    example='r=jpar! "{\\"x\\":1}";r.x', result='1',
)
def jpar(text):
    need_text(text, "jpar requires text")
    try:
        return Ok(parse_json_value(text))
    except JsonError as e:
        return Err(str(e))


_INDEX = re.compile(r"\+?[0-9]+")


def _step(current, key: str):
    """One path step; a key that reads as an index only ever indexes an array, as in the reference."""
    if _INDEX.fullmatch(key) and int(key) < 2**64:
        if isinstance(current, list) and int(key) < len(current):
            return True, current[int(key)]
        return False, None
    if isinstance(current, dict) and key in current:
        return True, current[key]
    return False, None


@builtin(
    "jpth",
    "t, t > R t t",
    doc="Look up a dot-separated path (keys and array indices) in JSON text; ~found value as text.",
    example='jpth "{\\"a\\":[5,6]}" "a.1"', result='~6',
)
def jpth(text, path):
    if not (isinstance(text, str) and isinstance(path, str)):
        raise fail("jpth requires two text args")
    try:
        current = loads(text)
    except JsonError as e:
        return Err(str(e))
    for key in path.split("."):
        found, current = _step(current, key)
        if not found:
            return Err(f"key not found: {key}")
    if isinstance(current, str):
        return Ok(current)
    return Ok(render(_parsed_tree(current)))
