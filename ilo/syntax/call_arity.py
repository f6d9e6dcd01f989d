"""How many arguments the parser lets a known function take when it is nested in a call.

ilo has no call parentheses, so ``hd tl xs`` and ``mset m k +c 1`` only read as the agent
means them because the parser knows that ``tl`` takes one argument and ``mset`` three: a
known function in argument position consumes exactly its arity and no more. This table is
that grammar fact (it is not the builtin's type signature, which the verifier reads from the
registry): the builtins the reference parser expands this way, each with its arity and the
argument slots that take a function value (there a name stays a bare reference, so
``map str xs`` passes ``str`` instead of calling it).

Builtins left out on purpose: variadic or overloaded ones (``fmt``, ``get``, ``rd``, ``env``
...) and the zero-argument ones (``rnd``, ``now``, ``mmap``), which keep the ordinary greedy
rules. User functions join the table as the parser meets their declarations.
"""

from __future__ import annotations

# name → (arity, slots that take a function value)
BUILTIN_CALL_ARITY: dict[str, tuple[int, frozenset[int]]] = {}


def _add(arity: int, names: str, fn_slots: tuple[int, ...] = ()) -> None:
    for name in names.split():
        BUILTIN_CALL_ARITY[name] = (arity, frozenset(fn_slots))


_add(1, "str num abs flr cel rou sqrt log exp sin cos sum avg len hd tl rev unq flat frq")
_add(1, "prnt trm upr lwr cap ord chr chars jdmp jpar mkeys mvals")
_add(2, "min max mod pow at has spl cat wr wrl jpth rgx rgxall rgxall1 mget mhas mdel")
_add(3, "slc rgxsub mset")
_add(2, "srt rsrt map flt ct grp uniqby partition flatmap mapr", fn_slots=(0,))
_add(3, "fld", fn_slots=(0,))

# Builtins whose nested use swallows every remaining operand (a template and its values);
# nested anywhere but the last slot of a known call they are ILO-P018.
VARIADIC_TRAILING = frozenset({"fmt", "format"})


def builtin_call_arity(name: str) -> tuple[int, frozenset[int]] | None:
    """The table entry for a builtin written by its short name or a long-form alias."""
    entry = BUILTIN_CALL_ARITY.get(name)
    if entry is not None:
        return entry
    from ilo.runtime.builtins.registry import canonical

    short = canonical(name)
    return BUILTIN_CALL_ARITY.get(short) if short else None


__all__ = ["BUILTIN_CALL_ARITY", "VARIADIC_TRAILING", "builtin_call_arity"]
