"""Running a program from the command line the way the reference's CLI does, on every engine:
what is printed for a result, which function runs, how words become arguments, flags
anywhere, warnings, and programs too long or too odd to be file names. In-process (fast);
tests/test_cli.py covers the real subprocess.
"""

from __future__ import annotations

import json

import pytest
from conftest import first_diagnostic, run_cli

from ilo.diagnostics.diagnostic import Diagnostic


def cli(engine: str, *argv: str) -> tuple[int, str, str]:
    return run_cli([f"--run-{engine}", *argv])


# ── what the entry function's result prints ─────────────────────────────────


def test_ok_prints_bare(engine):
    assert cli(engine, "f>R n t;~7") == (0, "7\n", "")


def test_err_prints_on_stderr_and_exits_1(engine):
    assert cli(engine, 'f x:n>R n t;<x 0 ^"negative";~x', "-3") == (1, "", "^negative\n")
    assert cli(engine, 'f x:n>R n t;<x 0 ^"negative";~x', "3") == (0, "3\n", "")


def test_nested_results_keep_their_sigils(engine):
    assert cli(engine, "f>L R n t;[~1, ^\"x\"]") == (0, "[~1, ^x]\n", "")


def test_a_body_ending_with_a_loop_prints_nothing_more(engine):
    assert cli(engine, "f>n;@i 0..3{prnt i}") == (0, "0\n1\n2\n", "")
    assert cli(engine, "f n:n>_;s=0;@i 0..n{s=+s i}", "5") == (0, "", "")


def test_a_loop_tail_with_an_early_return_still_prints(engine):
    # a `ret` or braceless guard anywhere means the value may be a real answer
    status, out, _ = cli(engine, "f xs:L n>_;@x xs{>x 2{ret x}}", "1,5,2")
    assert (status, out) == (0, "5\n")


def test_err_from_a_loop_tail_still_reported(engine):
    assert cli(engine, 'f>R n t;@i 0..2{^"stop"}')[0:1] in ((0,), (1,))  # never a crash
    status, out, err = cli(engine, 'f>R n t;r=^"boom";r')
    assert (status, out, err) == (1, "", "^boom\n")


def test_json_result(engine):
    assert cli(engine, "--json", "f>R n t;~7") == (0, '{"ok":7}\n', "")
    assert cli(engine, "f>R n t;^\"bad\"", "-j") == (1, '{"error":{"phase":"program","value":"bad"}}\n', "")
    status, out, _ = cli(engine, "--json", 'f>M t n;m=mmap;m=mset m "b" 1.5;mset m "a" 2')
    assert (status, json.loads(out)) == (0, {"ok": {"a": 2, "b": 1.5}})
    status, out, _ = cli(engine, "--json", 'f>L R n t;[~1, ^"x", ~nil]')
    assert json.loads(out) == {"ok": [{"ok": 1}, {"err": "x"}, {"ok": None}]}
    assert cli(engine, "--json", "f>n;@i 0..2{prnt i}")[1] == "0\n1\n{\"ok\":1}\n"  # JSON always has a result


def test_json_diagnostics_schema(engine):
    status, out, err = cli(engine, "--json", "f x:n>n;/x 0", "1")
    assert (status, out) == (1, "")
    obj = json.loads(err)
    assert obj == {"code": "ILO-R003", "message": "division by zero", "severity": "error",
                   "labels": [{"start": 8, "end": 12, "line": 1, "col": 9, "message": "here", "primary": True}],
                   "notes": ["in function 'f'"]}


def test_human_diagnostic_layout(engine):
    status, _, err = cli(engine, "--text", "f x:n>n;/x 0", "1")
    assert status == 1
    assert err.splitlines()[:6] == ["error[ILO-R003]: division by zero", "  --> 1:9", "  |",
                                    "1 | f x:n>n;/x 0", "  |         ^^^^ here", "  |"]


# ── which function runs ─────────────────────────────────────────────────────

MULTI = "dbl x:n>n;*x 2\nmain x:n>n;+x 1\n"
NO_MAIN = "dbl x:n>n;*x 2\ninc x:n>n;+x 1\n"


def test_single_function_file_runs_it(engine, tmp_path):
    path = tmp_path / "one.ilo"
    path.write_text("sq x:n>n;*x x\n")
    assert cli(engine, str(path), "7") == (0, "49\n", "")
    assert cli(engine, str(path), "sq", "7") == (0, "49\n", "")


def test_multi_function_file_picks_main(engine, tmp_path):
    path = tmp_path / "multi.ilo"
    path.write_text(MULTI)
    assert cli(engine, str(path), "4") == (0, "5\n", "")
    assert cli(engine, str(path), "dbl", "4") == (0, "8\n", "")
    # a first word that is not a name goes to main (`ilo prog.ilo data.csv`, `ilo prog.ilo 42`)
    assert cli(engine, str(path), "-4") == (0, "-3\n", "")


def test_multi_function_file_without_main(engine, tmp_path):
    path = tmp_path / "nomain.ilo"
    path.write_text(NO_MAIN)
    status, out, err = cli(engine, str(path))
    assert (status, out) == (1, "")
    assert "ILO-R002" in err and "dbl, inc" in err
    status, _, err = cli(engine, str(path), "inx", "3")  # identifier-shaped: a mistyped name
    assert status == 1 and "no function named 'inx'" in err and "did you mean 'inc'?" in err
    assert cli(engine, str(path), "3") == (0, "6\n", "")  # data goes to the first function


