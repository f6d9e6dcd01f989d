"""The one table of builtins: one ``BuiltinSpec`` per builtin.

Each family module (``text``, ``lists``, ``maps``, ``numeric``, ``io``, ``jsonfmt``...)
registers its builtins with the ``@builtin`` decorator, giving in one place: canonical
short name, long-form aliases, typed overloads for the verifier, the implementation, a
one-line doc and example (for ``ilo -ai`` and the README table) and the JIT verdict.

Signatures are written in ilo type syntax, ``"params > return"`` with parameters separated
by commas: ``"L a, a > L a"``. Single lowercase letters other than n/t/b are type variables
bound per call. A builtin may have several overloads (``len``: text, list or map).

Implementations receive plain runtime values (see ``ilo.runtime.values``) and return one;
they raise ``IloRuntimeError`` for run-time failures. Higher-order builtins set
``needs_call`` and receive a ``call(fn_value, args_list) -> value`` callback first, so one
implementation serves every engine. Implementations never mutate their arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ilo.types import Ty, parse_type


@dataclass(frozen=True, slots=True)
class Signature:
    params: tuple[Ty, ...]
    ret: Ty

    def __str__(self) -> str:
        return ", ".join(map(str, self.params)) + (" > " if self.params else "> ") + str(self.ret)


@dataclass(frozen=True, slots=True)
class BuiltinSpec:
    name: str
    sigs: tuple[Signature, ...]
    impl: Callable
    aliases: tuple[str, ...] = ()
    needs_call: bool = False
    doc: str = ""
    example: str = ""
    pure: bool = True  # False for I/O, randomness, time
    jit: str = "vm"  # JIT verdict: "kernel" (the JIT can emit it) or "vm" (loops using it stay in the VM)
    # True when the builtin takes any number of arguments from its shortest overload up
    # (``fmt``); extra arguments beyond the longest overload are typed as its last parameter.
    variadic: bool = False

    @property
    def arities(self) -> tuple[int, ...]:
        return tuple(sorted({len(s.params) for s in self.sigs}))


BUILTINS: dict[str, BuiltinSpec] = {}
ALIASES: dict[str, str] = {}


def parse_signature(text: str) -> Signature:
    params_text, _, ret_text = text.rpartition(">")
    params = tuple(parse_type(p) for p in params_text.split(",") if p.strip())
    return Signature(params, parse_type(ret_text))


def builtin(
    name: str,
    *sigs: str,
    aliases: tuple[str, ...] = (),
    needs_call: bool = False,
    doc: str = "",
    example: str = "",
    pure: bool = True,
    jit: str = "vm",
    variadic: bool = False,
):
    """Register the decorated function as builtin ``name`` with the given overloads."""

    def register(fn: Callable) -> Callable:
        if name in BUILTINS:
            raise ValueError(f"builtin {name} registered twice")
        BUILTINS[name] = BuiltinSpec(
            name=name,
            sigs=tuple(parse_signature(s) for s in sigs),
            impl=fn,
            aliases=aliases,
            needs_call=needs_call,
            doc=doc,
            example=example,
            pure=pure,
            jit=jit,
            variadic=variadic,
        )
        for alias in aliases:
            ALIASES[alias] = name
        return fn

    return register


def canonical(name: str) -> str | None:
    """The canonical builtin name for ``name`` (itself or a long-form alias), or None."""
    _ensure_loaded()
    if name in BUILTINS:
        return name
    return ALIASES.get(name)


def get(name: str) -> BuiltinSpec:
    _ensure_loaded()
    return BUILTINS[name]


def all_builtins() -> dict[str, BuiltinSpec]:
    _ensure_loaded()
    return BUILTINS


_loaded = False


def _ensure_loaded() -> None:
    """Import every family module once so their ``@builtin`` registrations run."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    from ilo.runtime.builtins import FAMILIES  # noqa: F401  (import registers)
