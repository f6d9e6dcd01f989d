"""Fuzzing the whole pipeline: nothing but an ilo diagnostic or a value ever comes out.

Three fuzzers, each a hypothesis test:

- *random text* (arbitrary unicode, and bytes decoded as text) and *mutated valid programs*
  (the examples and generated programs with characters deleted, inserted, replaced,
  duplicated or cut off) go through load → call on every engine. Each run must end in a
  value or an ``IloError`` whose codes are all in the registry, and never in ``ILO-R013``
  (an internal error, i.e. a Python exception an engine failed to turn into a diagnostic).
  Runs get a step and time budget, so a mutation that loops forever ends in ``ILO-R015``;
  they run in a temporary directory, so ``wr`` can write nothing into the repository.
- *differential*: generated well-typed programs (``programs.rich_program``: errors,
  optionals, text/list/map builtins, records, results, recursion; ``programs.any_program``:
  values of every kind passed through ``_`` into typed code) give the same value and type,
  or the same error code, message, function and line, on tree, vm and jit.

- *extreme*: deep values, values past the size limit, long bodies, deep source, huge
  numbers and deep JSON (``fuzzing.extreme``), the shapes issue 14 found;
- *numba forced*: generated numeric loops (``fuzzing.numeric_program``) also run with every
  kernel compiled by numba (``ILO_JIT_NUMBA=always``), some deopting mid-loop when a value
  of another type arrives, and must agree with the tree engine.

Per run: 300 random texts, 300 mutated programs, 30 extreme inputs, 350 generated programs
(200 rich, 150 with `_` values reaching typed code) and 8 numba-forced ones, each on every
engine (set ``ILO_FUZZ_SCALE=10`` for a longer hunt). The generators live in
``tests/fuzzing.py``; ``python3 bench/fuzz.py --seconds N`` runs them as a long campaign that
writes minimized repros.
"""

from __future__ import annotations

import os
from pathlib import Path

import fuzzing
import pytest
from conftest import ENGINES, REPO
from fuzzing import NETWORK
from hypothesis import HealthCheck, assume, given, settings
from programs import rich_program

import ilo

SCALE = max(1, int(os.environ.get("ILO_FUZZ_SCALE", "1") or 1))

SEEDS = [p.read_text(encoding="utf-8") for p in sorted((REPO / "examples").glob("*.ilo"))]
SEEDS = [s for s in SEEDS if not any(n in s for n in NETWORK)]
SEEDS += [
    'f x:n>n;s=0;@i 0..x{s=+s i};s',
    'f xs:L n>n;m=mmap;@x xs{k=str x;m=mset m k x};len m',
    'type pt{x:n;y:n}\nf a:n>n;p=pt x:a y:2;q=p with y:a;+q.x q.y',
    'f s:t>R n t;r=num s;?r{~v:~*v 2;^e:^e}',
    'f x:O n>n;v=x??0;wh >v 0{v=-v 1};v',
]


@pytest.fixture(autouse=True)
def _sandbox(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def run_everywhere(src: str) -> None:
    fuzzing.run_everywhere(src, ENGINES)


# ── random text ─────────────────────────────────────────────────────────────

@settings(max_examples=300 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fuzzing.RANDOM_TEXT)
def test_random_text_gives_a_diagnostic_or_a_value(text):
    assume(not any(n in text for n in NETWORK))
    run_everywhere(text)


# ── mutated valid programs ──────────────────────────────────────────────────

@settings(max_examples=300 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fuzzing.mutated(SEEDS))
def test_mutated_programs_give_a_diagnostic_or_a_value(src):
    assume(not any(n in src for n in NETWORK))
    run_everywhere(src)


# ── differential ────────────────────────────────────────────────────────────


@pytest.mark.skipif(len(ENGINES) < 2, reason="needs at least two engines")
@settings(max_examples=200 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_program())
def test_engines_agree_on_values_and_error_messages(case):
    src, args = case
    try:
        ilo.load(src)
    except ilo.IloError:
        assume(False)
    fuzzing.agree(src, args, ENGINES)


@pytest.mark.skipif(len(ENGINES) < 2, reason="needs at least two engines")
@settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fuzzing.any_program())
def test_engines_agree_when_any_values_reach_typed_code(case):
    """Values of every kind passed through `_` into code the verifier typed as numbers or
    text: the engines that trust verified types must fail exactly as the tree does."""
    src, args = case
    fuzzing.agree(src, args, ENGINES)


