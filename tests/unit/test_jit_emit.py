"""Region finding, type inference and kernel emission on real VM chunks (no kernel runs)."""

from __future__ import annotations

import pytest

import ilo
from ilo.jit import ops
from ilo.jit.emit import generate
from ilo.jit.infer import infer, join, runtime_type
from ilo.jit.regions import FallbackReason, find_region


def region_of(src: str, func: str):
    chunk = ilo.load(src).compiled().chunks[func]
    loop = chunk.loops[0]
    return find_region(func, ops.decode(chunk), loop, chunk.loops), chunk


def live_values(src: str, func: str, *args) -> dict:
    """The registers as the VM holds them when the loop's back-edge is first taken."""
    from ilo.vm import machine

    program = ilo.load(src)
    seen = []

    class Grab:
        def on_backedge(self, chunk, header, regs):
            if not seen:
                seen.append(dict(enumerate(regs)))
            return None

    machine.run(program.compiled(), func, [float(a) for a in args], hooks=Grab())
    return seen[0]


def entry(region, **by_reg):
    values = {r: 0.0 for r in set(region.reads) | set(region.writes)}
    values.update({int(k[1:]): v for k, v in by_reg.items()})
    return values


def test_runtime_types_and_joins():
    assert [runtime_type(v) for v in (1.0, True, "a", None, [], [1.0], ["a"], {}, {"a": 1.0}, {"a": "b"})] == \
        ["n", "b", "t", "nil", "L?", "Ln", "Lt", "M?", "Mn", "M*"]
    assert join("n", "nil") == "On" and join("L?", "Ln") == "Ln" and join("n", "t") == "mixed"


def test_numeric_loop_types_as_numbers_and_picks_numba():
    region, _ = region_of("f n:n>n;s=0;i=0;wh <i n{s=+s *i 2;i=+i 1};s", "f")
    typed = infer(region, entry(region))
    assert typed.backend == "numba"
    code = generate(typed)
    assert "while True:" in code.source and "def kernel(" in code.source
    compile(code.source, "<kernel>", "exec")


@pytest.mark.parametrize("src,func,expect", [
    ("g n:n>M t n;m=mmap;@i 0..n{m=mset m (str i) i};m", "g", "in place"),
    ("g n:n>n;m=mmap;k=mmap;@i 0..n{k=mset m (str i) i};len k", "g", "copy"),
])
def test_mset_specialisation_follows_a_equals_b(src, func, expect):
    region, _ = region_of(src, func)
    typed = infer(region, live_values(src, func, 10))
    msets = [c for c in typed.choices if c[1] == "MSET"]
    assert msets and msets[0][2] == expect
    code = generate(typed, "python")
    target = region.at(msets[0][0]).srcs[0]
    assert (f"r{target}[" in code.source) == (expect == "in place")


def test_text_valued_map_is_a_fallback_with_a_reason():
    src = 'g n:n>M t t;m=mmap;@i 0..n{m=mset m (str i) "x"};m'
    region, _ = region_of(src, "g")
    with pytest.raises(FallbackReason, match="values"):
        infer(region, live_values(src, "g", 10))


def test_loops_calling_user_functions_are_not_regions():
    with pytest.raises(FallbackReason, match="CALL"):
        region_of("id x:n>n;x\nf n:n>n;s=0;@i 0..n{q=id i;s=+s q};s", "f")