def test_inline_program_function_name_or_argument(engine):
    assert cli(engine, "f x:t>t;x", "hello") == (0, "hello\n", "")
    # a word that names a function is the function's name, as in the reference
    assert first_diagnostic(cli(engine, "f x:t>t;x", "f")[2])["message"] == "f: expected 1 args, got 0"
    status, _, err = cli(engine, "f x:n>n;x", "nope", "1")  # one word too many: a mistyped name
    assert status == 1 and "ILO-R002" in err
    assert cli(engine, "g x:n>n;*x 3\nmain>n;g 2") == (0, "6\n", "")


@pytest.mark.parametrize("words,expected", [([], 0), (["1", "2"], 2)])
def test_wrong_argument_count_is_an_error(engine, words, expected):
    status, out, err = cli(engine, "f x:n>n;x", *words)
    assert (status, out) == (1, "")
    d = first_diagnostic(err)
    assert (d["code"], d["severity"], d["message"]) == ("ILO-R004", "error", f"f: expected 1 args, got {expected}")


def test_engine_flags_anywhere(tmp_path):
    path = tmp_path / "multi.ilo"
    path.write_text(MULTI)
    for argv in ([str(path), "--run-vm", "dbl", "4"], [str(path), "dbl", "4", "--run-tree"],
                 ["--run-jit", str(path), "dbl", "4"], [str(path), "dbl", "--json", "4"]):
        status, out, _ = run_cli(argv)
        assert status == 0 and out.strip() in ("8", '{"ok":8}'), argv
    status, _, err = run_cli(["--run-tree", str(path), "--run-vm", "4"])
    assert status == 1 and "mutually exclusive" in err
    status, _, err = run_cli(["--json", "--text", "f>n;1"])
    assert status == 1 and "mutually exclusive" in err


# ── words as arguments ──────────────────────────────────────────────────────


def test_text_parameter_takes_the_raw_word(engine):
    assert cli(engine, 'f x:t>t;+x "!"', "12") == (0, "12!\n", "")
    assert cli(engine, 'f x:t>t;+x "!"', "true") == (0, "true!\n", "")
    assert cli(engine, 'f x:t>t;+x "!"', "1,2") == (0, "1,2!\n", "")
    assert cli(engine, 'f x:t>n;len x', '"hi"') == (0, "2\n", "")  # surrounding quotes removed


def test_text_list_items_lose_their_quotes(engine):
    assert cli(engine, "f xs:L t>n;len xs.0", '["apple","ant"]') == (0, "5\n", "")
    assert cli(engine, "f xs:L t>t;xs.1", "a,b") == (0, "b\n", "")
    assert cli(engine, "f xs:L n>n;len xs", "[]") == (0, "0\n", "")
    assert cli(engine, "f xs:L n>n;hd xs", "5") == (0, "5\n", "")  # one word, a one-item list


def test_nested_list_arguments(engine):
    assert cli(engine, "f xs:L (L n)>n;len xs", "[[1,2],[3,4]]")[1] in ("2\n", "")
    assert cli(engine, "f x:_>n;len x", "[[1,2],[3,4],[5]]") == (0, "3\n", "")


# ── warnings ────────────────────────────────────────────────────────────────


def _with_warning(monkeypatch):
    """Programs loaded with one warning attached, as the verifier will attach them."""
    from ilo import api

    real = api.Program.__init__

    def init(self, verified):
        real(self, verified)
        self.warnings = [Diagnostic("ILO-T029", "something to look at", severity="warning")]

    monkeypatch.setattr(api.Program, "__init__", init)


def test_warnings_go_to_stderr(engine, monkeypatch):
    _with_warning(monkeypatch)
    status, out, err = cli(engine, "--text", "f>n;1")
    assert (status, out) == (0, "1\n")
    assert err.startswith("warning[ILO-T029]: something to look at")
    status, out, err = cli(engine, "f>n;1")  # stderr not a terminal: a JSON line, result unwrapped
    assert (status, out) == (0, "1\n")
    w = json.loads(err)
    assert (w["code"], w["severity"], w["message"]) == ("ILO-T029", "warning", "something to look at")
    status, out, err = cli(engine, "--json", "f>n;1")
    assert (status, out) == (0, '{"ok":1}\n')
    assert json.loads(err)["severity"] == "warning"


def test_no_hints_silences_warnings(engine, monkeypatch):
    _with_warning(monkeypatch)
    assert cli(engine, "--no-hints", "f>n;1") == (0, "1\n", "")
    assert cli(engine, "f>n;1", "-nh") == (0, "1\n", "")


def test_program_has_no_warnings_by_default():
    import ilo

    assert ilo.load("f>n;1").warnings == []


# ── file or inline source ───────────────────────────────────────────────────


@pytest.mark.parametrize("size", [300, 5000, 100_000])
def test_long_inline_program_is_never_a_file_name(engine, size):
    body = "x=1;" * (size // 4)
    assert cli(engine, f"f>n;{body}x")[:2] == (0, "1\n")


@pytest.mark.parametrize("text", ["..", "/", "\0", "a\0b.ilo", "x" * 300 + ".ilo", "f>n;1 -- see a.ilo"])
def test_odd_program_words_never_raise(engine, text):
    status, _, err = cli(engine, text)
    assert status in (0, 1) and "Traceback" not in err and "ILO-R013" not in err


def test_missing_file_is_reported(engine, tmp_path):
    status, _, err = cli(engine, str(tmp_path / "missing.ilo"))
    assert status == 1 and "ILO-R017" in err


def test_entry_helpers_never_raise():
    from ilo.entry import is_file_argument, looks_like_function_name

    for text in ["", "x" * 10_000, "\0", "a/" * 3000, "~" * 5000 + ".ilo"]:
        assert is_file_argument(text) in (True, False)
    assert [looks_like_function_name(w) for w in ("wibble", "list-orders", "_p", "foo-", "a--b", "42",
                                                   "nil", "-x", "a.csv")] == [
        True, True, True, False, False, False, False, False, False]
