"""Numba function kernels over texts made inside the kernel and maps with text keys (``M t n``
as ``numba.typed.Dict(unicode_type -> float64)``): ``str`` of a whole number, text constants
and ``+`` of texts make keys; ``mset``/``mget``/``mhas``/``mdel``/``len`` run on the typed
dict; a text-keyed map result is boxed once. Every engine agrees (value and type, or the
error), maps keep value semantics however the kernel shares them, and whatever numba cannot
do exactly as ilo (a number ``str`` would print with a fraction, a NaN key, a text past the
size limit) hands the whole call back to the VM (``deopts``)."""

from __future__ import annotations

import math

import pytest
from oracle import (  # the one differential oracle (value+type, or code+message+span+function)
    function_kernel,
    jit_agrees,
    outcome,
)

import ilo
from ilo import config

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(autouse=True)
def _kernel_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "ilo-cache"))


def check(src: str, func: str, *args, numba: str = "always", monkeypatch=None, calls: int = 3):
    """Tree and VM agree; then ``calls`` JIT calls at threshold 2 (functions compile on their
    second entry) agree with them. Returns the program (its ``last_jit_stats``) and the outcome."""
    monkeypatch.setattr(config, "JIT_NUMBA", numba)
    return jit_agrees(src, func, args, calls)


def kernel(program, name: str):
    return function_kernel(program.last_jit_stats, name)


def on_numba(program, name: str, deopts: int | None = 0):
    fk = kernel(program, name)
    assert fk.backend == "numba" and fk.entries >= 1, program.last_jit_stats.report()
    if deopts is not None:
        assert fk.deopts == deopts, program.last_jit_stats.report()
    return fk


LEN = "g n:n>n;m=mmap;@i 0..n{m=mset m (str i) i};len m"
MAP = "h n:n>M t n;m=mmap;@i 0..n{m=mset m (str i) i};m"


def test_text_keys_made_by_str_stay_in_a_numba_kernel(monkeypatch):
    program, want = check(LEN, "g", 300, monkeypatch=monkeypatch)
    assert want == ("ok", "300", "float")
    on_numba(program, "g")


def test_a_text_keyed_map_result_is_boxed_as_the_vm_makes_it(monkeypatch):
    program, _want = check(MAP, "h", 40, monkeypatch=monkeypatch)
    on_numba(program, "h")
    got = program.call("h", 40, engine="jit", jit_threshold=2)
    assert got == ilo.load(MAP).call("h", 40, engine="vm")
    assert list(got) == [str(i) for i in range(40)]  # insertion order, as the VM's dict
    assert all(type(k) is str and type(v) is float for k, v in got.items())
    assert "numba" in [k.backend for k in program.last_jit_stats.functions]


TEXT_PROGRAMS = {
    "constant keys, mget and mhas": 'f n:n>n;m=mmap;m=mset m "a" 1;@i 0..n{c=mget m "a";v=?? c 0;'
                                    'm=mset m "a" (+v i)};h=mhas m "a";x=mhas m "b";p=? x 100 10;q=? h p 1;'
                                    'a=mget m "a";+?? a 0 q',
    "keys built with +": 'f n:n>n;m=mmap;@i 0..n{k=+ "k-" (str (mod i 5));c=mget m k;v=?? c 0;m=mset m k (+v 1)};'
                         'a=mget m "k-3";+len m ?? a -1',
    "mdel in place and a copy": 'f n:n>n;m=mmap;@i 0..n{m=mset m (str i) i};m=mdel m "2";m=mdel m "zz";'
                                'q=mdel m "1";a=mhas m "1";p=? a 100 0;+len q +len m p',
    "negative zero and negatives print as the VM prints them": 'f n:n>n;m=mmap;z=-0;m=mset m (str z) 1;'
                                                               'm=mset m (str (- 0 n)) 2;a=mget m "0";b=mget m "-5";'
                                                               '+?? a -1 ?? b -1',
    "a text result": 'f n:n>t;s="<";@i 0..n{s=+s str i};+s ">"',
    "text equality": 'f n:n>n;c=0;@i 0..n{s=str i;e=== s "3";c=? e +c 1 c};c',
    "maps passed between functions": 'put m:M t n k:t>M t n;c=mget m k;v=?? c 0;mset m k (+v 1)\n'
                                     'f n:n>n;m=mmap;@i 0..n{m=put m (str (mod i 3))};a=mget m "1";+len m ?? a -1',
    "a text argument and a text key from it": 'tag s:t n:n>n;m=mmap;@i 0..n{m=mset m (+s str i) i};len m\n'
                                              'f n:n>n;a=tag "x" n;b=tag "y" n;+a b',
}


