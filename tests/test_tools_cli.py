"""The everyday tools, each run as a subprocess: references, help for error codes, the
formatter, the REPL driven through a pipe, --bench, --help and --version. Also checks that
every construct example in the generated references runs and prints what they claim.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ENGINES, REPO

from ilo import api
from ilo.diagnostics.codes import REGISTRY
from ilo.docs import CONSTRUCTS
from ilo.runtime.builtins.registry import all_builtins
from ilo.runtime.format import format_value


def ilo(*args: str, stdin: str | None = "") -> subprocess.CompletedProcess:
    # stdin defaults to empty so that nothing here can wait on a terminal.
    return subprocess.run([sys.executable, "-m", "ilo", *args], capture_output=True, text=True,
                          cwd=REPO, input=stdin, timeout=120)


# ── References ──────────────────────────────────────────────────────────────


def test_ai_reference_lists_every_builtin_and_construct():
    r = ilo("-ai")
    assert r.returncode == 0, r.stderr
    text = r.stdout
    for spec in all_builtins().values():
        assert f"\n{spec.name}" in text, spec.name
    for c in CONSTRUCTS:
        assert c.syntax in text
    # fits in a system prompt: 114 builtins now (the reference's own ai.txt is 57 KB)
    assert 4_000 < len(text.encode()) < 24_000
    assert ilo("help", "ai").stdout == text


def test_help_lang_is_the_full_reference():
    r = ilo("help", "lang")
    assert r.returncode == 0
    assert "## Builtins" in r.stdout and "## Error codes" in r.stdout
    for code in REGISTRY:
        assert code in r.stdout
    assert len(r.stdout) > len(ilo("-ai").stdout)


@pytest.mark.parametrize("argv", [("help", "ILO-T004"), ("help", "ilo-t004"), ("--explain", "ILO-T004")])
def test_help_explains_an_error_code(argv):
    r = ilo(*argv)
    assert r.returncode == 0
    assert r.stdout.startswith("ILO-T004: undefined variable")
    assert REGISTRY["ILO-T004"].explanation in r.stdout


def test_help_for_unknown_code_is_a_usage_error():
    r = ilo("help", "ILO-X999")
    assert r.returncode == 1 and "unknown error code" in r.stderr and "Traceback" not in r.stderr


def test_help_lists_engines_and_tools():
    r = ilo("--help")
    assert r.returncode == 0
    for word in ("--run-tree", "--run-vm", "--run-jit", "--fmt", "--fmt-expanded", "--bench", "-ai", "REPL"):
        assert word in r.stdout, word
    assert ilo("help").stdout == r.stdout


def test_version():
    r = ilo("--version")
    assert r.returncode == 0 and r.stdout.startswith("ilo ")


@pytest.mark.parametrize("construct", CONSTRUCTS, ids=[c.syntax for c in CONSTRUCTS])
def test_every_documented_example_prints_what_the_reference_says(construct):
    program = api.load(construct.example)
    if not construct.run:
        return
    name = program.resolve_function(construct.run[0])
    args = api.coerce_cli_args(program, name, list(construct.run[1:]))
    for engine in ENGINES:
        assert format_value(program.call(name, *args, engine=engine)) == construct.out, engine


# ── Formatter ───────────────────────────────────────────────────────────────


def test_fmt_prints_the_dense_form_of_a_file():
    r = ilo("--fmt", "examples/infix.ilo")
    assert r.returncode == 0, r.stderr
    assert "lin a:n b:n x:n>n;+*a x b" in r.stdout.splitlines()
    again = ilo("--fmt", r.stdout.strip())  # formatting the output changes nothing
    assert again.stdout == r.stdout


def test_fmt_expanded_is_indented_and_runs_the_same():
    r = ilo("--fmt-expanded", 'cls sp:n>t;>=sp 1000{ret "gold"};"bronze"')
    assert r.returncode == 0
    assert r.stdout == 'cls sp:n > t\n  >= sp 1000 {\n    ret "gold"\n  }\n  "bronze"\n'
    run = ilo(r.stdout, "2000")
    assert run.stdout == "gold\n"


def test_fmt_reports_parse_errors():
    r = ilo("--fmt", "f x:n>n;+x")
    assert r.returncode == 1 and "ILO-P" in r.stderr and "Traceback" not in r.stderr


def test_fmt_needs_a_program():
    assert ilo("--fmt").returncode == 1  # the reference exits 1 on a usage error


# ── REPL ────────────────────────────────────────────────────────────────────


def test_repl_through_a_pipe():
    session = "\n".join([
        "dbl x:n>n;*x 2",
        "dbl 21",
        "x=dbl 4",
        "+x 1",
        ":engine tree",
        "sq x:n>n",  # a header alone continues on the next lines
        "  *x x",
        "",
        "sq 5",
        ">x 3{",  # open braces continue too
        '  "big"',
        '}{"small"}',
        "nope 1",
        ":engine vm",
        "+x 2",
        ":quit",
        "dbl 1",
    ]) + "\n"
    r = ilo(stdin=session)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "defined dbl", "42", "x = 8", "9", "engine: tree", "defined sq", "25", "big", "engine: vm", "10",
    ]
    assert "ILO-T005" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("engine", ENGINES)
def test_repl_on_each_engine(engine):
    r = ilo(stdin=f":engine {engine}\nf n:n>n;s=0;@i 0..n{{s=+s i}};s\nf 100\n/1 0\n")
    assert r.stdout.splitlines() == [f"engine: {engine}", "defined f", "4950"]
    assert "ILO-R003" in r.stderr


def test_repl_also_under_a_run_flag_and_at_end_of_input():
    r = ilo("--run-tree", stdin=":engine\n")
    assert r.returncode == 0 and r.stdout.startswith("engine: tree")
    assert ilo(stdin="").returncode == 0


def test_repl_subcommand_as_the_reference_spells_it():
    # `ilo repl` is the REPL (never a program named repl); `ilo repl -j` the JSON request loop
    r = ilo("repl", "--run-vm", stdin=":engine\ndbl x:n>n;*x 2\ndbl 21\n")
    assert r.returncode == 0 and r.stdout.splitlines()[1:] == ["defined dbl", "42"]
    assert r.stdout.startswith("engine: vm")
    r = ilo("repl", "-j", stdin='{"program": "f>n;7"}\n')
    lines = r.stdout.splitlines()
    assert r.returncode == 0 and lines[0] == '{"ready":true}' and json.loads(lines[1])["ok"] == 7
    r = ilo("repl", "--bogus")
    assert r.returncode == 1 and "unknown option '--bogus'" in r.stderr and "Traceback" not in r.stderr


def test_repl_keeps_records_and_rejects_bad_definitions():
    r = ilo(stdin="type pt{x:n;y:n}\np=pt x:1 y:2\np.y\nbad x:n>n;+x \"a\"\n:defs\n")
    lines = r.stdout.splitlines()
    assert lines[:3] == ["defined pt", "p = pt {x: 1, y: 2}", "2"]
    assert lines[3:] == ["type pt{x:n;y:n}"]  # the ill-typed function was not kept
    assert "ILO-T" in r.stderr


# ── Bench ───────────────────────────────────────────────────────────────────


def test_bench_times_every_engine():
    r = ilo("f x:n>n;s=0;@i 0..x{s=+s i};s", "--bench", "f", "50", "--bench-time", "0.05")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "bench: f 50"
    for engine in ENGINES:
        row = next(line.split() for line in lines if line.startswith(engine + " "))
        assert row[-1] == "1225" and int(row[2]) >= 1
        assert row[1].endswith(("ns", "µs", "ms", "s"))


def test_bench_on_one_engine_and_reports_errors():
    r = ilo("f x:n>n;/1 x", "--run-tree", "--bench", "f", "0", "--bench-time=0.01")
    assert r.returncode == 1
    assert "tree" in r.stdout and "ILO-R003" in r.stdout and "vm " not in r.stdout


# ── ilo help NAME ───────────────────────────────────────────────────────────


def test_help_answers_every_builtin_alias_construct_and_code():
    from ilo.docs import explain_code, help_topics

    for spec in all_builtins().values():
        for word in (spec.name, *spec.aliases):
            text = explain_code(word)
            assert text and text.startswith(f"{spec.name}") and spec.doc in text, word
    for c in CONSTRUCTS:
        for word in (c.topic, *c.names):
            assert c.syntax in (explain_code(word) or ""), word
    for code in REGISTRY:
        assert explain_code(code).startswith(code)
    assert "serv" in help_topics() and explain_code("nonsense-word") is None


@pytest.mark.parametrize("word,expect", [("map", "map (F a c) (L a) > L c"), ("fold", "fld/fold"),
                                         ("wh", "wh cond{body}"), (">>", "x>>f a"), ("serv", '"ready":true')])
def test_help_name_on_the_command_line(word, expect):
    r = ilo("help", word)
    assert r.returncode == 0 and expect in r.stdout, r.stderr
