"""Text builtins: ``trm spl cat fmt fmt2 upr lwr cap chars ord chr padl padr`` and ``rgx``.

In: text (and a list of text for ``cat``). Out: text or lists of text. Semantics follow the
reference's Rust string methods: ``trm`` strips Unicode White_Space only, ``spl`` with an
empty separator splits between every character and at both ends, and ``rgx`` uses Python's
``re`` with the few Rust-only spellings (``(?<name>``, ``\\z``) rewritten.
"""

from __future__ import annotations

import math
import re

from ilo.runtime.builtins._support import debug, fail, is_num, need_text
from ilo.runtime.builtins.registry import builtin
from ilo.runtime.format import format_number, format_value

# Unicode White_Space, which Rust's trim uses; str.strip() also strips \x1c-\x1f.
_WHITE_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


@builtin("trm", "t > t", aliases=("trim",), checked=(0,), doc="Trim leading and trailing whitespace.", example='trm "  hi "', result='hi')
def trm(s):
    need_text(s, "trm requires text")
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
        need_text(x, "cat: list items must be text")
    return sep.join(xs)


def printf_spec(template: str) -> str | None:
    """The first ``{:...}`` printf-style spec in a template (which ``fmt`` rejects), or None."""
    i = template.find("{:")
    if i < 0:
        return None
    j = template.find("}", i)
    return template[i:] if j < 0 else template[i:j + 1]


_FMT_ADVICE = "for decimal precision use `fmt \"...{}\" (fmt2 v 2)`; for width / padding use `padl (str n) 6` (space-pad)"


def _fmt_literal_check(literals: list) -> list:
    template = literals[0] if literals else None
    spec = printf_spec(template) if isinstance(template, str) else None
    if spec is None:
        return []
    return [("ILO-T013", f"'fmt' only supports bare `{{}}` placeholders, got `{spec}`", _FMT_ADVICE)]


@builtin(
    "fmt",
    "t, *_ > t",
    aliases=("format",),
    checked=(0,), doc="Fill each {} in a template with the next argument, left to right; {:...} specs are rejected.",
    example='fmt "{} + {}" 1 2', result='1 + 2',
    check_literals=_fmt_literal_check,
)
def fmt(template, *args):
    need_text(template, "fmt first arg must be text template")
    out, used, i, n = [], 0, 0, len(template)
    while i < n:
        c = template[i]
        nxt = template[i + 1] if i + 1 < n else ""
        if c == "{" and nxt == "}":
            # placeholders beyond the arguments stay as literal {}
            out.append(format_value(args[used]) if used < len(args) else "{}")
            used += used < len(args)
            i += 2
        elif c == "{" and nxt == ":":
            spec = printf_spec(template[i:])
            raise fail(f"fmt only supports bare `{{}}` placeholders, got `{spec}`. For decimal precision use "
                       f"`fmt \"...{{}}\" (fmt2 v 2)`; for width / padding use `padl (str n) 6` (space-pad).")
        else:
            out.append(c)
            i += 1
    return "".join(out)


@builtin("fmt2", "n, n > t", doc="A number with a fixed count of decimals (0 to 20; ties to even on the exact value).",
         example="fmt2 3.14159 2", result="3.14")
def fmt2(x, digits):
    if not (is_num(x) and is_num(digits)):
        raise fail("fmt2 requires two numbers (x, digits)")
    d = 0 if not math.isfinite(digits) or digits <= 0 else min(int(digits), 20)
    if x != x:
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.{d}f}"


def _text(name: str, s) -> str:
    return need_text(s, f"{name} requires text")


@builtin("upr", "t > t", doc="Uppercase.", example='upr "abc"', result="ABC")
def upr(s):
    return _text("upr", s).upper()


@builtin("lwr", "t > t", doc="Lowercase.", example='lwr "ABC"', result="abc")
def lwr(s):
    return _text("lwr", s).lower()


@builtin("cap", "t > t", doc="Uppercase the first character.", example='cap "hello"', result="Hello")
def cap(s):
    s = _text("cap", s)
    return s[:1].upper() + s[1:]


@builtin("chars", "t > L t", doc="The characters of text, one text each.", example='chars "abc"', result="[a, b, c]")
def chars(s):
    return list(_text("chars", s))


@builtin("ord", "t > n", doc="The Unicode code point of the first character.", example='ord "A"', result="65")
def ord_(s):
    s = _text("ord", s)
    if not s:
        raise fail("ord requires a non-empty string")
    return float(ord(s[0]))


@builtin("chr", "n > t", doc="The character with a Unicode code point.", example="chr 97", result="a")
def chr_(n):
    if not is_num(n):
        raise fail(f"chr requires number, got {debug(n)}")
    if not math.isfinite(n) or not n.is_integer() or n < 0 or n > 4294967295:
        raise fail(f"chr requires a non-negative integer codepoint, got {format_number(n)}")
    cp = int(n)
    if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
        raise fail(f"chr: {cp} is not a valid Unicode codepoint")
    return chr(cp)


