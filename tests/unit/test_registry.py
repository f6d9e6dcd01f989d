"""The builtin registry is the one definition of a builtin: these tests fail when a stage drifts.

- every builtin's executable example prints its stated result on tree, VM and JIT;
- every kernel form in the registry really compiles in a hot loop (numba forms under numba,
  the others in python kernels), and calls of a builtin without one fall back naming it;
- the JIT decodes exactly the builtins that have kernel forms;
- the verifier's arity and fn-slot facts come from the same specs.
"""

from __future__ import annotations

import pytest

import ilo
from ilo import vm
from ilo.jit import ops
from ilo.jit.tier import JitTier
from ilo.runtime.builtins import registry
from ilo.runtime.format import format_value
from ilo.runtime.values import from_python
from ilo.verify import builtin_sigs

SPECS = registry.all_builtins()
EXAMPLES = sorted(n for n, s in SPECS.items() if s.result is not None)


def example_program(spec) -> str:
    *decls, body = spec.example.split("\n")
    return "\n".join(decls + [f"ex>_;{body}"])


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_prints_its_result_on_every_engine(name, engine):
    spec = SPECS[name]
    value = ilo.load(example_program(spec)).call("ex", engine=engine)
    assert format_value(value) == spec.result, spec.example


def test_every_pure_builtin_has_an_executable_example():
    missing = [n for n, s in SPECS.items() if s.pure and s.result is None]
    assert not missing


# ── kernel forms ──────────────────────────────────────────────────────────

_ARG = {"n": "a", "Ln": "xs", "Lt": "ws", "t": "s", "_": "xs"}
_INIT = {"n": "0", "t": '""', "b": "false"}


def _forms(numba: bool):
    for name, spec in sorted(SPECS.items()):
        for form in spec.kernels:
            if form.op == "builtin" and (form.numba is not None) == numba and form.ret in _INIT:
                yield name, form


def _loop_program(forms) -> str:
    """One hot loop calling every form once per iteration, each into its own variable."""
    init, body, out = [], [], []
    for k, (name, form) in enumerate(forms):
        init.append(f"r{k}={_INIT[form.ret]}")
        args = " ".join(_ARG[a] for a in form.args)
        body.append(f"r{k}={name} {args}")
        out.append(f"r{k}")
    return (f"f xs:L n ws:L t s:t>L _;{';'.join(init)};i=0;"
            f"wh <i 50{{j=mod i 3;a=+j 1;{';'.join(body)};i=+i 1}};[{', '.join(out)}]")


@pytest.mark.parametrize("numba", [True, False], ids=["numba", "python"])
def test_every_kernel_form_compiles_in_a_hot_loop(numba, tmp_path, monkeypatch):
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path))
    forms = list(_forms(numba))
    assert forms
    src = _loop_program(forms)
    args = [[1.0, 2.0, 3.0, 4.0], ["a", "bb", "c", "d"], "héllo"]
    program = ilo.load(src)
    tier = JitTier(threshold=2, numba="always" if numba else "never")
    got = vm.run(program.compiled(), "f", [from_python(a) for a in args], hooks=tier)
    stats = tier.stats
    assert not stats.fallbacks, [s.fallback for s in stats.fallbacks]
    assert stats.ran("numba" if numba else "python")
    assert format_value(got) == format_value(program.call("f", *args, engine="tree"))


def test_a_builtin_without_a_kernel_form_is_named_as_the_fallback_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path))
    src = 'f n:n>n;s=0;i=0;wh <i n{j=chr 65;k=len j;s=+s k;i=+i 1};s'
    program = ilo.load(src)
    tier = JitTier(threshold=2, numba="never")
    vm.run(program.compiled(), "f", [50.0], hooks=tier)
    assert any("builtin chr" in (s.fallback or "") for s in tier.stats.fallbacks)