@pytest.mark.parametrize("src", list(TEXT_PROGRAMS.values()), ids=list(TEXT_PROGRAMS))
def test_text_programs_agree_and_run_on_numba(src, monkeypatch):
    program, want = check(src, "f", 5, monkeypatch=monkeypatch)
    assert want[0] == "ok"
    on_numba(program, "f")


def test_the_python_backend_runs_the_same_text_programs(monkeypatch):
    for src in [LEN, MAP, *TEXT_PROGRAMS.values()]:
        func = "g" if src is LEN else "h" if src is MAP else "f"
        program, _want = check(src, func, 6, numba="never", monkeypatch=monkeypatch)
        assert kernel(program, func).backend == "python"


def test_seven_and_the_text_seven_are_different_keys(monkeypatch):
    # one map with both kinds of key: a typed dict has one key type, so python runs it
    src = 'f n:n>n;m=mmap;@i 0..n{m=mset m i 1;m=mset m (str i) 2};a=mget m 3;b=mget m "3";+len m *10 +?? a 0 ?? b 0'
    program, want = check(src, "f", 5, monkeypatch=monkeypatch)
    assert want == ("ok", "40", "float")
    fk = kernel(program, "f")
    assert fk.backend == "python" and "both number and text keys" in fk.why_not_numba
    # two maps, one of each kind, in one function: each is typed for its own keys
    src = 'f n:n>n;m=mmap;t=mmap;@i 0..n{m=mset m i 1;t=mset t (str i) 2};a=mget m 3;b=mget t "3";' \
          'c=mget t 3;+len m *10 +?? a 0 +?? b 0 ?? c 100'
    program, want = check(src, "f", 5, monkeypatch=monkeypatch)
    assert want[0] == "ok"
    assert kernel(program, "f").backend == "python"  # ``mget t 3``: a number key on the text map


def test_two_maps_one_per_key_kind_both_run_on_numba(monkeypatch):
    src = 'f n:n>n;m=mmap;t=mmap;@i 0..n{m=mset m i 1;t=mset t (str i) 2};a=mget m 3;b=mget t "3";' \
          '+len m *10 +?? a 0 ?? b 0'
    program, want = check(src, "f", 5, monkeypatch=monkeypatch)
    assert want == ("ok", "35", "float")
    on_numba(program, "f")


# OWNERSHIP: each program shares one text-keyed typed dict between two names, then updates
# one; the other must keep its old value (these fail if the copy before an update is removed)
ALIASING = {
    "copy-form mset": 'f n:n>n;m=mmap;@i 0..n{m=mset m (str i) i};m2=mset m "0" 99;'
                      'a=mget m "0";b=mget m2 "0";x=?? a -1;y=?? b -1;+*x 1000 y',
    "move": 'f n:n>n;m=mmap;@i 0..n{m=mset m (str i) 1};q=m;m=mset m "0" 5;a=mget q "0";b=mget m "0";'
            'x=?? a -1;y=?? b -1;+*x 1000 y',
    "callee updates its argument": 'bump m:M t n k:t>M t n;m=mset m k 1;m\n'
                                   'f n:n>n;m=mmap;m=mset m "a" 0;@i 0..n{m2=bump m (str i)};len m',
    "callee returns its argument": 'id m:M t n>M t n;m\n'
                                   'f n:n>n;m=mmap;@i 0..n{m=mset m (str i) 1};r=id m;m=mset m "0" 7;'
                                   'a=mget r "0";b=mget m "0";x=?? a -1;y=?? b -1;+*x 1000 y',
    "mdel copy": 'f n:n>n;m=mmap;@i 0..n{m=mset m (str i) i};q=mdel m "1";a=mhas m "1";b=mhas q "1";'
                 'p=? a 10 0;r=? b 1 0;+p r',
}


@pytest.mark.parametrize("src", list(ALIASING.values()), ids=list(ALIASING))
def test_text_keyed_maps_keep_value_semantics_however_the_kernel_shares_them(src, monkeypatch):
    program, want = check(src, "f", 6, monkeypatch=monkeypatch)
    assert want[0] == "ok"
    on_numba(program, "f")


