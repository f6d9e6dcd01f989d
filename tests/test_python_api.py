"""The Python surface: attribute calls, values crossing the boundary (huge ints, numpy),
readable reprs, typing marker, docstrings and the %%ilo cell magic; on every engine."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import REPO

import ilo
from ilo.magic import ilo_cell

PROG = "dbl x:n>n;*x 2\nadd-one x:n>n;+x 1\ntot xs:L n>n;s=0;@x xs{s=+s x};s"


def test_functions_are_attributes(engine):
    prog = ilo.load(PROG)
    assert prog.dbl(21, engine=engine) == 42.0
    assert prog.add_one(1, engine=engine) == 2.0  # hyphen written as underscore
    assert prog["add-one"](2, engine=engine) == 3.0
    assert prog.tot([1, 2, 3], engine=engine) == prog.call("tot", [1, 2, 3], engine=engine) == 6.0
    assert {"dbl", "add_one", "tot"} <= set(dir(prog))


def test_attribute_error_lists_the_functions():
    prog = ilo.load(PROG)
    with pytest.raises(AttributeError) as e:
        prog.dbbl(1)
    msg = str(e.value)
    assert "no function 'dbbl'" in msg and "dbl, add-one, tot" in msg and "did you mean 'dbl'" in msg
    with pytest.raises(KeyError):
        prog["nope"]
    assert not hasattr(prog, "__array__")  # dunders are never functions (numpy, copy, pickle probe them)


def test_attribute_call_errors_are_diagnostics():
    prog = ilo.load(PROG)
    with pytest.raises(ilo.IloError) as e:
        prog.dbl(1, 2)
    assert e.value.code == "ILO-T006"
    with pytest.raises(ilo.IloError) as e:
        prog.dbl("x")
    assert e.value.code == "ILO-R016"


def test_reprs():
    prog = ilo.load(PROG)
    assert repr(prog) == "<ilo.Program: dbl x:n>n; add-one x:n>n; tot xs:L n>n>"
    assert repr(prog.dbl) == "<ilo function dbl x:n>n>"
    rec = ilo.run("type pt{x:n;y:n}\nf>pt;pt x:1 y:2", "f")
    assert repr(rec) == "Record('pt', x=1.0, y=2.0)" and rec.x == 1.0


@pytest.mark.parametrize("big", [10**400, -(10**400), 2**1024, 10**5000], ids=["1e400", "-1e400", "2^1024", "1e5000"])
def test_huge_ints_are_diagnostics(engine, big):
    with pytest.raises(ilo.IloError) as e:
        ilo.run("f x:n>n;x", "f", big, engine=engine)
    assert e.value.code == "ILO-R016" and "too large for an ilo number" in str(e.value)
    with pytest.raises(ilo.IloError) as e:
        ilo.run("f xs:L n>n;len xs", "f", [1, big], engine=engine)
    assert e.value.code == "ILO-R016"
    with pytest.raises(ilo.IloError) as e:
        ilo.run("f x:n>n;x", "f", 1, engine=engine, timeout=big)
    assert e.value.code == "ILO-R016"


def test_big_but_representable_ints(engine):
    assert ilo.run("f x:n>n;x", "f", 2**1000, engine=engine) == float(2**1000)
    assert ilo.run("f x:_>_;x", "f", {2**70: 1}, engine=engine) == {str(2**70): 1.0}


def test_numpy_arrays_and_scalars(engine):
    np = pytest.importorskip("numpy")
    prog = ilo.load("tot xs:L n>n;s=0;@x xs{s=+s x};s\nsc x:n>n;*x 2\nneg b:b>b;!b\n"
                    "ln xs:L t>n;len xs\nrows m:L L n>n;s=0;@r m{s=+s (len r)};s")
    assert prog.tot(np.arange(10), engine=engine) == 45.0
    assert prog.tot(np.linspace(0, 1, 5), engine=engine) == 2.5
    assert prog.tot(np.array([1.5, 2.5], dtype=np.float32), engine=engine) == 4.0
    for scalar in (np.float64(1.5), np.float32(1.5), np.int64(3), np.uint8(3)):
        out = prog.sc(scalar, engine=engine)
        assert out == float(scalar) * 2 and type(out) is float
    assert prog.neg(np.bool_(True), engine=engine) is False
    assert prog.ln(np.array(["a", "b"]), engine=engine) == 2.0
    assert prog.rows(np.ones((3, 4)), engine=engine) == 12.0
    with pytest.raises(ilo.IloError) as e:
        prog.tot(np.array([1j]), engine=engine)
    assert e.value.code == "ILO-R016"
    with pytest.raises(ilo.IloError):
        prog.ln(np.array([b"a"]), engine=engine)


def test_numpy_input_is_not_mutated():
    np = pytest.importorskip("numpy")
    xs = np.arange(5.0)
    assert ilo.run("f xs:L n>L n;xs=+=xs 9;xs", "f", xs) == [0.0, 1.0, 2.0, 3.0, 4.0, 9.0]
    assert xs.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_typed_package_and_docstrings():
    assert (REPO / "ilo" / "py.typed").exists()
    assert "py.typed" in (REPO / "pyproject.toml").read_text()
    for obj in (ilo.run, ilo.load, ilo.load_file, ilo.Program, ilo.Program.call, ilo.Function):
        assert obj.__doc__ and obj.__doc__.strip()
    assert ilo.run.__annotations__["return"] and ilo.load.__annotations__["return"]
    assert {"run", "load", "Program"} <= set(dir(ilo))


def test_help_ilo_lists_the_api_without_numba():
    code = "import sys, pydoc, ilo; t = pydoc.render_doc(ilo, renderer=pydoc.plaintext); print('numba' in sys.modules); print(t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         timeout=60).stdout
    assert out.startswith("False")
    assert "load(source" in out and "run(source" in out and "class Program" in out


# ── %%ilo cell magic ──


def test_cell_magic_runs_a_function(capsys):
    assert ilo_cell("dbl 21", "dbl x:n>n;*x 2") == 42.0
    assert ilo_cell("7", "dbl x:n>n;*x 2") == 14.0  # FUNC defaults to the first function
    assert ilo_cell("--engine tree tot 1,2,3", "tot xs:L n>n;s=0;@x xs{s=+s x};s") == 6.0
    assert ilo_cell("f", "f>t;\"hi\"") == "hi"


def test_cell_magic_binds_the_program():
    ns: dict = {}
    prog = ilo_cell("--name p", "sq x:n>n;*x x", ns)
    assert isinstance(prog, ilo.Program) and ns["p"] is prog and ns["p"].sq(3) == 9.0


def test_cell_magic_prints_diagnostics_not_tracebacks(capsys):
    assert ilo_cell("f 1", "f x:n>n;+x y") is None
    err = capsys.readouterr().err
    assert "ILO-T004" in err and "+x y" in err and "Traceback" not in err
    assert ilo_cell("f 1", "f x:n>n;/x 0") is None
    assert "ILO-R003" in capsys.readouterr().err
    assert ilo_cell("--engine gpu f", "f>n;1") is None
    assert "unknown engine" in capsys.readouterr().err
    assert ilo_cell("--max-steps 100 f", "f>n;wh true{x=1};1") is None
    assert "ILO-R015" in capsys.readouterr().err


def test_cell_magic_registers_with_ipython():
    """With IPython itself, if installed (it is not a dependency): `%load_ext ilo`, `%%ilo`,
    `$name` expansion in the magic's line."""
    env_path = os.environ.get("ILO_IPYTHON_PATH", "")  # e.g. a `pip install --target` directory
    code = (
        "from IPython.testing.globalipapp import start_ipython\n"
        "ip = start_ipython(); ip.run_line_magic('load_ext', 'ilo'); ip.user_ns['n'] = 4\n"
        "a = ip.run_cell('%%ilo dbl 21\\ndbl x:n>n;*x 2\\n').result\n"
        "b = ip.run_cell('%%ilo --name prog tot $n\\ntot n:n>n;s=0;@i 0..n{s=+s i};s\\n').result\n"
        "print('RESULT', a, b, ip.user_ns['prog'].tot(10))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (env_path, str(REPO)) if p)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env,
                       timeout=120)
    if "No module named 'IPython'" in r.stderr:
        pytest.skip("IPython is not installed")
    assert "RESULT 42.0 6.0 45.0" in r.stdout, r.stderr
