"""The ilo type model: `n t b _ L R O M S F`, type variables and named (record) types.

Types are small frozen values compared structurally. ``parse_type`` reads the textual form
used by builtin signatures in the registry (``"L a"``, ``"M t n"``, ``"F a b"``); the
language parser builds the same objects from tokens.
"""

from __future__ import annotations

from ilo.records import record


class Ty:
    __slots__ = ()


@record(frozen=True)
class TNum(Ty):
    def __str__(self) -> str:
        return "n"


@record(frozen=True)
class TText(Ty):
    def __str__(self) -> str:
        return "t"


@record(frozen=True)
class TBool(Ty):
    def __str__(self) -> str:
        return "b"


@record(frozen=True)
class TAny(Ty):
    """`_`: unknown / anything. Compatible with every type in both directions."""

    def __str__(self) -> str:
        return "_"


@record(frozen=True)
class TNil(Ty):
    """The type of the literal `nil` (verifier-internal; compatible with `O x` and `_`)."""

    def __str__(self) -> str:
        return "nil"


@record(frozen=True)
class TOpt(Ty):
    inner: Ty

    def __str__(self) -> str:
        return f"O {_wrap(self.inner)}"


@record(frozen=True)
class TList(Ty):
    elem: Ty

    def __str__(self) -> str:
        return f"L {_wrap(self.elem)}"


@record(frozen=True)
class TMap(Ty):
    key: Ty
    value: Ty

    def __str__(self) -> str:
        return f"M {_wrap(self.key)} {_wrap(self.value)}"


@record(frozen=True)
class TResult(Ty):
    ok: Ty
    err: Ty

    def __str__(self) -> str:
        return f"R {_wrap(self.ok)} {_wrap(self.err)}"


@record(frozen=True)
class TSum(Ty):
    variants: tuple[str, ...]

    def __str__(self) -> str:
        return "S " + " ".join(self.variants)


@record(frozen=True)
class TFn(Ty):
    params: tuple[Ty, ...]
    ret: Ty

    def __str__(self) -> str:
        return "F " + " ".join(_wrap(t) for t in (*self.params, self.ret))


@record(frozen=True)
class TVar(Ty):
    """A type variable: a single lowercase letter other than n, t, b."""

    name: str

    def __str__(self) -> str:
        return self.name


@record(frozen=True)
class TNamed(Ty):
    """A user-declared record type (or type alias, resolved by the verifier)."""

    name: str

    def __str__(self) -> str:
        return self.name


# A type pattern in a match arm (``n v:``) names the type it tests by one letter; ``l`` is any
# list. Types with no letter here (maps, records...) have no type pattern. The parser, the
# unparser, the VM's compiled tests and (through ``runtime.typecheck.PATTERN_PYTYPES``) every
# engine's run-time test read this one table.
PATTERN_LETTERS: dict[type, str] = {TNum: "n", TText: "t", TBool: "b", TList: "l"}


NUM = TNum()
TEXT = TText()
BOOL = TBool()
ANY = TAny()
NIL = TNil()


def _wrap(t: Ty) -> str:
    s = str(t)
    return f"({s})" if " " in s else s


def components(ty: Ty) -> tuple[Ty, ...]:
    """The types a compound type is built from, in order (a function's parameters, then its
    result); ``()`` for every other type. Walks over types recurse through this."""
    if isinstance(ty, TOpt):
        return (ty.inner,)
    if isinstance(ty, TList):
        return (ty.elem,)
    if isinstance(ty, TMap):
        return (ty.key, ty.value)
    if isinstance(ty, TResult):
        return (ty.ok, ty.err)
    if isinstance(ty, TFn):
        return (*ty.params, ty.ret)
    return ()


def map_components(ty: Ty, f) -> Ty:
    """``ty`` rebuilt with ``f`` applied to each of its ``components`` (``ty`` if it has none)."""
    parts = [f(t) for t in components(ty)]
    if not parts:
        return ty
    if isinstance(ty, TFn):
        return TFn(tuple(parts[:-1]), parts[-1])
    return type(ty)(*parts)


def is_type_var_name(name: str) -> bool:
    return len(name) == 1 and name.islower() and name not in "ntb"


def parse_type(text: str) -> Ty:
    """Parse a type written in ilo syntax, e.g. ``"M t (L n)"``. Used for builtin signatures."""
    toks = text.replace("(", " ( ").replace(")", " ) ").split()
    pos = 0

    def one() -> Ty:
        nonlocal pos
        tok = toks[pos]
        pos += 1
        if tok == "(":
            inner = one()
            assert toks[pos] == ")", text
            pos += 1
            return inner
        simple = {"n": NUM, "t": TEXT, "b": BOOL, "_": ANY}
        if tok in simple:
            return simple[tok]
        if tok == "L":
            return TList(one())
        if tok == "O":
            return TOpt(one())
        if tok == "M":
            return TMap(one(), one())
        if tok == "R":
            return TResult(one(), one())
        if tok == "F":
            parts = []
            while pos < len(toks) and toks[pos] != ")":
                parts.append(one())
            return TFn(tuple(parts[:-1]), parts[-1])
        if tok == "S":
            names = []
            while pos < len(toks) and toks[pos] != ")":
                names.append(toks[pos])
                pos += 1
            return TSum(tuple(names))
        if is_type_var_name(tok):
            return TVar(tok)
        return TNamed(tok)

    result = one()
    if pos != len(toks):
        raise ValueError(f"trailing tokens in type {text!r}")
    return result
