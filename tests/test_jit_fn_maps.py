"""Numba function kernels over number-keyed maps (``M n n`` as ``numba.typed.Dict``): a call
tree that makes, updates, passes and returns maps compiles whole; a map stays typed between
members of one bundle, is converted once when the VM passes one in and boxed once when the
root returns one. Every engine gives the same values and errors, maps keep value semantics
(``m2=mset m k v`` leaves ``m`` unchanged) however the kernel shares them, and a kernel that
cannot finish (a NaN key, a text key) hands the whole call back to the VM."""

from __future__ import annotations

import math

import pytest
from oracle import (  # the one differential oracle (value+type, or code+message+span+function)
    function_kernel,
    jit_agrees,
    outcome,
)

import ilo
from ilo import config

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(autouse=True)
def _kernel_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "ilo-cache"))


def check(src: str, func: str, *args, numba: str = "always", monkeypatch=None, calls: int = 3):
    """Tree and VM agree; then ``calls`` JIT calls at threshold 2 (functions compile on their
    second entry) agree with them. Returns the stats of the last JIT call."""
    monkeypatch.setattr(config, "JIT_NUMBA", numba)
    return jit_agrees(src, func, args, calls)[0].last_jit_stats


kernel = function_kernel  # (stats, name): the compiled function


ACC = "acc n:n>M n n;m=mmap;i=0;wh <i n{k=mod (* i 7) n;c=mget m k;v=?? c 0;m=mset m k (+v 1);i=+i 1};m"
COUNT = ACC + "\ncount n:n>n;m=acc n;len m"


def test_a_map_made_and_measured_inside_one_bundle_never_leaves_numba(monkeypatch):
    stats = check(COUNT, "count", 500, monkeypatch=monkeypatch)
    fk = kernel(stats, "count")
    assert fk.backend == "numba" and fk.entries >= 1 and fk.deopts == 0
    assert fk.callees == ["acc"]
    report = stats.report()
    assert "compiled function count(n) [numba" in report and "calls compiled in: acc" in report


def test_a_map_returned_to_the_vm_is_boxed_as_the_vm_makes_it(monkeypatch):
    stats = check(ACC, "acc", 60, monkeypatch=monkeypatch)
    fk = kernel(stats, "acc")
    assert fk.backend == "numba" and fk.entries >= 1 and fk.deopts == 0
    got = ilo.load(ACC).call("acc", 60, engine="vm")
    assert all(type(k) is int and type(v) is float for k, v in got.items()) and len(got) == 60


# OWNERSHIP: each program shares one typed dict between two names in a different way, then
# updates one of them; the other must keep its old value.
ALIASING = {
    "copy-form mset": "f n:n>n;m=mmap;i=0;wh <i n{m=mset m i i;i=+i 1};m2=mset m 0 99;"
                      "a=mget m 0;b=mget m2 0;x=?? a -1;y=?? b -1;+*x 1000 y",
    "move": "f n:n>n;m=mmap;i=0;wh <i n{m=mset m i 1;i=+i 1};q=m;m=mset m 0 5;a=mget q 0;b=mget m 0;"
            "x=?? a -1;y=?? b -1;+*x 1000 y",
    "callee updates its argument": "bump m:M n n k:n>M n n;m=mset m k 1;m\n"
                                   "f n:n>n;m=mmap;m=mset m 0 0;i=0;wh <i n{m2=bump m i;i=+i 1};len m",
    "accumulator through a callee": "bump m:M n n k:n>M n n;c=mget m k;v=?? c 0;m=mset m k (+v 1);m\n"
                                    "f n:n>n;m=mmap;i=0;wh <i n{m=bump m (mod i 3);i=+i 1};a=mget m 1;?? a -1",
    "callee returns its argument": "id m:M n n>M n n;m\n"
                                   "f n:n>n;m=mmap;i=0;wh <i n{m=mset m i 1;i=+i 1};r=id m;m=mset m 0 7;"
                                   "a=mget r 0;b=mget m 0;x=?? a -1;y=?? b -1;+*x 1000 y",
    "map result of a callee updated": "mk n:n>M n n;m=mmap;i=0;wh <i n{m=mset m i 2;i=+i 1};m\n"
                                      "f n:n>n;a=mk n;b=mset a 0 9;a=mset a 1 8;x=mget a 0;y=mget b 1;"
                                      "+?? x -1 ?? y -1",
}


