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

    def __hash__(self) -> int:  # pragma: no cover - records are not dict keys in ilo
        return hash(self.type_name)

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
        return hash(("ok", repr(self.value)))

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
        return hash(("err", repr(self.value)))

    def __repr__(self) -> str:
        return f"Err({self.value!r})"


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
    """ilo equality: structural, and never true across types (``=true 1`` is false)."""
    if a is b:
        return True
    ta, tb = type(a), type(b)
    if ta is not tb:
        return False
    if ta is float or ta is str or ta is bool:
        return a == b
    if ta is list:
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    if ta is dict:
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    return a == b


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
