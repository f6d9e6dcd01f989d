"""The tree interpreter: reference semantics, ownership of accumulators, deep recursion.

Every test parses, verifies and runs real ilo source through ``ilo.interp.run``.
"""

from __future__ import annotations

import pytest
from scaling import scaling_ratio

from ilo.interp import run
from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.values import Err, FnRef, Ok, Record, from_python
from ilo.source import Source


def verified(src: str):
    from ilo.syntax.parser import parse
    from ilo.verify import verify

    source = Source("<test>", src)
    return verify(parse(source), source)


def call(src: str, func: str, *args, **kw):
    return run(verified(src), func, [from_python(a) for a in args], **kw)


def error_of(src: str, func: str, *args, **kw) -> IloRuntimeError:
    with pytest.raises(IloRuntimeError) as info:
        call(src, func, *args, **kw)
    return info.value


# ── operators ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "src, args, expected",
    [
        ("f a:n b:n>n;+a b", (2, 3), 5.0),
        ("f a:n b:n>n;-*a b 1", (2, 3), 5.0),
        ("f a:n b:n>n;/a b", (7, 2), 3.5),
        ('f a:t b:t>t;+a b', ("ab", "cd"), "abcd"),
        ("f a:L n b:L n>L n;+a b", ([1], [2, 3]), [1.0, 2.0, 3.0]),
        ("f a:L n b:n>L n;+=a b", ([1], 2), [1.0, 2.0]),
        ("f a:n b:n>b;r=>=a b;r", (2, 2), True),
        ('f a:t b:t>b;r=<a b;r', ("abc", "abd"), True),
        ("f a:n>b;r=!a;r", (0,), True),
        ("f a:n>n;-a", (4,), -4.0),
    ],
)
def test_operators(src, args, expected):
    assert call(src, "f", *args) == expected


def test_division_by_zero_is_r003_with_span_and_function():
    err = error_of("f a:n b:n>n;/a b", "f", 1, 0)
    assert err.code == "ILO-R003"
    assert err.function == "f"
    assert err.span is not None


def test_runtime_type_error_is_r004():
    # `_` parameters defer the type check to run time.
    err = error_of("f a:_ b:_>_;+a b", "f", 1, "x")
    assert err.code == "ILO-R004"


def test_and_or_short_circuit_and_return_an_operand():
    src = "f a:_ b:_>_;&a b\ng a:_ b:_>_;|a b"
    assert call(src, "f", 0, 5) == 0.0
    assert call(src, "f", 3, 5) == 5.0
    assert call(src, "g", 0, "x") == "x"
    assert call(src, "g", "y", "x") == "y"
    # the right side is not evaluated when the left decides
    assert call("f a:n>n;r=&false /a 0;?r{false:1;_:2}", "f", 1) == 1.0


def test_equality_is_structural_and_typed():
    src = 'f a:_ b:_>t;=a b{"same"}{"different"}'
    assert call(src, "f", [1, 2], [1, 2]) == "same"
    assert call(src, "f", 1, "1") == "different"


# ── guards, ternaries, match ────────────────────────────────────────────────


def test_braceless_guard_returns_early():
    src = 'cls sp:n>t;>=sp 1000 "gold";>=sp 500 "silver";"bronze"'
    assert [call(src, "cls", x) for x in (1500, 700, 10)] == ["gold", "silver", "bronze"]


def test_braced_guard_runs_and_continues():
    assert call("f x:n>n;>x 0{99};+x 1", "f", 5) == 6.0
    assert call("f xs:L n>n;m=0;@x xs{>x m{m=x}};m", "f", [3, 9, 2]) == 9.0


def test_ternary_is_a_value_and_does_not_return():
    assert call('f x:n>t;=x 1{"yes"}{"no"}', "f", 1) == "yes"
    assert call('f x:n>t;=x 1{"yes"}{"no"}', "f", 2) == "no"
    assert call("f x:n>n;=x 0{10}{20};+x 1", "f", 0) == 1.0
    assert call('f x:n>t;!=x 1{"not one"}{"one"}', "f", 1) == "one"


def test_prefix_ternary_and_negated_guard():
    assert call("f x:n>n;?=x 0 10 20", "f", 0) == 10.0
    # a negated guard fires when its condition is false
    assert call('f n:n>R n t;!<=n 0 ^"positive";~n', "f", 2) == Err("positive")
    assert call('f n:n>R n t;!<=n 0 ^"positive";~n', "f", -1) == Ok(-1.0)


