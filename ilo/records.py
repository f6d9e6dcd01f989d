"""``record``: ``@dataclass(slots=True)`` for the classes every run builds at import time.

In: a class with annotated fields (optionally defaults, or ``dataclasses.field(default_factory=
...)``). Out: the same class rebuilt with ``__slots__``, ``__init__``, ``__repr__``,
``__match_args__``, and by choice ``__eq__``/``__hash__`` (``eq``) and immutability (``frozen``),
behaving as the dataclass would, and still a dataclass to ``dataclasses.fields``, ``replace``
and ``asdict``. Anyone may import it (it imports nothing of ilo).

Why: the AST nodes, the type model, spans and diagnostics are ~70 classes created on every
start of ``ilo``. ``dataclass`` compiles each generated method with its own ``exec`` and
inspects annotations on the way, ~4x the cost of writing all of a class's methods as one
source text and compiling it once, which is what this does. The difference is most of a
trivial run's import time spent outside the interpreter's own start-up (bench/startup.py).
"""

from __future__ import annotations

import dataclasses

_MISSING = dataclasses.MISSING
_FIELD = dataclasses._FIELD  # the marker of an ordinary field (private, stable since 3.7)


class FrozenInstanceError(dataclasses.FrozenInstanceError):
    """Assigning to a field of a frozen record (a ``dataclasses.FrozenInstanceError``)."""


def record(cls=None, /, *, frozen: bool = False, eq: bool = True):
    """Decorate a class as a slotted record; ``@record`` or ``@record(frozen=True, eq=False)``."""
    if cls is None:
        return lambda c: _build(c, frozen, eq)
    return _build(cls, frozen, eq)


def _build(cls, frozen: bool, eq: bool):
    inherited = [f for base in reversed(cls.__mro__[1:]) for f in getattr(base, "__record_fields__", ())]
    own = [name for name in cls.__dict__.get("__annotations__", {}) if name not in inherited]
    names = inherited + own
    defaults: dict[str, object] = {}
    factories: dict[str, object] = {}
    for base in reversed(cls.__mro__[1:]):
        defaults.update(getattr(base, "__record_defaults__", {}))
        factories.update(getattr(base, "__record_factories__", {}))
    for name in own:
        value = cls.__dict__.get(name, _MISSING)
        if isinstance(value, dataclasses.Field):
            if value.default_factory is not _MISSING:
                factories[name] = value.default_factory
            elif value.default is not _MISSING:
                defaults[name] = value.default
        elif value is not _MISSING:
            defaults[name] = value
    namespace = {"_MISSING": _MISSING, "_set": object.__setattr__, "_Frozen": FrozenInstanceError,
                 **{f"_d_{i}": defaults[n] for i, n in enumerate(names) if n in defaults},
                 **{f"_f_{i}": factories[n] for i, n in enumerate(names) if n in factories}}
    post_init = hasattr(cls, "__post_init__")
    exec(_source(cls.__qualname__, names, defaults, factories, frozen, eq, post_init), namespace)
    body = {k: v for k, v in cls.__dict__.items() if k not in own and k not in ("__dict__", "__weakref__")}
    body["__slots__"] = tuple(own)
    for method in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__",
                   "__getstate__", "__setstate__"):
        if method in namespace and method not in cls.__dict__:  # the class's own methods win
            body[method] = namespace[method]
    if eq and not frozen and "__hash__" not in cls.__dict__:
        body["__hash__"] = None  # mutable and compared by value: unhashable, as a dataclass
    body["__match_args__"] = tuple(names)
    body["__record_fields__"] = tuple(names)
    body["__record_defaults__"] = defaults
    body["__record_factories__"] = factories
    body["__dataclass_fields__"] = _dataclass_fields(names, defaults, factories, cls)
    return type(cls)(cls.__name__, cls.__bases__, body)


def _source(qualname: str, names: list[str], defaults: dict, factories: dict, frozen: bool, eq: bool,
            post_init: bool) -> str:
    params, assigns = [], []
    for i, name in enumerate(names):
        if name in factories:
            params.append(f"{name}=_MISSING")
            value = f"_f_{i}() if {name} is _MISSING else {name}"
        else:
            params.append(f"{name}=_d_{i}" if name in defaults else name)
            value = name
        assigns.append(f"    _set(self, {name!r}, {value})" if frozen else f"    self.{name} = {value}")
    lines = [f"def __init__(self, {', '.join(params)}):" if params else "def __init__(self):",
             *assigns, *(["    self.__post_init__()"] if post_init else []), "    return None"]
    shown = ", ".join(f"{n}={{self.{n}!r}}" for n in names)
    lines += ["def __repr__(self):", f"    return f'{qualname}({shown})'"]
    fields = "".join(f"self.{n}," for n in names)
    other = "".join(f"other.{n}," for n in names)
    if eq:
        lines += ["def __eq__(self, other):",
                  "    if other.__class__ is self.__class__:",
                  f"        return ({fields}) == ({other})",
                  "    return NotImplemented"]
    if frozen:
        lines += ["def __setattr__(self, name, value):",
                  "    raise _Frozen(f'cannot assign to field {name!r}')",
                  "def __delattr__(self, name):",
                  "    raise _Frozen(f'cannot delete field {name!r}')",
                  # pickling and copy.copy restore slots through setattr, which frozen forbids
                  "def __getstate__(self):",
                  f"    return ({fields})",
                  "def __setstate__(self, state):",
                  f"    for name, value in zip({tuple(names)!r}, state):",
                  "        _set(self, name, value)"]
        if eq:
            lines += ["def __hash__(self):", f"    return hash(({fields}))"]
    return "\n".join(lines) + "\n"


def _dataclass_fields(names: list[str], defaults: dict, factories: dict, cls) -> dict:
    """Field objects, so ``dataclasses.fields``/``replace``/``asdict`` see a dataclass."""
    annotations = {}
    for klass in reversed(cls.__mro__):
        annotations.update(klass.__dict__.get("__annotations__", {}))
    out = {}
    for name in names:
        f = dataclasses.field(default=defaults.get(name, _MISSING), default_factory=factories.get(name, _MISSING))
        f.name, f.type = name, annotations.get(name)
        f._field_type = _FIELD  # what dataclasses.fields() selects on
        out[name] = f
    return out
