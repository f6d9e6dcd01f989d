"""The parsed program as JSON, in the shape the reference's ``--ast`` prints.

In: an ``ast.Program`` (parsed, not verified: the dump is for looking at structure, so a
partial snippet that would not verify still dumps). Out: pretty-printed JSON text.

The shape is the reference's serialised syntax tree: ``{"declarations": [...]}``, each
node an object named by its kind (``{"Function": {...}}``, ``{"Let": {...}}``), a node
without fields a bare string (``"Continue"``, ``"Wildcard"``, ``"Number"``), fields in
declaration order, spans left out; imports (``use``) are not listed. Inline lambdas appear
as the reference lifts them: a ``__lit_N`` function after the others, referred to by name
(``Ref``), or by ``MakeClosure`` with its captured variables. Layout: two-space indents,
numbers in the shortest form that reads back exactly, non-ASCII text as is.
"""

from __future__ import annotations

import json

from ilo import types as ty
from ilo.runtime.builtins.jsonfmt import ryu
from ilo.syntax import ast

_BINOPS = {"+": "Add", "-": "Subtract", "*": "Multiply", "/": "Divide", "=": "Equals", "!=": "NotEquals",
           ">": "GreaterThan", "<": "LessThan", ">=": "GreaterOrEqual", "<=": "LessOrEqual", "&": "And",
           "|": "Or", "+=": "Append"}
_UNARY = {"!": "Not", "-": "Negate"}
_SIMPLE_TYPES = {ty.TNum: "Number", ty.TText: "Text", ty.TBool: "Bool", ty.TAny: "Any", ty.TNil: "Any"}


class _Number(float):
    """A number written as the reference writes it (``1.0``, ``1e20``)."""


def dump(program: ast.Program) -> str:
    decls = [_decl(d) for d in program.decls if not isinstance(d, ast.Use)]
    return _render({"declarations": [d for d in decls if d is not None]}, 0)


# ── declarations ─────────────────────────────────────────────────────────────


def _decl(d):
    if isinstance(d, ast.Function):
        return {"Function": {"name": d.name, "params": [_param(p) for p in d.params],
                             "return_type": _type(d.ret), "body": _body(d.body)}}
    if isinstance(d, ast.TypeDef):
        return {"TypeDef": {"name": d.name, "fields": [_param(p) for p in d.fields]}}
    if isinstance(d, ast.Tool):
        return {"Tool": {"name": d.name, "description": d.description, "params": [_param(p) for p in d.params],
                         "return_type": _type(d.ret), "timeout": _opt_number(d.timeout),
                         "retry": _opt_number(d.retry)}}
    if isinstance(d, ast.Alias):
        return {"Alias": {"name": d.name, "target": _type(d.target)}}
    return None


def _param(p: ast.Param) -> dict:
    return {"name": p.name, "ty": _type(p.ty)}


def _opt_number(x):
    return None if x is None else _Number(x)


def _type(t):
    simple = _SIMPLE_TYPES.get(type(t))
    if simple is not None:
        return simple
    if isinstance(t, ty.TOpt):
        return {"Optional": _type(t.inner)}
    if isinstance(t, ty.TList):
        return {"List": _type(t.elem)}
    if isinstance(t, ty.TMap):
        return {"Map": [_type(t.key), _type(t.value)]}
    if isinstance(t, ty.TResult):
        return {"Result": [_type(t.ok), _type(t.err)]}
    if isinstance(t, ty.TSum):
        return {"Sum": list(t.variants)}
    if isinstance(t, ty.TFn):
        return {"Fn": [[_type(p) for p in t.params], _type(t.ret)]}
    return {"Named": getattr(t, "name", str(t))}


# ── statements ───────────────────────────────────────────────────────────────


def _body(stmts) -> list:
    return [_stmt(s) for s in stmts]


def _stmt(s):
    k = type(s)
    if k is ast.Let:
        return {"Let": {"name": s.name, "value": _expr(s.value)}}
    if k is ast.Guard:
        return {"Guard": {"condition": _expr(s.cond), "negated": s.negated, "body": _body(s.body),
                          "else_body": None if s.else_body is None else _body(s.else_body),
                          "braceless": s.braceless}}
    if k is ast.Match:
        return {"Match": {"subject": None if s.subject is None else _expr(s.subject), "arms": _arms(s.arms)}}
    if k is ast.ForEach:
        return {"ForEach": {"binding": s.binding, "collection": _expr(s.collection), "body": _body(s.body)}}
    if k is ast.ForRange:
        return {"ForRange": {"binding": s.binding, "start": _expr(s.start), "end": _expr(s.end),
                             "body": _body(s.body)}}
    if k is ast.While:
        return {"While": {"condition": _expr(s.cond), "body": _body(s.body)}}
    if k is ast.Return:
        return {"Return": _expr(s.value)}
    if k is ast.Break:
        return {"Break": None if s.value is None else _expr(s.value)}
    if k is ast.Continue:
        return "Continue"
    if k is ast.Destructure:
        return {"Destructure": {"bindings": list(s.names), "value": _expr(s.value)}}
    return {"Expr": _expr(s.expr)}


