"""Maps in numba kernels: number-keyed maps (``M n n``) run over ``numba.typed.Dict`` with
numba forced, give every engine's answer, and never change a map another binding sees."""

from __future__ import annotations

import pytest
from test_jit import same_everywhere

from ilo.runtime.errors import IloRuntimeError

pytest.importorskip("numba")

ACC = "f n:n>n;m=mmap;i=0;wh <i n{k=mod i 13;c=mget m k;v=?? c 0;m=mset m k (+v 1);i=+i 1};len m"


def _backends(stats) -> set:
    return {s.backend for s in stats.compiled}


def _ran_numba(stats) -> bool:
    """A numba kernel itself ran (not the python kernel standing in for it)."""
    return any(s.backend == "numba" and s.entries > s.alternative_entries for s in stats.compiled)


@pytest.fixture(autouse=True)
def _kernel_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "ilo-cache"))


@pytest.mark.timeout(120)
def test_number_keyed_accumulator_runs_in_a_numba_kernel():
    value, stats = same_everywhere(ACC, "f", 500, numba="always")
    assert value == 13.0
    assert _ran_numba(stats)
    assert any("MSET at pc" in c and "in place" in c for s in stats.compiled for c in s.choices)


@pytest.mark.timeout(120)
def test_the_map_comes_back_to_the_vm_with_its_values():
    src = "f n:n>M n n;m=mmap;@i 0..n{k=mod i 5;m=mset m k (+ (?? (mget m k) 0) i)};m"
    value, stats = same_everywhere(src, "f", 100, numba="always")
    assert value == {k: float(sum(i for i in range(100) if i % 5 == k)) for k in range(5)}
    assert all(type(k) is int for k in value)  # number keys are the VM's floored ints
    assert _ran_numba(stats)


@pytest.mark.timeout(120)
def test_mset_into_another_name_leaves_the_map_unchanged_in_numba():
    src = "f n:n>n;m=mset mmap 1 1;m2=m;@i 0..n{m2=mset m i i};a=len m;b=len m2;+*1000 a b"
    value, stats = same_everywhere(src, "f", 50, numba="always")
    assert value == 1000.0 + 2.0
    assert _ran_numba(stats)
    assert any("copy" in c for s in stats.compiled for c in s.choices)


@pytest.mark.timeout(120)
def test_a_map_passed_in_is_not_changed_by_an_in_place_kernel():
    src = ("g m:M n n n:n>n;@i 0..n{m=mset m i 7};len m\n"
           "f n:n>n;m=mset mmap 0.5 5;a=g m n;b=len m;c=?? (mget m 0) -1;+*1000 a +*10 b c")
    value, stats = same_everywhere(src, "f", 40, numba="always")
    assert value == 40 * 1000.0 + 10 + 5
    assert _ran_numba(stats)


@pytest.mark.timeout(120)
def test_mget_mhas_and_len_in_kernel_form():
    src = ("f n:n>n;m=mmap;s=0;@i 0..n{m=mset m (mod i 7) i;"
           "s=+s ?? (mget m (mod (*i 3) 7)) 100;h=mhas m 3;s=+s len m;s=?h{+s 1000}{s}};s")
    value, stats = same_everywhere(src, "f", 60, numba="always")
    assert _ran_numba(stats) and _backends(stats) == {"numba"}
    assert value > 0


@pytest.mark.timeout(120)
def test_an_optional_left_nil_by_the_kernel_goes_back_as_nil():
    src = "f n:n>n;m=mmap;c=0;@i 0..n{m=mset m i i;c=mget m (+i 5)};?? c -1"
    value, stats = same_everywhere(src, "f", 30, numba="always")
    assert value == -1.0
    assert _ran_numba(stats)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("src,n,want,says_why", [
    # text keys: numba's typed dicts hold number keys only
    ("f n:n>n;m=mmap;@i 0..n{m=mset m (str (mod i 9)) i};len m", 50, 9.0, True),
    # a number list and a map in one loop: the numba map path converts maps only
    ("f n:n>n;m=mmap;xs=[];@i 0..n{m=mset m i i;xs=+=xs i};+ len m len xs", 40, 80.0, False),
])
def test_maps_numba_cannot_hold_keep_the_python_backend(src, n, want, says_why):
    value, stats = same_everywhere(src, "f", n, numba="always")
    assert value == want
    assert _backends(stats) == {"python"}
    if says_why:
        assert any(c.startswith("python backend:") for s in stats.compiled for c in s.choices)


@pytest.mark.timeout(120)
def test_a_text_key_already_in_the_map_runs_the_entry_on_the_python_kernel():
    src = 'f n:n>n;m=mset mmap "a" 1;@i 0..n{m=mset m i i};+ len m ?? (mget m "a") 0'
    value, stats = same_everywhere(src, "f", 40, numba="always")
    assert value == 42.0
    assert any(s.alternative_entries for s in stats.compiled)  # the text key: the python kernel ran


@pytest.mark.timeout(120)
@pytest.mark.parametrize("big", ["* i 1e18", "* 1e300 1e300", "- 0 * 1e300 1e300"], ids=["1e19", "inf", "-inf"])
def test_keys_numba_cannot_hold_leave_the_kernel_and_the_vm_decides(big):
    src = f"f n:n>n;m=mmap;@i 0..n{{b={big};k=?>i 20 b i;m=mset m k i}};len m"
    try:
        value, _ = same_everywhere(src, "f", 30, numba="always")
    except IloRuntimeError as e:  # every engine reported this same error (assert_same)
        assert "numeric key must be finite" in str(e) and not big.startswith("* i")
    else:
        assert value == 30.0


@pytest.mark.timeout(120)
def test_a_map_in_a_nested_loop_stays_typed_across_the_inner_loop():
    src = "f n:n>n;m=mmap;@i 0..n{@j 0..5{m=mset m (+*i 10 j) j}};len m"
    value, stats = same_everywhere(src, "f", 40, numba="always")
    assert value == 200.0
    assert _ran_numba(stats)


@pytest.mark.timeout(120)
def test_a_loop_over_a_number_list_and_a_map_stays_correct():
    src = "f xs:L n>n;m=mmap;@x xs{m=mset m (mod x 4) x};len m"
    value, stats = same_everywhere(src, "f", [float(i) for i in range(40)], numba="always")
    assert value == 4.0
    assert stats.ran()
