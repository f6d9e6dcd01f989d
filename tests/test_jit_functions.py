"""Function kernels: hot functions compile whole (recursion included), loop kernels call the
functions they use directly, and every engine still gives the same values and errors,
including when a kernel gives up in the middle of a compiled call chain."""

from __future__ import annotations

import pytest
from oracle import outcome  # the one differential oracle (value+type, or code+message+span+function)

import ilo
from ilo import config

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(autouse=True)
def _kernel_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "ilo-cache"))


def check(src: str, func: str, *args, numba: str = "never", monkeypatch=None, calls: int = 3,
          ref=("tree", "vm")):
    """Run on the tree and the VM, then ``calls`` times on the JIT (threshold 2: functions
    and loops compile on their second entry); every answer must be the same. Returns the
    JIT's stats of the last call."""
    if monkeypatch is not None:
        monkeypatch.setattr(config, "JIT_NUMBA", numba)
    want = outcome(ilo.load(src), func, args, ref[0])
    for engine in ref[1:]:
        assert outcome(ilo.load(src), func, args, engine) == want
    program = ilo.load(src)
    for _ in range(calls):
        assert outcome(program, func, args, "jit", jit_threshold=2) == want
    return program.last_jit_stats


FIB = "fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b"
GUARDS = ("classify x:n>n;>=x 900 30;>=x 700 25;>=x 500 20;>=x 300 15;>=x 100 10;5\n"
          "f n:n>n;s=0;i=0;wh <i n{c=classify i;s=+s c;i=+i 1};s")
PIPE = ("dbl x:n>n;*x 2\ninc x:n>n;+x 1\n"
        "f n:n>n;s=0;i=0;wh <i n{v=i>>dbl>>inc>>dbl>>inc;s=+s v;i=+i 1};s")
CHAIN = ("h x:n>n;/ 10 x\ng x:n>n;y=h x;+y 1\n"
         "f n:n>n;s=0;@i 0..n{d=- 5 i;v=g d;s=+s v};s")


@pytest.mark.parametrize("numba", ["never", "always"])
def test_recursive_function_compiles_with_its_own_kernel(numba, monkeypatch):
    stats = check(FIB, "fib", 15, numba=numba, monkeypatch=monkeypatch)
    (fk,) = [k for k in stats.functions if k.name == "fib"]
    assert fk.backend == ("numba" if numba == "always" else "python") and fk.entries >= 1
    assert "compiled function fib(n)" in stats.report()


@pytest.mark.parametrize("numba", ["never", "always"])
@pytest.mark.parametrize("src", [GUARDS, PIPE], ids=["guards", "pipe"])
def test_loops_call_the_kernels_of_the_functions_they_use(src, numba, monkeypatch):
    stats = check(src, "f", 300, numba=numba, monkeypatch=monkeypatch)
    ran = [k for k in stats.functions if k.name == "f"] or stats.compiled
    assert ran, stats.report()
    assert all(k.backend == ("numba" if numba == "always" else "python") for k in ran)


@pytest.mark.parametrize("numba", ["never", "always"])
def test_division_by_zero_deep_in_a_compiled_call_chain_is_the_vms_error(numba, monkeypatch):
    # f's loop kernel calls g's kernel, which calls h's: h divides by zero at i = 5
    stats = check(CHAIN, "f", 10, numba=numba, monkeypatch=monkeypatch)
    assert any(k.deopts for k in [*stats.functions, *stats.compiled]), stats.report()


def test_division_by_zero_does_not_happen_when_the_chain_is_clean():
    check(CHAIN, "f", 5)


def test_a_text_value_reaching_a_numeric_kernel_runs_on_the_vm():
    # g is compiled for numbers; a text argument leaves it at its entry, mid-way through
    # the caller's compiled loop, and the VM finishes with the same answer
    src = "g x:_>_;+x x\nf xs:L _>L _;ys=[];@x xs{y=g x;ys=+=ys y};ys"
    check(src, "f", [1.0, 2.0, 3.0, 4.0, "a", 5.0, 6.0])


