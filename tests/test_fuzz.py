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

Per run: 300 random texts, 300 mutated programs and 350 generated programs (200 rich, 150
with `_` values reaching typed code), each on every engine (set ``ILO_FUZZ_SCALE=10`` for a longer hunt).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import ENGINES, REPO
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from programs import any_program, program, rich_program

import ilo
from ilo.diagnostics.codes import REGISTRY
from ilo.runtime.format import format_value
from ilo.runtime.values import FnRef, Ok
from ilo.types import TAny, TBool, TFn, TList, TMap, TNum, TOpt, TResult, TSum, TText, TVar

SCALE = max(1, int(os.environ.get("ILO_FUZZ_SCALE", "1") or 1))
LIMITS = {"max_steps": 5_000, "timeout": 5.0}
# Network builtins would wait on DNS in a sandbox; the fuzzers skip programs that name them.
NETWORK = ("get", "post", "$")

SEEDS = [p.read_text(encoding="utf-8") for p in sorted((REPO / "examples").glob("*.ilo"))]
SEEDS = [s for s in SEEDS if not any(n in s for n in NETWORK)]
SEEDS += [
    'f x:n>n;s=0;@i 0..x{s=+s i};s',
    'f xs:L n>n;m=mmap;@x xs{k=str x;m=mset m k x};len m',
    'type pt{x:n;y:n}\nf a:n>n;p=pt x:a y:2;q=p with y:a;+q.x q.y',
    'f s:t>R n t;r=num s;?r{~v:~*v 2;^e:^e}',
    'f x:O n>n;v=x??0;wh >v 0{v=-v 1};v',
]

DEFAULT_ARGS = {TNum: 3.0, TText: "a,b", TBool: True, TAny: 1.0, TVar: 1.0}


@pytest.fixture(autouse=True)
def _sandbox(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def default_arg(ty):
    """A plausible argument for a parameter type (a wrong one only gives ILO-R016)."""
    kind = type(ty)
    if kind in DEFAULT_ARGS:
        return DEFAULT_ARGS[kind]
    if kind is TList:
        return [default_arg(ty.elem)] * 2
    if kind is TMap:
        return {"k": default_arg(ty.value)}
    if kind is TOpt:
        return None
    if kind is TResult:
        return Ok(default_arg(ty.ok))
    if kind is TSum:
        return ty.variants[0]
    if kind is TFn:
        return FnRef("str")
    return None


def outcome(program, func, args, engine: str):
    """What one run gave: ("ok", text, type) or ("error", code, message, function, line)."""
    try:
        value = program.call(func, *args, engine=engine, jit_threshold=2, **LIMITS)
        return ("ok", format_value(value), type(value).__name__)
    except ilo.IloError as e:
        return _error(e, program.source)


def _error(e: ilo.IloError, source):
    for d in e.diagnostics:
        assert d.code in REGISTRY, f"unregistered code {d.code}: {d.message}"
        assert d.code != "ILO-R013", f"internal error escaped as a diagnostic: {d.message}"
    d = e.diagnostics[0]
    line = source.line_col(d.span.start)[0] if d.span is not None and source is not None else None
    return ("error", d.code, d.message, d.function, line)


def run_everywhere(src: str) -> None:
    """Load ``src``; if it verifies, call its first function on every engine. Nothing may
    escape but a value or a registered diagnostic."""
    try:
        program = ilo.load(src)
    except ilo.IloError as e:
        _error(e, None)
        return
    name = program.verified.first_function
    if name is None:
        return
    args = [default_arg(p.ty) for p in program.params(name)]
    for engine in ENGINES:
        outcome(program, name, args, engine)


# ── random text ─────────────────────────────────────────────────────────────

# Text that looks a little like ilo more often than uniform unicode would.
ILO_ALPHABET = st.sampled_from(list("fxyn:;>=<+-*/{}[]()?@~^!.,\"\\ \n_tLMROSFb0123456789") + ["..", "wh", "brk"])
ILO_ISH = st.lists(ILO_ALPHABET, max_size=60).map("".join)


@settings(max_examples=300 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=80), ILO_ISH, st.binary(max_size=60).map(lambda b: b.decode("latin-1"))))
def test_random_text_gives_a_diagnostic_or_a_value(text):
    assume(not any(n in text for n in NETWORK))
    run_everywhere(text)


# ── mutated valid programs ──────────────────────────────────────────────────

TOKENS = ["", " ", ";", "{", "}", "[", "]", "(", ")", "\"", ">", ":", "n", "x", "0", "-", "--", "?",
          "@", "..", "~", "^", "!", "brk", "cnt", "ret", "wh", "nil", "1e999", "nan", "type", "\n"]


@st.composite
def mutated(draw) -> str:
    src = draw(st.sampled_from(SEEDS) | program().map(lambda c: c[0]) | rich_program().map(lambda c: c[0]))
    for _ in range(draw(st.integers(1, 4))):
        if not src:
            break
        i = draw(st.integers(0, len(src) - 1))
        j = draw(st.integers(i, min(len(src), i + 8)))
        kind = draw(st.integers(0, 4))
        if kind == 0:
            src = src[:i] + src[j:]  # delete
        elif kind == 1:
            src = src[:i] + draw(st.sampled_from(TOKENS)) + src[i:]  # insert
        elif kind == 2:
            src = src[:i] + draw(st.sampled_from(TOKENS)) + src[j:]  # replace
        elif kind == 3:
            src = src[:j] + src[i:j] + src[j:]  # duplicate
        else:
            src = src[:i]  # cut off
    return src


@settings(max_examples=300 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
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
        program = ilo.load(src)
    except ilo.IloError:
        assume(False)
    results = {engine: outcome(program, "f", args, engine) for engine in ENGINES}
    first = results[ENGINES[0]]
    assert all(r == first for r in results.values()), f"engines disagree on\n{src}\nargs {args}: {results}"


@pytest.mark.skipif(len(ENGINES) < 2, reason="needs at least two engines")
@settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_program())
def test_engines_agree_when_any_values_reach_typed_code(case):
    """Values of every kind passed through `_` into code the verifier typed as numbers or
    text: the engines that trust verified types must fail exactly as the tree does."""
    src, args = case
    program = ilo.load(src)
    results = {engine: outcome(program, "f", args, engine) for engine in ENGINES}
    first = results[ENGINES[0]]
    assert all(r == first for r in results.values()), f"engines disagree on\n{src}\nargs {args}: {results}"


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
