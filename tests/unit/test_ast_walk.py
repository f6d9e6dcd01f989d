"""AST knowledge stated once: the walker, the handler tables of every stage, "can this run
statements?", the self-rebind shape and the verifier's certain-type table."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import assert_same

import ilo
from ilo.syntax import ast
from ilo.syntax.dispatch import EXPR_KINDS, PATTERN_KINDS, STMT_KINDS, HandlerError, handler_table, snake
from ilo.syntax.walk import children, runs_statements, walk

# A program with every expression and statement kind (and every pattern kind) in it.
EVERYTHING = """type pt{x:n;y:n}
f xs:L n m:M t n r:R n t o:O n>n;a=1;{x;y}=pt x:1 y:2;p2=pt x:3 y:4;p3=p2 with x:5;b=p3.x;c=xs.0
  d=xs.?1;e=-a;g=!true;h=~a;k=^"no";l=[a,b,c];s=o??0;t=?=a 1 2 3;u=?r{~v:v;^w:0};lam=(z:n>n;+z a)
  =a 1{a=2}{a=3};>a 0 a;?r{~v:a=v;^_:a=0};@x xs{>x 9{brk};<x 0{cnt};a=+a x};@i 0..3{a=+a i}
  ?a{1:a;"s":a;true:a;n v:v;_:a};wh <a 100{a=*a 2};k2=len xs;ret +a s