def test_aliasing_tests_would_catch_a_missing_copy(monkeypatch):
    """The copy-form test above is not vacuous: with the copy taken out of the emitted
    kernel, the numba kernel returns a different value than the VM."""
    from ilo.jit import calls, fnkernels

    src = ALIASING["copy-form mset"]
    program = ilo.load(src).compiled()
    bundle = fnkernels.build(program, "f", ("n",), "numba")
    assert "_g = r" in bundle.source and ".copy()" in bundle.source
    bundle.source = bundle.source.replace(".copy()", "")  # the mset updates m itself
    func, _origin = calls._load(bundle)
    assert func(100, 6.0) != ilo.load(src).call("f", 6, engine="vm")
    assert ilo.load(src).call("f", 6, engine="vm") == 99.0  # m keeps "0": 0, m2 has 99


def _chain(key_expr: str) -> str:
    return f"g x:n>n;m=mmap;@i 0..3{{m=mset m {key_expr} i}};c=mget m {key_expr};?? c -1\ntop x:n>n;a=g x;+a 1"


@pytest.mark.parametrize("bad", [1.5, -0.25, 1e-7, math.nan, math.inf, -math.inf, 1e300, -2.0 ** 63])
def test_a_number_str_cannot_print_exactly_deopts_in_the_middle_of_the_chain(bad, monkeypatch):
    src = _chain("(str x)")
    monkeypatch.setattr(config, "JIT_NUMBA", "always")
    program = ilo.load(src)
    for x in (1.0, 2.0, 7.0):
        assert outcome(program, "top", (x,), "jit", jit_threshold=2) == outcome(ilo.load(src), "top", (x,), "vm")
    want = outcome(ilo.load(src), "top", (bad,), "tree")
    assert want[0] == "ok" and outcome(ilo.load(src), "top", (bad,), "vm") == want
    assert outcome(program, "top", (bad,), "jit", jit_threshold=2) == want
    fk = on_numba(program, "top", deopts=None)
    assert fk.callees == ["g"] and fk.deopts >= 1


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_nan_number_key_beside_a_text_map_is_the_vms_error(bad, monkeypatch):
    src = 'g x:n>n;m=mmap;t=mmap;@i 0..3{m=mset m x i;t=mset t (str i) i};c=mget m x;+len t ?? c -1\n' \
          'top x:n>n;a=g x;+a 1'
    monkeypatch.setattr(config, "JIT_NUMBA", "always")
    program = ilo.load(src)
    for x in (1.0, 2.5):
        assert outcome(program, "top", (x,), "jit", jit_threshold=2) == outcome(ilo.load(src), "top", (x,), "vm")
    want = outcome(ilo.load(src), "top", (bad,), "tree")
    assert want[0] == "error" and "ILO-R009" in repr(want)
    assert outcome(ilo.load(src), "top", (bad,), "vm") == want
    assert outcome(program, "top", (bad,), "jit", jit_threshold=2) == want
    fk = on_numba(program, "top", deopts=None)
    assert fk.deopts >= 1


def test_a_text_past_the_size_limit_is_the_vms_error(monkeypatch):
    from ilo.runtime import sizes

    monkeypatch.setattr(sizes, "MAX_TEXT", 40)  # read when the program is loaded and built
    src = 'f n:n>n;m=mmap;s="";@i 0..n{s=+s str i;m=mset m s i};len m'
    monkeypatch.setattr(config, "JIT_NUMBA", "always")
    program = ilo.load(src)
    for _ in range(3):
        assert outcome(program, "f", (10,), "jit", jit_threshold=2) == outcome(ilo.load(src), "f", (10,), "vm")
    on_numba(program, "f")
    want = outcome(ilo.load(src), "f", (40,), "tree")
    assert want[0] == "error" and "ILO-R018" in repr(want)
    assert outcome(ilo.load(src), "f", (40,), "vm") == want
    assert outcome(program, "f", (40,), "jit", jit_threshold=2) == want
    assert on_numba(program, "f", deopts=None).deopts >= 1


def test_a_text_keyed_map_argument_from_the_vm_is_declined_with_a_reason(monkeypatch):
    src = 's m:M t n>n;t=0;@i 0..4{v=mget m (str i);t=+t ?? v 0};t\n' \
          'main n:n>R n t;m=mmap;m=mset m "1" 2;m=mset m "2" n;a=s m;b=s m;c=s m;~+a +b c'
    program, want = check(src, "main", 5, monkeypatch=monkeypatch)
    assert want[0] == "ok"
    fk = kernel(program, "s")
    assert fk.backend == "python" and "text-keyed map argument" in fk.why_not_numba


def test_mkeys_of_a_text_keyed_map_stays_on_python(monkeypatch):
    src = 'f n:n>n;m=mmap;@i 0..n{m=mset m (str i) i};ks=mkeys m;len ks'
    program, want = check(src, "f", 5, monkeypatch=monkeypatch)
    assert want == ("ok", "5", "float")
    fk = kernel(program, "f")
    assert fk.backend == "python" and "mkeys/mvals of a text-keyed map" in fk.why_not_numba