def test_ret_inside_braced_guard_returns():
    assert call("f x:n>n;>x 0{ret x};-x", "f", 4) == 4.0
    assert call("f x:n>n;>x 0{ret x};-x", "f", -4) == 4.0


def test_match_patterns():
    src = 'f x:_>t;?x{1:"one";"a":"letter";n v:"num";t v:"text";b v:"bool";l v:"list";_:"other"}'
    assert call(src, "f", 1) == "one"
    assert call(src, "f", "a") == "letter"
    assert call(src, "f", 2) == "num"
    assert call(src, "f", "zz") == "text"
    assert call(src, "f", True) == "bool"
    assert call(src, "f", [1]) == "list"
    assert call(src, "f", None) == "other"


def test_match_result_patterns_bind():
    src = "f r:R n t>n;?r{~v:+v 1;^e:0}"
    assert call(src, "f", Ok(2.0)) == 3.0
    assert call(src, "f", Err("bad")) == 0.0


def test_match_expression_and_subjectless_match_sees_nil():
    assert call('f x:n>t;y=?x{1:"a";_:"b"};y', "f", 1) == "a"
    # `?{...}` with no subject matches nil, as in the reference.
    assert call('f>t;x=?{_:"always"};x', "f") == "always"
    assert call('f>t;?{nil:"nil";_:"other"}', "f") == "nil"


def test_match_statement_without_matching_arm_has_no_value():
    assert call("f x:_>n;?x{1:99};0", "f", 5) == 0.0
    assert call("f x:n>n;?x{0:x;_:x};+x 1", "f", 5) == 6.0


def test_match_statement_last_in_loop_body_does_not_return():
    # The reference's match_in_loop fix: a match ending a loop body is just its value.
    assert call("f>n;@x [1,2,3]{?x{2:brk x;_:x}};99", "f") == 99.0
    assert call("f>n;a=0;@x [1,2,3]{?x{2:a=+a x;_:a}};a", "f") == 2.0


# ── loops and scopes ────────────────────────────────────────────────────────


def test_foreach_range_while():
    assert call("f>n;s=0;@i 0..5{s=+s i};s", "f") == 10.0
    assert call("f>L n;xs=[];@i 0..3{xs=+=xs i};xs", "f") == [0.0, 1.0, 2.0]
    assert call("f>n;i=0;s=0;wh <i 5{i=+i 1;s=+s i};s", "f") == 15.0
    assert call("f xs:L n>n;s=0;@x xs{s=+s x};s", "f", [1, 2, 3]) == 6.0


def test_break_continue_and_loop_values():
    assert call("f>n;i=0;wh true{i=+i 1;>=i 3{brk}};i", "f") == 3.0
    assert call("f>n;i=0;s=0;wh <i 5{i=+i 1;>=i 3{cnt};s=+s i};s", "f") == 3.0
    assert call("f>n;@x [1,2,3,4,5]{>=x 4{brk x};x}", "f") == 4.0
    assert call("f>n;@x [1,2,3]{+x 10}", "f") == 13.0
    assert call("f>n;i=0;wh true{i=+i 1;>=i 3{ret i}};0", "f") == 3.0
    assert call("f xs:L n>n;@x xs{>=x 10{ret x}};0", "f", [1, 12, 30]) == 12.0


def test_range_bounds_are_truncated_and_empty_ranges_run_nothing():
    assert call("f a:n b:n>n;s=0;@i a..b{s=+s 1};s", "f", 0.5, 2.9) == 2.0
    assert call("f a:n b:n>n;s=0;@i a..b{s=+s 1};s", "f", 5, 2) == 0.0


def test_loop_body_rebinds_enclosing_variable_and_loop_variable_is_fresh():
    src = "f>L n;x=0;ys=[];@i 0..3{x=+x i;ys=+=ys x};+=ys x"
    assert call(src, "f") == [0.0, 1.0, 3.0, 3.0]


def test_body_value_rules():
    assert call("f>O n;x=1", "f") is None  # a binding has no value: the body gives nil
    assert call("f x:n>n;7;>x 0{1}", "f", -1) == 7.0  # a false braced guard has no value
    assert call("f x:n>n;7;>x 0{1}", "f", 5) == 1.0


def test_foreach_needs_a_list():
    err = error_of("f x:_>n;@i x{i};0", "f", 3)
    assert err.code == "ILO-R007"


# ── results, nil, records ───────────────────────────────────────────────────


UNWRAP = """
half x:n>R n t;=x 0 ^"zero";~/x 2
twice x:n>R n t;v=half! x;~*v 2
"""


