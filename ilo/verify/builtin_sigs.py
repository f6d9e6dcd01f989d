"""Checking a builtin call against the overloads in the builtin registry.

In: a canonical builtin name and the inferred argument types. Out: the call's result type
and a list of problems (``BuiltinProblem``: code, message, suggestion). Only the verifier
calls this module; it reads signatures from ``ilo.runtime.builtins.registry`` and never
calls an implementation.

How a call is matched:

- Arity: some overload must take exactly that many arguments (``fmt`` is variadic: its
  template and any number of values).
- Argument types: checked position by position against every overload of that arity with
  the lenient ``typeops.compatible``; a function-typed parameter only asks for *a*
  function, as the reference verifier does. Positions the reference verifier leaves
  unchecked (``BuiltinSpec.checked``) are not checked here either, so a program the
  reference accepts is accepted here too.
- Result type: type variables are bound from the arguments of every overload that accepts
  them, and the results are joined, so a result type is recorded only when it is certain
  (``rev`` of an unknown value is ``_``, of ``L n`` is ``L n``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ilo.runtime.builtins import registry
from ilo.types import ANY, TFn, TList, TMap, TOpt, TResult, TSum, TText, TVar, Ty, components, map_components
from ilo.verify.typeops import compatible, is_any, join


def reference_untyped(name: str) -> bool:
    """The reference verifier leaves this builtin's result unknown: checks around the call
    see ``_`` so that no program the reference accepts is rejected here (``f xs:L n>t;sum
    xs`` verifies there). The engines still record the real result type."""
    return registry.get(name).untyped


@dataclass(frozen=True, slots=True)
class BuiltinProblem:
    code: str
    message: str
    suggestion: str | None = None


def is_builtin(name: str) -> bool:
    return registry.canonical(name) is not None


def canonical(name: str) -> str | None:
    return registry.canonical(name)


def builtin_names() -> list[str]:
    return list(registry.all_builtins())


def takes_arity(name: str, n_args: int) -> bool:
    return registry.get(name).takes(n_args)


def signature_text(name: str) -> str:
    spec = registry.get(name)
    if spec.variadic:
        first = min(spec.sigs, key=lambda s: len(s.params))
        return f"{name} {first} (then any number of values)"
    return " | ".join(f"{name} {s}" if s.params else f"{name}{s}" for s in spec.sigs)


def value_type(name: str) -> Ty:
    """The type of a builtin used as a value (``srt len xs``): known only if unambiguous."""
    sigs = registry.get(name).sigs
    if len(sigs) == 1:
        return _subst(TFn(sigs[0].params, sigs[0].ret), {})
    return ANY


def check_call(name: str, arg_types: list[Ty], literals: list | None = None) -> tuple[Ty, list[BuiltinProblem]]:
    """Check a call of canonical builtin ``name``; return (result type, problems).
    ``literals`` holds each argument's value when it is a literal (else None)."""
    spec = registry.get(name)
    ty, problems = _check_call(spec, name, arg_types)
    if spec.check_literals is not None and literals is not None:
        # reported before the argument-type problems, in the reference's order
        problems = [BuiltinProblem(*p) for p in spec.check_literals(literals)] + problems
    return ty, problems


def _check_call(spec: registry.BuiltinSpec, name: str, arg_types: list[Ty]) -> tuple[Ty, list[BuiltinProblem]]:
    n = len(arg_types)
    if spec.variadic:
        fixed = [s for s in spec.sigs if len(s.params) <= n]
        if not fixed:
            return ANY, [_arity_problem(name, spec, n)]
        sig = max(fixed, key=lambda s: len(s.params))
        problems = _check_positions(spec, [sig.params], arg_types[: len(sig.params)])
        return _subst(sig.ret, _bind_all(sig.params, arg_types)), problems
    sigs = [s for s in spec.sigs if len(s.params) == n]
    if not sigs:
        return ANY, [_arity_problem(name, spec, n)]
    problems = _check_positions(spec, [s.params for s in sigs], arg_types)
    accepting = [s for s in sigs if all(_accepts(p, a) for p, a in zip(s.params, arg_types))]
    exact = [s for s in accepting if all(_exact(p, a) for p, a in zip(s.params, arg_types))]
    result: Ty | None = None
    if exact:
        # The arguments' types pick this overload for certain.
        result = _subst(exact[0].ret, _bind_all(exact[0].params, arg_types))
    for sig in accepting if not exact else ():
        # Only leniently accepted (an unknown or optional argument): the result is certain
        # only if it does not depend on the arguments' types.
        ret = ANY if _has_vars(sig.ret) else sig.ret
        result = ret if result is None else join(result, ret)
    return (result if result is not None else ANY), problems


