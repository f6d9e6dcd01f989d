"""Small hot numeric functions move to numba: a python function kernel is timed while it
runs, and once its python time has repaid numba's cost (the ski-rental in ``costs``) it is
rebuilt on numba, unless one entry costs less than a few numba dispatcher calls
(``costs.numba_min_entry``), where the dispatcher would eat what native code saves."""

from __future__ import annotations

import pytest
from oracle import outcome

import ilo
from ilo import config
from ilo.jit import costs

pytestmark = pytest.mark.timeout(300)

WHILE = "f n:n>n;s=0;i=0;wh <i n{s=+s i;i=+i 1};s"


@pytest.fixture(autouse=True)
def _kernel_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "ilo-cache"))
    monkeypatch.setattr(config, "JIT_NUMBA", "auto")


def test_the_entry_floor_is_a_few_dispatcher_calls_in_this_process_time():
    assert costs.numba_min_entry() == pytest.approx(costs.NUMBA_MIN_ENTRY_CALLS * costs.NUMBA_CALL * costs.speed())
    assert costs.NUMBA_MIN_ENTRY_CALLS * costs.NUMBA_CALL < 2e-6  # the old floor was 5 us


def test_a_while_loop_function_called_often_moves_to_numba(monkeypatch):
    # numba's cost is made small so the ski-rental is repaid within some thousands of calls,
    # but not before the entry floor (what this test is about: the real one) is checked at
    # TIMED_PROBE entries: an entry here takes a few us, and even on a machine loaded enough
    # to make it 20x slower it stays under the 100 us per entry this cost allows
    cost = costs.TIMED_PROBE * 100e-6
    monkeypatch.setattr(costs, "numba_cost", lambda *a, **k: cost)
    program = ilo.load(WHILE)
    want = outcome(ilo.load(WHILE), "f", (100,), "vm")
    for _ in range(100_000):
        assert outcome(program, "f", (100,), "jit", jit_threshold=2) == want
        if program.last_jit_stats.functions and program.last_jit_stats.functions[0].backend == "numba":
            break
    stats = program.last_jit_stats
    (fk,) = [k for k in stats.functions if k.name == "f"]
    assert fk.backend == "numba", stats.report()
    assert fk.spent >= cost and fk.entries > costs.TIMED_PROBE


def test_a_function_too_quick_per_entry_stays_on_python(monkeypatch):
    # numba's cost is made out of reach: timing stops after TIMED_PROBE quick entries
    monkeypatch.setattr(costs, "numba_cost", lambda *a, **k: 1e9)
    monkeypatch.setattr(costs, "NUMBA_MIN_ENTRY_CALLS", 1e6)  # every entry is "too quick"
    program = ilo.load(WHILE)
    for _ in range(costs.TIMED_PROBE + 10):
        assert program.call("f", 3, engine="jit", jit_threshold=2) == 3
    (fk,) = [k for k in program.last_jit_stats.functions if k.name == "f"]
    assert fk.backend == "python" and fk.promote_at is None
    assert "too little for numba" in program.last_jit_stats.report()
