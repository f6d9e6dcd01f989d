"""``--ast``: the parsed program as JSON (the reference's shape), and the programs that
print it instead of running because there is nothing to run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def ilo(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ilo", *args], capture_output=True, text=True, timeout=60,
                          cwd=cwd or REPO)


def ast_of(*args: str, cwd=None) -> dict:
    out = ilo(*args, cwd=cwd)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_function_with_its_parameters_and_body():
    tree = ast_of("--ast", "tot p:n q:n r:n>n;s=*p q;+s r")
    (decl,) = tree["declarations"]
    fn = decl["Function"]
    assert list(fn) == ["name", "params", "return_type", "body"]
    assert fn["name"] == "tot" and [p["name"] for p in fn["params"]] == ["p", "q", "r"]
    assert fn["params"][0]["ty"] == "Number" and fn["return_type"] == "Number"
    let, tail = fn["body"]
    assert let == {"Let": {"name": "s", "value": {"BinOp": {"op": "Multiply", "left": {"Ref": "p"},
                                                            "right": {"Ref": "q"}}}}}
    assert tail["Expr"]["BinOp"]["op"] == "Add"


def test_the_layout_is_two_space_pretty_json_with_reference_numbers():
    out = ilo("--ast", "f>n;1.5").stdout
    assert out.startswith('{\n  "declarations": [\n    {\n      "Function": {\n')
    assert '"Number": 1.5' in out
    assert '"Number": 1e20' in ilo("--ast", "f>n;100000000000000000000").stdout


def test_types_statements_and_expressions_take_their_reference_names():
    src = ('type pt{x:n;y:n}\n'
           'f xs:L n m:M t n r:R n t o:O n>n;@x xs{>x 3{brk}};wh false{cnt};?r{~v:v;^e:0};'
           'p=pt x:1 y:2;q=p with x:3;z=?? o 0;-q.x z')
    tree = ast_of("--ast", src)
    typedef, fn = tree["declarations"]
    assert typedef["TypeDef"]["fields"][1] == {"name": "y", "ty": "Number"}
    params = [p["ty"] for p in fn["Function"]["params"]]
    assert params == [{"List": "Number"}, {"Map": ["Text", "Number"]}, {"Result": ["Number", "Text"]},
                      {"Optional": "Number"}]
    kinds = [next(iter(s)) if isinstance(s, dict) else s for s in fn["Function"]["body"]]
    assert kinds == ["ForEach", "While", "Match", "Let", "Let", "Let", "Expr"]
    body = fn["Function"]["body"]
    assert body[1]["While"]["body"] == ["Continue"]
    arms = body[2]["Match"]["arms"]
    assert [a["pattern"] for a in arms] == [{"Ok": "v"}, {"Err": "e"}]
    assert body[3]["Let"]["value"]["Record"]["fields"][0] == ["x", {"Literal": {"Number": 1.0}}]
    assert "With" in body[4]["Let"]["value"] and "NilCoalesce" in body[5]["Let"]["value"]


def test_lambdas_are_lifted_functions_referred_to_or_closed_over():
    tree = ast_of("--ast", "f xs:L n k:n>L n;a=map (x:n>n;*x 2) xs;map (x:n>n;+x k) a")
    names = [d["Function"]["name"] for d in tree["declarations"]]
    assert names[0] == "f" and all(n.startswith("__lit_") for n in names[1:]) and len(names) == 3
    first, second = (s["Let"]["value"] if "Let" in s else s["Expr"] for s in tree["declarations"][0]["Function"]["body"])
    assert first["Call"]["args"][0] == {"Ref": names[1]}
    closure = second["Call"]["args"][0]["MakeClosure"]
    assert closure == {"fn_name": names[2], "captures": [{"Ref": "k"}]}


def test_ast_does_not_verify_but_still_needs_a_parse():
    assert "slc" in ilo("--ast", "f>n;slc xs 0 1").stdout  # xs is undefined: no matter here
    bad = ilo("--ast", "f x:n>n;+x")
    assert bad.returncode == 1 and bad.stdout == "" and "ILO-P" in bad.stderr


def test_inline_programs_with_nothing_to_run_print_their_ast():
    two = ast_of("f x:n>n;*x 2\ng x:n>n;+x 1")
    assert [d["Function"]["name"] for d in two["declarations"]] == ["f", "g"]
    assert ast_of("type p{x:n}")["declarations"][0]["TypeDef"]["name"] == "p"
    # ... but one function, a main, a function named, or an engine asked for runs it
    assert ilo("f x:n>n;*x 2\nmain>n;f 4").stdout.strip() == "8"
    assert ilo("f x:n>n;*x 2\ng x:n>n;+x 1", "g", "4").stdout.strip() == "5"
    assert ilo("--run-vm", "f x:n>n;*x 2\ng x:n>n;+x 1").returncode == 1


def test_files_dump_with_ast_or_when_they_define_no_function(tmp_path):
    (tmp_path / "lib.ilo").write_text("dbl x:n>n;*x 2\n")
    (tmp_path / "main.ilo").write_text('use "lib.ilo"\nmain>n;dbl 4\n')
    (tmp_path / "types.ilo").write_text("type pt{x:n;y:n}\n")
    tree = ast_of("--ast", str(tmp_path / "main.ilo"))
    assert [d["Function"]["name"] for d in tree["declarations"]] == ["dbl", "main"]  # imported, no `use`
    assert ast_of(str(tmp_path / "types.ilo"))["declarations"][0]["TypeDef"]["name"] == "pt"
    assert ilo(str(tmp_path / "main.ilo")).stdout.strip() == "8"


def test_a_reader_that_goes_away_is_not_an_error_report():
    p = subprocess.Popen([sys.executable, "-m", "ilo", "f n:n>L n;range 0 n", "200000"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=REPO)
    p.stdout.read(10)
    p.stdout.close()
    err = p.stderr.read().decode()
    p.wait(timeout=60)
    assert "Traceback" not in err and "ILO-R013" not in err