@pytest.mark.parametrize("src", list(ALIASING.values()), ids=list(ALIASING))
def test_maps_keep_value_semantics_however_the_kernel_shares_them(src, monkeypatch):
    stats = check(src, "f", 6, monkeypatch=monkeypatch)
    fk = kernel(stats, "f")
    assert fk.backend == "numba" and fk.entries >= 1 and fk.deopts == 0, stats.report()


SUM = "s m:M n n>n;t=0;i=0;wh <i 4{v=mget m i;t=+t ?? v 0;i=+i 1};t"
PUT = "put m:M n n>n;i=0;wh <i 3{m=mset m i 9;i=+i 1};len m"


def test_a_map_argument_from_the_vm_is_converted_and_left_unchanged(monkeypatch):
    # ``main`` stays on the VM (an ok result has no kernel form), so ``put`` and ``s`` are
    # entered from the VM with its own dict, which they must not change
    src = (SUM + "\n" + PUT + "\nmain n:n>R n t;m=mmap;m=mset m 1 2;m=mset m 2 n;a=put m;b=s m;c=put m;"
           "d=s m;v=mget m 0;x=?? v -1;~+x +a +b +c d")
    stats = check(src, "main", 5, monkeypatch=monkeypatch)
    for name in ("put", "s"):
        fk = kernel(stats, name)
        assert fk.backend == "numba" and fk.argtypes == ("Mn",) and fk.entries >= 1 and fk.deopts == 0


def test_a_text_key_reaching_a_number_map_kernel_hands_the_call_to_the_vm(monkeypatch):
    src = SUM + "\nmain n:n>R n t;m=mmap;m=mset m 1 2;a=s m;b=s m;m=mset m \"x\" n;c=s m;~+a +b c"
    stats = check(src, "main", 5, monkeypatch=monkeypatch)
    fk = kernel(stats, "s")
    assert fk.backend == "numba" and fk.entries >= 1 and fk.deopts >= 1


KEYED = "g x:n>n;m=mmap;i=0;wh <i 3{m=mset m x i;i=+i 1};c=mget m x;?? c -1\ntop x:n>n;a=g x;+a 1"


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 1e300])
def test_a_key_the_kernel_cannot_hold_deopts_in_the_middle_of_the_chain(bad, monkeypatch):
    monkeypatch.setattr(config, "JIT_NUMBA", "always")
    program = ilo.load(KEYED)
    for x in (1.5, 2.0, 7.25):
        assert outcome(program, "top", (x,), "jit", jit_threshold=2) == outcome(ilo.load(KEYED), "top", (x,), "vm")
    want = outcome(ilo.load(KEYED), "top", (bad,), "tree")
    assert outcome(ilo.load(KEYED), "top", (bad,), "vm") == want
    assert outcome(program, "top", (bad,), "jit", jit_threshold=2) == want
    fk = kernel(program.last_jit_stats, "top")
    assert fk.backend == "numba" and fk.callees == ["g"] and fk.deopts >= 1


def test_auto_times_map_bundles_and_counts_the_keys_crossing(monkeypatch):
    stats = check(ACC, "acc", 40, numba="auto", monkeypatch=monkeypatch)
    fk = kernel(stats, "acc")
    assert fk.backend == "python" and fk.promote_at is not None and fk.crossing and fk.boxing > 0
    assert "converting maps" in stats.report()
    stats = check(COUNT, "count", 40, numba="auto", monkeypatch=monkeypatch)
    fk = kernel(stats, "count")
    assert fk.backend == "python" and fk.promote_at is not None and fk.numba_source and not fk.crossing


