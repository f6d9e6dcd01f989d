"""Builtin implementations, one module per family; importing this package registers them all.

``registry`` holds the table (``BuiltinSpec`` per builtin); the family modules below fill it
through ``@builtin``. Everything else — the verifier's signatures, the engines' dispatch, the
JIT verdicts, ``ilo -ai`` and the README table — reads the table, never the modules.
"""

from ilo.runtime.builtins import higher, io, jsonfmt, lists, maps, net, numeric, registry, text

FAMILIES: tuple[str, ...] = ("numeric", "text", "lists", "maps", "higher", "io", "jsonfmt", "net")

_MODULES = (numeric, text, lists, maps, higher, io, jsonfmt, net)

__all__ = ["registry", "FAMILIES"]
