"""How ilo values are represented in Python (shared by every engine and by the public API).

=============  ==========================================================
ilo            Python
=============  ==========================================================
``n``          ``float`` (always float, never int; ints from the API are converted)
``t``          ``str``
``b``          ``bool``
``nil``        ``None``
``L a``        ``list`` — owned by the runtime; see ``ownership`` before mutating
``M k v``      ``dict`` — keys are text at run time
record         ``Record`` (type name + fields in declaration order)
``~v`` / ``^e``  ``Ok(v)`` / ``Err(e)``
function ref   ``FnRef(name)``
=============  ==========================================================

Values are immutable from the program's point of view. Lists and dicts are only ever
mutated in place by the self-rebind fast paths (``m=mset m k v``...), and only when the
runtime has proved the container has no other owner (``ilo.runtime.ownership``).
"""

from __future__ import annotations


class Record:
    """A record value. ``fields`` is a dict in declaration order; treat it as read-only."""

    __slots__ = ("type_name", "fields")

    def __init__(self, type_name: str, fields: dict):
        self.type_name = type_name
        self.fields = fields

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Record)
            and other.type_name == self.type_name
            and values_equal(self.fields, other.fields)
        )

    def __hash__(self) -> int:
        return hash(dedup_key(self))

    def __getattr__(self, name: str):
        try:
            return object.__getattribute__(self, "fields")[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.fields.items())
        return f"Record({self.type_name!r}, {inner})"


class Ok:
    """The ok side of a result, ``~v``."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ok) and values_equal(self.value, other.value)

    def __hash__(self) -> int:
        return hash(dedup_key(self))

    def __repr__(self) -> str:
        return f"Ok({self.value!r})"


class Err:
    """The error side of a result, ``^e``."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Err) and values_equal(self.value, other.value)

    def __hash__(self) -> int:
        return hash(dedup_key(self))

    def __repr__(self) -> str:
        return f"Err({self.value!r})"


class FnRef:
    """A function used as a value (``map dbl xs``): a user function or a builtin, by name."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FnRef) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("fn", self.name))

    def __repr__(self) -> str:
        return f"FnRef({self.name!r})"


def type_name(v) -> str:
    """The ilo type letter/name of a runtime value, for error messages and type patterns."""
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "b"
    if isinstance(v, float):
        return "n"
    if isinstance(v, str):
        return "t"
    if isinstance(v, list):
        return "L"
    if isinstance(v, dict):
        return "M"
    if isinstance(v, Record):
        return v.type_name
    if isinstance(v, (Ok, Err)):
        return "R"
    if isinstance(v, FnRef):
        return "F"
    return type(v).__name__


def values_equal(a, b) -> bool:
    """ilo equality: structural, and never true across types (``=true 1`` is false).

    Iterative (an explicit stack of pairs), so two lists nested a million deep compare
    without touching Python's recursion limit."""
    if a is b:
        return True
    ta = type(a)
    if ta is not type(b):
        return False
    if ta is float or ta is str or ta is bool:
        return a == b
    if ta in _CONTAINERS:
        return _deep_equal(a, b)
    return a == b


_CONTAINERS = frozenset({list, dict})  # Record, Ok and Err are added below their classes


def _deep_equal(a, b) -> bool:
    stack = [(a, b)]
    pop, push = stack.pop, stack.append
    while stack:
        x, y = pop()
        if x is y:
            continue
        t = type(x)
        if t is not type(y):
            return False
        if t is list:
            if len(x) != len(y):
                return False
            for p, q in zip(x, y):
                if p is not q:
                    tp = type(p)
                    if tp is float or tp is str or tp is bool:
                        if type(q) is not tp or p != q:
                            return False
                    else:
                        push((p, q))
        elif t is dict:
            if x.keys() != y.keys():
                return False
            for k in x:
                push((x[k], y[k]))
        elif t is Record:
            if x.type_name != y.type_name:
                return False
            push((x.fields, y.fields))
        elif t is Ok or t is Err:
            push((x.value, y.value))
        elif x != y:  # scalars and function references
            return False
    return True


def dedup_key(v):
    """A hashable identity of a value, equal for equal-looking values of the same type and
    apart across types; floats by ``repr`` (so every NaN is one value, and ``-0`` is not ``0``,
    as the reference's debug-text comparison has it).

    Flat (a tuple of tokens in pre-order, each container token carrying its size), so it is
    built without recursion and hashed and compared without the nested-tuple recursion
    CPython does in C, whatever the depth."""
    out = []
    emit = out.append
    stack = [v]
    pop, push = stack.pop, stack.append
    while stack:
        x = pop()
        t = type(x)
        if t is float:
            emit(("n", repr(x)))
        elif x is None or t is bool or t is str:
            emit((t.__name__, x))
        elif t is list:
            emit(("L", len(x)))
            stack.extend(reversed(x))
        elif t is dict:
            keys = sorted(x)
            emit(("M", tuple(keys)))
            stack.extend(x[k] for k in reversed(keys))
        elif t is Record:
            emit(("rec", x.type_name, tuple(x.fields)))
            stack.extend(reversed(list(x.fields.values())))
        elif t is Ok or t is Err:
            emit((t.__name__,))
            push(x.value)
        elif t is FnRef:
            emit(("F", x.name))
        else:
            emit(("?", repr(x)))
    return tuple(out)


_CONTAINERS = _CONTAINERS | {Record, Ok, Err}


def truthy(v) -> bool:
    """Truthiness for `!`, `&`, `|`, guards and `wh`: false, nil, 0, "" and the empty
    list are false; everything else (maps included, as in the reference) is true."""
    if v is None or v is False:
        return False
    if v is True:
        return True
    if isinstance(v, float):
        return v != 0.0
    if isinstance(v, (str, list)):
        return len(v) > 0
    return True


_PLAIN = {float, str, bool, type(None)}


def from_python(v):
    """Convert a Python value handed to the API into an ilo value (ints become floats)."""
    if isinstance(v, bool) or v is None or isinstance(v, (str, float, FnRef)):
        return v
    if isinstance(v, (Ok, Err)):  # the payload may hold Python ints too
        inner = from_python(v.value)
        return v if inner is v.value else type(v)(inner)
    if isinstance(v, Record):
        fields = {k: from_python(x) for k, x in v.fields.items()}
        same = all(fields[k] is x for k, x in v.fields.items())
        return v if same else Record(v.type_name, fields)
    if isinstance(v, int):
        return float(v)
    if isinstance(v, (list, tuple)):
        kinds = set(map(type, v))
        if kinds <= _PLAIN:
            # Already ilo values (the common case: a long list of texts or floats): share the
            # caller's list instead of converting element by element. OWNERSHIP: the caller
            # still holds it, so the refcount test will copy before any in-place update.
            return v if type(v) is list else list(v)
        if kinds <= _PLAIN | {int}:
            return [float(x) if type(x) is int else x for x in v]
        return [from_python(x) for x in v]
    if isinstance(v, dict):
        return {str(k): from_python(x) for k, x in v.items()}
    raise TypeError(f"cannot pass a {type(v).__name__} to ilo")
