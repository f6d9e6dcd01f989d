"""The unparser: dense and expanded output parse back to the same tree and are stable.

Three sources of programs: every example and conformance case, a list of hand-picked shapes
that trip naive printers, and random trees from a hypothesis strategy that only builds
shapes the parser itself can produce.
"""

from __future__ import annotations

import json

import pytest
from conftest import REPO, SHARED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilo.diagnostics import IloError
from ilo.source import Source
from ilo.syntax import ast
from ilo.syntax.parser import parse
from ilo.syntax.unparse import dump, format_number, unparse, unparse_type
from ilo.types import parse_type


def round_trip(program: ast.Program, expanded: bool) -> str:
    """Assert parse(unparse(p)) == p and unparse is idempotent; return the text."""
    text = unparse(program, expanded=expanded)
    again = parse(Source("<unparsed>", text))
    assert dump(again) == dump(program), text
    assert unparse(again, expanded=expanded) == text
    return text


def corpus() -> list[tuple[str, str]]:
    """Every program in examples/ and every conformance case source (if present)."""
    programs = [(p.name, p.read_text()) for p in sorted((REPO / "examples").glob("*.ilo"))]
    cases = SHARED / "conformance" / "cases.jsonl"
    if cases.exists():
        for line in cases.read_text().splitlines():
            if line.strip():
                case = json.loads(line)
                programs.append((case["id"], case["src"]))
    return programs


def parsed_corpus() -> list[tuple[str, ast.Program]]:
    out = []
    for name, text in corpus():
        try:
            out.append((name, parse(Source(name, text))))
        except IloError:
            pass  # cases that test parse errors
    return out


@pytest.mark.parametrize("expanded", [False, True], ids=["dense", "expanded"])
def test_every_example_and_conformance_program_round_trips(expanded):
    programs = parsed_corpus()
    assert len(programs) >= 16
    for _name, program in programs:
        round_trip(program, expanded)


TRICKY = [
    "f n:n>n;r=fac -n 1;*n r",  # a prefix binary as the first argument stays bare
    "f a:n b:n>n;g a (+a b)",  # later arguments that start with an operator need parens
    "f a:n>n;g (-a) b",  # negation followed by an operand would read as subtraction
    "f a:n>n;- -7 a",  # `--` would open a comment
    "f a:n>n;-(7) a",  # `-7 a` would lex as the number -7
    "f a:n>n;x= =a b;x",  # `==` lexes as one `=`
    "f a:b>b;y=!(=a b);y",  # `!=` would be one token
    "f a:n>n;+(-a b) (>b c)",
    "f a:n>n;g (-a b) (>b c)",  # `b >c` would look like a function header
    "f a:b>b;&(&a b) c",  # `&&` is rejected
    "f a:n>n;>(>a b) c",  # `>>` is a pipe
    "f a:n>n;x=(a??b) with c:2;x",
    "f a:n>n;x=a with c:2??3;x",
    "f a:n>n;x=[~f a, ^g b, -c, f a b];x",
    "f a:n>n;x=a??(~b);x",
    "f a:n>n;x=g (pt x:1) (h a);x",
    "f a:n>n;(?a{1:2;_:3})",  # an expression statement, not a match statement
    "f a:n>n;?a{1:x=2;y=3;+x y;_:3}",
    "f a:n>n;?a{1:;_:}",
    "f a:n>n;(^a)??b",
    "f a:n>n;!f a",
    "f a:n>n;(!a){b}",
    "f a:n>n;!a{b}{c}",
    "f a:n>n;! =a b c",
    "f a:n>n;(g =a b)",  # `g =` would start a binding
    "f a:n>n;v=&a b{1}{2};v",
    "f a:n>n;v=>a b{1;2};v",
    "f a:n>n;v=>a b{};v",
    "f a:n>n;v=&a b{?a{_:1}}{2};v",
    "f a:n>n;@i 0..n{@j xs.0{brk};cnt};wh >a 0{a=-a 1};a",
    "f a:n>n;@i -1..-2{brk 3}",
    "f a:n>n;{x;y}=g a;+x y",
    'f a:n>t;"a\\"b\\\\c\\nd\\te"',
    "f a:n>n;+0.1 0.00001",
    "f a:n>n;xs.?0.?x",
    "f a:n>n;m=mmap;mset m \"a\" 1",
    "f a:n>n;x=g! -a b;g!();g();x",
    "f a:n>n;+$a 1",
    "f a:n>n;a>>g b>>h",
    "f a:n>n;?=a 1 (g a) -1",
    "f a:n>n;?a{n v:v;t s:0;l xs:1;b q:2;~x:3;^e:4;\"s\":5;-1:6;true:7;nil:8;_:9}",
    "f a:n>n;>a 0 (g a);>a 0 (-a);2",
    "f a:_>n;x=!~a;x",
    "f a:n>n;(ret2 a)",
    "f a:n>n;x=g (+=a b) 1;x",
    "f a:n>n;g +(g a) b",
    "f a:n>n;g +[1] [2]",
    "f a:n>n;x=~?=a 1 2 3;x",
    "f x:n>n;g x\ng x:n>n;x",  # a body ending in a call stops at the next header
    "f x:n>n;(g x)\nalias foo n\ng x:n>n;+x 1\nalias bar L n\nh>n;x=(g 1)\nalias baz n",
    'tool fetch"Get a \\"thing\\"" url:t>R t t timeout:5,retry:2\ntype pt{x:n;y:O n;z:M t L n;w:F n n n}',
    'use "lib.ilo" [a b]\nf>n;1',
    "f a:n>n\n  x=1\n  >a 0{\n    ret x\n  }\n  ?a{\n    1:2\n    _:3\n  }",
    "f a:n>b;=(>a 0) false",  # `=>` would read as the compound-operator slip
    "f a:n>b;=(<a 0) (>a 1)",
]


