"""The JIT's numba backend and kernel cache: lazy numba import, disk cache across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

KERNEL_SRC = textwrap.dedent(
    """
    def kernel(n):
        s = 0.0
        i = 0.0
        while i < n:
            s = s + i
            i = i + 1.0
        return s
    """
)


def _run(code: str, cache_dir: Path) -> dict:
    env = dict(os.environ, ILO_CACHE_DIR=str(cache_dir), PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_ilo_and_the_jit_cache_does_not_import_numba(tmp_path):
    code = (
        "import sys, json, ilo, ilo.jit.cache, ilo.jit.stats, ilo.jit.backend\n"
        "print(json.dumps({'numba': 'numba' in sys.modules}))"
    )
    assert _run(code, tmp_path) == {"numba": False}


def test_second_process_loads_the_kernel_from_the_disk_cache(tmp_path):
    code = (
        "import json, sys\n"
        "from ilo.jit import cache, backend\n"
        f"src = {KERNEL_SRC!r}\n"
        "k = cache.load(('t', 'n'), src, 'numba')\n"
        "v = k.func(10.0)\n"
        "print(json.dumps({'v': v, 'origin': backend.first_call_report(k.func),"
        " 'numba': 'numba' in sys.modules}))"
    )
    first = _run(code, tmp_path)
    second = _run(code, tmp_path)
    assert first == {"v": 45.0, "origin": "compiled", "numba": True}
    assert second == {"v": 45.0, "origin": "cache", "numba": True}
    assert len(list((tmp_path / "kernels").glob("k_*.py"))) == 1


def test_memory_cache_returns_the_same_kernel(tmp_path, monkeypatch):
    from ilo.jit import cache

    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path))
    src = "def kernel(x):\n    return x + 1.0\n"
    a = cache.load(("mem", 1), src, "python")
    b = cache.load(("mem", 1), src, "python")
    assert a is b and a.func(1.0) == 2.0
    path = cache.write_module(src)
    mtime = path.stat().st_mtime_ns
    cache.write_module(src)  # identical text: the file (and numba's cache beside it) is kept
    assert path.stat().st_mtime_ns == mtime


@pytest.mark.parametrize("n", [0, 3])
def test_python_backend_never_needs_numba(tmp_path, monkeypatch, n):
    from ilo.jit import cache

    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path))
    k = cache.load(("py", n), KERNEL_SRC, "python")
    assert k.func(float(n)) == sum(range(n))


def _cli(args: list[str], cache_dir: Path, **env_extra) -> subprocess.CompletedProcess:
    env = dict(os.environ, ILO_CACHE_DIR=str(cache_dir), PYTHONPATH=str(REPO), **env_extra)
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['ilo'] + {args!r}\n"
        "try:\n    runpy.run_module('ilo', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('NUMBA' if 'numba' in sys.modules else 'NO-NUMBA', file=sys.stderr)\n"
    )
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=240)


def test_cli_jit_run_without_a_hot_loop_does_not_import_numba(tmp_path):
    out = _cli(["--run-jit", "f x:n>n;*x 2", "21"], tmp_path)
    assert out.stdout.strip() == "42" and "NO-NUMBA" in out.stderr


def test_cli_jit_run_with_a_python_kernel_does_not_import_numba(tmp_path):
    out = _cli(["--run-jit", "--jit-stats", "f n:n>n;s=0;@i 0..n{s=+s i};s", "100"], tmp_path,
               ILO_JIT_THRESHOLD="2")
    assert out.stdout.strip() == "4950"
    assert "compiled f@" in out.stderr and "NO-NUMBA" in out.stderr


def test_second_process_running_a_program_compiles_nothing(tmp_path):
    args = ["--run-jit", "--jit-stats", "f n:n>n;s=0;i=0;wh <i n{s=+s *i 3;i=+i 1};s", "1000"]
    first = _cli(args, tmp_path, ILO_JIT_THRESHOLD="2", ILO_JIT_NUMBA="always")
    second = _cli(args, tmp_path, ILO_JIT_THRESHOLD="2", ILO_JIT_NUMBA="always")
    assert first.stdout.strip() == second.stdout.strip() == "1498500"
    assert "[numba, compiled," in first.stderr
    # the second finds the machine code on disk: as a native kernel (numba's code stored by
    # ilo.jit.native, loaded without numba) where objects can be stored, else numba's cache
    assert "[numba, native," in second.stderr or "[numba, cache," in second.stderr
    assert "[numba, compiled," not in second.stderr
    if "[numba, native," in second.stderr:
        assert "NO-NUMBA" in second.stderr
