"""The ilo abstract syntax tree: plain data, one slotted class per node kind.

Every node carries a ``span`` (``ilo.source.Span``). Nodes compare by identity
(``eq=False``) so later stages can key side tables by ``id(node)`` without ever mutating
the tree: the verifier's types and call targets live in ``VerifiedProgram``, not here.

Operators are kept as their source spelling (``"+"``, ``">="``, ``"+="``...), see
``BINARY_OPS``/``UNARY_OPS``. Literal values are already Python values: a number is a
``float``, text a ``str`` (escapes resolved), ``true``/``false`` a ``bool``, ``nil`` None.
"""

from __future__ import annotations

from dataclasses import field

from ilo.records import record
from ilo.source import UNKNOWN_SPAN, Span
from ilo.types import Ty

BINARY_OPS = ("+", "-", "*", "/", "=", "!=", ">", "<", ">=", "<=", "&", "|", "+=")
UNARY_OPS = ("-", "!")


def node(cls):
    # A slotted dataclass compared by identity; built by ilo.records, ~4x cheaper to create
    # than dataclass() and these classes are created on every start.
    return record(cls, eq=False)


class Node:
    """Base of every AST class: what ``ilo.syntax.walk.children`` recognises as a sub-node."""

    __slots__ = ()


# ── Expressions ─────────────────────────────────────────────────────────────


class Expr(Node):
    __slots__ = ()


@node
class Lit(Expr):
    value: float | str | bool | None
    span: Span = UNKNOWN_SPAN


@node
class Ref(Expr):
    name: str
    span: Span = UNKNOWN_SPAN


@node
class Field(Expr):
    """``obj.name`` (``safe``: ``obj.?name`` gives nil when obj is nil)."""

    obj: Expr
    name: str
    safe: bool = False
    span: Span = UNKNOWN_SPAN


@node
class Index(Expr):
    """``xs.0`` (``safe``: ``xs.?0``)."""

    obj: Expr
    index: int
    safe: bool = False
    span: Span = UNKNOWN_SPAN


@node
class Call(Expr):
    """``f a b``; ``unwrap`` is the ``f! a b`` form. ``func`` is the name as written
    (long-form builtin aliases are resolved by the verifier, not here)."""

    func: str
    args: list[Expr]
    unwrap: bool = False
    span: Span = UNKNOWN_SPAN
    panic: bool = False  # `f!! a`: an Err aborts the program (unwrap is True too)


@node
class BinOp(Expr):
    op: str
    left: Expr
    right: Expr
    span: Span = UNKNOWN_SPAN


@node
class Unary(Expr):
    op: str
    operand: Expr
    span: Span = UNKNOWN_SPAN


@node
class OkExpr(Expr):
    """``~expr``"""

    value: Expr
    span: Span = UNKNOWN_SPAN


@node
class ErrExpr(Expr):
    """``^expr``"""

    value: Expr
    span: Span = UNKNOWN_SPAN


@node
class ListExpr(Expr):
    items: list[Expr]
    span: Span = UNKNOWN_SPAN


@node
class RecordExpr(Expr):
    """``point x:1 y:2``"""

    type_name: str
    fields: list[tuple[str, Expr]]
    span: Span = UNKNOWN_SPAN


@node
class MatchExpr(Expr):
    """``?x{arms}`` used as a value (``subject`` None: ``?{arms}`` matches the last result)."""

    subject: Expr | None
    arms: list[MatchArm]
    span: Span = UNKNOWN_SPAN


@node
class NilCoalesce(Expr):
    """``value??default``"""

    value: Expr
    default: Expr
    span: Span = UNKNOWN_SPAN


@node
class With(Expr):
    """``rec with f:v g:w``"""

    obj: Expr
    updates: list[tuple[str, Expr]]
    span: Span = UNKNOWN_SPAN


@node
class Lambda(Expr):
    """``(x:n>n;*x x)``: an inline function value.

    The parser also lifts it to a top-level ``Function`` called ``name`` (``__lit_N``, a name
    no user can write) whose parameters are ``params`` followed by one ``_``-typed parameter
    per name in ``captures``: the enclosing variables the body uses. Evaluating the node
    gives that function with the captures' current values bound (``FnRef.captures``), so
    every engine runs a closure as an ordinary call with extra trailing arguments.
    """

    name: str
    params: list[Param]
    ret: Ty
    body: list[Stmt]
    captures: list[str] = field(default_factory=list)
    span: Span = UNKNOWN_SPAN