def test_auto_unwrap_propagates_err_out_of_the_function():
    assert call(UNWRAP, "twice", 8) == Ok(8.0)
    assert call(UNWRAP, "twice", 0) == Err("zero")


def test_auto_unwrap_inside_a_loop_leaves_the_function():
    src = UNWRAP + "all xs:L n>R n t;s=0;@x xs{v=half! x;s=+s v};~s\n"
    assert call(src, "all", [2, 4]) == Ok(3.0)
    assert call(src, "all", [2, 0, 4]) == Err("zero")


def test_nil_coalesce_and_safe_navigation():
    src = "type pt{x:n;y:n}\nf p:O pt>n;p.?x??42"
    assert call(src, "f", None) == 42.0
    assert call(src, "f", Record("pt", {"x": 1.0, "y": 2.0})) == 1.0


RECORDS = "type pt{x:n;y:n}\n"


def test_record_construction_access_with_and_destructure():
    assert call(RECORDS + "f>n;p=pt y:2 x:1;p.x", "f") == 1.0
    made = call(RECORDS + "f>pt;pt y:2 x:1", "f")
    assert list(made.fields) == ["x", "y"]  # declaration order
    moved = call(RECORDS + "f p:pt>pt;p with x:9", "f", Record("pt", {"x": 1.0, "y": 2.0}))
    assert moved == Record("pt", {"x": 9.0, "y": 2.0})
    assert call(RECORDS + "f>n;p=pt x:3 y:4;{x;y}=p;+x y", "f") == 7.0


def test_with_leaves_the_original_record_unchanged():
    src = RECORDS + "f>L n;p=pt x:1 y:2;q=p with x:5;[p.x, q.x]"
    assert call(src, "f") == [1.0, 5.0]


def test_field_access_on_parsed_json():
    src = "g s:t>R n t;r=jpar! s;~r.x"
    assert call(src, "g", '{"x": 5}') == Ok(5.0)


def test_index_and_out_of_range():
    assert call("f xs:L n>n;xs.1", "f", [4, 5, 6]) == 5.0
    err = error_of("f xs:L n>n;xs.5", "f", [4])
    assert err.code == "ILO-R006"


# ── functions as values, tools ──────────────────────────────────────────────


def test_function_name_as_value_and_call_through_local():
    src = "dbl x:n>n;*x 2\napply f:F n n x:n>n;f x\nmain>L n;map dbl [1 2 3]\nref>F n n;dbl"
    assert call(src, "apply", FnRef("dbl"), 5) == 10.0
    assert call(src, "main") == [2.0, 4.0, 6.0]
    assert call(src, "ref") == FnRef("dbl")


def test_text_naming_a_function_is_callable_through_a_local():
    src = "sq x:n>n;*x x\nf cb:_>n;cb 3"
    assert call(src, "f", "sq") == 9.0


def test_tool_call_returns_ok_nil(capsys):
    src = 'tool get-user"Retrieve user" uid:t>R t t\nf>R t t;get-user "42"'
    assert call(src, "f") == Ok(None)
    assert "get-user" in capsys.readouterr().err


def test_higher_order_builtin_calls_back_into_user_functions():
    src = "add a:n b:n>n;+a b\npos x:n>b;>x 0\nf xs:L n>n;fld add xs 0\ng xs:L n>L n;flt pos xs"
    assert call(src, "f", [1, 2, 3]) == 6.0
    assert call(src, "g", [-1, 2, -3, 4]) == [2.0, 4.0]


# ── ownership: accumulators are O(n), and sharing is never observable ──────


def test_mset_into_a_new_name_leaves_the_old_map():
    src = 'f>L _;m=mmap;m=mset m "a" 1;m2=mset m "b" 2;[m, m2]'
    assert call(src, "f") == [{"a": 1.0}, {"a": 1.0, "b": 2.0}]


def test_alias_then_self_rebind_leaves_the_alias():
    src = 'f>L _;m=mmap;m=mset m "a" 1;m2=m;m=mset m "b" 2;[m, m2]'
    assert call(src, "f") == [{"a": 1.0, "b": 2.0}, {"a": 1.0}]


def test_callee_rebinding_a_map_from_its_caller():
    src = 'g m:M t n>M t n;m=mset m "z" 9;m\nf>L _;m=mmap;m=mset m "a" 1;r=g m;[m, r]'
    assert call(src, "f") == [{"a": 1.0}, {"a": 1.0, "z": 9.0}]


