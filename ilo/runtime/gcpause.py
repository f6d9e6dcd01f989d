"""Pause CPython's cyclic garbage collector while a stage builds many long-lived objects.

Why: lexing, parsing, verifying, compiling and decoding a program allocate one or more
objects per token, node or instruction, all of which live as long as the program. The
collector is triggered by allocation counts, and each of its older-generation passes walks
every object built so far, so a 200,000-statement body spent most of its load time (and,
when decoded, 90% of its first call) in collections that free nothing. These stages make
no garbage cycles worth collecting early, so the collector is paused while they run and
resumed afterwards (reference counting still frees everything as usual).

Nesting and threads: the collector switch is process-wide, so a counter under a lock
makes the outermost pause restore the state it found (a caller that disabled the
collector itself keeps it disabled).
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

_LOCK = threading.Lock()
_state = {"depth": 0, "was_enabled": False}


@contextmanager
def gc_paused():
    with _LOCK:
        if _state["depth"] == 0:
            _state["was_enabled"] = gc.isenabled()
            gc.disable()
        _state["depth"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _state["depth"] -= 1
            if _state["depth"] == 0 and _state["was_enabled"]:
                gc.enable()