def test_the_jit_decodes_exactly_the_builtins_with_kernel_forms():
    class Chunk:
        decoded: dict = {}

    from ilo.vm import opcodes

    op = opcodes.Op.CALL_BUILTIN
    for name, spec in SPECS.items():
        chunk = Chunk()
        chunk.decoded = {}
        chunk.constants = [name]
        chunk.code = [(op, 0, 0, (1,))]
        ins = ops.decode(chunk)[0]
        if spec.kernels:
            assert ins.kind == spec.kernels[0].op, name
        else:
            assert ins.kind == "opaque" and ins.name == f"builtin {name}", name


# ── verifier facts ────────────────────────────────────────────────────────


def test_verifier_arities_and_fn_slots_come_from_the_specs():
    for name, spec in SPECS.items():
        for n in range(0, 6):
            assert builtin_sigs.takes_arity(name, n) == spec.takes(n), (name, n)
    assert SPECS["map"].fn_slots == {0} and SPECS["fld"].fn_slots == {0}
    assert SPECS["srt"].fn_slots == {0} and not SPECS["len"].fn_slots
    assert SPECS["fmt"].variadic and SPECS["fmt"].takes(7)


def test_signature_syntax_optional_and_variadic():
    sigs, variadic = registry.parse_signatures("t, n, [t] > t")
    assert [len(s.params) for s in sigs] == [2, 3] and not variadic
    sigs, variadic = registry.parse_signatures("t, *_ > t")
    assert variadic and [len(s.params) for s in sigs] == [1, 2]


def test_a_number_keyed_map_accumulator_compiles_and_updates_in_place(tmp_path, monkeypatch):
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path))
    src = "f n:n>M n n;m=mmap;i=0;wh <i n{j=mod i 7;k=+j 0.5;c=mget m k;c=c??0;d=+c 1;m=mset m k d;i=+i 1};m"
    program = ilo.load(src)
    tier = JitTier(threshold=2, numba="never")
    got = vm.run(program.compiled(), "f", [100.0], hooks=tier)
    assert got == {k: (15.0 if k < 2 else 14.0) for k in range(7)}
    assert format_value(got) == format_value(program.call("f", 100.0, engine="tree"))
    assert tier.stats.ran("python") and not tier.stats.fallbacks
    assert any("MSET" in c and "in place" in c for s in tier.stats.compiled for c in s.choices)


def test_numba_kernel_forms_agree_with_the_implementations_on_edge_values(tmp_path, monkeypatch):
    """Halves, signed zeros, NaN and infinities through numba forms of rou/flr/cel/min/max/clamp."""
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path))
    src = ("f xs:L n>L n;out=[];i=0;n=len xs;wh <i n{x=at xs i;a=rou x;b=flr x;c=cel x;d=min x 0;e=max x 0;"
           "g=clamp x -1 1;s=+a b;s=+s c;s=+s d;s=+s e;s=+s g;out=+=out a;out=+=out s;i=+i 1};out")
    xs = [0.5, -0.5, 1.5, -2.5, 0.49999999999999994, -0.0, 3.7, -3.7, float("inf"), float("-inf"), float("nan")]
    program = ilo.load(src)
    tier = JitTier(threshold=2, numba="always")
    got = vm.run(program.compiled(), "f", [xs], hooks=tier)
    assert tier.stats.ran("numba"), tier.stats.report()
    assert format_value(got) == format_value(program.call("f", xs, engine="tree"))



def test_a_builtin_called_through_a_function_value_checks_its_arity_on_every_engine():
    # One rule (BuiltinSpec.check_arity) behind every engine's dynamic builtin call.
    from conftest import assert_same

    assert assert_same("f xs:L n>L n;map at xs", "f", [1.0, 2.0])[:3] == (
        "error", "ILO-R009", "at: expected 2 args, got 1")
    assert assert_same("f xs:L n>L t;map str xs", "f", [1.0, 2.5]) == ["1", "2.5"]
