"""A bounded fuzz campaign: the suite's fuzzers, run far beyond its time budget.

    python3 bench/fuzz.py --seconds 600                 # every kind, time split evenly
    python3 bench/fuzz.py --count 10000 --kinds mutated,text,extreme
    python3 bench/fuzz.py --count 2000 --kinds numba    # numba kernels forced vs the tree

Kinds (generators in tests/fuzzing.py): ``text`` (random and ilo-like text), ``mutated``
(examples and generated programs with edits), ``extreme`` (deep values, values past the
size limit, long bodies, deep source, huge numbers, deep JSON), ``differential`` (generated
well-typed programs: every engine must agree), ``numba`` (generated numeric loops, also run
with numba kernels forced and deopting mid-loop: must agree with the tree engine).

Each input runs on every engine. A failure (an internal error ILO-R013, an unregistered
code, a Python exception through the API, or engines that disagree) is shrunk by
hypothesis and written to ``--out`` (default ``fuzz-repros/``) as ``<kind>-<n>.ilo`` whose
``--`` header says what went wrong; the campaign then goes on. The last line printed is a
JSON summary with the counts per kind. Exit status 1 if anything was found.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]
os.environ.setdefault("ILO_JIT_THRESHOLD", "2")

import fuzzing  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

from ilo import api  # noqa: E402

KINDS = ("text", "mutated", "extreme", "differential", "numba")
ENGINES = [e for e in api.ENGINES if api.engine_available(e)]


def _seeds() -> list[str]:
    seeds = [p.read_text(encoding="utf-8") for p in sorted((REPO / "examples").glob("*.ilo"))]
    return [s for s in seeds if not any(n in s for n in fuzzing.NETWORK)]


class Campaign:
    def __init__(self, out: Path):
        self.out = out
        self.counts = {k: {"inputs": 0, "internal": 0, "exception": 0, "code": 0, "disagree": 0} for k in KINDS}
        self.numba_kernels_ran = 0
        self.found: list[str] = []
        self.last_failure: tuple | None = None

    def check(self, kind: str, fn) -> None:
        """Run one input; record it; re-raise a failure so hypothesis shrinks it."""
        self.counts[kind]["inputs"] += 1
        try:
            fn()
        except fuzzing.Escaped as e:
            self.last_failure = (kind, e)
            raise

    def strategy_and_body(self, kind: str):
        if kind == "text":
            return fuzzing.RANDOM_TEXT, lambda src: fuzzing.run_everywhere(src, ENGINES)
        if kind == "mutated":
            return fuzzing.mutated(_seeds()), lambda src: fuzzing.run_everywhere(src, ENGINES)
        if kind == "extreme":
            return fuzzing.extreme(), lambda src: fuzzing.run_everywhere(src, ENGINES)
        if kind == "differential":
            return fuzzing.differential(), lambda case: self._agree(case, numba=False)
        return fuzzing.numeric_program(), lambda case: self._agree(case, numba=True)

    def _agree(self, case, numba: bool) -> None:
        import ilo

        src, args = case
        try:
            ilo.load(src)
        except ilo.IloError:
            return  # not a valid program: the other kinds cover diagnostics
        results = fuzzing.agree(src, args, ENGINES, numba=numba)
        self.numba_kernels_ran += bool(results.get("_numba_ran"))

    def run_batch(self, kind: str, n: int, seed: int) -> None:
        strategy, body = self.strategy_and_body(kind)
        self.last_failure = None
        minimal = []

        @settings(max_examples=n, deadline=None, database=None, derandomize=False,
                  suppress_health_check=list(HealthCheck), print_blob=False)
        @given(strategy)
        def test(x):
            if isinstance(x, str) and any(w in x for w in fuzzing.NETWORK):
                return
            try:
                self.check(kind, lambda: body(x))
            except fuzzing.Escaped:
                minimal[:] = [x]  # hypothesis re-runs the shrunk example last
                raise

        try:
            test()
        except fuzzing.Escaped as e:
            self.record(kind, minimal[0] if minimal else None, e)

    def record(self, kind: str, example, e: fuzzing.Escaped) -> None:
        self.counts[kind][e.kind] += 1
        self.out.mkdir(parents=True, exist_ok=True)
        n = len(list(self.out.glob(f"{kind}-*.ilo"))) + 1
        path = self.out / f"{kind}-{n}.ilo"
        src, args = (example, None) if isinstance(example, str) else (example or ("", None))
        header = [f"-- fuzz: {kind} ({e.kind})"]
        if args is not None:
            header.append(f"-- args: {args!r}")
        header += ["-- " + line for line in str(e).splitlines()[:6]]
        path.write_text("\n".join(header) + "\n" + str(src) + "\n", encoding="utf-8")
        self.found.append(str(path))
        print(f"FOUND {kind} {e.kind}: {path}", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=None, help="stop after this long (default 60 without --count)")
    ap.add_argument("--count", type=int, default=None, help="stop after this many inputs per kind")
    ap.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, from {', '.join(KINDS)}")
    ap.add_argument("--batch", type=int, default=100, help="inputs per hypothesis run")
    ap.add_argument("--out", default="fuzz-repros", help="directory for minimized repros")
    args = ap.parse_args(argv)
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = set(kinds) - set(KINDS)
    if unknown:
        ap.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    seconds = args.seconds if args.seconds is not None else (None if args.count else 60.0)
    out = Path(args.out).resolve()
    camp = Campaign(out)
    start = time.monotonic()
    # Programs may write files (wr): run in a scratch directory.
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        for i, kind in enumerate(kinds):
            share_end = None if seconds is None else start + seconds * (i + 1) / len(kinds)
            seed = 0
            while True:
                done = camp.counts[kind]["inputs"]
                if args.count is not None and done >= args.count:
                    break
                if share_end is not None and time.monotonic() >= share_end:
                    break
                n = args.batch if args.count is None else min(args.batch, args.count - done)
                camp.run_batch(kind, n, seed)
                seed += 1
                print(f"{kind}: {camp.counts[kind]}", flush=True)
    summary = {"seconds": round(time.monotonic() - start, 1), "engines": ENGINES, "kinds": camp.counts,
               "numba_kernels_ran": camp.numba_kernels_ran, "repros": camp.found}
    print(json.dumps(summary))
    return 1 if camp.found else 0


if __name__ == "__main__":
    sys.exit(main())
