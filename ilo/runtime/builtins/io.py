"""I/O builtins: files (``rd rdl rdjl rdb wr wrl``), ``prnt`` and ``env``.

In: paths, text and data values. Out: results — file problems come back as ``^message``
values worded like Rust's io errors (``No such file or directory (os error 2)``), never as
exceptions; only wrongly typed arguments raise ``ILO-R009``. Formats: ``csv``/``tsv`` →
list of rows of text (double-quoted fields understood), ``json`` → parsed value, anything
else → the raw text. Writes are atomic: a temporary file in the target's directory is
renamed over the target, so a crash never leaves a half-written file.
"""

from __future__ import annotations

import os
import sys

from ilo.runtime.builtins._support import debug, fail, is_num, need_list, need_text, os_error_text, rust_lines
from ilo.runtime.builtins.jsonfmt import JsonError, float_tree, parse_json_value, render
from ilo.runtime.builtins.registry import builtin
from ilo.runtime.format import format_number, format_value
from ilo.runtime.values import Err, Ok


def _csv_row(line: str, sep: str) -> list[str]:
    fields, field, quoted, i = [], [], False, 0
    while i < len(line):
        c = line[i]
        if quoted:
            if c == '"' and line[i + 1 : i + 2] == '"':
                field.append('"')
                i += 1
            elif c == '"':
                quoted = False
            else:
                field.append(c)
        elif c == '"':
            quoted = True
        elif c == sep:
            fields.append("".join(field))
            field = []
        else:
            field.append(c)
        i += 1
    fields.append("".join(field))
    return fields


def parse_format(fmt: str, content: str):
    """Text in a named format → ``Ok(value)`` or ``Err(message)``."""
    if fmt in ("csv", "tsv"):
        sep = "\t" if fmt == "tsv" else ","
        return Ok([_csv_row(line, sep) for line in rust_lines(content)])
    if fmt == "json":
        try:
            return Ok(parse_json_value(content))
        except JsonError as e:
            return Err(str(e))
    return Ok(content)


