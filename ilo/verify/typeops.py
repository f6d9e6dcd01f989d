"""Type operations the verifier needs: resolving declared types, compatibility and joins.

In: ``ilo.types`` values as the parser wrote them (named types may be aliases, type
variables are still ``TVar``). Out: resolved types, yes/no compatibility answers, and joins.
Only the verifier calls this module.

Two relations, with different jobs:

- ``compatible(a, b)`` decides whether a value of one type may stand where the other is
  expected. It is deliberately as lenient as the reference verifier: ``_`` and type
  variables match anything, ``O T`` is interchangeable with ``T`` and with nil, sum types
  are interchangeable with ``t``, and containers compare element-wise.
- ``join(a, b)`` is the type of a value that may come from either of two places (two match
  arms, a variable rebound in a loop). It is exact or ``_``: the VM and JIT read recorded
  types as facts, so a join never guesses.
"""

from __future__ import annotations

from ilo.types import (
    ANY,
    TAny,
    TList,
    TMap,
    TNamed,
    TNil,
    TOpt,
    TResult,
    TSum,
    TText,
    TVar,
    Ty,
    components,
    is_type_var_name,
    map_components,
)


def resolve(ty: Ty, aliases: dict[str, Ty]) -> Ty:
    """Expand aliases and turn type variables into ``_`` (weak generics, as the spec says)."""
    if isinstance(ty, TVar):
        return ANY
    if isinstance(ty, TNamed):
        if ty.name in aliases:
            return aliases[ty.name]
        if is_type_var_name(ty.name):
            return ANY
        return ty
    return map_components(ty, lambda t: resolve(t, aliases))


def named_refs(ty: Ty) -> list[str]:
    """Every named type mentioned inside ``ty`` (for alias dependency order)."""
    if isinstance(ty, TNamed):
        return [ty.name]
    out: list[str] = []
    for part in components(ty):
        out += named_refs(part)
    return out


def is_any(ty: Ty) -> bool:
    return isinstance(ty, (TAny, TVar))


def compatible(a: Ty, b: Ty) -> bool:
    """May a value of one type stand where the other is expected? (symmetric, lenient)"""
    if is_any(a) or is_any(b):
        return True
    if isinstance(a, TNil) and isinstance(b, TOpt) or isinstance(a, TOpt) and isinstance(b, TNil):
        return True
    if isinstance(a, TOpt) and isinstance(b, TOpt):
        return compatible(a.inner, b.inner)
    if isinstance(b, TOpt):
        return compatible(a, b.inner)
    if isinstance(a, TOpt):
        return compatible(a.inner, b)
    if isinstance(a, TSum) and isinstance(b, TText) or isinstance(a, TText) and isinstance(b, TSum):
        return True
    if type(a) is not type(b):
        return False
    pa, pb = components(a), components(b)
    if pa:  # lists, maps, results, functions (of as many parameters): part by part
        return len(pa) == len(pb) and all(compatible(x, y) for x, y in zip(pa, pb))
    # n t b nil, sums and named types: equal or not
    return a == b


def join(a: Ty, b: Ty) -> Ty:
    """The exact type of a value that is either ``a`` or ``b``; ``_`` when they differ."""
    if a == b:
        return a
    if is_any(a) or is_any(b):
        return ANY
    if isinstance(a, TList) and isinstance(b, TList):
        return TList(join(a.elem, b.elem))
    if isinstance(a, TMap) and isinstance(b, TMap):
        return TMap(join(a.key, b.key), join(a.value, b.value))
    if isinstance(a, TResult) and isinstance(b, TResult):
        return TResult(join(a.ok, b.ok), join(a.err, b.err))
    return ANY
