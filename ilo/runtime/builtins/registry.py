"""The one table of builtins: one ``BuiltinSpec`` per builtin, the only description of it.

Each family module (``text``, ``lists``, ``maps``, ``numeric``, ``io``, ``jsonfmt``...)
registers its builtins with the ``@builtin`` decorator, giving in one place: canonical
short name, long-form aliases, typed overloads, purity, the implementation, a one-line doc,
an executable example with its printed result, what the reference verifier checks, and the
JIT kernel forms. The verifier (``ilo.verify.builtin_sigs``), the engines' dispatch, the
JIT's decode/infer/emit (``ilo.jit``), ``ilo -ai``, ``ilo help NAME`` and the README table
all read this table; none keeps a list of builtins of its own.

Signatures are written in ilo type syntax, ``"params > return"`` with parameters separated
by commas: ``"L a, a > L a"``. Single lowercase letters other than n/t/b are type variables
bound per call. A trailing parameter in brackets is optional (``"t, n, [t] > t"`` is two
overloads), and ``*T`` as the last parameter takes any number of values of type T (a real
variadic: ``"t, *_ > t"``). Parameters of function type (``F a b``) are the function slots.

Implementations receive plain runtime values (see ``ilo.runtime.values``) and return one;
they raise ``IloRuntimeError`` for run-time failures. Higher-order builtins (any function
slot) receive a ``call(fn_value, args_list) -> value`` callback first, so one implementation
serves every engine. Implementations never mutate their arguments.

This module imports none of the family modules: the package (``ilo/runtime/builtins/__init__``)
imports them, and Python always runs a package before any module inside it, so whoever
imports ``registry`` finds the table already filled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ilo.runtime.errors import IloRuntimeError
from ilo.types import TFn, Ty, parse_type


@dataclass(frozen=True, slots=True)
class Signature:
    params: tuple[Ty, ...]
    ret: Ty

    def __str__(self) -> str:
        return ", ".join(map(str, self.params)) + (" > " if self.params else "> ") + str(self.ret)


@dataclass(frozen=True, slots=True)
class KernelForm:
    """How a JIT kernel computes one typed overload of a builtin without leaving the kernel.

    ``args``/``ret`` are the JIT's type letters (``n b t Ln Lt Mn M?``...). ``op`` is the
    instruction kind the JIT decodes the call to: ``builtin`` (generic: rendered from the
    templates below) or a dedicated kernel instruction (``len``, ``mget``, ``mhas``,
    ``mset``, ``newmap``) whose code the JIT writes itself.

    Templates are lists of kernel source lines with ``{d}`` (destination), ``{a0}``,
    ``{a1}``... (arguments), ``{n0}``... (length of list argument i), ``{tmp}`` (a name
    prefix unique to the instruction) and ``{exit}`` (leave the kernel: the VM re-runs the
    call and reports any error exactly as it would). ``numba`` None: only python kernels
    run it. ``python`` None: python kernels call the shared implementation.
    """

    args: tuple[str, ...]
    ret: str
    numba: tuple[str, ...] | None = None
    python: tuple[str, ...] | None = None
    op: str = "builtin"


# ``_`` in a kernel form's arguments: any value a python kernel holds as the real runtime value
# (not a record the kernel keeps as separate fields, nor a loop's iterator), for builtins whose
# shared implementation takes any value (``jdmp``).
ANY_VALUE = "_"
WHOLE_VALUES = frozenset({"n", "b", "t", "nil", "On", "L?", "Ln", "Lt", "La", "M?", "Mn"})


def kernel(sig: str, numba=None, python=None, op: str = "builtin") -> KernelForm:
    """A kernel form from ``"n, n > n"`` (JIT type letters) and template lines."""
    params, _, ret = sig.rpartition(">")
    return KernelForm(tuple(p.strip() for p in params.split(",") if p.strip()), ret.strip(),
                      _lines(numba), _lines(python), op)


def _lines(template) -> tuple[str, ...] | None:
    if template is None:
        return None
    return (template,) if isinstance(template, str) else tuple(template)


@dataclass(frozen=True, slots=True)
class BuiltinSpec:
    name: str
    sigs: tuple[Signature, ...]
    impl: Callable
    aliases: tuple[str, ...] = ()
    doc: str = ""
    example: str = ""  # an ilo expression or statements (``;``-separated) ...
    result: str | None = None  # ... and what running it prints (None: not deterministic)
    pure: bool = True  # False for I/O, randomness, time
    # True when the last parameter of the longest overload repeats (``fmt``).
    variadic: bool = False
    # Argument positions the reference verifier type-checks (None: all). Positions it
    # leaves unchecked stay unchecked here, so a program it accepts is accepted here too.
    checked: frozenset[int] | None = None
    # The reference verifier leaves this builtin's result unknown (``_``) to checks around
    # the call; engines still learn the real result type.
    untyped: bool = False
    kernels: tuple[KernelForm, ...] = ()
    # A check the verifier runs on the call's literal arguments (a list with the literal's
    # value, or None, per argument); returns (code, message, suggestion) problems. Used where
    # the reference rejects a literal before running (``fmt "{:.2f}" x``).
    check_literals: Callable | None = None

    @property
    def arities(self) -> tuple[int, ...]:
        return tuple(sorted({len(s.params) for s in self.sigs}))

    def check_arity(self, count: int) -> None:
        """ILO-R009 when a call made at run time (a function value, a dynamic call) passes a
        number of arguments no overload takes; the one rule every engine applies."""
        arities = self.arities
        if count not in arities and not (self.variadic and count >= arities[0]):
            expected = " or ".join(str(n) for n in arities)
            raise IloRuntimeError("ILO-R009", f"{self.name}: expected {expected} args, got {count}")

    @property
    def fn_slots(self) -> frozenset[int]:
        """Argument positions that take a function (any overload)."""
        return frozenset(i for s in self.sigs for i, p in enumerate(s.params) if isinstance(p, TFn))

    @property
    def needs_call(self) -> bool:
        """Does the implementation take the engine's call-a-function callback first?"""
        return bool(self.fn_slots)

    @property
    def jit(self) -> str:
        """The JIT verdict: "kernel" when some loop using it can compile, else "vm"."""
        return "kernel" if self.kernels else "vm"

    def takes(self, n_args: int) -> bool:
        if self.variadic:
            return n_args >= min(self.arities, default=0)
        return n_args in self.arities

    def kernel_for(self, types: tuple[str, ...]) -> KernelForm | None:
        for form in self.kernels:
            if len(form.args) == len(types) and all(
                    a == t or (a == ANY_VALUE and t in WHOLE_VALUES) for a, t in zip(form.args, types)):
                return form
        return None