def _arms(arms) -> list:
    return [{"pattern": _pattern(a.pattern), "body": _body(a.body)} for a in arms]


def _pattern(p):
    k = type(p)
    if k is ast.PErr:
        return {"Err": p.binding}
    if k is ast.POk:
        return {"Ok": p.binding}
    if k is ast.PLit:
        return {"Literal": _literal(p.value)}
    if k is ast.PType:
        return {"TypeIs": {"ty": _type(p.ty), "binding": p.binding}}
    return "Wildcard"


# ── expressions ──────────────────────────────────────────────────────────────


def _literal(v):
    if v is None:
        return "Nil"
    if v is True or v is False:
        return {"Bool": v}
    if isinstance(v, str):
        return {"Text": v}
    return {"Number": _Number(v)}


def _expr(e):
    k = type(e)
    if k is ast.Lit:
        return {"Literal": _literal(e.value)}
    if k is ast.Ref:
        return {"Ref": e.name}
    if k is ast.Field:
        return {"Field": {"object": _expr(e.obj), "field": e.name, "safe": e.safe}}
    if k is ast.Index:
        return {"Index": {"object": _expr(e.obj), "index": int(e.index), "safe": e.safe}}
    if k is ast.Call:
        unwrap = "Panic" if e.panic else "Propagate" if e.unwrap else "None"
        return {"Call": {"function": e.func, "args": [_expr(a) for a in e.args], "unwrap": unwrap}}
    if k is ast.BinOp:
        return {"BinOp": {"op": _BINOPS.get(e.op, e.op), "left": _expr(e.left), "right": _expr(e.right)}}
    if k is ast.Unary:
        return {"UnaryOp": {"op": _UNARY.get(e.op, e.op), "operand": _expr(e.operand)}}
    if k is ast.OkExpr:
        return {"Ok": _expr(e.value)}
    if k is ast.ErrExpr:
        return {"Err": _expr(e.value)}
    if k is ast.ListExpr:
        return {"List": [_expr(x) for x in e.items]}
    if k is ast.RecordExpr:
        return {"Record": {"type_name": e.type_name, "fields": [[n, _expr(v)] for n, v in e.fields]}}
    if k is ast.MatchExpr:
        return {"Match": {"subject": None if e.subject is None else _expr(e.subject), "arms": _arms(e.arms)}}
    if k is ast.NilCoalesce:
        return {"NilCoalesce": {"value": _expr(e.value), "default": _expr(e.default)}}
    if k is ast.With:
        return {"With": {"object": _expr(e.obj), "updates": [[n, _expr(v)] for n, v in e.updates]}}
    if k is ast.Ternary:
        return {"Ternary": {"condition": _expr(e.cond), "then_expr": _expr(e.then),
                            "else_expr": _expr(e.otherwise)}}
    if k is ast.Lambda:
        if not e.captures:
            return {"Ref": e.name}
        return {"MakeClosure": {"fn_name": e.name, "captures": [{"Ref": c} for c in e.captures]}}
    raise TypeError(f"no JSON form for {k.__name__}")


# ── layout ───────────────────────────────────────────────────────────────────


def _render(v, depth: int) -> str:
    """Pretty JSON as serde_json writes it: two-space indents, keys in the order given."""
    if v is None:
        return "null"
    if v is True or v is False:
        return "true" if v else "false"
    if type(v) is _Number:
        return ryu(v) if v == v and abs(v) != float("inf") else "null"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(v, list):
        if not v:
            return "[]"
        return "[\n" + ",\n".join(inner + _render(x, depth + 1) for x in v) + "\n" + pad + "]"
    if not v:
        return "{}"
    parts = (inner + json.dumps(k, ensure_ascii=False) + ": " + _render(x, depth + 1) for k, x in v.items())
    return "{\n" + ",\n".join(parts) + "\n" + pad + "}"


__all__ = ["dump"]
