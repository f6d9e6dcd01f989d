"""Small helpers shared by the builtin family modules (not builtins themselves).

In: plain runtime values. Out: errors, casts and text pieces that several families need,
so each family module stays a flat list of ``@builtin`` functions. Only modules in
``ilo.runtime.builtins`` import this.
"""

from __future__ import annotations

import math

from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.values import Err, FnRef, Ok, Record

ARG_ERROR = "ILO-R009"  # the reference reports every builtin argument problem with this code

_U64 = 2.0**64
_I64 = 2.0**63


def fail(message: str) -> IloRuntimeError:
    """A builtin argument error; callers ``raise fail(...)``."""
    return IloRuntimeError(ARG_ERROR, message)


def need_list(v, what: str) -> list:
    """``v`` if it is a list, else the argument error "<what>, got <v as the reference shows it>"."""
    if not isinstance(v, list):
        raise fail(f"{what}, got {debug(v)}")
    return v


def need_text(v, what: str) -> str:
    """``v`` if it is a text, else the argument error "<what>, got <v as the reference shows it>"."""
    if not isinstance(v, str):
        raise fail(f"{what}, got {debug(v)}")
    return v


def is_num(v) -> bool:
    # bool is not a number in ilo, and numbers are always float.
    return type(v) is float


def as_index(n: float) -> int:
    """Rust's saturating ``n as usize``: NaN and negatives become 0, fractions truncate."""
    if n != n or n <= 0:
        return 0
    if n >= _U64:
        return 2**64 - 1
    return int(n)


def as_i64(n: float) -> int:
    """Rust's saturating ``n as i64``."""
    if n != n:
        return 0
    if n >= _I64:
        return 2**63 - 1
    if n < -_I64:
        return -(2**63)
    return int(n)


def fn_arg(builtin: str, v, what: str = "first arg"):
    """The function argument of a higher-order builtin. A text names a function (that is how
    a function arrives from the command line); data values are rejected."""
    if isinstance(v, str):
        return FnRef(v)
    if v is None or isinstance(v, (bool, float, list, dict, Record, Ok, Err)):
        raise fail(f"{builtin}: {what} must be a function reference, got {debug(v)}")
    return v


def seq_arg(builtin: str, v):
    """``v`` if it is a list or a text (the builtins that work on either), else the error."""
    if isinstance(v, (list, str)):
        return v
    raise fail(f"{builtin} requires a list or text, got {debug(v)}")


def nonempty_seq(builtin: str, v):
    """``v`` if it is a list or text with an element in it (``hd``, ``tl``), else the error."""
    if not seq_arg(builtin, v):
        raise fail(f"{builtin}: empty {'list' if isinstance(v, list) else 'text'}")
    return v


def rust_lines(text: str) -> list[str]:
    """Split like Rust's ``str::lines``: on ``\\n``, dropping one ``\\r`` before it, with no
    empty last line for a trailing newline (``splitlines`` also splits on other characters)."""
    if not text:
        return []
    parts = text.split("\n")
    last = parts.pop()
    out = [p[:-1] if p.endswith("\r") else p for p in parts]
    if last:
        out.append(last)
    return out


def os_error_text(e: OSError) -> str:
    """An OS error worded as Rust's ``io::Error`` Display (``No such file or directory (os error 2)``)."""
    if e.errno is not None and e.strerror:
        return f"{e.strerror} (os error {e.errno})"
    return str(e)


def _debug_float(n: float) -> str:
    if n != n:
        return "NaN"
    if math.isinf(n):
        return "inf" if n > 0 else "-inf"
    r = repr(n)
    if "e" in r:
        mant, _, exp = r.partition("e")
        return f"{mant}e{int(exp)}"
    return r


def _debug_text(s: str) -> str:
    inner = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{inner}"'


def debug(v) -> str:
    """A value shown as the reference's Rust ``{:?}`` shows it, for error messages only."""
    if v is None:
        return "Nil"
    if isinstance(v, bool):
        return f"Bool({'true' if v else 'false'})"
    if isinstance(v, float):
        return f"Number({_debug_float(v)})"
    if isinstance(v, str):
        return f"Text({_debug_text(v)})"
    if isinstance(v, list):
        return "List([" + ", ".join(debug(x) for x in v) + "])"
    if isinstance(v, dict):
        return "Map({" + ", ".join(f"{_debug_text(k)}: {debug(x)}" for k, x in v.items()) + "})"
    if isinstance(v, Record):
        inner = ", ".join(f"{_debug_text(k)}: {debug(x)}" for k, x in v.fields.items())
        return f"Record {{ type_name: {_debug_text(v.type_name)}, fields: {{{inner}}} }}"
    if isinstance(v, (Ok, Err)):
        return f"{'Ok' if isinstance(v, Ok) else 'Err'}({debug(v.value)})"
    if isinstance(v, FnRef):
        return f"FnRef({_debug_text(v.name)})"
    return repr(v)
