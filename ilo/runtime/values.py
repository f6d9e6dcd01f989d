"""How ilo values are represented in Python (shared by every engine and by the public API).

=============  ==========================================================
ilo            Python
=============  ==========================================================
``n``          ``float`` (always float, never int; ints from the API are converted)
``t``          ``str``
``b``          ``bool``
``nil``        ``None``
``L a``        ``list`` — owned by the runtime; see ``ownership`` before mutating
``M k v``      ``dict`` — keys are ``str`` (text keys) or ``int`` (number keys, floored)
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


class _Result:
    """One side of a result (``Ok`` or ``Err``): a payload compared by ilo equality. The two
    sides are never equal to each other, and nothing else is either kind."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and values_equal(self.value, other.value)

    def __hash__(self) -> int:
        return hash(dedup_key(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r})"


class Ok(_Result):
    """The ok side of a result, ``~v``."""

    __slots__ = ()


class Err(_Result):
    """The error side of a result, ``^e``."""

    __slots__ = ()


class FnRef:
    """A function used as a value (``map dbl xs``): a user function or a builtin, by name.

    ``captures`` are the values an inline lambda closed over (see ``ast.Lambda``): calling
    the value calls ``name`` with the given arguments followed by the captures.
    """

    __slots__ = ("name", "captures")

    def __init__(self, name: str, captures: tuple = ()):
        self.name = name
        self.captures = captures

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FnRef) and other.name == self.name and other.captures == self.captures

    def __hash__(self) -> int:
        return hash(("fn", self.name, len(self.captures)))

    def __repr__(self) -> str:
        if self.captures:
            return f"FnRef({self.name!r}, {self.captures!r})"
        return f"FnRef({self.name!r})"


# The name error messages give each kind of run-time value; in this order, so a bool is
# named ``b`` although Python counts it as a number too.
_TYPE_NAMES = ((type(None), "nil"), (bool, "b"), (float, "n"), (str, "t"), (list, "L"), (dict, "M"),
               (Ok, "R"), (Err, "R"), (FnRef, "F"))
_EXACT_NAMES = dict(_TYPE_NAMES)


def type_name(v) -> str:
    """The ilo type letter/name of a runtime value, for error messages and type patterns."""
    name = _EXACT_NAMES.get(type(v))
    if name is not None:
        return name
    if isinstance(v, Record):
        return v.type_name
    for cls, name in _TYPE_NAMES:  # subclasses (a numpy float is a float)
        if isinstance(v, cls):
            return name
    return type(v).__name__


def key_order(k):
    """Sort key for map keys (``str`` text keys, ``int`` number keys): numbers first, as the
    reference orders ``mkeys``, ``mvals`` and printed maps."""
    return (1, k, 0) if type(k) is str else (0, "", k)


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
            keys = sorted(x, key=key_order)
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
    """Convert a Python value handed to the API into an ilo value (ints become floats).

    numpy arrays and scalars are accepted (``ndarray.tolist()`` is one C-speed pass), and a
    subclass of a plain type (``numpy.float64`` is a ``float``) becomes the plain type, since
    the engines test ``type(x) is float``. Raises ``TypeError`` for anything ilo cannot hold,
    including an int too large for a 64-bit float."""
    t = type(v)
    if t is float or t is str or t is bool or v is None or t is FnRef:
        return v
    if isinstance(v, (Ok, Err)):  # the payload may hold Python ints too
        inner = from_python(v.value)
        return v if inner is v.value else type(v)(inner)
    if isinstance(v, Record):
        fields = {k: from_python(x) for k, x in v.fields.items()}
        same = all(fields[k] is x for k, x in v.fields.items())
        return v if same else Record(v.type_name, fields)
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, int):
        return int_to_number(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, str):
        return str(v)
    if t.__module__ == "numpy":  # duck-typed, so the API never imports numpy itself
        return _from_numpy(v)
    if isinstance(v, (list, tuple)):
        kinds = set(map(type, v))
        if kinds <= _PLAIN:
            # Already ilo values (the common case: a long list of texts or floats): share the
            # caller's list instead of converting element by element. OWNERSHIP: the caller
            # still holds it, so the refcount test will copy before any in-place update.
            return v if type(v) is list else list(v)
        if kinds <= _PLAIN | {int}:
            return [x if type(x) is not int else int_to_number(x) for x in v]
        return [from_python(x) for x in v]
    if isinstance(v, dict):
        return {_key(k): from_python(x) for k, x in v.items()}
    raise TypeError(f"cannot pass a {type(v).__name__} to ilo")


def int_to_number(v: int) -> float:
    """A Python int as an ilo number; one beyond the float range is a TypeError (not an
    OverflowError), so the API reports it as a bad argument."""
    try:
        return float(v)
    except OverflowError:
        digits = len(str(abs(v))) if v.bit_length() < 10_000 else f"about {int(v.bit_length() * 0.30103)}"
        raise TypeError(f"an integer of {digits} digits is too large for an ilo number "
                        "(a 64-bit float, at most ~1.8e308)") from None


def _key(k) -> str:
    if isinstance(k, int) and not isinstance(k, bool) and k.bit_length() > 10_000:
        raise TypeError("a map key integer is too large to write as text")
    return str(k)


def _from_numpy(v):
    """numpy scalars and arrays: an array becomes a (nested) list of plain values."""
    tolist = getattr(v, "tolist", None)
    if tolist is None:
        raise TypeError(f"cannot pass a numpy {type(v).__name__} to ilo")
    kind = getattr(getattr(v, "dtype", None), "kind", "O")
    if kind not in "biufUSO":  # complex, datetimes, void records: no ilo type holds them
        raise TypeError(f"cannot pass a numpy value of dtype {v.dtype} to ilo")
    plain = tolist()
    if kind in "iu" and getattr(v, "ndim", 0) == 1:
        return [float(x) for x in plain]
    if kind == "S":
        raise TypeError("cannot pass a numpy bytes array to ilo (decode it to text first)")
    return from_python(plain)
