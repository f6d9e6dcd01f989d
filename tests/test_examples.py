"""Our own example programs, each carrying its expectations, replayed on every engine.

Annotations inside ``examples/*.ilo``::

    -- run: func arg1 arg2      (words as the CLI receives them; shell-style quoting allowed)
    -- out: expected stdout     (trimmed)
    -- err: ILO-T004            (instead of out: the run must fail, exit 1, with this on stderr:
                                 a code, or `^e` for an error result)
    -- engine-skip: jit         (whole file skipped on that engine)
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from conftest import ENGINES, REPO, run_program

EXAMPLES = sorted((REPO / "examples").glob("*.ilo"))


def parse_annotations(path: Path) -> tuple[list[tuple[int, str, list[str], str, str]], set[str]]:
    cases, skips, pending = [], set(), None
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        s = line.strip()
        if s.startswith("-- run:"):
            words = shlex.split(s[len("-- run:"):])
            pending = (lineno, words[0], words[1:])
        elif s.startswith("-- out:") and pending:
            cases.append((*pending, "out", s[len("-- out:"):].strip()))
            pending = None
        elif s.startswith("-- err:") and pending:
            cases.append((*pending, "err", s[len("-- err:"):].strip()))
            pending = None
        elif s.startswith("-- engine-skip:"):
            skips.update(s[len("-- engine-skip:"):].split())
    return cases, skips


def _params():
    for path in EXAMPLES:
        cases, skips = parse_annotations(path)
        for lineno, func, args, kind, expected in cases:
            for eng in ENGINES:
                marks = [pytest.mark.skip(reason=f"engine-skip: {eng}")] if eng in skips else []
                yield pytest.param(path, func, args, kind, expected, eng,
                                   id=f"{path.stem}:{lineno}-{eng}", marks=marks)


def test_examples_have_cases():
    assert EXAMPLES, "examples/ holds no programs"
    for path in EXAMPLES:
        cases, _ = parse_annotations(path)
        assert cases, f"{path.name} has no -- run: / -- out: annotations"


@pytest.mark.parametrize("path,func,args,kind,expected,engine", list(_params()))
def test_example(path, func, args, kind, expected, engine):
    status, out, err = run_program(str(path), func, args, engine)
    assert "Traceback" not in err
    if kind == "out":
        assert status == 0, f"{path.name} {func} {args}: {err}"
        assert out.strip() == expected
    else:
        assert status == 1, f"{path.name} {func} {args} should fail with {expected}; got {out!r}"
        assert expected in err
