"""The shared conformance cases (from the reference implementation's examples), on every engine.

Cases are read in place from ``<repo>/../shared/conformance/cases.jsonl``; the test skips
when that folder is absent. Known failures are listed, with a reason, in
``conformance_known_failures.txt``: a listed case that starts passing fails the test too, so
the list never goes stale.
"""

from __future__ import annotations

import json

import pytest
from conftest import ENGINES, REPO, SHARED, run_program

CASES_FILE = SHARED / "conformance" / "cases.jsonl"
KNOWN_FILE = REPO / "tests" / "conformance_known_failures.txt"


def _cases() -> list[dict]:
    if not CASES_FILE.is_file():
        return []
    return [json.loads(line) for line in CASES_FILE.read_text().splitlines() if line.strip()]


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


def _outcome(case: dict, engine: str) -> tuple[bool, str]:
    status, out, err = run_program(case["src"], case["func"], case["args"], engine)
    if case.get("fails"):
        ok = status == 1 and "Traceback" not in err
        if ok and case.get("error_contains"):
            ok = case["error_contains"] in err
        return ok, f"status={status} stderr={err.strip()[:300]}"
    return (status == 0 and out.strip() == case["expect"].strip(),
            f"status={status} out={out.strip()[:200]!r} expected={case['expect']!r} stderr={err.strip()[:300]}")


@pytest.mark.skipif(not CASES, reason="../shared/conformance is not present")
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_conformance(case, engine):
    if case.get("engine") and case["engine"] != engine:
        pytest.skip(f"case is for the {case['engine']} engine only")
    passed, detail = _outcome(case, engine)
    key = (engine, case["id"])
    if key in KNOWN:
        assert not passed, f"{case['id']} now passes on {engine}: remove it from {KNOWN_FILE.name}"
    else:
        assert passed, f"{case['id']} on {engine}: {detail}"
