"""The python-kernel seconds account kept across processes (``ilo.jit.ledger``): runs that
each stay on python add up, and once their total repays numba one run compiles it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ilo.jit import ledger

pytest.importorskip("numba")

ROOT = Path(__file__).resolve().parents[1]
SRC = "f n:n>n;s=0;i=0;wh <i n{r=mod i 7;s=+s r;i=+i 1};s"
CHILD = (
    "import json, sys, ilo\n"
    f"p = ilo.load({SRC!r})\n"
    "v = p.call('f', int(sys.argv[1]))\n"
    "print(json.dumps({'value': v, 'backends': [(c.backend, c.origin) for c in p.last_jit_stats.compiled]}))\n"
)


def run(cache_dir: Path, n: int) -> dict:
    env = dict(os.environ, ILO_CACHE_DIR=str(cache_dir), PYTHONPATH=str(ROOT))
    env.pop("ILO_JIT_NUMBA", None)
    out = subprocess.run([sys.executable, "-c", CHILD, str(n)], env=env, capture_output=True, text=True,
                         check=True, timeout=240)
    return json.loads(out.stdout.strip().splitlines()[-1])


def spent(cache_dir: Path) -> list[float]:
    return sorted(float(p.read_text()) for p in (cache_dir / "kernels").glob("s_*.spent"))


@pytest.mark.timeout(300)
def test_python_seconds_add_up_across_runs_until_numba_pays(tmp_path):
    first = run(tmp_path, 20000)  # far too short for numba on its own
    assert first["backends"] == [["python", "python"]]
    (one,) = spent(tmp_path)
    assert one > 0
    run(tmp_path, 20000)
    (two,) = spent(tmp_path)
    assert two > one  # the second run's seconds were added to the first's
    # as if many runs had gone before: the next one builds numba (and stores it natively)
    (path,) = (tmp_path / "kernels").glob("s_*.spent")
    path.write_text("1000.0")
    third = run(tmp_path, 20000)
    assert third["backends"][0][0] == "numba"
    assert third["value"] == first["value"]
    fourth = run(tmp_path, 20000)  # from here on every run loads the stored machine code
    assert fourth["backends"] == [["numba", "native"]] and fourth["value"] == first["value"]


def test_a_damaged_account_counts_as_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path))
    assert ledger.credit("some loop") == 0.0
    path = ledger._path("some loop")
    path.parent.mkdir(parents=True)
    path.write_text("not a number")
    assert ledger.credit("some loop") == 0.0
    path.write_text("-5")
    assert ledger.credit("some loop") == 0.0
    path.write_text("2.5")
    assert ledger.credit("some loop") == 2.5
