"""Does a runtime value conform to a declared ilo type? Used at the API boundary.

In: a runtime value (``ilo.runtime.values``), a ``Ty`` and the program's record and alias
tables. Out: ``None`` when the value conforms, else a short description of the first
mismatch (``"got t"``, ``"element 2 is t"``...). ``ilo.api`` calls ``mismatch`` for each
argument of ``Program.call`` so a wrong argument is reported as ``ILO-R016`` before any
engine runs, identically on every engine.

Rules: ``_`` and type variables accept anything; ``n`` a float (never a bool), ``t`` text,
``b`` a bool; ``O x`` nil or an ``x``; ``L x`` a list of ``x``; ``M k v`` a map with text
keys and ``v`` values; ``R a e`` an ``Ok``/``Err`` with a conforming payload; ``S a b`` one
of the variant texts; ``F ...`` a function value (``FnRef``, or text naming a function);
a record type a ``Record`` of that type name with every declared field conforming.
"""

from __future__ import annotations

from operator import countOf

from ilo.runtime.values import Err, FnRef, Ok, Record, type_name
from ilo.types import (
    PATTERN_LETTERS,
    TAny,
    TBool,
    TFn,
    TList,
    TMap,
    TNamed,
    TNil,
    TNum,
    TOpt,
    TResult,
    TSum,
    TText,
    TVar,
    Ty,
)

_MAX_DEPTH = 100  # nested values deeper than this are accepted unchecked
# What a type pattern's letter (``types.PATTERN_LETTERS``) tests for at run time: the Python
# class of the value (a bool is never a number). The tree's ``match_pattern``, the VM's
# ``JNTYPE`` and the JIT's register letters all read this table.
PATTERN_PYTYPES: dict[str, type] = {"n": float, "t": str, "b": bool, "l": list}
# the scalar types among them, by type class, for the C-speed list and map checks below
_SCALARS = {cls: PATTERN_PYTYPES[letter] for cls, letter in PATTERN_LETTERS.items() if cls is not TList}


def pattern_pytype(ty: Ty) -> type | None:
    """The run-time class a type pattern for ``ty`` matches, or None (it never matches)."""
    return PATTERN_PYTYPES.get(PATTERN_LETTERS.get(type(ty)))


def is_plain_list_of(value, ty: Ty) -> bool:
    """True when ``value`` is a Python list that is already a valid ilo value of the scalar
    list type ``ty`` (``L n``, ``L t``, ``L b``): one C-speed pass instead of converting and
    then checking a long argument list element by element."""
    if type(value) is not list or type(ty) is not TList:
        return False
    scalar = _SCALARS.get(type(ty.elem))
    # countOf compares each class with ``scalar`` by identity first: no set to fill
    return scalar is not None and countOf(map(type, value), scalar) == len(value)


def mismatch(value, ty: Ty, records: dict | None = None, aliases: dict | None = None,
             depth: int = 0) -> str | None:
    """``None`` if ``value`` conforms to ``ty``, else what is wrong with it."""
    records = records or {}
    aliases = aliases or {}
    if depth > _MAX_DEPTH:
        return None
    kind = type(ty)
    if kind is TAny or kind is TVar:
        return None
    if kind is TNum:
        return None if type(value) is float else f"got {describe(value)}"
    if kind is TText:
        return None if type(value) is str else f"got {describe(value)}"
    if kind is TBool:
        return None if type(value) is bool else f"got {describe(value)}"
    if kind is TNil:
        return None if value is None else f"got {describe(value)}"
    if kind is TOpt:
        return None if value is None else mismatch(value, ty.inner, records, aliases, depth + 1)
    if kind is TSum:
        if type(value) is not str:
            return f"got {describe(value)}"
        return None if value in ty.variants else f"got \"{value}\", not one of {' '.join(ty.variants)}"
    if kind is TList:
        if type(value) is not list:
            return f"got {describe(value)}"
        scalar = _SCALARS.get(type(ty.elem))
        if scalar is not None and set(map(type, value)) <= {scalar}:
            return None  # C-speed check for the common case: a long list of numbers or texts
        for i, item in enumerate(value):
            why = mismatch(item, ty.elem, records, aliases, depth + 1)
            if why is not None:
                return f"element {i} {why}"
        return None
    if kind is TMap:
        if type(value) is not dict:
            return f"got {describe(value)}"
        scalar = _SCALARS.get(type(ty.value))
        if scalar is not None and set(map(type, value.values())) <= {scalar}:
            return None
        for k, item in value.items():
            why = mismatch(item, ty.value, records, aliases, depth + 1)
            if why is not None:
                return f"value at key \"{k}\" {why}"
        return None
    if kind is TResult:
        if type(value) is Ok:
            why = mismatch(value.value, ty.ok, records, aliases, depth + 1)
            return None if why is None else f"ok value {why}"
        if type(value) is Err:
            why = mismatch(value.value, ty.err, records, aliases, depth + 1)
            return None if why is None else f"err value {why}"
        return f"got {describe(value)}"
    if kind is TFn:
        return None if type(value) in (FnRef, str) else f"got {describe(value)}"
    if kind is TNamed:
        return _named(value, ty.name, records, aliases, depth)
    return None  # a type this checker does not know: let the engines decide


def _named(value, name: str, records: dict, aliases: dict, depth: int) -> str | None:
    if name in aliases:
        return mismatch(value, aliases[name], records, aliases, depth + 1)
    typedef = records.get(name)
    if typedef is None:
        return None
    if type(value) is not Record or value.type_name != name:
        return f"got {describe(value)}"
    for f in typedef.fields:
        if f.name not in value.fields:
            return f"record {name} has no field '{f.name}'"
        why = mismatch(value.fields[f.name], f.ty, records, aliases, depth + 1)
        if why is not None:
            return f"field '{f.name}' {why}"
    return None


def describe(value) -> str:
    """The ilo type of a value as an error message names it (``n``, ``t``, ``nil``...)."""
    return type_name(value)