@pytest.mark.parametrize("expanded", [False, True], ids=["dense", "expanded"])
@pytest.mark.parametrize("src", TRICKY)
def test_tricky_shapes_round_trip(src, expanded):
    round_trip(parse(Source("t", src)), expanded)


def test_dense_form_is_one_line_per_declaration():
    src = "f x:n>n\n  y=*x 2\n  >y 10{\n    ret y\n  }\n  0\ng>n;1"
    text = unparse(parse(Source("t", src)))
    assert text == "f x:n>n;y=*x 2;>y 10{ret y};0\ng>n;1"


def test_expanded_form_indents_by_two():
    src = 'cls sp:n>t;>=sp 1000{"gold"};>=sp 500{"silver"};"bronze"'
    text = unparse(parse(Source("t", src)), expanded=True)
    assert text == 'cls sp:n > t\n  >= sp 1000 {\n    "gold"\n  }\n  >= sp 500 {\n    "silver"\n  }\n  "bronze"'


def test_numbers_print_without_exponent_or_trailing_zero():
    assert [format_number(v) for v in (3.0, -2.0, 0.5, 1e-05, 1e21)] == [
        "3", "-2", "0.5", "0.00001", "1000000000000000000000"
    ]


def test_types_print_without_parentheses():
    assert unparse_type(parse_type("M t (L (O n))")) == "M t L O n"
    assert unparse_type(parse_type("F n (R t t)")) == "F n R t t"


# ── Random trees ────────────────────────────────────────────────────────────

NAMES = st.sampled_from(["a", "b", "xs", "my-val"])
FUNCS = st.sampled_from(["g", "h", "get", "len"])
NUMS = st.sampled_from([0.0, 1.0, -7.0, 2.5, -0.25, 1e-6, 123456.0])


def leaves() -> st.SearchStrategy:
    return st.one_of(
        NUMS.map(ast.Lit),
        st.sampled_from(["", "hi", 'q"x', "a\nb"]).map(ast.Lit),
        st.sampled_from([True, False, None]).map(ast.Lit),
        NAMES.map(ast.Ref),
        st.just(ast.Ref("_")),
        st.builds(ast.Field, NAMES.map(ast.Ref), st.sampled_from(["x", "name"]), st.booleans()),
        st.builds(ast.Index, NAMES.map(ast.Ref), st.integers(0, 3), st.booleans()),
        st.just(ast.Call("mmap", [])),
    )


