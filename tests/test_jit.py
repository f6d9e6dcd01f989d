"""The JIT tier end to end: kernels really run (stats), give the VM's and the tree's answers,
never mutate a value another binding sees, fall back with a reason, and hand errors back."""

from __future__ import annotations

import pytest
from conftest import assert_same

import ilo
from ilo import vm
from ilo.jit.tier import JitTier
from ilo.runtime.format import format_value
from ilo.runtime.values import from_python


@pytest.fixture(autouse=True)
def _kernel_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "ilo-cache"))


def jit(src: str, func: str, *args, numba: str = "never", threshold: int = 2):
    program = ilo.load(src)
    tier = JitTier(threshold=threshold, numba=numba)
    value = vm.run(program.compiled(), func, [from_python(a) for a in args], hooks=tier)
    return value, tier.stats


def same_everywhere(src: str, func: str, *args, numba: str = "never"):
    """The differential oracle on every engine, plus a run on a tier with the given numba
    policy whose value (and type) must match the tree's; returns that run's value and stats."""
    expected = assert_same(src, func, *args)
    value, stats = jit(src, func, *args, numba=numba)
    assert (format_value(value), type(value)) == (format_value(expected), type(expected))
    return value, stats


MSET = "g n:n>M t n;m=mmap;@i 0..n{m=mset m (str i) i};m"
WORDS = "wc ws:L t>M t n;m=mmap;@w ws{c=mget m w;c=c??0;d=+c 1;m=mset m w d};m"
WHILE = "f n:n>n;s=0;i=0;wh <i n{s=+s *i 2;i=+i 1};s"
RANGE = "f n:n>n;s=0;@i 0..n{s=+s i};s"
APPEND = "a n:n>L n;xs=[];@i 0..n{xs=+=xs i};xs"


def test_mset_accumulator_with_number_values_runs_a_kernel():
    value, stats = same_everywhere(MSET, "g", 300)
    assert len(value) == 300 and value["299"] == 299.0
    assert stats.ran("python")
    assert any("MSET at pc" in c and "in place" in c for s in stats.compiled for c in s.choices)


def test_word_count_into_a_text_to_number_map_runs_a_kernel():
    words = ["to", "be", "or", "not", "to", "be"] * 50
    value, stats = same_everywhere(WORDS, "wc", words)
    assert value == {"to": 100.0, "be": 100.0, "or": 50.0, "not": 50.0}
    assert stats.ran()


@pytest.mark.parametrize("numba", ["never", "always"])
@pytest.mark.parametrize("src", [WHILE, RANGE], ids=["wh", "range"])
def test_numeric_loops_run_kernels(src, numba):
    value, stats = same_everywhere(src, "f", 1000, numba=numba)
    assert stats.ran("numba" if numba == "always" else "python")


@pytest.mark.parametrize("numba", ["never", "always"])
def test_list_append_accumulator_runs_a_kernel(numba):
    value, stats = same_everywhere(APPEND, "a", 500, numba=numba)
    assert value == [float(i) for i in range(500)]
    assert stats.ran("numba" if numba == "always" else "python")


def test_nested_loops_and_guards_inside_kernels():
    src = "f n:n>n;s=0;@i 0..n{@j 0..i{>j 3{cnt};s=+s j};=i 7{brk}};s"
    for numba in ("never", "always"):
        _, stats = same_everywhere(src, "f", 20, numba=numba)
        assert stats.ran()


# ── ownership: a kernel never mutates what another binding sees ──────────────


def test_mset_into_another_name_leaves_the_map_unchanged():
    src = 'f n:n>n;m=mset mmap "a" 1;m2=m;@i 0..n{m2=mset m (str i) i};a=len m;b=len m2;+*1000 a b'
    value, stats = same_everywhere(src, "f", 50)
    assert value == 1000.0 + 2.0  # m keeps its one key; m2 holds m plus the last key
    assert stats.ran()


