"""VM vs JIT side by side, in one run: cold loops of every kind, the hot JIT benchmarks and
the VM benchmark programs (``bench/programs``).

    python bench/cold_loops.py           # full hot sizes (numeric loop n=10^7: a few minutes)
    python bench/cold_loops.py --quick   # numeric loop n=10^6, fewer repetitions
    python bench/cold_loops.py --only=cold   # or --only=hot, --only=programs (bench/programs)

Everything goes through the public API (``Program.call(engine="vm" | "jit")``), the path the
CLI and ``ilo.run`` take. Two figures per engine:

- **first**: the first call in a fresh process (a subprocess with an empty ``ILO_CACHE_DIR``
  and Python bytecode caches on, as for an installed package), timing only the call:
  compiling to bytecode, handler decoding, the JIT's imports, building and compiling kernels
  (numba included) are all in it. Best of a few processes.
- **steady**: per call once the program has been called before in the same process (best of
  batches). Loops called often get hot cumulatively here, so the JIT may run kernels.

The verdict column is jit/vm; the JIT is meant never to exceed 1.10 on any row.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import ilo  # noqa: E402

COLD = {
    "range": "f n:n>n;s=0;@i 0..n{s=+s i};s",
    "foreach": "f xs:L n>n;s=0;@x xs{s=+s x};s",
    "while": "f n:n>n;s=0;i=0;wh <i n{s=+s i;i=+i 1};s",
    # a test that is not one numeric compare: counted per back-edge, not estimated at entry
    "while-flag": "f n:n>n;s=0;b=true;wh b{s=+s 1;b=<s n};s",
}
COLD_SIZES = (10, 100, 500, 999)
# the hot programs of bench/jit_run.py
NUMERIC = "f n:n>n;s=0;i=0;wh <i n{s=+s *i 2;i=+i 1};s"
MSET = "g n:n>M t n;m=mmap;@i 0..n{m=mset m (str i) i};m"
WORDS = "wc ws:L t>M t n;m=mmap;@w ws{c=mget m w;c=c??0;d=+c 1;m=mset m w d};m"

# Runs in a fresh process: load, then time one call. Prints the seconds as JSON.
_CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
import ilo
src, func, arg, engine = {src!r}, {func!r}, {arg!r}, {engine!r}
if isinstance(arg, dict):
    import jit_baselines
    arg = jit_baselines.zipf_tokens()
program = ilo.load(src)
t0 = time.perf_counter()
program.call(func, arg, engine=engine)
print(json.dumps(time.perf_counter() - t0))
"""


PYCACHE = str(Path(tempfile.gettempdir()) / "ilo-bench-pycache")


def first_call(src: str, func: str, arg, engine: str) -> float:
    """Time of the first call in a fresh process (empty kernel cache)."""
    with tempfile.TemporaryDirectory() as cache:
        # bytecode caches on (as in an installed package), outside the source tree
        env = dict(os.environ, ILO_CACHE_DIR=cache, PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=PYCACHE)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        code = _CHILD.format(root=str(ROOT), bench=str(ROOT / "bench"), src=src, func=func, arg=arg, engine=engine)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])


def first_calls(src: str, func: str, arg, repeat: int) -> tuple[float, float]:
    """(vm, jit): best first-call time over ``repeat`` pairs of processes, run alternately so
    that a disturbance of the machine hits both engines alike."""
    vm_best = jit_best = float("inf")
    for _ in range(repeat):
        vm_best = min(vm_best, first_call(src, func, arg, "vm"))
        jit_best = min(jit_best, first_call(src, func, arg, "jit"))
    return vm_best, jit_best


def steady(src: str, func: str, arg, engine: str, budget: float, batches: int = 5) -> float:
    """Seconds per call after a first call, best of ``batches`` batches of ~``budget`` s."""
    program = ilo.load(src)
    call = program.call
    call(func, arg, engine=engine)
    t0 = time.perf_counter()
    call(func, arg, engine=engine)
    reps = max(1, int(budget / max(time.perf_counter() - t0, 1e-7)))
    best = float("inf")
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(reps):
            call(func, arg, engine=engine)
        best = min(best, (time.perf_counter() - t0) / reps)
    return best


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:7.1f} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:7.2f} ms"
    return f"{seconds:7.3f} s "


def row(name: str, first: tuple, warm: tuple) -> float:
    """Print one case; return its worse jit/vm ratio."""
    r1, r2 = first[1] / first[0], warm[1] / warm[0]
    print(f"| {name} | {fmt(first[0])} | {fmt(first[1])} | {r1:.2f} | {fmt(warm[0])} | {fmt(warm[1])} | {r2:.2f} |",
          flush=True)
    return max(r1, r2)


def main() -> int:
    quick = "--quick" in sys.argv
    budget = 0.05 if quick else 0.2
    procs = 3 if quick else 5
    parts = [a[len("--only="):] for a in sys.argv if a.startswith("--only=")] or ["cold", "hot", "programs"]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
          f"python {platform.python_version()}; ILO_JIT_THRESHOLD default\n")
    print("| case | vm first | jit first | jit/vm | vm steady | jit steady | jit/vm |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    for kind, src in COLD.items() if "cold" in parts else ():
        for n in COLD_SIZES:
            arg = [float(i) for i in range(n)] if kind == "foreach" else float(n)
            first = first_calls(src, "f", arg, procs)
            warm = tuple(steady(src, "f", arg, e, budget) for e in ("vm", "jit"))
            worst = max(worst, row(f"{kind} n={n}", first, warm))
    n_num = 1_000_000 if quick else 10_000_000
    hot = [(f"numeric wh n={n_num:.0e}", NUMERIC, "f", float(n_num))]
    hot += [(f"mset n={n}", MSET, "g", float(n)) for n in (5_000, 16_000, 58_000, 200_000)]
    hot.append(("word count 222k/17k", WORDS, "wc", {"zipf": True}))
    for name, src, func, arg in hot if "hot" in parts else ():
        first = first_calls(src, func, arg, 1 if n_num > 1e6 or quick else 2)
        if isinstance(arg, dict):
            import jit_baselines

            arg = jit_baselines.zipf_tokens()
        warm = tuple(steady(src, func, arg, e, budget, batches=3) for e in ("vm", "jit"))
        worst = max(worst, row(name, first, warm))
    from run import PROGRAMS, bench_line  # the VM benchmark programs (bench/run.py)

    for path in sorted(PROGRAMS.glob("*.ilo")) if "programs" in parts else ():
        func, arg = bench_line(path)
        src = path.read_text()
        first = first_calls(src, func, arg, procs)
        warm = tuple(steady(src, func, arg, e, budget) for e in ("vm", "jit"))
        worst = max(worst, row(f"program {path.stem}", first, warm))
    print(f"\nworst jit/vm ratio: {worst:.2f} ({'within' if worst <= 1.10 else 'OVER'} the 1.10 target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