def _pad(name: str, s, w, pc, left: bool) -> str:
    need_text(s, f"{name} arg 1 requires text")
    if not is_num(w):
        raise fail(f"{name} arg 2 requires number, got {debug(w)}")
    if not math.isfinite(w) or not w.is_integer():
        raise fail(f"{name} width must be a non-negative integer, got {format_number(w)}")
    if w < 0:
        raise fail(f"{name} width must be non-negative, got {format_number(w)}")
    if pc is None:
        pc = " "
    elif not (isinstance(pc, str) and len(pc) == 1):
        got = _debug_str(pc) if isinstance(pc, str) else debug(pc)
        raise fail(f"{name} pad char must be a 1-character string, got {got}")
    fill = int(w) - len(s)
    if fill <= 0:
        return s
    return pc * fill + s if left else s + pc * fill


def _debug_str(s: str) -> str:
    return debug(s)[5:-1]  # Rust's {:?} of a str: the quoted text without the Text(...) wrapper


@builtin("padl", "t, n, [t] > t", doc="Left-pad text to a width with spaces, or with a 1-character pad text.",
         example='padl "7" 3 "0"', result="007")
def padl(s, w, pc=None):
    return _pad("padl", s, w, pc, True)


@builtin("padr", "t, n, [t] > t", doc="Right-pad text to a width with spaces, or with a 1-character pad text.",
         example='padr "ab" 4 "."', result="ab..")
def padr(s, w, pc=None):
    return _pad("padr", s, w, pc, False)


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
    need_text(pattern, "rgx: first arg must be a string pattern")
    need_text(s, "rgx: second arg must be a string")
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


def _compiled(name: str, pattern, s, what: str = "second arg must be a string") -> re.Pattern:
    need_text(pattern, f"{name}: first arg must be a string pattern")
    need_text(s, f"{name}: {what}")
    try:
        return re.compile(_translate(pattern))
    except (re.error, OverflowError, RecursionError) as e:
        raise fail(f"{name}: invalid regex pattern: {e}") from None


def _matches(rx: re.Pattern, s: str):
    """Matches as Rust's ``find_iter`` yields them: no empty match where the last one ended."""
    last_end = -1
    for m in rx.finditer(s):
        if m.start() == m.end() == last_end:
            continue
        last_end = m.end()
        yield m


@builtin("rgxall", "t, t > L (L t)",
         doc="Every match: its groups as a list (or the whole match in a 1-element list when there are none).",
         example='rgxall "(\\\\w)(\\\\d)" "a1 b2"', result="[[a, 1], [b, 2]]")
def rgxall(pattern, s):
    rx = _compiled("rgxall", pattern, s)
    if rx.groups == 0:
        return [[m.group(0)] for m in _matches(rx, s)]
    return [[g for g in m.groups() if g is not None] for m in _matches(rx, s)]


@builtin("rgxall1", "t, t > L t",
         doc="Every match flattened: the whole match with no groups, group 1 with one group (two or more is an error).",
         example='rgxall1 "x(\\\\d)" "x1 x2"', result="[1, 2]")
def rgxall1(pattern, s):
    rx = _compiled("rgxall1", pattern, s)
    if rx.groups >= 2:
        raise fail(f"rgxall1: pattern has {rx.groups} capture groups; rgxall1 only supports 0 or 1. "
                   "Use rgxall for L (L t) with every group preserved.")
    if rx.groups == 1:
        return [m.group(1) for m in _matches(rx, s) if m.group(1) is not None]
    return [m.group(0) for m in _matches(rx, s)]


_REPL_REF = re.compile(r"\$(?:\$|\{([^}]*)\}|([0-9A-Za-z_]+))")


def _expand(template: str, m: re.Match) -> str:
    """Rust regex replacement syntax: ``$1``, ``$name``, ``${name}``, ``$$``; an unknown
    group is empty, and ``$name`` takes the longest run of word characters."""

    def one(ref: re.Match) -> str:
        if ref.group(0) == "$$":
            return "$"
        key = ref.group(1) if ref.group(1) is not None else ref.group(2)
        try:
            got = m.group(int(key) if key.isdigit() else key)
        except (IndexError, KeyError):
            return ""
        return got or ""

    return _REPL_REF.sub(one, template)


@builtin("rgxsub", "t, t, t > t", doc="Replace every regex match; $1, $2, ${name} in the replacement name groups.",
         example='rgxsub "(\\\\d+)" "<$1>" "a1b22"', result="a<1>b<22>")
def rgxsub(pattern, replacement, subject):
    need_text(replacement, "rgxsub: second arg must be a string replacement")
    rx = _compiled("rgxsub", pattern, subject, "third arg must be a string subject")
    out, pos = [], 0
    for m in _matches(rx, subject):
        out.append(subject[pos:m.start()])
        out.append(_expand(replacement, m))
        pos = m.end()
    out.append(subject[pos:])
    return "".join(out)