def _read_text(path: str) -> str:
    """The file's text, or raise ``OSError``/``ValueError`` with the reference's wording."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("stream did not contain valid UTF-8") from None


def _read(path: str):
    """``Ok(text)`` or an ``Err`` describing why the file could not be read."""
    try:
        return Ok(_read_text(path))
    except OSError as e:
        return Err(os_error_text(e))
    except ValueError as e:  # a NUL byte in the path, or bytes that are not UTF-8
        msg = str(e)
        return Err("file name contained an unexpected NUL byte" if "null byte" in msg else msg)


def _extension(path: str) -> str:
    base = os.path.basename(path)
    stem, dot, ext = base.rpartition(".")
    # Like Rust's Path::extension: a leading dot (".bashrc") is not an extension.
    return ext.lower() if dot and stem else "raw"


@builtin(
    "rd",
    "t > R _ t",
    "t, t > R _ t",
    aliases=("read",),
    checked=(0, 1), doc="Read a file, parsed by extension (.csv/.tsv rows, .json value, else text) or by an explicit format.",
    example='rd! "data.csv"',
    pure=False,
)
def rd(path, fmt=None):
    need_text(path, "rd requires text path")
    if fmt is None:
        fmt = _extension(path)
    elif not isinstance(fmt, str):
        raise fail(f"rd format must be text, got {debug(fmt)}")
    content = _read(path)
    if isinstance(content, Err):
        return content
    return parse_format(fmt, content.value)


@builtin(
    "rdl",
    "t > R (L t) t",
    aliases=("readlines",),
    checked=(0,), doc="Read a file as a list of lines.",
    example='rdl! "notes.txt"',
    pure=False,
)
def rdl(path):
    need_text(path, "rdl requires text path")
    content = _read(path)
    if isinstance(content, Err):
        return content
    return Ok(rust_lines(content.value))


@builtin(
    "rdjl",
    "t > L (R _ t)",
    doc="Read a JSON-lines file: one ~value or ^parse error per non-empty line.",
    example='rdjl "events.jsonl"',
    pure=False,
)
def rdjl(path):
    need_text(path, "rdjl requires text path")
    content = _read(path)
    if isinstance(content, Err):  # unlike rd/rdl, an unreadable file is an error, not a value
        raise fail(f"rdjl failed to read '{path}': {content.value}")
    out = []
    for line in content.value.split("\n"):
        if not line:
            continue
        try:
            out.append(Ok(parse_json_value(line)))
        except JsonError as e:
            out.append(Err(str(e)))
    return out


@builtin(
    "rdb",
    "t, t > R _ t",
    aliases=("readbuf",),
    checked=(0, 1), doc="Parse text already in hand (from env, HTTP...) in a format: csv, tsv, json or raw.",
    example='rdb "a,b" "csv"', result='~[[a, b]]',
)
def rdb(s, fmt):
    need_text(s, "rdb requires text string")
    need_text(fmt, "rdb format must be text")
    return parse_format(fmt, s)


_umask: int | None = None


def _new_file_mode() -> int:
    global _umask
    if _umask is None:
        _umask = os.umask(0)  # the only way to read the umask is to set it
        os.umask(_umask)
    return 0o666 & ~_umask


def write_atomic(path: str, content: str):
    """Write ``content`` to ``path`` through a temp file and rename; ``Ok(path)`` or ``Err``."""
    try:
        target = os.path.realpath(path) if path else path
        try:
            mode = os.stat(target).st_mode & 0o7777
        except OSError:
            mode = _new_file_mode()
        import tempfile  # only for writes: it costs start-up time every other run would pay

        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target) or ".", prefix=".ilo-wr-")
    except OSError as e:
        return Err(os_error_text(e))
    except ValueError:
        return Err("file name contained an unexpected NUL byte")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content.encode("utf-8", "surrogatepass"))
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the name points at them
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as e:  # also an interrupt mid-write: the target is untouched either way
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            return Err(os_error_text(e))
        raise
    return Ok(path)


def _csv_field(v, sep: str) -> str:
    if isinstance(v, str):
        if sep in v or '"' in v or "\n" in v:
            return '"' + v.replace('"', '""') + '"'
        return v
    if is_num(v):
        return format_number(v)
    return format_value(v)


def _grid_text(rows, fmt: str) -> str:
    need_list(rows, f"wr: data for {fmt} must be a list of rows")
    sep = "," if fmt == "csv" else "\t"
    out = []
    for row in rows:
        need_list(row, "wr: each row must be a list")
        out.append(sep.join(_csv_field(f, sep) for f in row) + "\n")
    return "".join(out)


def _wr_literal_check(literals: list) -> list:
    """A literal format other than json/csv/tsv is rejected before the program runs."""
    fmt = literals[2] if len(literals) == 3 else None
    if isinstance(fmt, str) and fmt not in ("json", "csv", "tsv"):
        return [("ILO-T013", f'\'wr\' format "{fmt}" is not supported; expected "json", "csv", or "tsv"',
                 'e.g. wr path data "json"')]
    return []


@builtin(
    "wr",
    "t, t > R t t",
    "t, _, t > R t t",
    aliases=("write",),
    checked=(0, 1), doc='Write text to a file (replacing it), or data as "csv", "tsv" or pretty "json"; ~path on success.',
    example='wr "out.txt" "hello"',
    pure=False,
    check_literals=_wr_literal_check,
)
def wr(path, data, fmt=None):
    need_text(path, "wr: first arg must be a text path")
    if fmt is None:
        need_text(data, "wr: second arg must be text content")
        content = data
    elif not isinstance(fmt, str):
        raise fail(f"wr: format arg must be text, got {debug(fmt)}")
    elif fmt in ("csv", "tsv"):
        content = _grid_text(data, fmt)
    elif fmt == "json":
        content = render(float_tree(data), indent=2)
    else:
        raise fail(f"wr: unknown format '{fmt}', expected csv, tsv, or json")
    return write_atomic(path, content)


@builtin(
    "wrl",
    "t, _ > R t t",
    aliases=("writelines",),
    checked=(0,), doc="Write a list of text to a file, one per line; ~path on success.",
    example='wrl "out.txt" ["a" "b"]',
    pure=False,
)
def wrl(path, lines):
    if not (isinstance(path, str) and isinstance(lines, list)):
        raise fail(f"wrl requires text path and list of text, got ({debug(path)}, {debug(lines)})")
    for line in lines:
        need_text(line, "wrl list must contain text")
    return write_atomic(path, "".join(line + "\n" for line in lines))


@builtin(
    "prnt",
    "a > a",
    aliases=("print",),
    checked=(), doc="Print a value and a newline to stdout, and return the value unchanged.",
    example='prnt "hi"',
    pure=False,
)
def prnt(v):
    sys.stdout.write(format_value(v) + "\n")
    return v


@builtin(
    "env",
    "t > R t t",
    checked=(), untyped=True, doc="Read an environment variable: ~value, or ^message when it is not set.",
    example='env! "HOME"',
    pure=False,
)
def env(key):
    need_text(key, "env requires text")
    try:
        value = os.environ.get(key)
    except ValueError:  # a NUL in the name
        value = None
    if value is None:
        return Err(f"env var '{key}' not set")
    return Ok(value)
