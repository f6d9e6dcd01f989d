"""Which variables' verified types are certain: the side table ``VerifiedProgram.uncertain``.

In: a checked program and the verifier's ``expr_types``/``call_targets``. Out: for each
function, the names whose recorded type at a read may not hold at run time. The VM
compiler emits generic, checking instructions for reads of those names and typed ones
elsewhere; nothing after the verifier re-derives it (the way jlox's resolver hands the
interpreter a side table).

Why a type can be uncertain: the verifier types a read by the bindings seen *before* it,
so in ``s=0;@i 0..n{s=+s i;=i 50{s=x}}`` with ``x:_`` the ``+s i`` is typed ``n + n``
although ``s`` holds whatever ``x`` is from the 51st iteration on. A typed instruction
there would silently compute ``true + 51`` where the tree interpreter reports ``ILO-R004``.
So a variable is uncertain when

- it is assigned values of more than one kind, or of an unknown kind (``_``, a type
  variable, an optional, nil), or is bound by destructuring;
- it is a parameter a caller may fill with another type than declared: an argument whose
  verified type differs from the parameter's, or any call through a function value
  (higher-order builtins, a function held in a variable). Arguments from the API and the
  CLI are checked against the declared types before a run;
- it is bound from an uncertain one (``y=x``, ``@v xs``), transitively.
"""

from __future__ import annotations

from ilo.syntax import ast
from ilo.syntax.walk import walk
from ilo.types import TAny, TNil, TOpt, TVar

_UNCERTAIN_KINDS = frozenset({TAny, TVar, TOpt, TNil, type(None)})


def uncertain_names(program: ast.Program, functions: dict[str, ast.Function], expr_types: dict,
                    call_targets: dict) -> dict[str, frozenset[str]]:
    """For every function of ``program``: the variables whose verified type is not certain."""
    params = _uncertain_params(program, functions, expr_types, call_targets)
    return {fn.name: _uncertain_in(fn, expr_types, params.get(fn.name, frozenset()))
            for fn in program.functions}


def _kind(expr_types: dict, expr) -> type:
    return type(expr_types.get(id(expr)))


def _uncertain_in(fn: ast.Function, expr_types: dict, params: frozenset[str]) -> frozenset[str]:
    kinds: dict[str, set] = {p.name: {type(p.ty)} for p in fn.params}
    for name in params:
        kinds[name].add(type(None))
    lets, loops = [], []
    for node in walk(fn.body):
        if type(node) is ast.Let:
            lets.append(node)
            kinds.setdefault(node.name, set()).add(_kind(expr_types, node.value))
        elif type(node) is ast.Destructure:
            for name in node.names:
                kinds.setdefault(name, set()).add(type(None))
        elif type(node) is ast.ForEach:
            loops.append(node)
    uncertain = {name for name, seen in kinds.items() if len(seen) > 1 or seen & _UNCERTAIN_KINDS}
    changed = True
    while changed:  # a value computed from an uncertain variable may not have its verified type
        changed = False
        for node in lets:
            if node.name not in uncertain and _reads(node.value, uncertain):
                uncertain.add(node.name)
                changed = True
        for node in loops:
            if node.binding not in uncertain and _reads(node.collection, uncertain):
                uncertain.add(node.binding)
                changed = True
    return frozenset(uncertain)


def _reads(expr: ast.Expr, names: set) -> bool:
    return any(type(n) is ast.Ref and n.name in names for n in walk(expr))


def _uncertain_params(program: ast.Program, functions: dict[str, ast.Function], expr_types: dict,
                      call_targets: dict) -> dict[str, frozenset[str]]:
    found: dict[str, set] = {fn.name: set() for fn in program.functions}
    for fn in program.functions:
        for node in walk(fn.body):
            kind = type(node)
            if kind is ast.Call:
                target = call_targets.get(id(node))
                if target is not None and target.kind == "function" and target.name in functions:
                    callee = functions[target.name]
                    for param, arg in zip(callee.params, node.args):
                        if expr_types.get(id(arg)) != param.ty:
                            found[callee.name].add(param.name)
            elif kind is ast.Ref and node.name in functions:
                found[node.name] |= {p.name for p in functions[node.name].params}
    return {name: frozenset(names) for name, names in found.items()}


__all__ = ["uncertain_names"]