def test_alias_then_rebind_in_a_loop_leaves_the_alias_unchanged():
    src = 'f n:n>n;m=mset mmap "a" 1;m2=m;@i 0..n{m=mset m (str i) i};a=len m2;b=len m;+*1000 a b'
    value, stats = same_everywhere(src, "f", 40)
    assert value == 1000.0 + 41.0
    assert stats.ran()


def test_alias_made_inside_the_loop_is_not_mutated():
    src = 'f n:n>n;m=mmap;k=mmap;@i 0..n{k=m;m=mset m (str i) i};a=len k;b=len m;+*1000 a b'
    value, _ = same_everywhere(src, "f", 30)
    assert value == 1000.0 * 29 + 30


def test_list_passed_in_is_not_mutated_by_an_in_place_kernel():
    src = "g xs:L n n:n>L n;@i 0..n{xs=+=xs i};xs\nf n:n>n;ys=[1,2];zs=g ys n;a=len ys;b=len zs;+*1000 a b"
    for numba in ("never", "always"):
        value, stats = same_everywhere(src, "f", 25, numba=numba)
        assert value == 2000.0 + 27.0
        assert stats.ran()


def test_copying_append_leaves_the_source_list_unchanged():
    src = "f n:n>n;xs=[1];ys=[];@i 0..n{ys=+=xs i};a=len xs;b=len ys;+*1000 a b"
    for numba in ("never", "always"):
        value, _ = same_everywhere(src, "f", 20, numba=numba)
        assert value == 1000.0 + 2.0


# ── fallbacks and hand-backs ────────────────────────────────────────────────


@pytest.mark.parametrize("src", [
    'f n:n>M t t;m=mmap;@i 0..n{m=mset m (str i) "x"};m',
    "f n:n>M t L n;m=mmap;@i 0..n{m=mset m (str i) [i]};m",
], ids=["text-values", "list-values"])
def test_maps_with_text_or_list_values_fall_back_and_stay_correct(src):
    value, stats = same_everywhere(src, "f", 30)
    assert len(value) == 30
    assert not stats.ran() and stats.fallbacks
    assert "values" in stats.fallbacks[0].fallback
    assert "fallback" in stats.report()


@pytest.mark.parametrize("numba", ["never", "always"])
def test_division_by_zero_inside_a_kernel_is_reported_as_the_vm_reports_it(numba):
    src = "f n:n>n;s=0;@i 0..n{d=- 10 i;s=+s / 1 d};s"
    program = ilo.load(src)
    codes = set()
    for engine in ("tree", "vm"):
        with pytest.raises(ilo.IloError) as e:
            program.call("f", 20, engine=engine)
        codes.add(e.value.diagnostics[0].code)
    tier = JitTier(threshold=2, numba=numba)
    with pytest.raises(Exception) as e:
        vm.run(program.compiled(), "f", [20.0], hooks=tier)
    assert {e.value.code} == codes == {"ILO-R003"}
    assert tier.stats.ran()


def test_type_change_at_run_time_leaves_the_kernel_and_the_vm_finishes():
    # the list's elements are numbers until one is text: the guard exits, the VM resumes
    src = "f xs:L _>n;s=0;@x xs{q=+x 1;s=+s q};s"
    xs = [1.0] * 20 + ["a"] + [2.0] * 5
    program = ilo.load(src)
    with pytest.raises(ilo.IloError) as e:
        program.call("f", xs, engine="vm")
    tier = JitTier(threshold=2, numba="never")
    with pytest.raises(Exception) as j:
        vm.run(program.compiled(), "f", [from_python(xs)], hooks=tier)
    assert j.value.code == e.value.diagnostics[0].code
    assert tier.stats.ran() and tier.stats.loops and list(tier.stats.loops.values())[0].deopts == 1
    good = [1.0] * 30
    value, stats = same_everywhere(src, "f", good)
    assert value == 60.0 and stats.ran()


def test_the_loop_counter_survives_a_guard_exit():
    src = 'f ks:L t>n;m=mmap;@k ks{m=mset m k 1};len m'
    value, stats = same_everywhere(src, "f", ["a", "b"] * 10 + ["c"])
    assert value == 3.0 and stats.ran()


