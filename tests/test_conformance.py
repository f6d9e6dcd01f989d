"""The shared conformance cases (the reference implementation's annotated examples), on every engine.

Cases are read in place from ``<repo>/../shared/conformance/``: ``examples.jsonl`` (the
reference at 697caaa, the language we implement) and ``cases.jsonl`` (the older set, kept where
it agrees). The test skips when that folder is absent. Each distinct (program, function,
arguments) run is executed once per engine of ours, from a file in a temporary folder (with any
``aux_files`` beside it, for ``use``), through the CLI in-process.

Known failures are listed, with a reason, in ``conformance_known_failures.txt``: a listed case
that starts passing fails the test too, so the list never goes stale. Rewrite the list from the
current behaviour with ``python tests/test_conformance.py --update`` (reasons already written are
kept).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

if __name__ == "__main__":
    # Run as a script, sys.path[0] is tests/: put this checkout first so `import ilo` is this
    # worktree's package, not the one an editable install points at.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pytest  # noqa: E402
from conftest import ENGINES, REPO, SHARED, run_cli  # noqa: E402

FILES = [SHARED / "conformance" / "examples.jsonl", SHARED / "conformance" / "cases.jsonl"]
KNOWN_FILE = REPO / "tests" / "conformance_known_failures.txt"


def _cases() -> list[dict]:
    """Distinct runs of both files; the first id seen names a run (the default-engine copy)."""
    seen: dict[tuple, dict] = {}
    for path in FILES:
        if not path.is_file():
            continue
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            key = (case["src"], case["func"], tuple(case["args"]))
            if key not in seen:
                # Both sets name cases by file and line, and the older set's files differ:
                # its ids carry the set's name so that no two cases share one.
                if path.stem != "examples":
                    case["id"] = f"{path.stem}:{case['id']}"
                seen[key] = case
    return list(seen.values())


def _known() -> dict[tuple[str, str], str]:
    known = {}
    if KNOWN_FILE.is_file():
        for line in KNOWN_FILE.read_text().splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            head, _, reason = line.partition("#")
            engine, case_id = head.split()
            known[(engine, case_id)] = reason.strip()
    return known


CASES = _cases()
KNOWN = _known()


def _write_program(case: dict, folder: Path) -> Path:
    name = case["id"].removeprefix("cases:").split(":")[0].rsplit("/", 1)[-1]
    path = folder / name
    path.write_text(case["src"])
    for aux, text in (case.get("aux_files") or {}).items():
        (folder / aux).parent.mkdir(parents=True, exist_ok=True)
        (folder / aux).write_text(text)
    return path


def outcome(case: dict, engine: str, folder: Path) -> tuple[bool, str]:
    path = _write_program(case, folder)
    argv = [f"--run-{engine}", str(path)] + ([case["func"]] if case["func"] else []) + list(case["args"])
    status, out, err = run_cli(argv)
    if case.get("fails"):
        ok = status == 1 and "Traceback" not in err
        if ok and case.get("error_contains"):
            ok = case["error_contains"] in err
        if ok and case.get("stderr_expect"):
            ok = case["stderr_expect"].strip() in err
        return ok, f"status={status} stderr={err.strip()[:300]!r} expected stderr={case.get('stderr_expect')!r}"
    return (status == 0 and out.strip() == case["expect"].strip(),
            f"status={status} out={out.strip()[:200]!r} expected={case['expect']!r} stderr={err.strip()[:300]!r}")


@pytest.mark.skipif(not CASES, reason="../shared/conformance is not present")
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_conformance(case, engine, tmp_path):
    passed, detail = outcome(case, engine, tmp_path)
    key = (engine, case["id"])
    if key in KNOWN:
        assert not passed, f"{case['id']} now passes on {engine}: remove it from {KNOWN_FILE.name}"
    else:
        assert passed, f"{case['id']} on {engine}: {detail}"


def _update() -> None:
    """Rewrite the known-failures list from what fails now, keeping reasons already written."""
    import tempfile

    lines = ["# engine case-id  # reason (rewritten by `python tests/test_conformance.py --update`)"]
    counts = {e: [0, 0] for e in ENGINES}
    for case in CASES:
        for engine in ENGINES:
            with tempfile.TemporaryDirectory() as folder:
                passed, detail = outcome(case, engine, Path(folder))
            counts[engine][0 if passed else 1] += 1
            if not passed:
                reason = KNOWN.get((engine, case["id"])) or detail.replace("\n", " ")[:160]
                lines.append(f"{engine} {case['id']}  # {reason}")
    KNOWN_FILE.write_text("\n".join(lines) + "\n")
    for engine, (ok, bad) in counts.items():
        print(f"{engine}: {ok} passed, {bad} failing (listed)")


if __name__ == "__main__":
    if "--update" in sys.argv:
        # Run as a script, sys.path[0] is tests/, and `import ilo` would find whichever ilo
        # is installed (e.g. /work/main's) instead of this checkout's: put the checkout first.
        sys.path[:0] = [str(REPO), str(REPO / "tests")]
        _update()
