"""`--emit python`: the emitted module runs without ilo and gives the engines' results.

Every `-- run:` case of every example program is run through the emitted module (imported in
a subprocess-free way, but from a temporary directory with ilo's package unreachable for its
imports) and compared with the tree engine and with the file's `-- out:` / `-- err:` line.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import subprocess
import sys

import pytest
from annotations import parse_annotations
from conftest import ENGINES, REPO
from test_examples import EXAMPLES

from ilo import api, entry
from ilo.diagnostics.diagnostic import IloError
from ilo.pyemit import emit_python
from ilo.runtime.format import format_value
from ilo.runtime.values import FnRef

pytestmark = pytest.mark.timeout(300)


def _load_module(text: str, tmp_path, name: str):
    path = tmp_path / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"emitted_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _outcome(call, fmt) -> tuple[str, str, str]:
    """(kind, text, stdout): ("out", formatted value) or ("err", code)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        try:
            value = call()
        except IloError as e:
            return "err", e.code, buf.getvalue()
        except Exception as e:  # the emitted module's IloRuntimeError
            code = getattr(e, "code", None)
            if code is None:
                raise
            return "err", code, buf.getvalue()
    return "out", fmt(value), buf.getvalue()


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_emitted_module_matches_the_engines(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    try:
        program = api.load_file(path)
    except IloError:
        pytest.skip("the file does not load (its cases expect a load error)")
    module = _load_module(emit_python(program), tmp_path, path.stem.replace("-", "_"))
    cases, _ = parse_annotations(path)
    checked = 0
    for lineno, func, words, kind, expected in cases:
        try:  # the function and arguments the command line would pick (ilo.entry)
            name, rest = entry.select_entry(program, [func, *words], True, path.name)
            entry.check_arity(program, name, rest)
            args = entry.parse_args(program, name, rest)
        except IloError:
            continue  # a bad command-line word: nothing reaches a function
        emitted_args = [module.FnRef(a.name) if isinstance(a, FnRef) else a for a in args]
        want = _outcome(lambda n=name, a=args: program.call(n, *a, engine="tree"), format_value)
        got = _outcome(lambda n=name, a=emitted_args: module.FUNCTIONS[n](*a), module.format_value)
        assert got == want, f"{path.name}:{lineno} {func} {words}"
        if kind == "out":
            # the command line prints an ok result bare (`~3` shows as `3`)
            shown = got[1].strip()
            shown = shown[1:] if shown.startswith("~") else shown
            assert got[0] == "out" and expected.strip() in (shown, got[1].strip()) \
                or got[2].strip().endswith(expected)
        checked += 1
    assert checked or not cases


def test_emitted_module_needs_no_ilo(tmp_path):
    program = api.load("tot xs:L n>n;s=0;@x xs{s=+s x};s\nwc ws:L t>M t n;m=mmap;@w ws{c=mget m w;c=c??0;"
                       "d=+c 1;m=mset m w d};m\nsq x:n>n;*x x\nsqs xs:L n>L n;map sq xs")
    path = tmp_path / "prog.py"
    path.write_text(emit_python(program), encoding="utf-8")
    code = ("import sys; sys.modules['ilo'] = None\n"  # importing ilo would now fail
            "import prog\n"
            "print(prog.tot([1, 2, 3.5]), prog.wc(['a', 'b', 'a']), prog.sqs([1, 2]), prog.FUNCTIONS['sq'](3))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "6.5 {'a': 2.0, 'b': 1.0} [1.0, 4.0] 9.0"
    r = subprocess.run([sys.executable, str(path), "tot", "[1,2]"], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "3"


@pytest.mark.parametrize("src,func,args", [
    ("f x:n>n;/x 0", "f", [1]),
    ("f xs:L n>n;xs.5", "f", [[1]]),
    ("f x:n>n;fac x\nfac n:n>n;<=n 1 1;r=fac -n 1;*n r", "f", [3000]),
    ("f x:n>R n t;<x 0 ^\"neg\";~x", "f", [-1]),
    ("g x:n>R n t;<x 0 ^\"neg\";~x\nf x:n>R n t;v=g! x;~+v 1", "f", [-2]),
    ("f xs:L n>n;s=0;@x xs{>x 2{brk};s=+s x};s", "f", [[1, 2, 3, 4]]),
    ("f xs:L n>n;s=0;@x xs{=x 2{cnt};s=+s x};s", "f", [[1, 2, 3]]),
    ("f x:n>t;v=?x{1:\"a\";_:\"b\"};+v \"!\"", "f", [1]),
    ("f x:n>n;y=1;>x 0{y=2};y", "f", [1]),
    ("f x:n>n;@i 0..3{x=+x i};x", "f", [10]),
    ("f x:n>n;i=0;wh <i x{i=+i 1};i", "f", [5]),
    ("f x:n>n;>x 0{ret 1}{ret 2};3", "f", [1]),
    ("f x:n>n;?x{1:ret 5;_:0};9", "f", [1]),
    ("f x:_>t;?x{n v:\"num\";t v:\"text\";~v:\"ok\";_:\"other\"}", "f", ["s"]),
    ("type pt{x:n;y:n}\nf>t;p=pt y:2 x:1;{x;y}=p;q=p with x:9;s=+q.x y;str s", "f", []),
    ("f x:O n>n;x??7", "f", [None]),
    ("f a:b b:b>b;|a b", "f", [False, True]),
    ("f x:n>n;x", "f", ["text"]),
    ("f x:n>n;x", "f", [1, 2]),
    ("type pt{x:n;y:n}\nf p:pt>n;p.x", "f", [{"x": 1}]),
    ("f xs:L n>n;len xs", "f", [[1, "a"]]),
    ("f x:n>n;x", "f", [10**400]),
])
def test_control_flow_and_errors_match(src, func, args, tmp_path):
    program = api.load(src)
    module = _load_module(emit_python(program), tmp_path, "case")
    for engine in ENGINES:
        want = _outcome(lambda e=engine: program.call(func, *args, engine=e), format_value)
        got = _outcome(lambda: module.FUNCTIONS[func](*args), module.format_value)
        assert got == want, engine


def test_cli_emit_python():
    r = subprocess.run([sys.executable, "-m", "ilo", "dbl x:n>n;*x 2", "--emit", "python"], capture_output=True,
                       text=True, cwd=REPO, timeout=60)
    assert r.returncode == 0 and "def dbl(*args):" in r.stdout
    r = subprocess.run([sys.executable, "-m", "ilo", "f x:n>n;+x y", "--emit", "python"], capture_output=True,
                       text=True, cwd=REPO, timeout=60)
    assert r.returncode == 1 and "ILO-T004" in r.stderr and "Traceback" not in r.stderr


def test_emitted_modules_match_the_tree_engine_on_the_conformance_corpus(tmp_path, monkeypatch):
    """Every third program of the reference's annotated examples that loads here: each of its
    runs through the emitted module and the tree engine must agree (value and output, or code)."""
    import json

    from conftest import SHARED

    corpus = SHARED / "conformance" / "examples.jsonl"
    if not corpus.exists():
        pytest.skip("no shared conformance corpus")
    monkeypatch.chdir(tmp_path)
    by_src: dict = {}
    for line in corpus.read_text().splitlines():
        row = json.loads(line)
        by_src.setdefault(row["src"], set()).add((row["func"], tuple(row["args"] or [])))
    compared = 0
    for i, (src, runs) in enumerate(sorted(by_src.items())):
        if i % 3:
            continue
        try:
            program = api.load(src)
        except IloError:
            continue
        module = _load_module(emit_python(program), tmp_path, f"conf{i}")
        for func, words in sorted(runs, key=repr):
            known = func in program.function_names
            try:
                name = program.resolve_function(func if known else None)
                args = api.coerce_cli_args(program, name, list(words) if known else [func, *words] if func else [])
            except IloError:
                continue
            with contextlib.redirect_stderr(io.StringIO()):
                want = _outcome(lambda n=name, a=args, p=program: p.call(n, *a, engine="tree", timeout=10), format_value)
                if want[:2] == ("err", "ILO-R015"):
                    continue  # limits are not carried over
                eargs = [module.FnRef(a.name) if isinstance(a, FnRef) else a for a in args]
                got = _outcome(lambda n=name, a=eargs, m=module: m.FUNCTIONS[n](*a), module.format_value)
            assert got == want, f"{src[:200]}\n{func} {words}"
            compared += 1
    assert compared > 50
