"""Text builtins: ``trm``, ``spl``, ``cat``, ``fmt`` and ``rgx``.

In: text (and a list of text for ``cat``). Out: text or lists of text. Semantics follow the
reference's Rust string methods: ``trm`` strips Unicode White_Space only, ``spl`` with an
empty separator splits between every character and at both ends, and ``rgx`` uses Python's
``re`` with the few Rust-only spellings (``(?<name>``, ``\\z``) rewritten.
"""

from __future__ import annotations

import re

from ilo.runtime.builtins._support import debug, fail
from ilo.runtime.builtins.registry import builtin
from ilo.runtime.format import format_value

# Unicode White_Space, which Rust's trim uses; str.strip() also strips \x1c-\x1f.
_WHITE_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


@builtin("trm", "t > t", aliases=("trim",), checked=(0,), doc="Trim leading and trailing whitespace.", example='trm "  hi "', result='hi')
def trm(s):
    if not isinstance(s, str):
        raise fail(f"trm requires text, got {debug(s)}")
    return s.strip(_WHITE_SPACE)


@builtin(
    "spl",
    "t, t > L t",
    aliases=("split",),
    doc="Split text on every occurrence of a separator.",
    example='spl "a,b,c" ","', result='[a, b, c]',
)
def spl(s, sep):
    if not (isinstance(s, str) and isinstance(sep, str)):
        raise fail("spl requires two text args")
    if sep == "":
        return ["", *s, ""]
    return s.split(sep)


@builtin(
    "cat",
    "L t, t > t",
    aliases=("concat",),
    checked=(0, 1), doc="Join a list of text with a separator.",
    example='cat ["a" "b"] "-"', result='a-b',
)
def cat(xs, sep):
    if not (isinstance(xs, list) and isinstance(sep, str)):
        raise fail("cat requires a list and text separator")
    for x in xs:
        if not isinstance(x, str):
            raise fail(f"cat: list items must be text, got {debug(x)}")
    return sep.join(xs)


@builtin(
    "fmt",
    "t, *_ > t",
    aliases=("format",),
    checked=(0,), doc="Fill each {} in a template with the next argument, left to right.",
    example='fmt "{} + {}" 1 2', result='1 + 2',
)
def fmt(template, *args):
    if not isinstance(template, str):
        raise fail(f"fmt first arg must be text template, got {debug(template)}")
    pieces = template.split("{}")
    out = [pieces[0]]
    for i, piece in enumerate(pieces[1:]):
        # Placeholders beyond the arguments stay as literal {}.
        out.append(format_value(args[i]) if i < len(args) else "{}")
        out.append(piece)
    return "".join(out)


_NAMED_GROUP = re.compile(r"\(\?<(?=[A-Za-z_])")


def _translate(pattern: str) -> str:
    """Rewrite the Rust regex spellings Python lacks. Cheap textual rewrites only; an escaped
    backslash before them is rare enough that we do not parse the pattern."""
    pattern = _NAMED_GROUP.sub("(?P<", pattern)
    return re.sub(r"(?<!\\)\\z", r"\\Z", pattern)


def _find_all(rx: re.Pattern, s: str) -> list[str]:
    out, last_end = [], -1
    for m in rx.finditer(s):
        # Rust skips an empty match right where the previous match ended; Python reports it.
        if m.start() == m.end() == last_end:
            continue
        out.append(m.group(0))
        last_end = m.end()
    return out


@builtin(
    "rgx",
    "t, t > L t",
    "_, _ > L t",
    aliases=("regex",),
    checked=(), untyped=True, doc="Regex search: every match when the pattern has no groups, else the first match's groups.",
    example='rgx "\\d+" "a1b22"', result='[1, 22]',
)
def rgx(pattern, s):
    if not isinstance(pattern, str):
        raise fail(f"rgx: first arg must be a string pattern, got {debug(pattern)}")
    if not isinstance(s, str):
        raise fail(f"rgx: second arg must be a string, got {debug(s)}")
    try:
        rx = re.compile(_translate(pattern))
    except (re.error, OverflowError, RecursionError) as e:
        raise fail(f"rgx: invalid regex pattern: {e}") from None
    if rx.groups == 0:
        return _find_all(rx, s)
    m = rx.search(s)
    if m is None:
        return []
    return [g for g in m.groups() if g is not None]
