"""Cross-engine differential testing: generated well-typed programs give identical results
(value and type) or identical error codes on every engine."""

from __future__ import annotations

import pytest
from conftest import ENGINES, assert_same
from hypothesis import HealthCheck, given, settings
from programs import program

pytestmark = pytest.mark.skipif(len(ENGINES) < 2, reason="needs at least two engines")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program())
def test_engines_agree_on_generated_programs(case):
    src, args = case
    assert_same(src, "f", *args)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_generator_produces_mostly_valid_programs():
    """Guard against a generator that only ever produces verify errors (which would make the
    differential test vacuous)."""
    import ilo

    valid = total = 0
    for _ in range(60):
        src, args = program().example()
        total += 1
        try:
            ilo.load(src)
            valid += 1
        except ilo.IloError:
            pass
    assert valid / total > 0.8, f"only {valid}/{total} generated programs verify"
