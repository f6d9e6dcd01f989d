"""Shared test machinery: the engine list and the one assert helper every engine test uses.

Every behaviour is checked on every engine that exists: tree (reference semantics), vm, and
jit (the VM with a JIT threshold low enough that hot loops really compile in tests).
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

# A low threshold so the JIT tier really compiles loops during tests. Must be set before
# ilo.config is imported.
os.environ.setdefault("ILO_JIT_THRESHOLD", "2")

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def available_engines() -> list[str]:
    from ilo import api

    return [e for e in api.ENGINES if api.engine_available(e)]


ENGINES = available_engines()


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    return request.param


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit status, stdout, stderr)."""
    from ilo.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as e:  # argparse usage errors
            status = e.code if isinstance(e.code, int) else 2
    return status, out.getvalue(), err.getvalue()


def first_diagnostic(stderr: str) -> dict:
    """The first diagnostic the CLI wrote, whichever way it wrote it: one JSON object per line
    when stderr is not a terminal (the default in tests, as for agents), or the human
    ``error[CODE]: message`` layout under ``--text``/``--ansi``."""
    import json

    first = stderr.splitlines()[0] if stderr else ""
    if first.startswith("{"):
        return json.loads(first)
    head, _, message = first.partition("]: ")
    return {"code": head.partition("[")[2], "message": message, "severity": head.partition("[")[0]}


def run_program(src: str, func: str | None, words: list[str], engine: str) -> tuple[int, str, str]:
    argv = [f"--run-{engine}", src] + ([func] if func else []) + list(words)
    return run_cli(argv)


def run_value(src: str, func: str | None, *args, engine: str):
    """Call through the Python API and return the Python value."""
    import ilo

    return ilo.load(src).call(func, *args, engine=engine)


def assert_same(src, func: str | None, *args, **options):
    """The differential oracle (tests/oracle.py): same value and type, or same error code,
    message, position and function, on every engine; returns the tree's value or error."""
    from oracle import assert_same as same

    return same(src, func, *args, **options)
