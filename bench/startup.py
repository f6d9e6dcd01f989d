"""Whole-process start-up: a trivial ilo program against ``python -c pass``.

Agents call ``ilo 'prog' args`` thousands of times, so the fixed cost of a process matters
more than any loop. This runs each command N times, interleaved (so load on the machine hits
all of them alike), and prints the best and median wall time of each, the median CPU time
(user + system: steadier than wall time on a shared machine), and the ratios of medians to
``python -c pass`` (the target: within 3x).

    python bench/startup.py            # N=30
    python bench/startup.py --runs 60

Commands timed (all with this checkout first on PYTHONPATH, the same interpreter, and
bytecode caches on even when the shell sets PYTHONDONTWRITEBYTECODE):
``python -c pass``; ``python -m ilo 'f>n;1'``; the console script (the file pip writes for the
``ilo`` command, run by the interpreter directly: it skips runpy and ``ilo/__main__``); and
``python -c 'import ilo'``. The ``ilo`` found on PATH may add a launcher of its own (pyenv's
shim is a bash script costing ~10x python's own start-up); that is not ours to fix, so it is
timed separately when present, for the record.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROGRAM = "f>n;1"
CONSOLE_SCRIPT = """import re
import sys
from ilo.cli import main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(main())
"""


def commands(script: Path) -> dict[str, list[str]]:
    exe = sys.executable
    found = {
        "python -c pass": [exe, "-c", "pass"],
        "python -c 'import ilo'": [exe, "-c", "import ilo"],
        f"python -m ilo '{PROGRAM}'": [exe, "-m", "ilo", PROGRAM],
        f"console script '{PROGRAM}'": [exe, str(script), PROGRAM],
    }
    on_path = shutil.which("ilo")
    if on_path:
        found[f"ilo on PATH '{PROGRAM}' (its launcher)"] = [on_path, PROGRAM]
    return found


def time_once(argv: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child: user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    r = subprocess.run(argv, cwd=REPO, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"{argv} failed: {r.stderr.decode()[-500:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30)
    opts = ap.parse_args()
    # Bytecode caches on, as for any installed package, but kept out of the checkout; the
    # first (warm-up) run of each command writes them.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(REPO), ILO_CACHE_DIR=tempfile.mkdtemp(prefix="ilo-startup-"),
               PYTHONPYCACHEPREFIX=tempfile.mkdtemp(prefix="ilo-startup-pyc-"))
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "ilo"
        script.write_text(CONSOLE_SCRIPT)
        cmds = commands(script)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
        for argv in cmds.values():  # warm the bytecode caches
            time_once(argv, env)
        for _ in range(opts.runs):
            for name, argv in cmds.items():
                times[name].append(time_once(argv, env))
    wall = {name: [w for w, _ in ts] for name, ts in times.items()}
    cpu = {name: [c for _, c in ts] for name, ts in times.items()}
    base, base_cpu = statistics.median(wall["python -c pass"]), statistics.median(cpu["python -c pass"])
    print(f"{'command':<48}{'best':>9}{'median':>9}{'x pass':>8}{'cpu':>9}{'x pass':>8}")
    for name in times:
        med, med_cpu = statistics.median(wall[name]), statistics.median(cpu[name])
        print(f"{name:<48}{min(wall[name]) * 1e3:>7.1f}ms{med * 1e3:>7.1f}ms{med / base:>8.2f}"
              f"{med_cpu * 1e3:>7.1f}ms{med_cpu / base_cpu:>8.2f}")
    print(f"({opts.runs} runs each, interleaved; wall time best and median; cpu = median user+system "
          f"time of the process, steadier on a busy machine; CPython {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})")

if __name__ == "__main__":
    main()