@settings(max_examples=30 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))
@given(fuzzing.extreme())
def test_extreme_inputs_give_a_diagnostic_or_a_value(src):
    run_everywhere(src)


@pytest.mark.skipif("jit" not in ENGINES, reason="needs the JIT")
@pytest.mark.timeout(600)
@settings(max_examples=8 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))
@given(fuzzing.numeric_program())
def test_numba_forced_kernels_agree_with_the_tree(case):
    src, args = case
    fuzzing.agree(src, args, ENGINES, numba=True)


@pytest.mark.skipif("jit" not in ENGINES, reason="needs the JIT")
def test_numeric_generator_reaches_numba_kernels_and_deopts():
    """The numba-forced share is only worth its time if numba kernels really run, some
    kernels deopt in the middle of their loop (a text or bool through `_`, a division by
    zero: the fixed case below makes sure a numba kernel does), and some stop
    mid-loop when the step budget runs out (``fuzzing.numba_budget``). Derandomized, so
    the counts are the same on every run."""
    seen = {"ran": 0, "deopt": 0, "budget": 0}

    @settings(max_examples=24, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(fuzzing.numeric_program())
    def count(case):
        src, args = case
        program = ilo.load(src)
        _got, stats = fuzzing.numba_outcome(program, "f", args)
        seen["ran"] += stats.ran("numba")
        seen["deopt"] += any(lp.deopts for lp in stats.loops.values())
        got, stats = fuzzing.numba_outcome(program, "f", args, fuzzing.numba_budget(args))
        seen["budget"] += got[1] == "ILO-R015" and stats.ran("numba")

    count()
    assert seen["ran"] >= 2 and seen["deopt"] >= 2 and seen["budget"] >= 2, seen


@pytest.mark.skipif("jit" not in ENGINES, reason="needs the JIT")
@pytest.mark.parametrize("args", [[1.0, 2.0, 30.0, 1.0], [3.0, 2.0, 9.0, 2.5]])
def test_a_numba_kernel_deopting_mid_loop_agrees_with_the_tree(args):
    """The generator's mid-loop deopt, fixed: the division by ``i - 10`` leaves the numba
    kernel at iteration 10 (30 iterations: the VM reports it; 9: it never happens), with
    and without a step budget that stops the loop first."""
    src = "f a:n b:n n:n z:_>L _;s=1;t=1;xs=[];@i 0..n{xs=+=xs i;t=+t a;s=/ s (- i 10)};[s, t, len xs]"
    results = fuzzing.agree(src, args, ENGINES, numba=True)
    assert results["_numba_ran"]
    _got, stats = fuzzing.numba_outcome(ilo.load(src), "f", args)
    deopts = sum(lp.deopts for lp in stats.loops.values() if lp.backend == "numba")
    assert deopts == (1 if args[2] > 10 else 0), stats.report()


def test_the_campaign_runner_runs_every_kind(tmp_path):
    """``bench/fuzz.py``'s short form: a few inputs of every kind, a JSON summary, no repros."""
    import contextlib
    import importlib.util
    import io
    import json

    spec = importlib.util.spec_from_file_location("fuzz_runner", REPO / "bench" / "fuzz.py")
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    out = io.StringIO()
    cwd = os.getcwd()
    try:
        with contextlib.redirect_stdout(out):
            status = runner.main(["--count", "2", "--batch", "2", "--kinds", "text,mutated,differential",
                                  "--out", str(tmp_path / "repros")])
    finally:
        os.chdir(cwd)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert status == 0, summary
    assert all(summary["kinds"][k]["inputs"] >= 2 for k in ("text", "mutated", "differential")), summary


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_rich_generator_produces_valid_programs_and_errors():
    """The differential test is only as good as its programs: most must verify, and some must
    fail at run time (so error messages are compared, not just values)."""
    valid = 0
    for _ in range(80):
        src, _args = rich_program().example()
        try:
            ilo.load(src)
            valid += 1
        except ilo.IloError:
            pass
    assert valid >= 64, f"only {valid}/80 generated programs verify"


def test_seeds_are_valid_programs():
    bad = []
    for src in SEEDS[-5:]:
        try:
            ilo.load(src)
        except ilo.IloError as e:
            bad.append((src, str(e)))
    assert not bad
    assert Path(REPO / "examples").is_dir() and len(SEEDS) >= 10
