"""Programs that carry their own expectations, and the one runner that replays them.

Both ``examples/*.ilo`` (working programs) and ``tests/errors/*.ilo`` (the malformed corpus)
use these comment annotations, anywhere in the file::

    -- run: func arg1 arg2      the words after the program on the command line, shell-quoted
                                (usually the function, then its arguments; may be empty, or
                                hold flags such as --max-steps 9)
    -- out: expected stdout     (trimmed) after the run line: the run must succeed with this
    -- err: ILO-T004            instead of out: the run must fail with exit status 1, nothing on
                                stdout and this code as the first diagnostic; or `^e` for an
                                error result printed on stderr
    -- engine-skip: jit         the whole file is skipped on that engine
    -- via: cli                 the run only means something on the command line (a word the
                                CLI reads as a function name); API-level tests skip it

``check_run`` replays one run on one engine through the CLI, in-process.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from conftest import first_diagnostic, run_program

_CODE = re.compile(r"ILO-[LPTRW]\d{3}$")


@dataclass(frozen=True)
class Run:
    path: Path
    lineno: int
    words: tuple[str, ...]
    kind: str  # "out" or "err"
    expected: str

    @property
    def func(self) -> str | None:
        return self.words[0] if self.words else None

    @property
    def args(self) -> list[str]:
        return list(self.words[1:])

    def __iter__(self):  # (lineno, func, args, kind, expected), as tests unpack it
        return iter((self.lineno, self.func, self.args, self.kind, self.expected))


@dataclass
class Annotated:
    path: Path
    runs: list[Run] = field(default_factory=list)
    engine_skip: set[str] = field(default_factory=set)
    cli_only: bool = False


def read_text(path: Path) -> str:
    # Some corpus files are deliberately not UTF-8; their bad bytes never sit in an annotation.
    return path.read_bytes().decode("utf-8", errors="surrogateescape")


def read_annotations(path: Path) -> Annotated:
    found = Annotated(path)
    pending = None
    for lineno, line in enumerate(read_text(path).splitlines(), 1):
        s = line.strip()
        if s.startswith("-- run:"):
            pending = (lineno, tuple(shlex.split(s[len("-- run:"):])))
        elif s.startswith(("-- out:", "-- err:")) and pending:
            kind = s[3:6]
            found.runs.append(Run(path, pending[0], pending[1], kind, s[len("-- out:"):].strip()))
            pending = None
        elif s.startswith("-- engine-skip:"):
            found.engine_skip.update(s[len("-- engine-skip:"):].split())
        elif s.startswith("-- via:"):
            found.cli_only = s[len("-- via:"):].strip() == "cli"
    return found


def parse_annotations(path: Path) -> tuple[list[Run], set[str]]:
    """The runs of ``path`` (each unpacks as ``lineno, func, args, kind, expected``) and the
    engines it skips."""
    found = read_annotations(path)
    return found.runs, found.engine_skip


def is_code(expected: str) -> bool:
    return bool(_CODE.match(expected))


def check_run(run: Run, engine: str) -> None:
    """Replay ``run`` on ``engine`` through the command line and assert its expectation."""
    status, out, err = run_program(str(run.path), run.func, run.args, engine)
    where = f"{run.path.name}:{run.lineno} {' '.join(run.words)}"
    assert "Traceback" not in err, f"{where}: {err}"
    if run.kind == "out":
        assert status == 0, f"{where}: {err}"
        assert out.strip() == run.expected, where
        return
    assert status == 1, f"{where} should fail with {run.expected}; got {status} {out!r} {err!r}"
    if is_code(run.expected):
        assert out == "", f"{where}: {out!r}"
        assert err and first_diagnostic(err)["code"] == run.expected, f"{where}: {err}"
    else:
        assert run.expected in err, f"{where}: {err}"
