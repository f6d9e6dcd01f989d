"""The constructs of the current language (issue 10): parsing shapes, closures on every
engine, and the formatter on every example (``--fmt`` output is stable and runs the same)."""

from __future__ import annotations

import pytest
from annotations import parse_annotations
from conftest import REPO, first_diagnostic, run_program
from test_examples import EXAMPLES

from ilo.diagnostics import IloError
from ilo.source import Source
from ilo.syntax import ast
from ilo.syntax.parser import parse
from ilo.syntax.unparse import format_source


def body(src: str) -> list:
    return parse(Source("t", src)).functions[0].body


def last_expr(src: str):
    return body(src)[-1].expr


# ── parsing ─────────────────────────────────────────────────────────────────


def test_known_arity_calls_nest_as_arguments():
    e = last_expr("f xs:L n>n;hd tl xs")
    assert isinstance(e, ast.Call) and e.func == "hd"
    assert isinstance(e.args[0], ast.Call) and e.args[0].func == "tl"


def test_prefix_operator_is_a_call_argument():
    e = last_expr('f m:M t n c:n>M t n;mset m "k" +c 1')
    assert e.func == "mset" and len(e.args) == 3 and isinstance(e.args[2], ast.BinOp)


def test_known_call_as_prefix_operand():
    e = body("f q:L n>n;wh >len q 0{q=tl q};0")[0].cond
    assert isinstance(e, ast.BinOp) and isinstance(e.left, ast.Call) and e.left.func == "len"


def test_whitespace_list_of_names_and_comma_mode():
    e = last_expr("f a:n b:n>L n;[a b]")
    assert [type(i) for i in e.items] == [ast.Ref, ast.Ref]
    e = last_expr("f x:n>L n;[flr x, cel x]")
    assert [i.func for i in e.items] == ["flr", "cel"]


def test_list_semicolon_has_a_hint():
    with pytest.raises(IloError) as info:
        parse(Source("t", "f>L n;[1;2]"))
    assert info.value.diagnostics[0].code == "ILO-P009"


def test_prefix_and_chained_nil_coalesce():
    e = last_expr('f m:M t n>n;??mget m "k" 0')
    assert isinstance(e, ast.NilCoalesce) and e.value.func == "mget"
    e = last_expr("f m:M t n a:t b:t>n;mget m a ?? mget m b ?? 9")
    assert isinstance(e, ast.NilCoalesce) and isinstance(e.value, ast.NilCoalesce)


def test_bool_ternaries():
    for src in ("f h:b>n;?h 1 0", "f h:b>n;?h{1}{0}"):
        e = last_expr(src)
        assert isinstance(e, ast.Ternary) and isinstance(e.cond, ast.Ref)


def test_panic_unwrap_and_double_minus_trap():
    e = last_expr("f s:t>n;num!! s")
    assert e.unwrap and e.panic
    with pytest.raises(IloError) as info:
        parse(Source("t", "f a:n b:n c:n d:n>n;- -*a b *c d"))
    assert info.value.diagnostics[0].code == "ILO-P021"


def test_lambda_is_lifted_with_captures():
    prog = parse(Source("t", "f xs:L n k:n>L n;map (x:n>n;+x k) xs"))
    lam = prog.functions[0].body[-1].expr.args[0]
    assert isinstance(lam, ast.Lambda) and lam.captures == ["k"]
    lifted = [f for f in prog.functions if f.lifted]
    assert [p.name for p in lifted[0].params] == ["x", "k"]


def test_grouped_comparison_is_not_a_lambda():
    e = last_expr("f a:n b:n>b;(>a b)")
    assert isinstance(e, ast.BinOp)


def test_field_names_of_any_shape_and_dot_index():
    e = last_expr("f r:_>_;r.userId")
    assert e.name == "userId"
    e = last_expr("f r:_>_;r.type")
    assert e.name == "type"
    e = last_expr("f xs:L n i:n>n;xs.i")
    assert isinstance(e, ast.Call) and e.func == "at"
    e = last_expr("type pt{x:n} f p:pt x:n>n;p.x")
    assert isinstance(e, ast.Field)


def test_numbers_and_negative_literal_split():
    assert last_expr("f>n;2.5e3").value == 2500.0
    e = last_expr("f v:n>n;-0 v")
    assert isinstance(e, ast.BinOp) and e.op == "-"
    e = last_expr("f xs:L n>n;at xs -1")
    assert e.args[1].value == -1.0


def test_multi_line_list_and_sibling_headers():
    prog = parse(Source("t", "f>L n\n  xs=[\n    1\n    2\n  ]\n  xs\n  -- trailing comment\ng>n;1"))
    assert [f.name for f in prog.functions] == ["f", "g"]


# ── closures on every engine ────────────────────────────────────────────────

CLOSURES = [
    ("f xs:L n k:n>L n;map (x:n>n;+x k) xs", ([1.0, 2.0], 10.0), [11.0, 12.0]),
    ("f xs:L n k:n>n;fld (a:n x:n>n;+a *x k) xs 0", ([1.0, 2.0], 3.0), 9.0),
    ("adder k:n>F n n;(x:n>n;+x k)\nf k:n x:n>n;g=adder k;g x", (2.0, 5.0), 7.0),
    ("f xs:L n k:n>L n;out=[];@x xs{g=(y:n>n;*y k);v=g x;out=+=out v};out", ([1.0, 2.0, 3.0], 2.0), [2.0, 4.0, 6.0]),
]


@pytest.mark.parametrize("src,args,expected", CLOSURES)
def test_closures_capture_the_same_on_every_engine(src, args, expected, engine):
    import ilo

    prog = ilo.load(src)
    func = [n for n in prog.function_names][-1]
    assert prog.call(func, *args, engine=engine) == expected


def test_undefined_capture_is_a_verifier_error():
    import ilo

    with pytest.raises(IloError) as info:
        ilo.load("f xs:L n>L n;map (x:n>n;+x nope) xs")
    assert info.value.diagnostics[0].code == "ILO-T004"


# ── the formatter on every example ──────────────────────────────────────────


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_format_is_stable_and_runs_the_same(path, tmp_path):
    once = format_source(Source(str(path), path.read_text()))
    twice = format_source(Source("again", once))
    assert once == twice
    formatted = tmp_path / path.name
    formatted.write_text(once + "\n")
    cases, skips = parse_annotations(path)
    for _, func, args, _, _ in cases[:6]:
        got, want = run_program(str(formatted), func, args, "tree"), run_program(str(path), func, args, "tree")
        # Same status and output; the error line may move (comments are not kept).
        assert got[:2] == want[:2]
        if want[2]:
            g, w = first_diagnostic(got[2]), first_diagnostic(want[2])
            assert (g["code"], g["message"]) == (w["code"], w["message"])


def test_examples_dir_is_the_repo_one():
    assert all(p.parent == REPO / "examples" for p in EXAMPLES)
