"""Robustness on every engine: argument checks at the API boundary, step and time limits,
nothing lost (atomic writes, file errors as values, JIT deopt keeps every value) and the
same runtime error text everywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from conftest import ENGINES, REPO, first_diagnostic

import ilo
from ilo import vm
from ilo.runtime.format import format_value
from ilo.runtime.values import Err, FnRef, Ok, Record, from_python

# ── argument checks (ILO-R016) ──────────────────────────────────────────────

TYPES = "type pt{x:n;y:n}\nalias money n\n"
ARGUMENTS = [
    # (params, good arguments, bad arguments, expected words of the message)
    ("x:n", [3, 2.5, float("nan")], ["3", True, None, [1]], "expects n"),
    ("x:t", ["a", ""], [1, None, ["a"]], "expects t"),
    ("x:b", [True, False], [1, "true", None], "expects b"),
    ("x:_", [1, "a", None, [1, "a"], {"k": 1}], [], ""),
    ("x:a", [1, "a", None], [], ""),
    ("x:O n", [None, 4], ["4", [4]], "expects O n"),
    ("x:L n", [[], [1, 2]], [[1, "2"], "1,2", None, (1, True)], "expects L n"),
    ("x:L L t", [[["a"], []]], [[["a", 1]], ["a"]], "expects L (L t)"),
    ("x:M t n", [{}, {"a": 1}], [{"a": "1"}, [], None], "expects M t n"),
    ("x:R n t", [Ok(1), Err("e")], [Ok("1"), Err(2), 1], "expects R n t"),
    ("x:S red green", ["red", "green"], ["blue", 1], "expects S red green"),
    ("x:pt", [Record("pt", {"x": 1.0, "y": 2.0})], [Record("pt", {"x": 1.0}), Record("qq", {}), 1],
     "expects pt"),
    ("x:money", [5], ["5"], "expects money"),
    ("x:F n n", [FnRef("g")], [1], "expects F n n"),
]


@pytest.mark.parametrize("params,good,bad,words", ARGUMENTS, ids=[a[0] for a in ARGUMENTS])
def test_arguments_are_checked_against_parameter_types(params, good, bad, words, engine):
    program = ilo.load(f"{TYPES}g v:n>n;v\nf {params}>_;x")
    for value in good:
        program.call("f", value, engine=engine)
    for value in bad:
        with pytest.raises(ilo.IloError) as info:
            program.call("f", value, engine=engine)
        d = info.value.diagnostics[0]
        assert d.code == "ILO-R016", d
        assert d.message.startswith("argument 'x' of 'f' ") and words in d.message, d.message


def test_argument_error_names_the_element():
    with pytest.raises(ilo.IloError) as info:
        ilo.run("f xs:L n>n;len xs", "f", [1, 2, "three"])
    assert info.value.diagnostics[0].message == "argument 'xs' of 'f' expects L n, element 2 got t"


def test_an_unconvertible_python_value_is_a_diagnostic():
    with pytest.raises(ilo.IloError) as info:
        ilo.run("f x:_>n;1", "f", object())
    assert info.value.code == "ILO-R016"


# ── limits (ILO-R015) ───────────────────────────────────────────────────────

RUNAWAY = {
    "while": ("f>n;i=0;wh true{i=+i 1};i", []),
    "range": ("f>n;s=0;@i 0..1000000000{s=+s 1};s", []),
    "recursion": ("f n:n>n;r=f +n 1;r", [0]),
    "callback": ("g x:n>n;i=0;wh true{i=+i 1};i\nf>L n;map g [1 2]", []),
}


@pytest.mark.parametrize("kind", RUNAWAY)
def test_max_steps_stops_a_runaway_program(kind, engine):
    src, args = RUNAWAY[kind]
    with pytest.raises(ilo.IloError) as info:
        ilo.load(src).call("f", *args, engine=engine, max_steps=2_000)
    if kind == "recursion":  # the depth limit may come first
        assert info.value.code in ("ILO-R015", "ILO-R014")
    else:
        assert info.value.code == "ILO-R015"
        assert "step limit" in info.value.diagnostics[0].message


@pytest.mark.parametrize("kind", ["while", "range", "callback"])
def test_timeout_stops_a_runaway_program(kind, engine):
    src, args = RUNAWAY[kind]
    start = time.monotonic()
    with pytest.raises(ilo.IloError) as info:
        ilo.run(src, "f", *args, engine=engine, timeout=0.3)
    assert info.value.code == "ILO-R015" and "time limit" in str(info.value)
    assert time.monotonic() - start < 5


def test_limits_are_exact_for_steps_and_do_not_change_results(engine):
    src = "f n:n>n;s=0;@i 0..n{s=+s i};s"
    program = ilo.load(src)
    assert program.call("f", 100, engine=engine, max_steps=101) == 4950.0  # 100 iterations + 1 call
    with pytest.raises(ilo.IloError):
        program.call("f", 100, engine=engine, max_steps=100)
    assert program.call("f", 100, engine=engine, timeout=60) == 4950.0
    assert program.call("f", 100, engine=engine) == 4950.0  # and no budget leaks into the next run


def test_jit_runs_kernels_under_a_budget():  # they charge it themselves: tests/test_budget_kernels.py
    program = ilo.load("f n:n>n;s=0;@i 0..n{s=+s i};s")
    assert program.call("f", 1000, engine="jit", jit_threshold=2, max_steps=10**6) == 499500.0
    assert program.last_jit_stats.ran()


@pytest.mark.parametrize("bad", [{"max_steps": -1}, {"timeout": 0}, {"timeout": "soon"}])
def test_bad_limits_are_diagnostics(bad):
    with pytest.raises(ilo.IloError) as info:
        ilo.run("f>n;1", "f", **bad)
    assert info.value.code == "ILO-R016"


def test_cli_timeout_in_a_subprocess():
    start = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "ilo", "--timeout", "0.5", "f>n;i=0;wh true{i=+i 1};i"],
                       capture_output=True, text=True, cwd=REPO, timeout=60)
    assert r.returncode == 1 and r.stdout == "" and first_diagnostic(r.stderr)["code"] == "ILO-R015"
    assert time.monotonic() - start < 30


# ── nothing lost ────────────────────────────────────────────────────────────

WRITE = 'f p:t s:t>t;r=wr p s;?r{~v:"ok";^e:e}'
WRITE_LINES = 'f p:t>t;r=wrl p ["a" "b"];?r{~v:"ok";^e:e}'


def test_file_system_errors_come_back_as_err_values(tmp_path, engine):
    missing = str(tmp_path / "no" / "such" / "dir" / "out.txt")
    for src, args in ((WRITE, [missing, "x"]), (WRITE_LINES, [missing]),
                      ('f p:t>t;r=rd p;?r{~v:"ok";^e:e}', [missing]),
                      ('f p:t>t;r=rdl p;?r{~v:"ok";^e:e}', [str(tmp_path)])):
        message = ilo.run(src, "f", *args, engine=engine)
        assert message != "ok" and isinstance(message, str) and message


def test_writes_are_atomic(tmp_path, monkeypatch, engine):
    from ilo.runtime.builtins import io as ilo_io

    target = tmp_path / "data.txt"
    target.write_text("old content")
    assert ilo.run(WRITE, "f", str(target), "new", engine=engine) == "ok"
    assert target.read_text() == "new"

    seen = {}

    def failing_replace(src, dst):
        seen["tmp"] = open(src).read()  # the whole new content, in a temp file
        seen["target"] = open(dst).read()  # the target still holds the old content
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ilo_io.os, "replace", failing_replace)
    message = ilo.run(WRITE, "f", str(target), "newer", engine=engine)
    assert "No space left" in message
    assert seen == {"tmp": "newer", "target": "new"}
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.txt"]  # no temp file left


def test_an_interrupt_mid_write_leaves_the_target_and_no_temp_file(tmp_path, monkeypatch):
    from ilo.runtime.builtins import io as ilo_io

    target = tmp_path / "data.txt"
    target.write_text("old")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(ilo_io.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ilo_io.write_atomic(str(target), "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.txt"]


DEOPT = [
    # a list of numbers with one text in the middle: the kernel is typed for numbers, leaves
    # at the text, and the VM finishes the loop with every register as the kernel left it
    'f xs:L _>L _;c=0;s=0;ys=[];m=mmap;@x xs{c=+c 1;ys=+=ys x;q=?=x "a" 0 1;s=+s q;'
    "m=mset m (str c) c};[c, s, len ys, ys, len m, m]",
    'f xs:L _>L _;c=0;s=0;ys=[];@x xs{c=+c 1;ys=+=ys c;s=+s 1;=x "a"{ys=+=ys x}};[c, s, len ys, ys]',
]


@pytest.mark.skipif("jit" not in ENGINES, reason="needs the JIT")
@pytest.mark.parametrize("numba", ["never", "always"])
@pytest.mark.parametrize("src", DEOPT, ids=["append-text", "append-in-guard"])
def test_deopt_from_a_kernel_keeps_every_value(src, numba, tmp_path, monkeypatch):
    from ilo.jit.tier import JitTier

    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path))
    xs = [1.0] * 40 + ["a"] + [2.0] * 30
    program = ilo.load(src)
    expected = format_value(program.call("f", xs, engine="tree"))
    assert format_value(program.call("f", xs, engine="vm")) == expected
    tier = JitTier(threshold=2, numba=numba)
    got = vm.run(program.compiled(), "f", [from_python(xs)], hooks=tier)
    assert format_value(got) == expected
    loops = list(tier.stats.loops.values())
    assert tier.stats.ran() and sum(s.deopts for s in loops) == 1


# ── identical runtime errors ────────────────────────────────────────────────

RUNTIME_ERRORS = [
    ("f x:_>n;+x 1", ["a"]),
    ("f x:_>n;*x 2", [[1]]),
    ("f x:_>n;-x", [True]),
    ("f x:_>b;r=<x 1;r", ["a"]),
    ("f x:_>n;s=0;@i 0..100{s=+s i;=i 50{s=x}};s", ["a"]),
    # a bool through `_` into a variable typed n earlier in the loop: never `true + 51`
    ("f x:_>n;s=0;@i 0..100{s=+s i;=i 50{s=x}};s", [True]),
    ("f x:_>b;s=0;r=false;@i 0..100{r=<s 30;s=+s 1;=i 50{s=x}};r", [True]),
    # ... or into a parameter typed n, by a call or through a higher-order builtin
    ("dbl v:n>n;*v 2\nf x:_>n;dbl x", [True]),
    ("f xs:L _>L n;map sq xs\nsq v:n>n;*v v", [[1, 2, True]]),
    ("f xs:L _>n;s=0;@x xs{y=x;s=+s y};s", [[1, 2, True]]),
    ("f x:_>t;s=\"\";@i 0..100{s=+s \"a\";=i 50{s=x}};s", [1]),
    ("f x:_>n;s=0;@i 0..100{s=+s x};s", ["a"]),
    ("f x:_>n;s=0;i=0;wh <i x{i=+i 1};i", ["a"]),
    ("f n:n>n;s=0;@i 0..n{d=- 60 i;s=+s /1 d};s", [100]),
    ("f xs:L n>n;s=0;@i 0..100{s=+s xs.3};s", [[1, 2]]),
    ("f x:_>_;@i x{i}", [1]),
    ("f x:_>_;@i 0..x{i}", ["a"]),
]


@pytest.mark.parametrize("src,args", RUNTIME_ERRORS, ids=[s for s, _ in RUNTIME_ERRORS])
def test_runtime_errors_read_the_same_on_every_engine(src, args):
    program = ilo.load(src)
    seen = {}
    for engine in ENGINES:
        with pytest.raises(ilo.IloError) as info:
            program.call("f", *args, engine=engine, jit_threshold=2)
        d = info.value.diagnostics[0]
        assert d.code.startswith("ILO-R") and d.function and d.span is not None
        assert "runtime type error" not in d.message  # the VM's raw Python text never shows
        seen[engine] = (d.code, d.message, d.function, d.span.start)
    assert len(set(seen.values())) == 1, seen


def test_100000_deep_recursion_is_a_clean_depth_error(engine):
    with pytest.raises(ilo.IloError) as info:
        ilo.run("f n:n>n;<=n 0 0;r=f -n 1;+r 1", "f", 100_000, engine=engine)
    assert info.value.code == "ILO-R014" and "depth" in str(info.value)


def test_no_colour_env_is_respected_by_the_human_renderer():
    # --text: the human layout even though stderr is a pipe (the default there is JSON lines)
    r = subprocess.run([sys.executable, "-m", "ilo", "--text", "f x:n>n;+x y", "1"], capture_output=True,
                       text=True, cwd=REPO, env={**os.environ, "NO_COLOR": "1"}, timeout=60)
    assert r.returncode == 1 and "\x1b[" not in r.stderr and r.stderr.startswith("error[ILO-T004]")
