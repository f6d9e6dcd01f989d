"""The same small requests through one ``ilo serv`` process vs one ``ilo`` process each.

    python bench/serv_vs_processes.py             # 1,000 requests each way (the process side
                                                  # takes a few minutes on a busy 2-core machine)
    python bench/serv_vs_processes.py --n 200     # fewer requests

The requests are a fixed mix, in a fixed order, of three kinds an agent sends:

- arithmetic: ``f x:n y:n>n;+*x y 1`` with varying arguments;
- a map accumulator: a word count over a short list of words;
- a hot loop that the JIT compiles: a sum over ``0..n`` with n = 20,000.

Both sides get the same programs and argument words and must print the same results (checked).
The serv side sends each request as one JSON line and reads the response before sending the
next (an agent waiting for each answer), so it is the latency sum, not a pipelined throughput.
Wall time and CPU time (of the child processes) are both reported: on a shared machine the
wall ratio depends on the load, the CPU ratio much less. The process side runs
``python -m ilo PROGRAM FUNC ARGS`` for each request, the way an agent
calling the CLI does (Python start-up, imports, parse, verify, compile, run, exit). Both use the
same fresh ``ILO_CACHE_DIR`` (kernels cached on disk are reused by later processes, as they
would be on an agent's machine).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ARITH = "f x:n y:n>n;+*x y 1"
WORDS = "wc ws:L t>M t n;m=mmap;@w ws{c=mget m w;c=c??0;d=+c 1;m=mset m w d};m"
LOOP = "tot n:n>n;s=0;@i 0..n{s=+s i};s"


def requests(n: int) -> list[tuple[str, str, list[str]]]:
    """(program, function, argument words), deterministic."""
    out = []
    for i in range(n):
        kind = i % 3
        if kind == 0:
            out.append((ARITH, "f", [str(i), str(i % 7)]))
        elif kind == 1:
            words = ",".join(("a", "b", "a", "c", "b", "a")[: 3 + i % 4])
            out.append((WORDS, "wc", [words]))
        else:
            out.append((LOOP, "tot", [str(20_000 + i % 5)]))
    return out


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def via_serv(reqs, env) -> tuple[float, list[str]]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "ilo", "serv"], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert json.loads(proc.stdout.readline()) == {"ready": True}
    results = []
    for program, func, args in reqs:
        proc.stdin.write(json.dumps({"program": program, "func": func, "args": args}) + "\n")
        proc.stdin.flush()
        resp = json.loads(proc.stdout.readline())
        results.append(resp["ok"])
    proc.stdin.close()
    proc.wait()
    return time.perf_counter() - t0, results


def via_processes(reqs, env) -> tuple[float, list[str]]:
    t0 = time.perf_counter()
    results = []
    for program, func, args in reqs:
        r = subprocess.run([sys.executable, "-m", "ilo", program, func, *args], cwd=ROOT, env=env,
                           capture_output=True, text=True, check=True)
        results.append(r.stdout.strip())
    return time.perf_counter() - t0, results


def same(serv_value, printed: str) -> bool:
    """A serv JSON value against the CLI's printed text."""
    if isinstance(serv_value, dict):  # the word count map: `{a: 3; b: 2}`
        return printed == "{" + "; ".join(f"{k}: {v}" for k, v in serv_value.items()) + "}"
    return printed == str(serv_value)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000, help="requests each way (default 1000)")
    opts = ap.parse_args()
    reqs = requests(opts.n)
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "ILO_CACHE_DIR": cache}
        c0 = _children_cpu()
        serv_s, serv_out = via_serv(reqs, env)
        c1 = _children_cpu()
        proc_s, proc_out = via_processes(reqs, env)
        c2 = _children_cpu()
    serv_cpu, proc_cpu = c1 - c0, c2 - c1
    bad = [i for i, (a, b) in enumerate(zip(serv_out, proc_out)) if not same(a, b)]
    if bad:
        print(f"results differ at requests {bad[:5]}: {serv_out[bad[0]]!r} vs {proc_out[bad[0]]!r}")
        return 1
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}")
    print(f"{opts.n} requests (arithmetic / map accumulator / hot loop n=20,000, a third each)")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(f"{'':23}{'wall total':>12}{'per request':>14}{'CPU total':>12}")
    print(f"  one ilo serv process {serv_s:10.2f} s{serv_s / opts.n * 1000:11.2f} ms{serv_cpu:10.2f} s")
    print(f"  one process each     {proc_s:10.2f} s{proc_s / opts.n * 1000:11.2f} ms{proc_cpu:10.2f} s")
    print(f"  ratio                {proc_s / serv_s:10.1f}x{'':14}{proc_cpu / max(serv_cpu, 1e-9):10.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
