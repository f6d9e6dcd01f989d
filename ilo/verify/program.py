"""VerifiedProgram: the AST plus the side tables the verifier wrote about it.

Engines read facts from here instead of re-deriving them: which function each call
resolves to (user function, builtin by canonical name, local function value, tool), the
static type of expressions, and which variables' static types are certain. Tables are keyed by ``id(node)``; the program keeps its
nodes alive, so the ids stay valid for its lifetime.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ilo.source import Source
from ilo.syntax import ast
from ilo.syntax.walk import any_runs_statements, runs_statements
from ilo.types import Ty


@dataclass(frozen=True, slots=True)
class CallTarget:
    """What a ``Call`` node calls.

    kind: ``"function"`` (user function ``name``), ``"builtin"`` (canonical builtin
    ``name``, aliases already resolved), ``"local"`` (a variable holding a function value),
    ``"tool"`` (a declared tool).
    """

    kind: str
    name: str


@dataclass(slots=True)
class VerifiedProgram:
    program: ast.Program
    source: Source
    functions: dict[str, ast.Function] = field(default_factory=dict)
    records: dict[str, ast.TypeDef] = field(default_factory=dict)
    tools: dict[str, ast.Tool] = field(default_factory=dict)
    call_targets: dict[int, CallTarget] = field(default_factory=dict)
    expr_types: dict[int, Ty] = field(default_factory=dict)
    hints: list[str] = field(default_factory=list)
    # Resolved type aliases (``alias money n`` → money: n), for stages that read declared types.
    aliases: dict[str, Ty] = field(default_factory=dict)
    # ILO-T032/T033 and friends: Diagnostics of severity "warning" (never change the result).
    warnings: list = field(default_factory=list)
    # Function name → variables whose type at a read may differ from ``expr_types``
    # (``ilo.verify.certainty``): engines must not specialise reads of them.
    uncertain: dict[str, frozenset[str]] = field(default_factory=dict)

    def target(self, call: ast.Call) -> CallTarget:
        return self.call_targets[id(call)]

    def type_of(self, expr: ast.Expr) -> Ty | None:
        return self.expr_types.get(id(expr))

    def self_rebind(self, let: ast.Let) -> str | None:
        """The self-rebind shape of ``let``, the one definition every engine uses:
        ``"append"`` for ``xs=+=xs v``, ``"add"`` for ``s=+s t``, ``"mset"`` for
        ``m=mset m k v`` (the builtin, not a user function of that name); None otherwise.

        The other operands must not run statements (``runs_statements``): they are evaluated
        before the variable is read, which is only the same when they cannot rebind it. A
        shape only *allows* updating the container in place; whether nobody else holds it
        is decided per execution (``ilo.runtime.ownership``)."""
        v, name = let.value, let.name
        kind = type(v)
        if kind is ast.BinOp:
            if v.op in ("+", "+=") and _is_ref(v.left, name) and not runs_statements(v.right):
                return "append" if v.op == "+=" else "add"
        elif kind is ast.Call and not v.unwrap and len(v.args) == 3 and _is_ref(v.args[0], name):
            target = self.call_targets.get(id(v))
            if (target is not None and target.kind == "builtin" and target.name == "mset"
                    and not any_runs_statements(v.args[1:])):
                return "mset"
        return None

    @property
    def first_function(self) -> str | None:
        return self.program.functions[0].name if self.program.functions else None


def _is_ref(e: ast.Expr, name: str) -> bool:
    return type(e) is ast.Ref and e.name == name