"""


def _program():
    return ilo.load(EVERYTHING).verified.program


def _every_node(program) -> list:
    """A reference walk straight from the dataclass fields, recursively."""
    out = []

    def visit(value):
        if isinstance(value, ast.Node):
            out.append(value)
            for f in dataclasses.fields(value):
                if f.name not in getattr(type(value), "DERIVED", ()):
                    visit(getattr(value, f.name))
        elif isinstance(value, list | tuple):
            for item in value:
                visit(item)

    visit(program)
    return out


def test_the_sample_program_has_every_node_kind():
    kinds = {type(n) for n in walk(_program())}
    assert set(EXPR_KINDS) | set(STMT_KINDS) | set(PATTERN_KINDS) <= kinds, \
        set(EXPR_KINDS) | set(STMT_KINDS) | set(PATTERN_KINDS) - kinds


def test_walk_visits_exactly_the_nodes_in_the_fields_in_order():
    program = _program()
    assert [id(n) for n in walk(program)] == [id(n) for n in _every_node(program)]


def test_children_are_direct_only_and_skip_derived_indexes():
    program = _program()
    assert list(children(program)) == program.decls  # not program.functions again
    rec = next(n for n in walk(program) if type(n) is ast.RecordExpr)
    assert list(children(rec)) == [v for _, v in rec.fields]
    assert list(children(ast.Lit(1.0))) == []


def test_walk_is_iterative():
    e: ast.Expr = ast.Lit(1.0)
    for _ in range(50_000):
        e = ast.Unary("-", e)
    assert sum(1 for _ in walk(e)) == 50_001
    assert runs_statements(e) is False


def test_snake_case_rule():
    assert [snake(c) for c in (ast.ForRange, ast.BinOp, ast.ExprStmt, ast.PLit, ast.Lit)] == \
        ["for_range", "bin_op", "expr_stmt", "p_lit", "lit"]


# ── every stage has every handler ──────────────────────────────────────────


def _stage_tables():
    from ilo.interp import interpreter
    from ilo.pyemit import translate
    from ilo.syntax import unparse
    from ilo.verify import check_exprs, check_stmts
    from ilo.vm import compile_exprs, compile_stmts

    return {
        "tree eval": (interpreter.EVAL_HANDLERS, EXPR_KINDS, "eval_"),
        "tree exec": (interpreter.EXEC_HANDLERS, STMT_KINDS, "exec_"),
        "verify expr": (check_exprs._EXPR_CHECKS, EXPR_KINDS, "check_"),
        "verify stmt": (check_stmts._STMT_CHECKS, STMT_KINDS, "check_"),
        "vm expr": (compile_exprs.EXPR_DISPATCH, EXPR_KINDS, "compile_"),
        "vm stmt": (compile_stmts.STMT_DISPATCH, STMT_KINDS, "compile_"),
        "unparse expr": (unparse._EXPRS, EXPR_KINDS, "unparse_"),
        "unparse stmt": (unparse._STMTS, STMT_KINDS, "unparse_"),
        "pyemit stmt": (translate._STMTS, STMT_KINDS, "translate_"),
    }


@pytest.mark.parametrize("stage", list(_stage_tables()))
def test_every_ast_class_has_its_handler_on_every_stage(stage):
    table, kinds, prefix = _stage_tables()[stage]
    assert set(table) == set(kinds)
    for cls, fn in table.items():
        assert fn.__name__ == prefix + snake(cls), (cls, fn.__name__)


def test_handler_tables_fail_loudly():
    class Typo:
        def eval_lit(self): ...
        def eval_refx(self): ...

    with pytest.raises(HandlerError, match="eval_refx names no AST class"):
        handler_table(Typo, "eval_", EXPR_KINDS)

    class Missing:
        def eval_lit(self): ...

    with pytest.raises(HandlerError, match="no handler eval_ref"):
        handler_table(Missing, "eval_", EXPR_KINDS)


# ── can this expression run statements? ────────────────────────────────────


def _expr(text: str) -> ast.Expr:
    fn = ilo.load(f"f a:n xs:L n r:R n t>_;{text}").verified.program.functions[0]
    return fn.body[-1].expr


@pytest.mark.parametrize("text,runs", [
    ("+a 1", False), ("[a, +a 1]", False), ("len xs", False), ("?=a 1 2 3", False),
    ("(z:n>n;?z{1:2;_:3})", False),  # a lambda's body runs later, in its own call
    ("(?r{~v:v;^e:0})", True), ("+1 (?r{~v:v;^e:0})", True), ("[(?r{~v:v;^e:0})]", True),
])
def test_runs_statements(text, runs):
    assert runs_statements(_expr(text)) is runs


# ── the self-rebind shape, one definition for every engine ─────────────────


@pytest.mark.parametrize("body,shape", [
    ("xs=+=xs 1", "append"), ("s=+s \"x\"", "add"), ("m=mset m \"k\" 1", "mset"),
    ("ys=+=xs 1", None), ("xs=+=ys 1", None), ("s=+\"x\" s", None),
    ("xs=+=xs (?r{~v:v;^e:0})", None),  # the operand could rebind xs before it is read
    ("m=mset m \"k\" (?r{~v:v;^e:0})", None),
])
def test_self_rebind_shape(body, shape):
    vp = ilo.load(f'f xs:L n ys:L n s:t m:M t n r:R n t>_;{body};0').verified
    let = vp.program.functions[0].body[0]
    assert vp.self_rebind(let) == shape


def test_a_call_of_a_local_function_value_is_not_an_mset_rebind():
    vp = ilo.load('f g:F n n n n m:n>n;m=g m 1 2;m').verified
    assert vp.self_rebind(vp.functions["f"].body[0]) is None


@pytest.mark.parametrize("src,args,expected", [
    # operands that cannot rebind the variable take the in-place path on every engine;
    # a value shared with a record, a closure or another name is never changed
    ("type pt{x:n;y:n}\nf>n;xs=[];@i 0..3{xs=+=xs (pt x:i y:i)};len xs", (), "3"),
    ("f>L n;xs=[1];g=(y:n>L n;xs);xs=+=xs 2;g 0", (), "[1]"),
    ("f>L n;xs=[1];ys=xs;xs=+=xs 2;ys", (), "[1]"),
    ("f>t;s=\"a\";@i 0..3{s=+s \"b\"};s", (), "abbb"),
])
def test_self_rebinds_agree_on_every_engine(src, args, expected):
    from ilo.runtime.format import format_value

    assert format_value(assert_same(src, "f", *args)) == expected


# ── the verifier's certain-type side table ─────────────────────────────────


def test_uncertain_names_come_from_the_verifier():
    vp = ilo.load("f x:_ n:n>n;s=0;t=1;@i 0..n{s=+s i;=i 50{s=x}};u=s;+t 1\n"
                  "g a:n>n;b=+a 1;b\nh>n;g 1").verified
    assert vp.uncertain["f"] >= {"x", "s", "u"} and "t" not in vp.uncertain["f"]
    assert vp.uncertain["g"] == frozenset()
    vp = ilo.load("g a:n>n;b=+a 1;b\nh x:_>n;g x").verified
    assert vp.uncertain["g"] == {"a", "b"}  # a caller may pass another type


def test_an_uncertain_variable_gets_generic_code_and_the_tree_error():
    src = "f x:_ n:n>n;s=0;@i 0..n{s=+s i;=i 5{s=x}};s"
    assert assert_same(src, "f", True, 10)[:2] == ("error", "ILO-R004")
