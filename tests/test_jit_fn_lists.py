"""Numba function kernels over number lists made inside them: ``xs=[]``, appends (in place
and copies), ``len``, ``at`` and ``@x xs`` run as float64 arrays that never leave the kernel.
Every engine gives the same values and errors; a list shared between two registers stays
on the python backend (two registers appending in place would write into one array)."""

from __future__ import annotations

import pytest
from oracle import outcome

import ilo
from ilo import config

pytestmark = pytest.mark.timeout(300)

FILL = "f n:n>n;xs=[];i=0;wh <i n{xs=+=xs i;i=+i 1};"
NUMBA = {
    "foreach": FILL + "s=0;@x xs{s=+s x};s",
    "copy then append in place": FILL + "ys=+=xs 99;xs=+=xs 5;a=at ys n;b=at xs n;+*a 1000 b",
    "append while iterating": FILL + "s=0;@x xs{xs=+=xs x;s=+s x};+s len xs",
    "negative index": FILL + "at xs -1",
    "index out of range": FILL + "at xs n",
    "nested loops": FILL + "s=0;@x xs{@y xs{s=+s *x y}};s",
}


@pytest.fixture(autouse=True)
def _kernel_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "ilo-cache"))
    monkeypatch.setattr(config, "JIT_NUMBA", "always")


def run(src: str, n: float):
    want = outcome(ilo.load(src), "f", (n,), "tree")
    assert outcome(ilo.load(src), "f", (n,), "vm") == want
    program = ilo.load(src)
    for _ in range(3):
        assert outcome(program, "f", (n,), "jit", jit_threshold=2) == want
    (fk,) = [k for k in program.last_jit_stats.functions if k.name == "f"]
    return fk


@pytest.mark.parametrize("src", list(NUMBA.values()), ids=list(NUMBA))
@pytest.mark.parametrize("n", [0, 5, 40])
def test_number_lists_made_inside_run_on_numba(src, n):
    fk = run(src, n)
    assert fk.backend == "numba" and fk.entries >= 1


def test_an_index_out_of_range_hands_the_call_to_the_vm():
    fk = run(NUMBA["index out of range"], 5)
    assert fk.backend == "numba" and fk.deopts >= 1


def test_a_list_shared_by_two_registers_stays_on_python():
    fk = run(FILL + "ys=xs;ys=+=ys 3;+len xs len ys", 5)
    assert fk.backend == "python" and "a list is aliased inside the function" in fk.why_not_numba