HIST = "hist n:n>M n n;m=mmap;i=0;wh <i n{k=mod i 4;c=mget m k;v=?? c 0;m=mset m k (+v 1);i=+i 1};m"


def test_auto_moves_a_map_bundle_to_numba_when_the_work_outweighs_the_keys_crossing(monkeypatch):
    from ilo.jit import costs

    monkeypatch.setattr(config, "JIT_NUMBA", "auto")
    monkeypatch.setattr(costs, "numba_cost", lambda *a, **k: 2e-3)  # repaid within a few calls
    want = outcome(ilo.load(HIST), "hist", (3000,), "vm")
    program = ilo.load(HIST)
    for _ in range(40):
        assert outcome(program, "hist", (3000,), "jit", jit_threshold=2) == want
    fk = kernel(program.last_jit_stats, "hist")
    assert fk.backend == "numba", program.last_jit_stats.report()


def test_auto_keeps_a_map_bundle_on_python_when_its_keys_cost_more_than_its_work(monkeypatch):
    from ilo.jit import costs

    monkeypatch.setattr(config, "JIT_NUMBA", "auto")
    monkeypatch.setattr(costs, "numba_cost", lambda *a, **k: 2e-3)
    # every entry makes a map of as many keys as it does iterations: boxing them out costs
    # numba more than the python kernel spends (costs.MAP_BOXING_KEY per key, made dearer
    # here so the comparison does not hang on this machine's speed)
    monkeypatch.setattr(costs, "MAP_BOXING_KEY", 1e-4)
    program = ilo.load(ACC)
    for _ in range(costs.TIMED_PROBE + 10):
        program.call("acc", 20, engine="jit", jit_threshold=2)
    fk = kernel(program.last_jit_stats, "acc")
    assert fk.backend == "python" and fk.promote_at is None
    assert "less converting its maps) is too little for numba" in fk.why_not_numba


def test_the_python_backend_runs_the_same_map_bundles(monkeypatch):
    for src, func in [(COUNT, "count"), (ACC, "acc"), *((s, "f") for s in ALIASING.values())]:
        stats = check(src, func, 7, numba="never", monkeypatch=monkeypatch)
        assert kernel(stats, func).backend == "python"


MORE = {
    "recursion passing a map": ("rec m:M n n k:n>M n n;<=k 0 m;m2=mset m k k;rec m2 -k 1\n"
                                "f n:n>n;m=mmap;r=rec m n;len r", "f", (30,)),
    "mhas on an argument": ("hk m:M n n k:n>b;i=0;wh <i 3{i=+i 1};mhas m k\n"
                            "f n:n>R n t;m=mmap;m=mset m 3 1;a=hk m 3;b=hk m 4;~? a (? b 1 2) 3", "hk", None),
    "an empty map argument": ("e m:M n n>n;i=0;wh <i 3{m=mset m i i;i=+i 1};len m\n"
                              "f n:n>R n t;m=mmap;a=e m;b=e m;~+a b", "e", None),
    "fractional keys floor": ("g n:n>M n n;m=mmap;i=0;wh <i n{m=mset m (/ i 2) i;i=+i 1};m", "g", (7,)),
}


@pytest.mark.parametrize("case", list(MORE.values()), ids=list(MORE))
def test_more_map_bundles_agree_and_run_on_numba(case, monkeypatch):
    src, name, args = case
    stats = check(src, "f" if args is None else name, *(args or (1,)), monkeypatch=monkeypatch)
    fk = kernel(stats, name)
    assert fk.backend == "numba" and fk.entries >= 1 and fk.deopts == 0, stats.report()


