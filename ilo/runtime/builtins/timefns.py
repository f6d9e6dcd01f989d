"""Time builtins: ``dtfmt epoch fmt``, ``dtparse text fmt`` (strftime formats, UTC only) and
``sleep ms``.

In: epoch seconds, text and strftime format text; milliseconds for ``sleep``. Out: ``~text``
/ ``~epoch`` or ``^message`` (a bad date is a value the program handles), nil for ``sleep``.
Formatting uses Python's strftime on a UTC datetime, plus ``%s`` (epoch seconds), which the
reference's chrono formatter knows and C's strftime does not portably; datetimes Python
cannot represent (outside years 1-9999) are reported as out of range.
"""

from __future__ import annotations

import datetime as _dt
import math
import time

from ilo.runtime.builtins._support import as_i64, debug, fail, is_num
from ilo.runtime.builtins.registry import builtin
from ilo.runtime.format import format_number
from ilo.runtime.values import Err, Ok

_UTC = _dt.UTC


@builtin("dtfmt", "n, t > R t t", doc="Format Unix epoch seconds as UTC text with a strftime format.",
         example='dtfmt 1700000000 "%Y-%m-%d"', result="~2023-11-14")
def dtfmt(epoch, fmt):
    if not (is_num(epoch) and isinstance(fmt, str)):
        raise fail("dtfmt requires a number (epoch) and text (format)")
    if not math.isfinite(epoch):
        return Err(f"dtfmt: epoch is not finite ({format_number(epoch)})")
    if not -(2.0**63) <= epoch <= 2.0**63:
        return Err(f"dtfmt: epoch out of range ({format_number(epoch)})")
    secs = as_i64(epoch)
    try:
        when = _dt.datetime.fromtimestamp(secs, _UTC)
    except (OverflowError, OSError, ValueError):
        return Err(f"dtfmt: timestamp out of range ({secs})")
    pieces = fmt.split("%%")
    return Ok("%".join(when.strftime(p.replace("%s", str(secs))) for p in pieces))


def _parse_error(message: str) -> str:
    """A Python strptime failure worded as chrono's ParseError."""
    if "unconverted data remains" in message:
        return "trailing input"
    if "out of range" in message or "must be in" in message:
        return "input is out of range"
    return "input contains invalid characters"


@builtin("dtparse", "t, t > R n t", doc="Parse UTC text with a strftime format into Unix epoch seconds.",
         example='dtparse "2024-01-15" "%Y-%m-%d"', result="~1705276800")
def dtparse(text, fmt):
    if not (isinstance(text, str) and isinstance(fmt, str)):
        raise fail("dtparse requires two text args")
    try:
        if "%s" in fmt and fmt.strip() == "%s":
            return Ok(float(int(text)))
        when = _dt.datetime.strptime(text, fmt)
    except ValueError as e:
        if len(text) < len(fmt.replace("%", "")) and "does not match" in str(e):
            return Err("dtparse: premature end of input")
        return Err(f"dtparse: {_parse_error(str(e))}")
    return Ok(float(when.replace(tzinfo=_UTC).timestamp()))


@builtin("sleep", "n > _", doc="Pause for n milliseconds (negative, NaN: no pause); gives nil.",
         example="sleep 1", result="nil", pure=False)
def sleep(ms):
    if not is_num(ms):
        raise fail(f"sleep requires a number of milliseconds, got {debug(ms)}")
    if math.isfinite(ms) and ms > 0:
        time.sleep(int(ms) / 1000.0)
    return None
