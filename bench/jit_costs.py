"""The cost model against this machine: per-kind python kernel costs in units of one simple
instruction (what ``ilo/jit/costs.py`` assumes), and the whole-process 5M-iteration ``mod``
loop on the VM and the JIT (the JIT's choice shown by ``--jit-stats``).

    python bench/jit_costs.py            # both parts
    python bench/jit_costs.py units      # only the per-kind units (fast)

Units are measured on kernel-shaped Python loops (the shape ``emit.py`` generates), best of
three runs, so a loaded machine shifts the absolute times but much less the ratios. The
whole-process part reports user+sys CPU seconds of ``python -m ilo`` subprocesses (less
sensitive to other load than wall time) with the disk cache warm (run it twice).
"""

from __future__ import annotations

import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ilo.jit import costs  # noqa: E402
from ilo.jit.pyhelpers import BUILTINS  # noqa: E402

_LOOP = "def k(n):\n    s = 0.0\n    i = 0.0\n    while True:\n        if not (i < n):\n            return s\n{body}"
BODIES = {  # name -> (body lines, instructions besides the 3 of the loop itself)
    "simple (3 instructions)": ([], 0),
    "arith": (["r4 = i * 7.0"], 1),
    "mod inline form": (["try:", "    if 7.0 == 0.0:", "        return 1",
                         "    r4 = math.nan if math.isinf(i) else math.fmod(i, 7.0)",
                         "except Exception:", "    return 2"], 1),
    "mod shared call": (["try:", "    r4 = _B['mod'](i, 7.0)", "except Exception:", "    return 2"], 1),
    "mset + mget (number key)": (["_k = math.floor(i)", "m[_k] = i", "r = m.get(_k)",
                                  "if type(r) is not float and r is not None:", "    return 3"], 3),
}


def units() -> None:
    base = None
    print("python kernel cost per kind (units of one simple instruction; costs.py assumes "
          f"PY_UNITS={costs.PY_UNITS}, shared call {costs.PY_SHARED_CALL})")
    for name, (body, _extra) in BODIES.items():
        lines = "".join(f"        {line}\n" for line in [*body, "s = s + i", "i = i + 1.0"])
        ns = {"math": math, "_B": BUILTINS, "m": {}}
        exec(_LOOP.format(body=lines), ns)  # noqa: S102 - our own fixed source
        best = min(_timed(ns["k"]) for _ in range(5))
        if base is None:
            base = best / 3
        print(f"  {name:28s} {best * 1e9:8.1f} ns/iteration = {best / base:5.1f} units "
              f"(the body alone: {best / base - 3:5.1f})")
    print(f"  one unit here: {base * 1e9:.1f} ns (costs.unit() says {costs.unit() * 1e9:.1f} ns, "
          f"development machine {costs.PY_INSTR * 1e9:.0f} ns)")


def _timed(f, n: float = 20000.0) -> float:
    t0 = time.perf_counter()
    f(n)
    return (time.perf_counter() - t0) / n


MOD_LOOP = "f n:n>n;s=0;i=0;wh <i n{r=mod i 7;s=+s r;i=+i 1};s"


def whole_process(n: int = 5_000_000) -> None:
    print(f"whole process, warm disk cache, {n} iterations of {MOD_LOOP!r} (CPU seconds, user+sys)")
    env = dict(os.environ)
    # warm the disk cache first (untimed): numba's cache and the native kernel it stores,
    # as any machine that has run the program once has them
    subprocess.run([sys.executable, "-m", "ilo", MOD_LOOP, "100000", "--run-jit"], cwd=ROOT,
                   env={**env, "ILO_JIT_NUMBA": "always"}, capture_output=True, text=True, check=True)
    results = {}
    for label, flags, extra in [("vm", ["--run-vm"], {}), ("jit", ["--run-jit", "--jit-stats"], {}),
                                ("jit, numba forced", ["--run-jit"], {"ILO_JIT_NUMBA": "always"})]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run([sys.executable, "-m", "ilo", MOD_LOOP, str(n), *flags], cwd=ROOT,
                              env={**env, **extra}, capture_output=True, text=True, check=True)
        out = proc.stdout + proc.stderr
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        results[label] = cpu
        print(f"  {label:20s} {cpu:7.2f} s")
        for line in out.splitlines()[1:]:
            print(f"      {line}")
    print(f"  vm / jit: {results['vm'] / results['jit']:.1f}x   "
          f"vm / jit-numba: {results['vm'] / results['jit, numba forced']:.1f}x")


if __name__ == "__main__":
    units()
    if sys.argv[1:] != ["units"]:
        whole_process()