def test_a_text_value_inside_a_list_leaves_a_compiled_chain_consistently():
    # the element read in h (two calls deep) is text for one entry: h's guard gives up,
    # the call is run again on the VM, the loop carries on
    src = ("h xs:L _>_;x=xs.0;+x x\ng xs:L _>_;h xs\n"
           "f xss:L L _>L _;r=[];@xs xss{v=g xs;r=+=r v};r")
    check(src, "f", [[1.0], [2.0], [3.0], [4.0], ["a"], [5.0]])


@pytest.mark.parametrize("numba", ["never", "always"])
def test_recursion_deeper_than_the_depth_limit_is_the_vms_error(numba, monkeypatch):
    # the tree engine has its own depth accounting: the VM is the reference here
    monkeypatch.setattr(config, "MAX_DEPTH", 200)
    src = "r n:n>n;<=n 0 0;a=r -n 1;+a 1"
    assert check(src, "r", 150, numba=numba, monkeypatch=monkeypatch, ref=("vm",)).functions
    check(src, "r", 400, numba=numba, monkeypatch=monkeypatch, ref=("vm",))
    assert outcome(ilo.load(src), "r", [400], "vm")[1] == "ILO-R014"


def test_a_function_kernel_never_changes_a_list_its_caller_still_sees():
    src = ("grow xs:L n>L n;xs=+=xs 1;xs\n"
           "f n:n>n;ys=[1 2];s=0;@i 0..n{zs=grow ys;l=len zs;s=+s l};k=len ys;+s k")
    check(src, "f", 20)
    src2 = "grow xs:L n>L n;xs=+=xs 1;xs\nf n:n>L n;ys=[1 2];zs=grow ys;ws=grow ys;+ws zs"
    check(src2, "f", 1)


def test_a_list_made_inside_a_function_kernel_grows_in_place():
    src = "mk n:n>L n;xs=[];@i 0..n{xs=+=xs i};xs\nf n:n>n;s=0;@j 0..n{ys=mk j;l=len ys;s=+s l};s"
    check(src, "f", 40)


def test_functions_with_effects_never_compile():
    src = "p x:n>n;prnt x;x\nf n:n>n;s=0;@i 0..n{v=p i;s=+s v};s"
    program = ilo.load(src)
    program.call("f", 3, engine="jit", jit_threshold=2)
    stats = program.last_jit_stats
    assert not stats.functions and not stats.compiled


def test_mutual_recursion_stays_on_the_vm_and_agrees():
    src = ("ev n:n>b;<=n 0 true;od -n 1\nod n:n>b;<=n 0 false;ev -n 1\n"
           "f n:n>n;s=0;@i 0..n{e=ev i;e{s=+s 1}};s")
    check(src, "f", 30)


@pytest.mark.parametrize("numba", ["never", "always"])
def test_text_and_bool_results_cross_kernel_calls(numba, monkeypatch):
    src = ("big x:n>b;>x 10\n"
           "lbl x:n>t;b=big x;=b true \"big\";\"small\"\n"
           "f n:n>t;s=\"\";@i 0..n{l=lbl i;s=+s l};s")
    check(src, "f", 14, numba=numba, monkeypatch=monkeypatch)


RECORD = ("type pt{x:n;y:n}\n"
          "f n:n>n;s=0;i=0;wh <i n{yv=*i 2;p=pt x:i y:yv;s=+s +p.x p.y;i=+i 1};s")


def test_records_made_and_read_in_a_kernel_never_become_objects():
    stats = check(RECORD, "f", 50)
    assert [k.backend for k in stats.functions if k.name == "f"] == ["python"]


def test_records_that_escape_are_real_records_on_every_engine():
    # the record leaves the loop (returned, stored in a list): kernels build real records
    src = ("type pt{x:n;y:n}\n"
           "f n:n>L pt;ps=[];@i 0..n{yv=*i 2;p=pt x:i y:yv;ps=+=ps p};ps\n"
           "g n:n>pt;p=pt x:0 y:0;@i 0..n{p=pt x:i y:p.x};p")
    check(src, "f", 5)
    check(src, "g", 40)


def test_a_field_of_a_record_passed_in_stays_on_the_vm_and_agrees():
    src = ("type pt{x:n;y:n}\n"
           "gx p:pt>n;p.x\n"
           "f n:n>n;p=pt x:3 y:4;s=0;@i 0..n{v=gx p;s=+s v};s")
    check(src, "f", 30)