def test_auto_keeps_text_bundles_on_python_where_numba_is_slower(monkeypatch):
    from ilo.jit import nbtext

    for src, func in [(LEN, "g"), (MAP, "h"), (TEXT_PROGRAMS["a text result"], "f")]:
        program, _want = check(src, func, 30, numba="auto", monkeypatch=monkeypatch)
        fk = kernel(program, func)
        assert fk.backend == "python" and fk.promote_at is None and fk.why_not_numba == nbtext.SLOWER


def test_keys_beyond_ascii_are_boxed_as_the_vm_makes_them(monkeypatch):
    src = 'mk n:n>M t n;m=mmap;@i 0..n{m=mset m (+ "é-" str i) i;m=mset m (+ "😀" str i) (- 0 i)};m\n' \
          'f n:n>M t n;a=mk n;b=mset a "ß" 1;mdel b "é-0"'
    program, want = check(src, "f", 4, monkeypatch=monkeypatch)
    assert want[0] == "ok"
    fk = on_numba(program, "f")
    assert fk.callees == ["mk"]
    got = program.call("f", 4, engine="jit", jit_threshold=2)
    assert got == ilo.load(src).call("f", 4, engine="vm") and list(got) == list(ilo.load(src).call("f", 4, engine="vm"))


def test_a_text_past_the_size_limit_by_a_constant_is_the_vms_error(monkeypatch):
    from ilo.runtime import sizes

    monkeypatch.setattr(sizes, "MAX_TEXT", 12)
    src = 'f n:n>t;s="";@i 0..n{s=+s "ab"};s'
    monkeypatch.setattr(config, "JIT_NUMBA", "always")
    program = ilo.load(src)
    for n in (3, 5, 6, 6):  # 12 characters: just inside the limit
        assert outcome(program, "f", (n,), "jit", jit_threshold=2) == outcome(ilo.load(src), "f", (n,), "vm")
    on_numba(program, "f")
    want = outcome(ilo.load(src), "f", (7,), "vm")
    assert want[0] == "error" and "ILO-R018" in repr(want)
    assert outcome(program, "f", (7,), "jit", jit_threshold=2) == want


@pytest.mark.parametrize("steps", [30, 205, 206, 10 ** 6])
def test_a_step_budget_stops_a_text_bundle_where_the_vm_stops(steps, monkeypatch):
    monkeypatch.setattr(config, "JIT_NUMBA", "always")
    want = outcome(ilo.load(LEN), "g", (200,), "vm", max_steps=steps)
    program = ilo.load(LEN)
    for _ in range(3):
        assert outcome(program, "g", (200,), "jit", jit_threshold=2, max_steps=steps) == want
    fk = kernel(program, "g")
    assert fk.backend == "numba" and fk.limited


# ── text values: ``M n t`` (and ``M t t``), numba function kernels only ───────────────────

TEXT_VALUES = {
    "mget with a default": 'f n:n>t;m=mmap;@i 0..n{m=mset m i (str i)};c=mget m 3;v=?? c "none";d=mget m 99;'
                           'w=?? d "none";+v w',
    "values built with +, mhas, len and mdel": 'f n:n>t;m=mmap;@i 0..n{m=mset m (* i 2) (+ "v" str i)};m=mdel m 2;'
                                                'h=mhas m 2;g=mhas m 4;c=mget m 4;v=?? c "";p=? h "yes" "no";'
                                                'q=? g "yes" "no";+v +p +q str len m',
    "text keys and text values": 'f n:n>t;m=mmap;@i 0..n{m=mset m (str i) (+ str i "!")};c=mget m "2";?? c "-"',
    "a value read back and updated": 'f n:n>t;m=mmap;m=mset m 0 "";@i 0..n{c=mget m 0;v=?? c "";'
                                     'm=mset m 0 (+v str i)};c=mget m 0;?? c "-"',
    "passed to a callee": 'gt m:M n t k:n>t;c=mget m k;?? c "?"\n'
                          'f n:n>t;m=mmap;@i 0..n{m=mset m i (str (* i i))};a=gt m 3;b=gt m 50;+a b',
}


@pytest.mark.parametrize("src", list(TEXT_VALUES.values()), ids=list(TEXT_VALUES))
def test_text_valued_maps_agree_and_run_on_numba(src, monkeypatch):
    program, want = check(src, "f", 5, monkeypatch=monkeypatch)
    assert want[0] == "ok" and want[2] == "str"
    on_numba(program, "f")


