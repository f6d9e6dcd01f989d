"""VerifiedProgram: the AST plus the side tables the verifier wrote about it.

Engines read facts from here instead of re-deriving them: which function each call
resolves to (user function, builtin by canonical name, local function value, tool), and
the static type of expressions. Tables are keyed by ``id(node)``; the program keeps its
nodes alive, so the ids stay valid for its lifetime.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ilo.source import Source
from ilo.syntax import ast
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

    def target(self, call: ast.Call) -> CallTarget:
        return self.call_targets[id(call)]

    def type_of(self, expr: ast.Expr) -> Ty | None:
        return self.expr_types.get(id(expr))

    @property
    def first_function(self) -> str | None:
        return self.program.functions[0].name if self.program.functions else None
