"""JIT kernels under ``--max-steps``/``--timeout``: they compile, charge the same steps as the
tree and the VM, and a budget that runs out inside a kernel stops the program with the same
ILO-R015 (code, message, position, function) as on the other engines."""

from __future__ import annotations

import time

import pytest
from oracle import outcome  # the one differential oracle (value+type, or code+message+span+function)

import ilo
import ilo.runtime.errors
from ilo import config

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(autouse=True)
def _kernel_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "ilo-cache"))


# name -> (source, function, argument, steps the call takes: loop iterations plus calls)
N = 60
PROGRAMS = {
    "range": ("f n:n>n;s=0;@i 0..n{s=+s i};s", "f", N, N + 1),
    "while": ("f n:n>n;i=0;s=0;wh <i n{s=+s i;i=+i 1};s", "f", N, N + 1),
    "nested": ("f n:n>n;s=0;@i 0..n{@j 0..n{s=+s j}};s", "f", N, N + N * N + 1),
    "foreach": ("f n:n>n;xs=[];@i 0..n{xs=+=xs i};s=0;@x xs{s=+s x};s", "f", N, 2 * N + 1),
    "calls": ("g x:n>n;*x 2\nf n:n>n;s=0;@i 0..n{v=g i;s=+s v};s", "f", N, 2 * N + 1),
    "callee-loop": ("g x:n>n;t=0;@j 0..x{t=+t j};t\nf n:n>n;s=0;@i 0..n{v=g i;s=+s v};s", "f", N,
                    N + N + N * (N - 1) // 2 + 1),
    "recursion": ("fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b", "fib", 12, 465),
}


def budgets(steps: int) -> list[int]:
    return [steps, steps - 1, steps - 2, steps // 2 + 7, steps * 3 // 4 + 1]


@pytest.mark.parametrize("name", PROGRAMS)
def test_the_step_counts_are_what_the_tree_charges(name):
    src, func, arg, steps = PROGRAMS[name]
    program = ilo.load(src)
    assert outcome(program, func, [arg], "tree", max_steps=steps)[0] == "ok"
    assert outcome(program, func, [arg], "tree", max_steps=steps - 1)[1] == "ILO-R015"


@pytest.mark.parametrize("numba", ["never", "always"])
@pytest.mark.parametrize("name", PROGRAMS)
def test_kernels_stop_at_the_same_step_as_the_tree_and_the_vm(name, numba, monkeypatch):
    monkeypatch.setattr(config, "JIT_NUMBA", numba)
    src, func, arg, steps = PROGRAMS[name]
    ran = 0
    for limit in budgets(steps):
        want = outcome(ilo.load(src), func, [arg], "tree", max_steps=limit)
        assert outcome(ilo.load(src), func, [arg], "vm", max_steps=limit) == want
        program = ilo.load(src)
        for _ in range(2):  # a second call reuses the kernels the first one built
            assert outcome(program, func, [arg], "jit", jit_threshold=2, max_steps=limit) == want, limit
            stats = program.last_jit_stats
            ran += stats.entries + len(stats.functions)
    assert ran, "no kernel ran under the budget"


def test_a_loop_under_a_large_budget_still_compiles():
    program = ilo.load("f n:n>n;s=0;@i 0..n{s=+s i};s")
    assert program.call("f", 100_000, engine="jit", max_steps=100_000_000) == 4999950000.0
    stats = program.last_jit_stats
    assert stats.ran() and stats.compiled and not stats.fallbacks


@pytest.mark.parametrize("numba", ["never", "always"])
def test_a_runaway_loop_stops_inside_its_kernel(numba, monkeypatch):
    monkeypatch.setattr(config, "JIT_NUMBA", numba)
    src = "f>n;i=0;wh true{i=+i 1};i"
    want = outcome(ilo.load(src), "f", [], "vm", max_steps=200_000)
    assert want[:2] == ("error", "ILO-R015")
    program = ilo.load(src)
    assert outcome(program, "f", [], "jit", max_steps=200_000) == want
    assert program.last_jit_stats.ran(), "the loop ran on the VM, not in a kernel"


@pytest.mark.parametrize("numba", ["never", "always"])
def test_a_timeout_stops_a_kernel_and_kernels_keep_running_between_clock_checks(numba, monkeypatch):
    monkeypatch.setattr(config, "JIT_NUMBA", numba)
    program = ilo.load("f>n;i=0;wh true{i=+i 1};i")
    with pytest.raises(ilo.IloError):  # builds (and for numba compiles) the kernel first
        program.call("f", engine="jit", max_steps=100_000)
    start = time.monotonic()
    with pytest.raises(ilo.IloError) as info:
        program.call("f", engine="jit", timeout=0.3)
    assert info.value.code == "ILO-R015" and "time limit" in str(info.value)
    assert time.monotonic() - start < 5
    assert program.last_jit_stats.entries >= 1


def test_the_limited_kernel_is_kept_apart_and_plain_kernels_charge_nothing():
    program = ilo.load("f n:n>n;s=0;@i 0..n{s=+s i};s")
    assert program.call("f", 5000, engine="jit", jit_threshold=2) == 12497500.0
    assert program.call("f", 5000, engine="jit", jit_threshold=2, max_steps=5001) == 12497500.0
    with pytest.raises(ilo.IloError) as info:
        program.call("f", 5000, engine="jit", jit_threshold=2, max_steps=5000)
    assert info.value.code == "ILO-R015"
    assert program.call("f", 5000, engine="jit", jit_threshold=2) == 12497500.0  # no budget leaks
    from ilo.jit import state

    kernels = {}
    for chunk in program.compiled().chunks.values():
        for loop in state.of(chunk).loops.values():
            if not isinstance(loop, str):  # a loop that never gets a kernel holds the reason
                kernels.update(loop.kernels)
    sources = {sig[-1] == "budget": ready.code.source for sig, ready in kernels.items()}
    assert "_st" in sources[True] and "_st" not in sources[False]


def test_a_budget_error_leaves_the_program_usable_on_every_engine(engine):
    program = ilo.load("f n:n>n;xs=[];@i 0..n{xs=+=xs i};len xs")
    with pytest.raises(ilo.IloError):
        program.call("f", 10_000, engine=engine, max_steps=5_000)
    assert program.call("f", 10_000, engine=engine) == 10_000.0


def test_a_numba_compile_the_time_limit_leaves_no_room_for_is_skipped():
    from ilo.jit import budget
    from ilo.runtime.limits import Budget
    from ilo.vm import machine

    saved = machine.BUDGET[0]
    try:
        machine.BUDGET[0] = Budget(timeout=0.01)
        assert "time limit leaves" in budget.numba_too_slow("def kernel(): pass  # never cached\n")
        machine.BUDGET[0] = Budget(timeout=1000)
        assert budget.numba_too_slow(None) == ""
        machine.BUDGET[0] = Budget(max_steps=10)
        assert budget.numba_too_slow(None) == ""  # no clock, no hurry
    finally:
        machine.BUDGET[0] = saved


def test_top_up_keeps_the_step_total_and_looks_at_the_clock():
    from ilo.runtime.limits import Budget

    b = Budget(max_steps=100_000, timeout=1000)
    total = b.left[0] + b.remaining
    b.top_up(50_000)
    assert b.left[0] == 50_000 and b.left[0] + b.remaining == total
    b.deadline = 0.0  # long past
    with pytest.raises(ilo.runtime.errors.IloRuntimeError) as info:
        b.top_up()
    assert info.value.code == "ILO-R015" and "time limit" in info.value.message