def test_a_text_valued_map_result_is_boxed_as_the_vm_makes_it(monkeypatch):
    src = 'h n:n>M n t;m=mmap;@i 0..n{m=mset m (- 0 i) (+ "é" str i)};m=mset m 1.5 "x";m'
    program, _want = check(src, "h", 6, monkeypatch=monkeypatch)
    on_numba(program, "h")
    got = program.call("h", 6, engine="jit", jit_threshold=2)
    want = ilo.load(src).call("h", 6, engine="vm")
    assert got == want and list(got) == list(want)
    assert all(type(k) is int and type(v) is str for k, v in got.items())


def test_a_text_valued_map_keeps_value_semantics(monkeypatch):
    src = 'f n:n>t;m=mmap;@i 0..n{m=mset m i (str i)};m2=mset m 0 "new";q=m;m=mset m 1 "one";' \
          'a=mget m 0;b=mget m2 0;c=mget q 1;x=?? a "-";y=?? b "-";z=?? c "-";+x +y z'
    program, want = check(src, "f", 4, monkeypatch=monkeypatch)
    assert want == ("ok", "0new1", "str")
    on_numba(program, "f")


@pytest.mark.parametrize("numba", ["never", "auto"])
def test_text_valued_maps_stay_on_the_vm_without_numba(numba, monkeypatch):
    # python kernels test that map values are numbers: a text-valued map is numba's only
    program, want = check(TEXT_VALUES["mget with a default"], "f", 5, numba=numba, monkeypatch=monkeypatch)
    assert want == ("ok", "3none", "str")
    assert not program.last_jit_stats.functions
    assert "a map with text values" in program.last_jit_stats.report()


def test_a_map_with_number_and_text_values_is_not_a_typed_dict(monkeypatch):
    src = 'f n:n>n;m=mmap;t=mmap;@i 0..n{m=mset m i i;t=mset t i (str i)};+len m len t'
    program, want = check(src, "f", 5, monkeypatch=monkeypatch)
    assert want == ("ok", "10", "float")
    on_numba(program, "f")  # two maps: one of numbers, one of texts
    src = 'f n:n>n;m=mmap;@i 0..n{m=mset m i i};m2=mset m 0 "x";+len m len m2'
    program, want = check(src, "f", 5, monkeypatch=monkeypatch)
    assert want == ("ok", "10", "float")
    assert "f" not in [k.name for k in program.last_jit_stats.functions if k.backend == "numba"]


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_nan_key_on_a_text_valued_map_is_the_vms_error(bad, monkeypatch):
    src = 'g x:n>t;m=mmap;@i 0..3{m=mset m (+x i) (str i)};c=mget m x;?? c "-"\ntop x:n>t;a=g x;+a "."'
    monkeypatch.setattr(config, "JIT_NUMBA", "always")
    program = ilo.load(src)
    for x in (1.0, 2.5, 4.0):
        assert outcome(program, "top", (x,), "jit", jit_threshold=2) == outcome(ilo.load(src), "top", (x,), "vm")
    want = outcome(ilo.load(src), "top", (bad,), "tree")
    assert want[0] == "error" and "ILO-R009" in repr(want)
    assert outcome(ilo.load(src), "top", (bad,), "vm") == want
    assert outcome(program, "top", (bad,), "jit", jit_threshold=2) == want
    assert on_numba(program, "top", deopts=None).deopts >= 1


@pytest.mark.parametrize("numba", ["always", "never"])
def test_the_truth_of_a_text_that_may_be_nil_stays_on_the_vm(numba, monkeypatch):
    # kernels' truth tests know optional numbers only: ``?c`` on an optional text is the VM's
    src = 'f n:n>t;m=mmap;@i 0..3{m=mset m i (str i)};m=mset m 1 "";c=mget m n;?c "y" "n"'
    for n in (0, 1, 2, 7):
        program, want = check(src, "f", n, numba=numba, monkeypatch=monkeypatch)
        assert want == ("ok", "y" if n in (0, 2) else "n", "str")
        assert not program.last_jit_stats.functions


def test_a_text_argument_from_the_vm_reaches_the_numba_root(monkeypatch):
    src = 'tag s:t n:n>t;m=mmap;@i 0..n{m=mset m (+s str i) i};c=mget m (+s "2");+s str ?? c -1'
    for s in ("x", "é😀", ""):
        program, want = check(src, "tag", s, 4, monkeypatch=monkeypatch)
        assert want == ("ok", f"{s}2", "str")
        assert on_numba(program, "tag").argtypes == ("t", "n")
