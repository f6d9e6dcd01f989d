"""Generated functions mixing number-keyed maps and number lists (updates in place and as
copies, moves, a helper that updates its argument, deletions, keys and values in order,
indexing that may fail): on numba function kernels every one agrees with the tree engine,
and every one really runs on numba."""

from __future__ import annotations

import random

import pytest
from oracle import outcome

import ilo
from ilo import config

pytestmark = pytest.mark.timeout(600)

EXPRS = ["i", "(mod i 5)", "(* i 2)", "(- i 3)", "(/ i 2)", "7", "(mod i 3)"]
HELPER = "h m:M n n k:n>M n n;c=mget m k;v=?? c 0;m=mset m k (+v 1);m"
STATEMENTS = [
    "m=mset m {e} {e}", "q=mset m {e} {e}", "m=mdel m {e}", "q=mdel q {e}", "c=mget m {e};s=+s ?? c 0",
    "c=mget q {e};s=+s ?? c 100", "q=m", "m=h m {e}", "q=h m {e}", "m=mset q {e} {e}", "s=+s len q",
    "m=mset m {e} s", "xs=+=xs {e}", "ys=+=xs {e}", "s=+s len ys", "@x xs{{s=+s x}}", "s=+s at xs (mod i 4)",
    "b=mhas m {e};s=+s len xs",
]


def program(r: random.Random) -> str:
    body = ";".join(r.choice(STATEMENTS).replace("{e}", "{}").format(*(r.choice(EXPRS) for _ in range(2)))
                    for _ in range(r.randint(1, 5)))
    return (HELPER + "\nf n:n>n;m=mmap;m=mset m 0 1;q=mset m 1 2;xs=[];xs=+=xs 5;ys=[];ys=+=ys 2;s=0;i=0;"
            f"wh <i n{{{body};i=+i 1}};vs=mvals m;@v vs{{s=+s v}};ks=mkeys q;@k ks{{s=+s *k 3}};"
            "@y ys{s=+s *y 5};+s +len m +len q len xs")


@pytest.fixture(autouse=True)
def _kernel_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "ilo-cache"))
    monkeypatch.setattr(config, "JIT_NUMBA", "always")


@pytest.mark.parametrize("seed", range(12))
def test_generated_map_and_list_functions_agree_on_numba(seed):
    r = random.Random(seed)
    src, n = program(r), r.choice([0, 1, 4, 9])
    want = outcome(ilo.load(src), "f", (n,), "tree")
    program_ = ilo.load(src)
    for _ in range(3):
        assert outcome(program_, "f", (n,), "jit", jit_threshold=2) == want, src
    (fk,) = [k for k in program_.last_jit_stats.functions if k.name == "f"]
    assert fk.backend == "numba", (src, program_.last_jit_stats.report())
