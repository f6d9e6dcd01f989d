"""The CLI as a subprocess: exit codes, stdout vs stderr, no tracebacks, --json shape."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ENGINES, REPO


def ilo(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ilo", *args], capture_output=True, text=True,
                          cwd=REPO, input=stdin, timeout=120)


def test_quick_start():
    r = ilo("dbl x:n>n;*x 2", "5")
    assert (r.returncode, r.stdout, r.stderr) == (0, "10\n", "")


def test_file_and_function_name():
    r = ilo("examples/maps.ilo", "wc", "a,b,a")
    assert r.returncode == 0 and r.stdout == "{a: 2; b: 1}\n"


def test_negative_number_argument():
    r = ilo("f x:n>n;*x 2", "-7")
    assert r.returncode == 0 and r.stdout == "-14\n"


def test_help_lists_engines():
    r = ilo("--help")
    assert r.returncode == 0 and "--run-vm" in r.stdout and "--run-jit" in r.stdout


def test_version():
    r = ilo("--version")
    assert r.returncode == 0 and r.stdout.startswith("ilo")


def test_usage_error_exit_1():
    # `ilo` alone starts the REPL (tests/test_tools_cli.py); a tool flag without a program
    # is the usage error.
    r = ilo("--fmt")
    assert r.returncode == 1 and "Traceback" not in r.stderr


MALFORMED = [
    ("unbalanced braces", "f x:n>n;>x 0{1", [], "ILO-P"),
    ("unknown function", "f x:n>n;g x", ["1"], "ILO-T005"),
    ("wrong arity", "g a:n b:n>n;+a b\nf x:n>n;g x", ["1"], "ILO-T006"),
    ("type mismatch", 'f x:n>n;+x "a"', ["1"], "ILO-T"),
    ("undefined variable", "f x:n>n;+x y", ["1"], "ILO-T004"),
    ("division by zero", "f x:n>n;/x 0", ["1"], "ILO-R003"),
    ("index out of range", "f xs:L n>n;xs.9", ["1,2"], "ILO-R006"),
    ("10,000-deep recursion", "f n:n>n;<=n 0 0;r=f -n 1;+r 1", ["10000"], "ILO-R014"),
    ("100,000-deep recursion", "f n:n>n;<=n 0 0;r=f -n 1;+r 1", ["100000"], "ILO-R014"),
    ("reserved word", "f x:n>n;let y=1;y", ["1"], "ILO-P"),
    ("bad number argument", "f x:n>n;*x 2", ["abc"], "ILO-R016"),
    ("unknown function on cli", "f x:n>n;*x 2", ["nope", "1"], "ILO-"),
    ("empty program", "", [], "ILO-"),
    ("binary garbage", "\x01\x02\x7f", [], "ILO-L"),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name,src,args,code", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_programs_give_diagnostics(name, src, args, code, engine):
    r = ilo(f"--run-{engine}", src, *args)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert code in r.stderr, r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("engine", ENGINES)
def test_recursion_below_the_depth_limit_works(engine):
    # The limit is ILO_MAX_DEPTH call frames (default 10,000); just below it runs fine.
    r = ilo(f"--run-{engine}", "f n:n>n;<=n 0 0;r=f -n 1;+r 1", "9000")
    assert r.returncode == 0 and r.stdout == "9000\n", r.stderr


def test_json_diagnostics():
    r = ilo("--json", "f x:n>n;+x y", "1")
    assert r.returncode == 1
    objs = [json.loads(line) for line in r.stderr.splitlines() if line.strip()]
    assert objs and objs[0]["code"] == "ILO-T004"
    # the reference's schema (src/diagnostic/json.rs): sorted keys, labels with spans
    assert objs[0] == {
        "code": "ILO-T004", "severity": "error", "message": "undefined variable 'y'",
        "labels": [{"start": 11, "end": 12, "line": 1, "col": 12, "message": "", "primary": True}],
        "notes": ["in function 'f'"], "suggestion": "did you mean 'x'?"}
    assert list(objs[0]) == sorted(objs[0])


def test_all_verify_errors_reported_at_once():
    r = ilo("f x:n>n;a=+x y;b=+x z;+a b", "1")
    assert r.returncode == 1
    assert r.stderr.count("ILO-T004") >= 2


def test_python_m_ilo():
    r = subprocess.run([sys.executable, "-m", "ilo", "f>t;\"hi\""], capture_output=True, text=True, cwd=REPO)
    assert r.stdout == "hi\n"


def test_crlf_files_run(tmp_path):
    path = tmp_path / "w.ilo"
    path.write_bytes(b"dbl x:n>n;*x 2\r\ninc x:n>n;+x 1\r\n")
    r = ilo(str(path), "inc", "4")
    assert (r.returncode, r.stdout) == (0, "5\n"), r.stderr
