"""JIT benchmarks, side by side in one run: JIT vs VM vs idiomatic CPython vs hand-written numba.

    python bench/jit_run.py            # full sizes (numeric loop n=10^7; takes a minute or two)
    python bench/jit_run.py --quick    # smaller numeric loop

Each ilo program is timed through the public path the CLI uses (``vm.run`` with a
``JitTier``, default threshold); "jit first" includes compiling or loading the kernel,
"jit warm" is the best of later calls in the same process (3 with ``--quick``, else 6),
alternating with the CPython version's calls for the map programs. Ratios are printed against the VM, CPython
and the hand-written numba kernel from ``bench/jit_baselines.py``.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import jit_baselines as base  # noqa: E402

import ilo  # noqa: E402
from ilo import vm  # noqa: E402
from ilo.jit.tier import JitTier  # noqa: E402

NUMERIC = "f n:n>n;s=0;i=0;wh <i n{s=+s *i 2;i=+i 1};s"
MSET = "g n:n>M t n;m=mmap;@i 0..n{m=mset m (str i) i};m"
WORDS = "wc ws:L t>M t n;m=mmap;@w ws{c=mget m w;c=c??0;d=+c 1;m=mset m w d};m"
COLD = "f n:n>n;s=0;@i 0..n{s=+s i};s"


def clock(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


WARM_CALLS = 2 if "--quick" in sys.argv else 5


def engines(src: str, func: str, arg, baseline=None):
    """(vm, jit first, jit warm, stats) and, with ``baseline`` (the CPython version, called
    with ``arg``), its best time too: warm JIT calls and baseline calls alternate, so on a
    busy machine both see the same load and their ratio holds."""
    program = ilo.load(src)
    compiled = program.compiled()
    t_vm = min(clock(vm.run, compiled, func, [arg]) for _ in range(2))
    t_first = clock(vm.run, compiled, func, [arg], JitTier())
    # later calls in the same process: kernels in memory; a loop that keeps coming back
    # may have been promoted to numba by then (its time in python kernels repays it)
    clock(vm.run, compiled, func, [arg], JitTier())
    tier = JitTier()
    t_warm = t_py = float("inf")
    for _ in range(WARM_CALLS + 1):
        t_warm = min(t_warm, clock(vm.run, compiled, func, [arg], tier))
        if baseline is not None:
            t_py = min(t_py, clock(baseline, arg))
    return t_vm, t_first, t_warm, tier.stats, t_py


def row(name, t_vm, t_first, t_warm, t_py, t_nb, stats):
    backend = ",".join(sorted({s.backend for s in stats.compiled})) or "vm"
    print(f"{name:26s} {t_vm:9.4f} {t_first:9.4f} {t_warm:9.4f} {t_py:9.4f} {t_nb:9.4f}  "
          f"{t_vm / t_warm:7.1f}x {t_warm / t_py:6.2f} {t_warm / t_nb:7.2f}  {backend}")


def startup(args: list[str], engine: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ilo", f"--run-{engine}", *args], env=env, capture_output=True, check=True)
    return time.perf_counter() - t0


def main() -> None:
    quick = "--quick" in sys.argv
    n_num = 1_000_000 if quick else base.NUMERIC_N
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
          f"python {platform.python_version()}")
    nb = base.nb_kernels()
    from numba.typed import List

    words = base.zipf_tokens()
    typed_words = List(words)
    print(f"{'benchmark':26s} {'vm':>9s} {'jit 1st':>9s} {'jit warm':>9s} {'cpython':>9s} {'numba':>9s}  "
          f"{'vm/jit':>8s} {'jit/py':>6s} {'jit/nb':>7s}  backend")
    t = engines(NUMERIC, "f", float(n_num))
    row(f"numeric wh n={n_num:.0e}", *t[:3], base.timed(base.py_numeric, float(n_num), repeat=1),
        base.timed(nb["numeric"], float(n_num)), t[3])
    scaling = {}
    for n in base.MSET_SIZES:
        t = engines(MSET, "g", float(n), lambda x: base.py_mset(int(x)))
        scaling[n] = t[2]
        row(f"mset str i, n={n}", *t[:3], t[4], base.timed(nb["mset"], n), t[3])
    t = engines(WORDS, "wc", words, base.py_wordcount)
    row("word count 222k/17k", *t[:3], t[4], base.timed(nb["wordcount"], typed_words), t[3])
    cold_n = 500.0  # below the default threshold: never compiled
    t = engines(COLD, "f", cold_n)
    print(f"cold loop (n=500, not compiled): vm {t[0] * 1e3:.3f} ms, jit {t[2] * 1e3:.3f} ms "
          f"({(t[2] / t[0] - 1) * 100:+.0f}%)")
    print(f"mset scaling 200k/16k (jit warm): {scaling[200_000] / scaling[16_000]:.1f}x for 12.5x keys")
    args = [NUMERIC, "2000000"]
    startup(args, "jit")  # make sure the kernel is in the disk cache
    s_vm = min(startup(args, "vm") for _ in range(2))
    s_jit = min(startup(args, "jit") for _ in range(2))
    print(f"process start+run n=2e6: vm {s_vm:.2f} s, jit (warm disk cache) {s_jit:.2f} s")


if __name__ == "__main__":
    main()
