"""How a command line becomes a call: file or inline source, which function, which arguments.

In: the words the user typed after the flags (``PROGRAM [FUNC] [ARGS...]``). Out: the
program's source, the entry function's name and its argument values. Used by ``ilo.cli``
(and by anything else that accepts the reference CLI's argument conventions); it never
runs a program and never prints.

The rules follow the reference CLI's default run path (``src/main.rs`` of ilo-lang/ilo), and
they are the same whatever engine is asked for, so every engine runs the same call:

- ``PROGRAM`` is a file when it names an existing regular file (or looks like a path ending
  in ``.ilo``, so a missing file is reported as such); anything else is inline source.
  Deciding never raises, whatever the text (a 100 kB one-liner, a NUL byte, ``..``).
- With no words after it, the program's only function runs, or ``main`` when there are
  several. A file with several functions and no ``main`` is an error that lists them.
- The first word is the function's name when it names a function. Otherwise it is an
  argument, except that a word shaped like a function name given to a multi-function file is
  reported as an unknown function; with a ``main`` a file's arguments go to ``main``.
- The argument count must equal the parameter count (``ILO-R004``), on every engine.
- Each word becomes a value by its parameter's type: ``t`` takes the raw text (a pair of
  surrounding double quotes is removed), lists split on top-level commas with or without
  ``[...]``, and untyped words are guessed as the reference does (list, ``nil``, number,
  ``true``/``false``, quoted or bare text).
"""

from __future__ import annotations

import os
import re
import stat

from ilo.diagnostics.diagnostic import Diagnostic, IloError
from ilo.runtime.calls import arity_error
from ilo.types import TBool, TFn, TList, TNum, TOpt, TText, Ty

# Longer than any path a user types; such an argument is always source text.
_MAX_PATH_CHARS = 4096
_IDENT = re.compile(r"[A-Za-z_](?:[A-Za-z0-9_]|-(?=[A-Za-z0-9_]))*")
_LITERAL_WORDS = frozenset({"true", "false", "nil"})


def is_existing_file(text: str) -> bool:
    """True when ``text`` names an existing regular file. Never raises: a name too long for
    the OS, a NUL byte or an unreadable folder all mean "not a file"."""
    if not text or len(text) > _MAX_PATH_CHARS or "\n" in text or "\0" in text:
        return False
    try:
        return stat.S_ISREG(os.stat(text).st_mode)
    except (OSError, ValueError):
        return False


def looks_like_path(text: str) -> bool:
    """A word that can only be meant as a ``.ilo`` file name (``prog.ilo``, ``dir/x.ilo``): no
    whitespace and no characters a one-line program needs."""
    return (text.endswith(".ilo") and len(text) <= _MAX_PATH_CHARS
            and not any(c in text for c in " \t\n\r;\0\"{}"))


def is_file_argument(text: str) -> bool:
    return is_existing_file(text) or looks_like_path(text)


def looks_like_function_name(word: str) -> bool:
    """Identifier-shaped (``wibble``, ``list-orders``, ``_x``), not ``true``/``false``/``nil``:
    a word the user probably meant as a function name rather than as data."""
    return word not in _LITERAL_WORDS and _IDENT.fullmatch(word) is not None


def user_functions(program) -> list[str]:
    """Functions a user may name on the command line (compiler-made ``__...`` ones are not)."""
    return [n for n in program.function_names if not n.startswith("__")]


def select_entry(program, words: list[str], is_file: bool, display_name: str) -> tuple[str, list[str]]:
    """The entry function and the words that are its arguments; IloError when there is none."""
    names = user_functions(program)
    if not names:
        raise IloError(Diagnostic("ILO-R012", "the program defines no function to run"))
    if not words:
        if len(names) == 1:
            return names[0], []
        if "main" in names:
            return "main", []
        if is_file:
            raise _choose_one(display_name, names, f"{display_name} defines several functions; name one to run")
        return names[0], []
    first = words[0]
    if first in names:
        return first, words[1:]
    if looks_like_function_name(first) and (
            (is_file and len(names) > 1) or _one_word_too_many(program, names, words)):
        raise _choose_one(display_name, names, f"no function named '{first}' in {display_name}", first)
    if is_file and "main" in names:
        return "main", words
    return names[0], words


def _one_word_too_many(program, names: list[str], words: list[str]) -> bool:
    """`ilo 'f x:n>n;x' nope 1`: the word is a mistyped function name, not f's argument."""
    default = "main" if "main" in names else names[0]
    return len(words) == len(program.params(default)) + 1