@node
class Ternary(Expr):
    """``?=x 0 a b`` and ``cond{a}{b}`` in value position."""

    cond: Expr
    then: Expr
    otherwise: Expr
    span: Span = UNKNOWN_SPAN


# ── Match patterns ──────────────────────────────────────────────────────────


class Pattern(Node):
    __slots__ = ()


@node
class PLit(Pattern):
    value: float | str | bool | None
    span: Span = UNKNOWN_SPAN


@node
class POk(Pattern):
    """``~v:`` (binding ``_`` binds nothing)"""

    binding: str
    span: Span = UNKNOWN_SPAN


@node
class PErr(Pattern):
    """``^e:``"""

    binding: str
    span: Span = UNKNOWN_SPAN


@node
class PType(Pattern):
    """``n v:`` / ``t v:`` / ``b v:`` / ``l v:``: branch on the runtime type, bind the value."""

    ty: Ty
    binding: str
    span: Span = UNKNOWN_SPAN


@node
class PWild(Pattern):
    span: Span = UNKNOWN_SPAN


@node
class MatchArm(Node):
    pattern: Pattern
    body: list[Stmt]
    span: Span = UNKNOWN_SPAN


# ── Statements ──────────────────────────────────────────────────────────────


class Stmt(Node):
    __slots__ = ()


@node
class Let(Stmt):
    """``name=value``: binds, or rebinds an existing variable of an enclosing scope."""

    name: str
    value: Expr
    span: Span = UNKNOWN_SPAN


@node
class Guard(Stmt):
    """Conditionals.

    - braceless ``cond expr``: early return of ``body`` from the function when cond holds;
    - ``cond{body}``: run body when cond holds, then continue (no return);
    - ``cond{body}{else_body}``: ternary; its value is the value of the statement.
    ``negated`` is the ``!cond ...`` form.
    """

    cond: Expr
    body: list[Stmt]
    else_body: list[Stmt] | None = None
    negated: bool = False
    braceless: bool = False
    span: Span = UNKNOWN_SPAN


@node
class Match(Stmt):
    subject: Expr | None
    arms: list[MatchArm]
    span: Span = UNKNOWN_SPAN


@node
class ForEach(Stmt):
    binding: str
    collection: Expr
    body: list[Stmt]
    span: Span = UNKNOWN_SPAN


@node
class ForRange(Stmt):
    binding: str
    start: Expr
    end: Expr
    body: list[Stmt]
    span: Span = UNKNOWN_SPAN


@node
class While(Stmt):
    cond: Expr
    body: list[Stmt]
    span: Span = UNKNOWN_SPAN


@node
class Return(Stmt):
    value: Expr
    span: Span = UNKNOWN_SPAN


@node
class Break(Stmt):
    value: Expr | None = None
    span: Span = UNKNOWN_SPAN


@node
class Continue(Stmt):
    span: Span = UNKNOWN_SPAN


@node
class Destructure(Stmt):
    """``{x;y}=rec``"""

    names: list[str]
    value: Expr
    span: Span = UNKNOWN_SPAN


@node
class ExprStmt(Stmt):
    expr: Expr
    span: Span = UNKNOWN_SPAN


# ── Declarations ────────────────────────────────────────────────────────────


@node
class Param(Node):
    name: str
    ty: Ty
    span: Span = UNKNOWN_SPAN


class Decl(Node):
    __slots__ = ()


@node
class Function(Decl):
    name: str
    params: list[Param]
    ret: Ty
    body: list[Stmt]
    span: Span = UNKNOWN_SPAN
    lifted: bool = False  # the body of an inline lambda (unparse prints it in place)


@node
class TypeDef(Decl):
    """``type point{x:n;y:n}``"""

    name: str
    fields: list[Param]
    span: Span = UNKNOWN_SPAN


@node
class Tool(Decl):
    """``tool name"desc" params>ret timeout:n,retry:n`` (declared; calls return ``~nil``)."""

    name: str
    description: str
    params: list[Param]
    ret: Ty
    timeout: float | None = None
    retry: float | None = None
    span: Span = UNKNOWN_SPAN


@node
class Alias(Decl):
    """``alias name type``: a named type that stands for another."""

    name: str
    target: Ty
    span: Span = UNKNOWN_SPAN


@node
class Use(Decl):
    path: str
    only: list[str] | None = None
    span: Span = UNKNOWN_SPAN


@node
class Program(Node):
    DERIVED = ("functions",)  # an index over decls, not more children (ilo.syntax.walk)
    decls: list[Decl]
    source_text: str = ""
    functions: list[Function] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.functions:
            self.functions = [d for d in self.decls if isinstance(d, Function)]
