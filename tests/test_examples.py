"""Programs that carry their expectations, replayed on every engine by one runner.

``examples/*.ilo`` are working programs (each with ``-- run:``/``-- out:`` annotations and a
few expected failures); ``tests/errors/*.ilo`` is the malformed-program corpus, one run per
file, each expecting an error code. The annotation format and the runner are in
``tests/annotations.py``; ``test_error_table.py`` adds the corpus's API, subprocess and
JSON checks.
"""

from __future__ import annotations

import pytest
from annotations import check_run, is_code, read_annotations
from conftest import ENGINES, REPO

EXAMPLES = sorted((REPO / "examples").glob("*.ilo"))
ERRORS = sorted((REPO / "tests" / "errors").glob("*.ilo"))


def _params():
    for group, paths in (("", EXAMPLES), ("errors/", ERRORS)):
        for path in paths:
            found = read_annotations(path)
            for run in found.runs:
                for eng in ENGINES:
                    marks = [pytest.mark.skip(reason=f"engine-skip: {eng}")] if eng in found.engine_skip else []
                    yield pytest.param(run, eng, id=f"{group}{path.stem}:{run.lineno}-{eng}", marks=marks)


def test_examples_have_cases():
    assert EXAMPLES, "examples/ holds no programs"
    for path in EXAMPLES:
        assert read_annotations(path).runs, f"{path.name} has no -- run: / -- out: annotations"


def test_every_corpus_file_is_one_failing_run():
    assert ERRORS, "tests/errors/ holds no programs"
    for path in ERRORS:
        runs = read_annotations(path).runs
        assert len(runs) == 1 and runs[0].kind == "err" and is_code(runs[0].expected), path.name


@pytest.mark.parametrize("run,engine", list(_params()))
def test_example(run, engine):
    check_run(run, engine)