@pytest.mark.parametrize("steps", [50, 301, 302, 10 ** 6])  # count 300 takes 302 steps
def test_a_step_budget_stops_a_map_bundle_where_the_vm_stops(steps, monkeypatch):
    monkeypatch.setattr(config, "JIT_NUMBA", "always")
    want = outcome(ilo.load(COUNT), "count", (300,), "vm", max_steps=steps)
    program = ilo.load(COUNT)
    for _ in range(3):
        assert outcome(program, "count", (300,), "jit", jit_threshold=2, max_steps=steps) == want
    fk = kernel(program.last_jit_stats, "count")
    assert fk.backend == "numba" and fk.limited


def test_jit_stats_on_the_cli_shows_the_compiled_function_and_its_callees(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import REPO

    path = tmp_path / "count.ilo"
    path.write_text(COUNT + "\n")
    env = {**os.environ, "ILO_JIT_THRESHOLD": "1", "ILO_JIT_NUMBA": "always"}
    r = subprocess.run([sys.executable, "-m", "ilo", "--jit-stats", str(path), "count", "500"],
                       capture_output=True, text=True, cwd=REPO, env=env, timeout=240)
    assert r.returncode == 0 and r.stdout.strip() == "500", r.stderr
    assert "compiled function count(n) [numba" in r.stderr and "calls compiled in: acc" in r.stderr


FILLED = "f n:n>n;m=mmap;i=0;wh <i n{m=mset m (- (* i 3) 7) i;i=+i 1};"
DEL_KEYS = {
    "mdel in place": FILLED + "m=mdel m 2;m=mdel m 99;len m",
    "mdel copy leaves the map": FILLED + "q=mdel m 2;a=mget m 2;b=mget q 2;+len q +?? a -1 ?? b -1",
    "mdel a fractional key": FILLED + "m=mdel m 2.5;len m",
    "mkeys in key order": FILLED + "ks=mkeys m;s=0;j=0;@k ks{s=+s *k j;j=+j 1};s",
    "mvals in key order": FILLED + "vs=mvals m;s=0;j=0;@v vs{s=+s *v j;j=+j 1};s",
    "mkeys of an empty map": "f n:n>n;m=mmap;ks=mkeys m;i=0;wh <i n{ks=+=ks i;i=+i 1};+len ks at ks 0",
}


@pytest.mark.parametrize("numba", ["always", "never"])
@pytest.mark.parametrize("src", list(DEL_KEYS.values()), ids=list(DEL_KEYS))
def test_mdel_mkeys_mvals_in_function_kernels(src, numba, monkeypatch):
    stats = check(src, "f", 6, numba=numba, monkeypatch=monkeypatch)
    fk = kernel(stats, "f")
    assert fk.backend == ("numba" if numba == "always" else "python") and fk.entries >= 1 and fk.deopts == 0


def test_mkeys_of_a_text_keyed_map_leaves_the_python_kernel(monkeypatch):
    src = "f n:n>n;m=mmap;m=mset m \"a\" 1;i=0;wh <i n{m=mset m \"b\" i;i=+i 1};ks=mkeys m;len ks"
    stats = check(src, "f", 6, monkeypatch=monkeypatch)
    fk = kernel(stats, "f")
    assert fk.backend == "python" and fk.deopts >= 1


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_mdel_with_a_key_no_map_holds_is_the_vms_error(bad, monkeypatch):
    src = "f n:n k:n>n;m=mmap;i=0;wh <i n{m=mset m i i;i=+i 1};m=mdel m k;len m"
    monkeypatch.setattr(config, "JIT_NUMBA", "always")
    program = ilo.load(src)
    for _ in range(3):
        assert program.call("f", 5, 1, engine="jit", jit_threshold=2) == 4
    want = outcome(ilo.load(src), "f", (5, bad), "vm")
    assert want[0] == "error" and outcome(program, "f", (5, bad), "jit", jit_threshold=2) == want
    fk = kernel(program.last_jit_stats, "f")
    assert fk.backend == "numba" and fk.deopts >= 1
