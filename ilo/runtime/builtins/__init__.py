"""Builtin implementations, one module per family; importing this package registers them all."""

from ilo.runtime.builtins import registry

FAMILIES: tuple[str, ...] = ()

__all__ = ["registry", "FAMILIES"]
