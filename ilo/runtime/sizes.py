"""How big a text or list may grow, and the one error for a value that cannot be built.

Why a limit at all: doubling a text or list (``s=+s s`` forty times) asks for terabytes. On
Linux a large allocation usually *succeeds* and the process is killed later while filling
it, so waiting for ``MemoryError`` is not enough: concatenation checks the size of the
result first and stops with ``ILO-R018`` before allocating. The limits are far beyond what a
program handles in reasonable time here (a billion characters, 2**28 list elements), like
the maximum string length of JavaScript engines.

The check runs *before* the operation, so the slot that held the old value still holds it
(in-place appends never start). A ``MemoryError`` below the limits is turned into the same
code by each engine's error boundary (``out_of_memory``).

Engines read ``MAX_TEXT``/``MAX_LIST`` from this module when they build a handler (the VM)
or at each operation (the tree), so a test may lower them before loading a program.
"""

from __future__ import annotations

from ilo.runtime.errors import IloRuntimeError

MAX_TEXT = 1 << 30  # characters
MAX_LIST = 1 << 28  # elements

CODE = "ILO-R018"


def too_large(kind: str, size: int, limit: int) -> IloRuntimeError:
    unit = "characters" if kind == "text" else "elements"
    return IloRuntimeError(CODE, f"value too large: a {kind} of {size} {unit} (the limit is {limit})")


def out_of_memory() -> IloRuntimeError:
    return IloRuntimeError(CODE, "value too large: out of memory while building it")


def check_concat(a, b) -> None:
    """Raise ``ILO-R018`` if ``a + b`` (two texts or two lists) would pass the limit."""
    n = len(a) + len(b)
    if type(a) is str:
        if n > MAX_TEXT:
            raise too_large("text", n, MAX_TEXT)
    elif n > MAX_LIST:
        raise too_large("list", n, MAX_LIST)


def check_size(kind: str, n: int) -> None:
    """Raise ``ILO-R018`` if a text (``kind`` "text") or list of ``n`` items passes the limit;
    for builtins that compute the size of their result before building it."""
    limit = MAX_TEXT if kind == "text" else MAX_LIST
    if n > limit:
        raise too_large(kind, n, limit)