def _arity_problem(name: str, spec: registry.BuiltinSpec, n: int) -> BuiltinProblem:
    arities = spec.arities
    if spec.variadic:
        want = f"at least {min(arities, default=0)}"
    else:
        want = " or ".join(str(a) for a in arities)
    return BuiltinProblem(
        "ILO-T006",
        f"arity mismatch: '{name}' expects {want} args, got {n}",
        f"'{name}' expects: {signature_text(name)}",
    )


def _check_positions(spec: registry.BuiltinSpec, overloads: list[tuple[Ty, ...]],
                     arg_types: list[Ty]) -> list[BuiltinProblem]:
    name, checked = spec.name, spec.checked
    problems = []
    for i, arg in enumerate(arg_types):
        if checked is not None and i not in checked:
            continue
        params = [ps[i] for ps in overloads if i < len(ps)]
        if not params or any(_accepts(p, arg) for p in params):
            continue
        wanted = " or ".join(dict.fromkeys(str(p) for p in params))
        hint = None
        if any(isinstance(p, TFn) for p in params):
            hint = f"pass a function name: {name} fn ..."
        problems.append(
            BuiltinProblem("ILO-T013", f"'{name}' arg {i + 1} expects {wanted}, got {arg}", hint)
        )
    return problems


def _accepts(param: Ty, arg: Ty) -> bool:
    if isinstance(param, TFn):
        # Like the reference: any function value will do; its shape is checked at run time.
        return isinstance(arg, TFn) or is_any(arg)
    return compatible(param, arg)


def _exact(param: Ty, arg: Ty) -> bool:
    """Does ``arg`` certainly fit ``param``, without leaning on an unknown (``_``) argument
    or on the lenient optional rule?"""
    if is_any(param):
        return True
    if is_any(arg):
        return False
    if isinstance(param, TFn):
        return isinstance(arg, TFn)
    if isinstance(param, TText) and isinstance(arg, TSum):
        return True  # a sum value is text at run time
    if type(param) is not type(arg):
        return False
    parts = components(param)
    if parts:  # lists, maps, results, optionals: part by part
        return all(_exact(p, a) for p, a in zip(parts, components(arg)))
    return param == arg


def _has_vars(ty: Ty) -> bool:
    return _subst(ty, {}) != ty


def _bind_all(params: tuple[Ty, ...], args: list[Ty]) -> dict[str, Ty]:
    env: dict[str, Ty] = {}
    for p, a in zip(params, args):
        _bind(p, a, env)
    return env


def _bind(param: Ty, arg: Ty, env: dict[str, Ty]) -> None:
    """Bind type variables in ``param`` from ``arg``; disagreeing bindings become ``_``."""
    if isinstance(param, TVar):
        if param.name in env and env[param.name] != arg:
            env[param.name] = ANY
        else:
            env[param.name] = arg
    elif isinstance(param, TList) and isinstance(arg, TList):
        _bind(param.elem, arg.elem, env)
    elif isinstance(param, TMap) and isinstance(arg, TMap):
        _bind(param.key, arg.key, env)
        _bind(param.value, arg.value, env)
    elif isinstance(param, TResult) and isinstance(arg, TResult):
        _bind(param.ok, arg.ok, env)
        _bind(param.err, arg.err, env)
    elif isinstance(param, TOpt):
        _bind(param.inner, arg.inner if isinstance(arg, TOpt) else arg, env)
    elif isinstance(param, TFn) and isinstance(arg, TFn) and len(param.params) == len(arg.params):
        for p, a in zip(param.params, arg.params):
            _bind(p, a, env)
        _bind(param.ret, arg.ret, env)


def _subst(ty: Ty, env: dict[str, Ty]) -> Ty:
    if isinstance(ty, TVar):
        return env.get(ty.name, ANY)
    return map_components(ty, lambda t: _subst(t, env))
