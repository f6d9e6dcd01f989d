"""VM benchmarks: per-call time of each program on the tree interpreter, the VM and idiomatic
CPython, side by side, with ratios.

    python bench/run.py               # every program in bench/programs
    python bench/run.py numeric pipe  # just these
    python bench/run.py --quick       # fewer repetitions

Each ``bench/programs/<name>.ilo`` names its entry point and argument on a ``-- bench: f 100``
line (the sizes of the reference's ``research/bench/run.sh``). A program is loaded (parsed and
verified) and compiled once; the timed region is the call only: ``Interpreter.call_function``
for the tree engine (``interp.run`` would add the start-up of its big-stack thread, which is
not the interpreter's speed) and ``vm.run`` for the VM, so the API's argument conversion is
not measured. Each figure is the best of several batches (the least disturbed by other load
on the machine).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import vm_baselines  # noqa: E402

import ilo  # noqa: E402
from ilo import interp, vm  # noqa: E402
from ilo.runtime.format import format_value  # noqa: E402
from ilo.timing import time_calls  # noqa: E402

PROGRAMS = ROOT / "bench" / "programs"


def bench_line(path: Path) -> tuple[str, float]:
    for line in path.read_text().splitlines():
        if line.startswith("-- bench:"):
            func, arg = line[len("-- bench:"):].split()
            return func, float(arg)
    raise SystemExit(f"{path.name} has no '-- bench:' line")


def per_call(fn, budget: float) -> float:
    """Median seconds per call, measured by the same code as ``ilo --bench`` (ilo.timing)."""
    return time_calls(fn, budget=budget).median


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} us"
    return f"{seconds * 1e3:8.2f} ms"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--quick", action="store_true")
    opts = ap.parse_args(argv)
    budget = 0.05 if opts.quick else 0.2
    paths = sorted(PROGRAMS.glob("*.ilo"))
    if opts.names:
        paths = [p for p in paths if p.stem in opts.names]
    print(f"python {platform.python_version()} on {platform.machine()} ({platform.processor() or 'cpu'})")
    header = f"{'program':<9} {'tree':>11} {'vm':>11} {'cpython':>11} {'tree/vm':>8} {'vm/cpy':>8}"
    print(header)
    print("-" * len(header))
    ratios = []
    for path in paths:
        func, arg = bench_line(path)
        program = ilo.load(path.read_text(), str(path))
        compiled = vm.compile_program(program.verified)
        expected = interp.run(program.verified, func, [arg])
        got = vm.run(compiled, func, [arg])
        baseline = vm_baselines.BASELINES.get(path.stem)
        if format_value(got) != format_value(expected):
            print(f"{path.stem:<9} MISMATCH tree={format_value(expected)} vm={format_value(got)}")
            continue
        if baseline and format_value(baseline(arg)) != format_value(expected):
            print(f"{path.stem:<9} BASELINE MISMATCH cpython={format_value(baseline(arg))} ilo={format_value(expected)}")
            continue
        vp = program.verified
        t_tree = per_call(lambda vp=vp, f=func, x=arg: interp.Interpreter(vp).call_function(f, [x]), budget)
        t_vm = per_call(lambda cp=compiled, f=func, x=arg: vm.run(cp, f, [x]), budget)
        t_py = per_call(lambda b=baseline, x=arg: b(x), budget) if baseline else float("nan")
        print(f"{path.stem:<9} {fmt_time(t_tree):>11} {fmt_time(t_vm):>11} {fmt_time(t_py):>11} "
              f"{t_tree / t_vm:7.1f}x {t_vm / t_py:7.1f}x")
        ratios.append((t_tree / t_vm, t_vm / t_py))
    if ratios:
        print("-" * len(header))
        print(f"{'min tree/vm':<33} {min(r[0] for r in ratios):>21.1f}x")
        print(f"{'median vm/cpython':<33} {statistics.median(r[1] for r in ratios):>30.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