def test_values_passed_in_from_python_are_never_mutated():
    vp = verified('g m:M t n>M t n;m=mset m "z" 9;m\nh xs:L n>L n;xs=+=xs 1;xs\nt s:t>t;s=+s "!";s')
    m, xs = {"a": 1.0}, [0.0]
    assert run(vp, "g", [m]) == {"a": 1.0, "z": 9.0}
    assert run(vp, "h", [xs]) == [0.0, 1.0]
    assert m == {"a": 1.0} and xs == [0.0]
    assert run(vp, "t", ["hi"]) == "hi!"


def test_containers_stored_elsewhere_then_rebound():
    in_list = "f>L _;xs=[1];ys=[xs];xs=+=xs 2;[xs, ys]"
    assert call(in_list, "f") == [[1.0, 2.0], [[1.0]]]
    in_map = 'f>L _;xs=[1];m=mmap;m=mset m "k" xs;xs=+=xs 2;[xs, m]'
    assert call(in_map, "f") == [[1.0, 2.0], {"k": [1.0]}]
    in_record = "type box{v:L n}\nf>L _;xs=[1];b=box v:xs;xs=+=xs 2;[xs, b.v]"
    assert call(in_record, "f") == [[1.0, 2.0], [1.0]]
    map_in_list = 'f>L _;m=mmap;hs=[];@i 0..3{k=str i;m=mset m k i;hs=+=hs m};hs'
    assert [len(h) for h in call(map_in_list, "f")] == [1, 2, 3]


def test_list_iterated_while_rebound_in_the_body():
    assert call("f>L n;xs=[1 2 3];@x xs{xs=+=xs x};xs", "f") == [1.0, 2.0, 3.0, 1.0, 2.0, 3.0]
    assert call("f>L n;xs=[1 2];@x xs{xs=+xs xs};xs", "f") == [1.0, 2.0] * 4


def test_text_and_list_concat_with_aliases():
    assert call('f>L t;s="ab";t=s;s=+s "c";[s, t]', "f") == ["abc", "ab"]
    assert call('f>L t;s="";ts=[];@i 0..3{s=+s "x";ts=+=ts s};ts', "f") == ["x", "xx", "xxx"]
    assert call("f>L _;xs=[1];ys=xs;xs=+xs [2];[xs, ys]", "f") == [[1.0, 2.0], [1.0]]
    assert call('f>t;s="ab";s=+s s;s', "f") == "abab"


def test_self_rebind_type_errors_are_still_reported():
    err = error_of("f a:_>_;a=+=a 1;a", "f", 3)
    assert err.code == "ILO-R004"
    err = error_of('f m:_>_;m=mset m "k" 1;m', "f", 3)
    assert err.code == "ILO-R009"


LOOPS = {
    "mset": 'f n:n>n;m=mmap;@i 0..n{k=str i;m=mset m k i};len m',
    "append": "f n:n>n;xs=[];@i 0..n{xs=+=xs i};len xs",
    "concat": 'f n:n>n;s="";@i 0..n{s=+s "ab"};len s',
}


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("shape", sorted(LOOPS))
def test_accumulator_loops_scale_linearly(shape):
    vp = verified(LOOPS[shape])

    expected = {"mset": 20000.0, "append": 20000.0, "concat": 40000.0}[shape]
    assert run(vp, "f", [20000.0]) == expected
    ratio = scaling_ratio(lambda: run(vp, "f", [2000.0]), lambda: run(vp, "f", [20000.0]))
    assert ratio < 15, f"{shape}: 20,000 steps took {ratio:.1f}x the time of 2,000"


# ── recursion depth, step limit, errors ─────────────────────────────────────


DEEP = "d n:n>n;<=n 0 0;r=d -n 1;+r 1"


def test_ten_thousand_deep_recursion_works():
    assert call(DEEP, "d", 9_999) == 9_999.0


def test_deeper_recursion_is_a_clean_r014():
    err = error_of(DEEP, "d", 50_000)
    assert err.code == "ILO-R014"
    assert call(DEEP, "d", 30_000, max_depth=40_000) == 30_000.0


def test_step_limit_is_r015():
    err = error_of("f>n;i=0;wh true{i=+i 1};i", "f", max_steps=1_000)
    assert err.code == "ILO-R015"


def test_arity_mismatch_at_run_time_is_r004():
    err = error_of("f x:n>n;x", "f")
    assert err.code == "ILO-R004"


def test_error_in_callee_names_the_callee():
    err = error_of("g x:n>n;/x 0\nf x:n>n;r=g x;r", "f", 1)
    assert err.code == "ILO-R003" and err.function == "g"


def test_builtin_error_is_reported_with_its_code():
    err = error_of("f xs:L n>n;avg xs", "f", [])
    assert err.code == "ILO-R009"