def test_no_jit_knob_declines_every_loop(monkeypatch):
    from ilo import config

    monkeypatch.setattr(config, "NO_JIT", True)
    value, stats = jit(RANGE, "f", 100)
    assert value == 4950.0 and not stats.ran() and "ILO_NO_JIT" in stats.report()


def test_api_and_stats_report():
    program = ilo.load(MSET)
    assert len(program.call("g", 100, jit=True, jit_threshold=2)) == 100
    report = program.last_jit_stats.report()
    assert "compiled g@" in report and "MSET" in report


def test_one_list_in_two_registers_gets_two_arrays_in_a_numba_kernel():
    src = "f n:n>n;xs=[1];ys=xs;@i 0..n{xs=+=xs i;ys=+=ys *i 2};a=sum xs;b=sum ys;+*100000 a b"
    value, stats = same_everywhere(src, "f", 40, numba="always")
    assert stats.ran("numba")


def test_a_list_left_shared_by_a_kernel_keeps_its_values_on_the_next_entry():
    # the first call leaves xs shared (zs keeps it); the second appends to a copy
    src = ("g xs:L n n:n>L n;@i 0..n{xs=+=xs i};xs\n"
           "f n:n>n;xs=[5];ys=g xs n;zs=g xs n;a=sum ys;b=sum zs;c=sum xs;+*1000 a +*100 b c")
    for numba in ("never", "always"):
        same_everywhere(src, "f", 40, numba=numba)


def test_on_hot_protocol_runs_the_loop_and_reports_never_for_hopeless_loops():
    program = ilo.load("f n:n>n;s=0;@i 0..n{s=+s i};s\nh n:n>n;s=0;@i 0..n{q=g i;s=+s q};s\ng x:n>n;ys=[x];zs=rev ys;zs.0")
    compiled = program.compiled()
    tier = JitTier(threshold=2)
    chunk = compiled.chunks["f"]
    loop = chunk.loops[0]
    from ilo.vm import machine

    plain = machine.run(compiled, "f", [100.0])
    regs_from_vm = _registers_at_first_backedge(compiled, "f", 100.0)
    resume = tier.on_hot(chunk, loop.body, regs_from_vm, 0)
    assert resume == loop.exit and plain in regs_from_vm
    hopeless = compiled.chunks["h"]
    assert tier.on_hot(hopeless, hopeless.loops[0].body, [None] * hopeless.nregs, 0) is JitTier.NEVER
    assert "fallback h@" in tier.stats.report()


def _registers_at_first_backedge(compiled, func, arg):
    """Run the VM until the loop's back-edge is first taken; return a copy of its registers."""
    from ilo.vm import machine

    seen = []

    class Grab:
        def on_backedge(self, chunk, header, regs):
            if not seen:
                seen.append(list(regs))
            return None

    machine.run(compiled, func, [arg], hooks=Grab())
    return seen[0]


def test_a_list_of_records_built_in_a_loop_runs_a_python_kernel():
    src = ("type item{name:t;val:n}\n"
           "f n:n>t;items=[];i=0;wh <i n{nm=str i;vl=*i 3;it=item name:nm val:vl;items=+=items it;i=+i 1};jdmp items")
    value, stats = same_everywhere(src, "f", 60)
    assert value.startswith('[{"name":"0","val":0},')
    assert stats.ran("python")
    assert any(s.types.get("r2") == "La" for s in stats.compiled)


def test_a_mixed_list_is_appended_to_in_a_kernel_and_read_back_by_the_vm():
    src = 'f n:n>n;xs=[];@i 0..n{xs=+=xs i;xs=+=xs "t"};s=0;@x xs{t=?=x "t" 1 0;s=+s t};s'
    value, stats = same_everywhere(src, "f", 50)
    assert value == 50.0
    assert stats.ran("python")  # the first loop; the second reads elements: the VM's
