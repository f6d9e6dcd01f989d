"""The malformed-program corpus (``tests/errors/*.ilo``, annotated like ``examples/``; see
``tests/annotations.py`` and the corpus README): every case gives its expected error code on
every engine through the API here, through the CLI in-process in ``test_examples.py`` (the
runner both share), and (a sample) through the CLI as a subprocess, with exit status 1,
nothing on stdout and no traceback.

Inputs that cannot be stored as a case file (a truly empty program, 10 MB of brackets, a
missing file) are generated here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from annotations import read_annotations
from conftest import ENGINES, REPO, first_diagnostic, run_cli

import ilo
from ilo import api
from ilo.diagnostics.codes import REGISTRY
from ilo.diagnostics.render import JSON_FIELDS, LABEL_FIELDS

ERRORS = REPO / "tests" / "errors"


@dataclass(frozen=True)
class Case:
    path: Path
    code: str
    words: tuple[str, ...]
    cli_only: bool

    @property
    def name(self) -> str:
        return self.path.stem


def read_case(path: Path) -> Case:
    found = read_annotations(path)
    (run,) = found.runs  # one run per corpus file (test_examples checks it)
    return Case(path, run.expected, run.words, found.cli_only)


CASES = [read_case(p) for p in sorted(ERRORS.glob("*.ilo"))]


def test_corpus_is_large_and_uses_registered_codes():
    assert len(CASES) >= 60
    assert all(c.code in REGISTRY for c in CASES), [c.name for c in CASES if c.code not in REGISTRY]
    prefixes = {c.name.split("-")[0] for c in CASES}
    assert prefixes == {"lex", "parse", "verify", "run", "cli"}
    # every phase has several cases, so a whole stage cannot silently stop reporting
    for phase in "LPTR":
        assert sum(c.code[4] == phase for c in CASES) >= 3, phase


def _limits(words: tuple[str, ...]) -> tuple[list[str], dict]:
    """Split --max-steps/--timeout out of a case's words, as the CLI does."""
    rest, limits = [], {}
    it = iter(words)
    for w in it:
        if w == "--max-steps":
            limits["max_steps"] = int(next(it))
        elif w == "--timeout":
            limits["timeout"] = float(next(it))
        else:
            rest.append(w)
    return rest, limits


def api_error(case: Case, engine: str) -> ilo.IloError | None:
    """Run a case through the Python API the way the CLI does; the error, or None."""
    words, limits = _limits(case.words)
    try:
        program = ilo.load_file(case.path)
        func = words.pop(0) if words and words[0] in program.function_names else None
        name = program.resolve_function(func)
        args = api.coerce_cli_args(program, name, words)
        program.call(name, *args, engine=engine, **limits)
    except ilo.IloError as e:
        return e
    return None


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", [c for c in CASES if not c.cli_only], ids=lambda c: c.name)
def test_case_through_the_api(case, engine):
    err = api_error(case, engine)
    assert err is not None, f"{case.name}: no error on {engine}"
    assert err.code == case.code, f"{case.name} on {engine}: {[str(err)]}"
    assert all(d.code in REGISTRY and d.message for d in err.diagnostics)


def _ilo(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "ilo", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=120, env={**os.environ, **(env or {})})


# One case per stage and every command-line case, each in a real process.
SAMPLE = [c for c in CASES if c.name.startswith("cli-")] + [
    c for c in CASES if c.name in ("lex-invalid-utf8", "lex-binary-garbage", "parse-unclosed-brace",
                                   "verify-undefined-variable", "run-division-by-zero", "run-deep-recursion",
                                   "run-infinite-loop", "run-type-error-in-hot-loop")
]


@pytest.mark.parametrize("case", SAMPLE, ids=lambda c: c.name)
def test_sample_as_a_subprocess(case):
    for engine in ENGINES:
        r = _ilo(f"--run-{engine}", str(case.path), *case.words)
        assert r.returncode == 1, (engine, r.stdout, r.stderr)
        assert r.stdout == "" and "Traceback" not in r.stderr
        first = json.loads(r.stderr.splitlines()[0])  # stderr is a pipe: JSON, as the reference
        assert first["code"] == case.code and first["severity"] == "error", (engine, r.stderr)


@pytest.mark.parametrize("case", SAMPLE[::3], ids=lambda c: c.name)
def test_sample_json_and_plain_output(case):
    r = _ilo("--json", str(case.path), *case.words)
    assert r.returncode == 1 and r.stdout == ""
    objs = [json.loads(line) for line in r.stderr.splitlines()]
    assert objs and objs[0]["code"] == case.code
    for obj in objs:
        # the reference's schema: keys sorted, `suggestion` only when there is one
        assert list(obj) == sorted(obj) and set(JSON_FIELDS) - {"suggestion"} <= set(obj) <= set(JSON_FIELDS)
        assert obj["severity"] == "error" and all(set(label) <= set(LABEL_FIELDS) for label in obj["labels"])
    r = _ilo("--plain", str(case.path), *case.words)
    lines = r.stderr.splitlines()
    assert r.returncode == 1 and lines and f"error[{case.code}]" in lines[0]
    assert len(lines) == len(objs)  # one line per diagnostic
    assert "\x1b[" not in r.stderr