def _choose_one(display_name: str, names: list[str], message: str, typed: str | None = None) -> IloError:
    hint = _closest(typed, names) if typed else None
    notes = ["available functions: " + ", ".join(names),
             f"run one with: ilo {_short(display_name)} <func> [args...]"]
    return IloError(Diagnostic("ILO-R002", message, notes=notes,
                               suggestion=f"did you mean '{hint}'?" if hint else None))


def _short(name: str) -> str:
    return name if len(name) <= 40 and " " not in name else "PROGRAM"


def _closest(name: str, candidates: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return found[0] if found else None


def check_arity(program, func: str, words: list[str]) -> None:
    """The reference's CLI-boundary check: never nil-padded, never silently dropped."""
    expected = len(program.params(func))
    if len(words) != expected:
        raise arity_error(func, expected, len(words)).to_error()


def parse_args(program, func: str, words: list[str]) -> list:
    """The words as the entry function's argument values, each by its parameter's type."""
    from ilo.runtime.values import FnRef

    params = program.params(func)
    values = []
    for i, word in enumerate(words):
        if not isinstance(word, str):
            values.append(word)  # already a value (a JSON item of an `ilo serv` request)
            continue
        ty = params[i].ty if i < len(params) else None
        if isinstance(ty, TFn) and word in program.verified.functions:
            values.append(FnRef(word))  # `ilo prog apply sq 7`: a function passed by name
            continue
        value = parse_word(word, ty)
        if isinstance(ty, TList) and not isinstance(value, list):
            value = [value]
        values.append(value)
    return values


def parse_word(text: str, ty: Ty | None = None):
    """One command-line word as an ilo value, guided by the parameter type (None: untyped)."""
    if isinstance(ty, TOpt):
        if text == "nil":
            return None
        ty = ty.inner
    if isinstance(ty, TText):
        return _unquote(text)
    if isinstance(ty, TList):
        return [parse_word(part.strip(), ty.elem) for part in _list_parts(text)]
    if isinstance(ty, TNum):
        value = _number(text)
        if value is None:
            raise IloError(Diagnostic("ILO-R016", f"expected a number, got '{text}'"))
        return value
    if isinstance(ty, TBool):
        if text not in ("true", "false"):
            raise IloError(Diagnostic("ILO-R016", f"expected true or false, got '{text}'"))
        return text == "true"
    return _guess(text)


def _guess(text: str):
    """An untyped word (``_``, type variables, maps, records): the reference's heuristic."""
    if text.startswith("[") and text.endswith("]"):
        return [_guess(p.strip()) for p in _list_parts(text)]
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1]
    if "," in text:
        return [_guess(p.strip()) for p in split_top_level_commas(text)]
    if text == "nil":
        return None
    value = _number(text)
    if value is not None:
        return value
    if text in ("true", "false"):
        return text == "true"
    return text


def _list_parts(text: str) -> list[str]:
    inner = text.strip()
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1].strip()
    return [] if inner == "" else split_top_level_commas(inner)


def split_top_level_commas(text: str) -> list[str]:
    """``[1,2],[3,4]`` → ``[1,2]`` and ``[3,4]``: commas inside brackets do not split."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == '"' and text[-1] == '"' else text


# What Rust's `str::parse::<f64>` accepts, finite values only: no `_`, no spaces, no hex.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _number(text: str) -> float | None:
    if _NUMBER.fullmatch(text) is None:
        return None
    value = float(text)
    return value if value not in (float("inf"), float("-inf")) else None


def result_is_loop_tail(program, func: str) -> bool:
    """The reference prints nothing for the result when the entry function's body ends with a
    loop and has no early return: the loop's last value would only repeat what its body
    already printed. (With a ``ret`` or braceless guard anywhere the value may be a real
    answer, so it is printed.)"""
    from ilo.syntax import ast

    fn = program.verified.functions.get(func)
    if fn is None or not fn.body:
        return False
    if not isinstance(fn.body[-1], (ast.ForEach, ast.ForRange, ast.While)):
        return False
    return not _returns_early(fn.body)


def _returns_early(body) -> bool:
    from ilo.syntax import ast

    stack = list(body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, ast.Return):
            return True
        if isinstance(stmt, ast.Guard):
            if stmt.braceless:
                return True
            stack += stmt.body + (stmt.else_body or [])
        elif isinstance(stmt, ast.Match):
            for arm in stmt.arms:
                stack += arm.body
        elif isinstance(stmt, (ast.ForEach, ast.ForRange, ast.While)):
            stack += stmt.body
    return False
