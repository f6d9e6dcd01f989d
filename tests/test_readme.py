"""The README stays true: the generated builtins table is current, every `$ ilo ...` command
in a ```sh block prints what the README shows, and the ```pycon sessions run as doctests.
"""

from __future__ import annotations

import doctest
import re
import shlex
import subprocess
import sys

import pytest
from conftest import REPO

from ilo.docs import README_END, README_START, builtins_markdown, readme_with_builtins

README = (REPO / "README.md").read_text()


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def commands() -> list[tuple[str, list[str]]]:
    """(command line, expected output lines) for each `$ ilo ...` line in a sh block."""
    found = []
    for block in blocks("sh"):
        current = None
        for line in block.splitlines():
            if line.startswith("$ "):
                current = (line[2:], [])
                found.append(current)
            elif current is not None:
                current[1].append(line)
    return [(cmd, out) for cmd, out in found if cmd.startswith("ilo ") or _piped(cmd)]


def _piped(cmd: str) -> tuple[str, str] | None:
    """`echo 'TEXT' | ilo ...` (how the README shows `ilo serv`): (TEXT + newline, the ilo part)."""
    left, bar, right = cmd.partition(" | ")
    if not bar or not left.startswith("echo ") or not right.startswith("ilo "):
        return None
    return shlex.split(left)[1] + "\n", right


def _line_matches(shown: str, got: str) -> bool:
    """Equal, except that `...` in the README stands for any text (timings)."""
    pattern = ".*".join(re.escape(part) for part in shown.split("..."))
    return re.fullmatch(pattern, got) is not None


def test_builtins_table_is_current():
    assert README_START in README and README_END in README
    assert builtins_markdown() in README, "stale: run `python -m ilo.docs --update-readme README.md`"
    assert readme_with_builtins(README) == README


def test_readme_has_a_tutorial():
    for heading in ("### A first program", "### Maps and the accumulator idiom", "### Errors",
                    "### Calling from Python, with the JIT"):
        assert heading in README


@pytest.mark.parametrize("cmd,expected", commands(), ids=[c for c, _ in commands()])
def test_shell_examples(cmd, expected):
    stdin, cmd = _piped(cmd) or ("", cmd)
    words = shlex.split(cmd, comments=True)[1:]
    r = subprocess.run([sys.executable, "-m", "ilo", *words], capture_output=True, text=True,
                       cwd=REPO, input=stdin, timeout=120)
    # Only the part before a `#` comment is output; diagnostics arrive on stderr.
    shown = [line.split("  #")[0].rstrip() for line in expected]
    got = (r.stdout + r.stderr).splitlines()
    assert len(got) == len(shown) and all(map(_line_matches, shown, got)), got


def test_python_sessions_run():
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    sessions = blocks("pycon")
    assert sessions
    for i, text in enumerate(sessions):
        test = parser.get_doctest(text, {}, f"README pycon {i}", "README.md", 0)
        runner.run(test)
    assert runner.failures == 0
