"""The rules every engine takes from ilo/runtime (operators, range bounds, type patterns,
run-time calls, the ownership probe): the rule itself, and each engine agreeing with it."""

from __future__ import annotations

import math

import pytest
from conftest import assert_same, run_program

from ilo.runtime import ownership
from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.operators import RANGE_LIMIT, add_values, append_value, range_bound
from ilo.runtime.typecheck import PATTERN_PYTYPES, pattern_pytype
from ilo.types import BOOL, NUM, PATTERN_LETTERS, TEXT, TList, TMap

RANGE_SUM = "f a:n b:n>n;s=0;@i a..b{s=+s i};s"


@pytest.mark.parametrize("v, want", [(2.9, 2.0), (-2.9, -2.0), (float("nan"), 0.0), (1e300, RANGE_LIMIT),
                                     (-math.inf, -RANGE_LIMIT), (0.0, 0.0)])
def test_range_bound_truncates_and_saturates(v, want):
    assert range_bound(v, "start") == want and type(range_bound(v, "start")) is float


def test_range_bound_rejects_a_non_number():
    with pytest.raises(IloRuntimeError) as e:
        range_bound("x", "end")
    assert (e.value.code, e.value.message) == ("ILO-R007", "range end must be a number, got t")


@pytest.mark.parametrize("a, b, want", [(0.5, 3.9, 3.0), (-2.7, 1.0, -3.0), (float("nan"), 3.0, 3.0),
                                        (1e300, 0.0, 0.0), (2.0, 2.0, 0.0)])
def test_every_engine_bounds_ranges_alike(a, b, want):
    assert assert_same(RANGE_SUM, "f", a, b) == want


def test_a_bad_range_bound_is_the_same_error_everywhere():
    err = assert_same("f a:_>n;s=0;@i a..3{s=+s i};s", "f", "x")
    assert err[:3] == ("error", "ILO-R007", "range start must be a number, got t")


def test_add_and_append_rules():
    assert add_values(1.0, 2.0) == 3.0 and add_values("a", "b") == "ab" and add_values([1.0], [2.0]) == [1.0, 2.0]
    xs = [1.0]
    assert append_value(xs, 2.0) == [1.0, 2.0] and xs == [1.0]  # a new list
    for bad in (lambda: add_values("a", 1.0), lambda: append_value(1.0, 2.0)):
        with pytest.raises(IloRuntimeError) as e:
            bad()
        assert e.value.code == "ILO-R004" and e.value.span is None


@pytest.mark.parametrize("src, args, message", [
    ("f a:_ b:_>_;+a b", ("a", 1.0), "cannot apply '+' to t and n"),
    ("f a:_ b:_>_;+=a b", (1.0, 2.0), "cannot apply '+=' to n and n"),
])
def test_operator_errors_agree(src, args, message):
    assert assert_same(src, "f", *args)[:3] == ("error", "ILO-R004", message)


def test_pattern_tables_agree():
    assert set(PATTERN_LETTERS.values()) == set(PATTERN_PYTYPES)
    assert pattern_pytype(NUM) is float and pattern_pytype(TEXT) is str and pattern_pytype(BOOL) is bool
    assert pattern_pytype(TList(NUM)) is list and pattern_pytype(TMap(TEXT, NUM)) is None


@pytest.mark.parametrize("value, want", [(1.0, "n"), ("s", "t"), (True, "b"), ([1.0], "l"), ({"k": 1.0}, "other")])
def test_type_patterns_match_alike(value, want):
    src = 'f x:_>t;?x{n v:"n";t v:"t";b v:"b";l v:"l";_:"other"}'
    assert assert_same(src, "f", value) == want


CALLS = "h a:n b:n>n;+a b\ndbl x:n>n;*x 2\nf g:_>_;map g [1 2]"


def test_calls_through_values_agree():
    assert assert_same(CALLS, "f", "dbl") == [2.0, 4.0]
    assert assert_same(CALLS, "f", "h")[:3] == ("error", "ILO-R004", "h: expected 2 args, got 1")
    assert assert_same(CALLS, "f", "nope")[:3] == ("error", "ILO-R002", "undefined function: nope")


def test_cli_arity_message_is_the_shared_one(engine):
    status, out, err = run_program("h a:n b:n>n;+a b", "h", ["1"], engine)
    assert status != 0 and "ILO-R004" in err and "h: expected 2 args, got 1" in err


def test_sole_in_slot():
    assert ownership.sole_in_slot([[]], 0)
    held = []
    assert not ownership.sole_in_slot([held], 0)
    assert ownership.sole_in_slot([held], 0, extra=1)  # the caller's own reference, declared
    local = []
    assert ownership.refcount(local) == ownership.SOLE_LOCAL