BUILTINS: dict[str, BuiltinSpec] = {}
ALIASES: dict[str, str] = {}


def parse_signatures(text: str) -> tuple[list[Signature], bool]:
    """``"t, n, [t] > t"`` → overloads; ``"t, *_ > t"`` → (overloads, variadic)."""
    params_text, _, ret_text = text.rpartition(">")
    ret = parse_type(ret_text)
    parts = [p.strip() for p in params_text.split(",") if p.strip()]
    variadic = bool(parts) and parts[-1].startswith("*")
    if variadic:
        # the fixed part, and the fixed part plus one repeated value: arity is ">= fixed"
        fixed = tuple(parse_type(p) for p in parts[:-1])
        return [Signature(fixed, ret), Signature(fixed + (parse_type(parts[-1][1:]),), ret)], True
    sigs = []
    required = tuple(parse_type(p) for p in parts if not p.startswith("["))
    optional = [parse_type(p.strip("[]")) for p in parts if p.startswith("[")]
    for k in range(len(optional) + 1):
        sigs.append(Signature(required + tuple(optional[:k]), ret))
    return sigs, False


def parse_signature(text: str) -> Signature:
    return parse_signatures(text)[0][0]


def builtin(
    name: str,
    *sigs: str,
    aliases: tuple[str, ...] = (),
    doc: str = "",
    example: str = "",
    result: str | None = None,
    pure: bool = True,
    checked=None,
    untyped: bool = False,
    kernels: tuple[KernelForm, ...] = (),
    check_literals: Callable | None = None,
):
    """Register the decorated function as builtin ``name`` with the given overloads."""

    def register(fn: Callable) -> Callable:
        if name in BUILTINS:
            raise ValueError(f"builtin {name} registered twice")
        parsed: list[Signature] = []
        variadic = False
        for text in sigs:
            more, v = parse_signatures(text)
            parsed += more
            variadic = variadic or v
        BUILTINS[name] = BuiltinSpec(
            name=name,
            sigs=tuple(parsed),
            impl=fn,
            aliases=aliases,
            doc=doc,
            example=example,
            result=result,
            pure=pure,
            variadic=variadic,
            checked=None if checked is None else frozenset(checked),
            untyped=untyped,
            kernels=tuple(kernels),
            check_literals=check_literals,
        )
        for alias in aliases:
            if alias in ALIASES:
                raise ValueError(f"alias {alias} registered twice")
            ALIASES[alias] = name
        return fn

    return register


def canonical(name: str) -> str | None:
    """The canonical builtin name for ``name`` (itself or a long-form alias), or None."""
    if name in BUILTINS:
        return name
    return ALIASES.get(name)


def get(name: str) -> BuiltinSpec:
    return BUILTINS[name]


def all_builtins() -> dict[str, BuiltinSpec]:
    return BUILTINS


def kernel_ops() -> dict[str, str]:
    """Builtin name → the JIT instruction kind its calls decode to, for every builtin with a
    kernel form (the JIT's decode table)."""
    return {name: spec.kernels[0].op for name, spec in BUILTINS.items() if spec.kernels}


def kernel_form(name: str, types: tuple[str, ...]) -> KernelForm | None:
    """The kernel form of builtin ``name`` for JIT argument types ``types``, or None."""
    spec = BUILTINS.get(name)
    return spec.kernel_for(types) if spec is not None else None