def compound(children: st.SearchStrategy) -> st.SearchStrategy:
    compare = st.builds(ast.BinOp, st.sampled_from(["=", "!=", ">", "<", ">=", "<="]), children, children)
    arm = st.builds(
        ast.MatchArm,
        st.one_of(st.just(ast.PWild()), st.builds(ast.POk, NAMES), st.builds(ast.PLit, NUMS)),
        st.lists(children.map(ast.ExprStmt), max_size=2),
    )
    return st.one_of(
        st.builds(ast.BinOp, st.sampled_from(ast.BINARY_OPS), children, children),
        st.builds(ast.Unary, st.sampled_from(ast.UNARY_OPS), children),
        st.builds(ast.OkExpr, children),
        st.builds(ast.ErrExpr, children),
        st.builds(ast.ListExpr, st.lists(children, max_size=3)),
        st.builds(ast.Call, FUNCS, st.lists(children, max_size=3), st.booleans()),
        st.builds(ast.RecordExpr, st.just("pt"), st.lists(st.tuples(st.sampled_from(["x", "y"]), children),
                                                          min_size=1, max_size=2)),
        st.builds(ast.NilCoalesce, children, children),
        st.builds(ast.With, children, st.lists(st.tuples(st.sampled_from(["x", "y"]), children), max_size=2)),
        st.builds(ast.Ternary, compare, children, children),
        st.builds(ast.MatchExpr, st.one_of(st.none(), leaves()), st.lists(arm, max_size=2)),
    )


EXPRS = st.recursive(leaves(), compound, max_leaves=10)


def statements(e: st.SearchStrategy) -> st.SearchStrategy:
    guard_cond = st.builds(ast.BinOp, st.sampled_from([">", "=", "&", "|", "!="]), e, e)
    simple = st.one_of(
        st.builds(ast.Let, st.sampled_from(["v", "w"]), e),
        e.map(ast.ExprStmt),
        st.builds(lambda c, v, neg: ast.Guard(c, [ast.ExprStmt(v)], None, neg, True), guard_cond, e, st.booleans()),
        st.builds(ast.Let, st.just("v"), st.builds(ast.Ternary, guard_cond, e, e)),
        st.builds(ast.Return, e),
        st.builds(ast.Break, e),  # a bare `brk` parses only last in its block
        st.just(ast.Continue()),
        st.builds(ast.Destructure, st.just(["p", "q"]), e),
    )

    def blocks(inner: st.SearchStrategy) -> st.SearchStrategy:
        body = st.lists(inner, max_size=3)
        return st.one_of(
            st.builds(ast.Guard, e, body, st.one_of(st.none(), body), st.booleans()),
            st.builds(ast.ForEach, st.just("i"), e, body),
            st.builds(ast.ForRange, st.just("i"), e, e, body),
            st.builds(ast.While, e, body),
            st.builds(ast.Match, st.one_of(st.none(), leaves()), st.lists(st.builds(
                ast.MatchArm, st.sampled_from([ast.PWild(), ast.POk("v"), ast.PLit("s")]), body), max_size=2)),
        )

    return st.recursive(simple, blocks, max_leaves=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(statements(EXPRS), min_size=1, max_size=3), st.booleans())
def test_random_trees_round_trip(body, expanded):
    # `f` comes last: a braceless guard cannot end a function that another one follows.
    program = ast.Program([ast.Function("k", [], parse_type("n"), [ast.ExprStmt(ast.Ref("a"))]),
                           ast.Function("f", [ast.Param("a", parse_type("n"))], parse_type("n"), body)])
    round_trip(program, expanded)


def test_a_negation_inside_a_nil_chain_is_closed():
    # Found by test_random_trees_round_trip: `0??-_??(~_)` reads `-_ ??(~_)` as a subtraction.
    u = ast.Ref("u")
    chain = ast.NilCoalesce(ast.NilCoalesce(ast.Lit(0.0), ast.Unary("-", u)), ast.OkExpr(u))
    program = ast.Program([ast.Function("f", [ast.Param("u", parse_type("n"))], parse_type("n"),
                                        [ast.ExprStmt(chain)])])
    for expanded in (False, True):
        round_trip(program, expanded)


def test_a_zero_argument_call_as_a_nil_default_is_closed():
    # Found by test_random_trees_round_trip: `x??g()` does not parse; `x??(g())` does.
    chain = ast.NilCoalesce(ast.Ref("x"), ast.Call("g", [], False))
    program = ast.Program([ast.Function("f", [ast.Param("x", parse_type("O n"))], parse_type("n"),
                                        [ast.ExprStmt(chain)])])
    for expanded in (False, True):
        round_trip(program, expanded)