# ── generated inputs ────────────────────────────────────────────────────────


def test_truly_empty_program(engine):
    with pytest.raises(ilo.IloError) as info:
        ilo.load("").call(engine=engine)
    assert info.value.code == "ILO-R012"
    status, out, err = run_cli([f"--run-{engine}", ""])
    assert status == 1 and out == "" and first_diagnostic(err)["code"] == "ILO-R012"


def test_ten_megabytes_of_nested_brackets(tmp_path):
    half = 5 * 1024 * 1024
    for text in ("f>n;" + "[" * half + "]" * half, "f>n;" + "(" * half, "[" * (2 * half)):
        with pytest.raises(ilo.IloError) as info:
            ilo.load(text)
        assert info.value.code.startswith("ILO-P"), info.value
    path = tmp_path / "deep.ilo"
    path.write_text("f>n;" + "[" * half + "]" * half)
    r = _ilo(str(path))
    assert r.returncode == 1 and first_diagnostic(r.stderr)["code"] == "ILO-P020" and "Traceback" not in r.stderr


def test_missing_file():
    r = _ilo("no/such/file.ilo")
    assert r.returncode == 1 and r.stdout == ""
    assert first_diagnostic(r.stderr)["code"] == "ILO-R017" and "Traceback" not in r.stderr
    with pytest.raises(ilo.IloError) as info:
        ilo.load_file("no/such/file.ilo")
    assert info.value.code == "ILO-R017"


def test_usage_errors_exit_1():
    for args in (["--max-steps", "many", "f>n;1"], ["--timeout", "soon", "f>n;1"], ["--fmt"]):
        r = _ilo(*args)
        assert r.returncode == 1, (args, r.stderr)  # the reference exits 1 on a bad flag
        assert "Traceback" not in r.stderr


def test_colour_only_on_a_terminal_and_never_with_no_color():
    from ilo.diagnostics.diagnostic import Diagnostic
    from ilo.diagnostics.render import render_human
    from ilo.source import Source, Span

    d = Diagnostic("ILO-T004", "undefined variable 'y'", Span(9, 10))
    src = Source("<inline>", "f x:n>n;+x y")
    assert "\x1b[" in render_human(d, src, color=True)
    assert "\x1b[" not in render_human(d, src, color=False)
    r = _ilo("f x:n>n;+x y", "1")  # stderr is a pipe here: no colour
    assert r.returncode == 1 and "\x1b[" not in r.stderr
    if sys.platform != "win32":
        assert _colour_through_a_pty() is True
        assert _colour_through_a_pty({"NO_COLOR": "1"}) is False


def _colour_through_a_pty(env: dict | None = None) -> bool:
    """Run the CLI with stderr on a pseudo-terminal; did it print ANSI colour?"""
    import os
    import pty

    main, child = pty.openpty()
    try:
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | (env or {})
        p = subprocess.run([sys.executable, "-m", "ilo", "f x:n>n;+x y", "1"], stdout=subprocess.PIPE,
                           stderr=child, cwd=REPO, env=env, timeout=120)
        os.close(child)
        child = None
        chunks = []
        while True:
            try:
                data = os.read(main, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        assert p.returncode == 1
        return b"\x1b[" in b"".join(chunks)
    finally:
        os.close(main)
        if child is not None:
            os.close(child)


# ── the registry is the single source ───────────────────────────────────────


def test_every_code_used_in_the_source_is_registered():
    import re

    used = set()
    for path in (REPO / "ilo").rglob("*.py"):
        used |= set(re.findall(r"ILO-[LPTRW]\d{3}", path.read_text(encoding="utf-8")))
    assert used and used <= set(REGISTRY), sorted(used - set(REGISTRY))


def test_readme_error_code_table_is_current():
    from ilo.diagnostics.codes import README_END, README_START, codes_markdown, readme_with_codes

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert README_START in readme and README_END in readme
    fix = "stale: run `python -m ilo.diagnostics.codes --update-readme README.md`"
    assert codes_markdown() in readme, fix
    assert readme_with_codes(readme) == readme, fix
    assert all(f"`{code}`" in readme for code in REGISTRY)
    # the JSON diagnostic format is documented field by field
    assert all(f"`{field}`" in readme for field in JSON_FIELDS)
