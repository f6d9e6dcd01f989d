"""Builtin implementations, one module per family; importing this package registers them all.

``registry`` holds the table (``BuiltinSpec`` per builtin); the family modules below fill it
through ``@builtin``. Everything else — the verifier's signatures, the engines' dispatch, the
JIT's kernel forms, ``ilo -ai``, ``ilo help NAME`` and the README table — reads the table,
never the modules.
"""

from ilo.runtime.builtins import (  # noqa: F401  (importing a family registers its builtins)
    higher,
    io,
    jsonfmt,
    linalg,
    lists,
    maps,
    mathfns,
    net,
    numeric,
    registry,
    seqs,
    stats,
    text,
    timefns,
)

FAMILIES: tuple[str, ...] = ("numeric", "mathfns", "stats", "text", "lists", "seqs", "maps", "higher", "io",
                             "jsonfmt", "net", "timefns", "linalg")

__all__ = ["registry", "FAMILIES"]
