"""Accumulators across engines: self-rebinds are fast, and never observable through another binding.

``m=mset m k v``, ``xs=+=xs v`` and ``s=+s t`` update the container in place when nobody else
owns it (``ilo.runtime.ownership``). These tests pin down both halves of that promise on every
engine listed in ``ENGINES``: the results (including every aliasing shape we know of) and the
scaling (20,000 steps must cost < 15x what 2,000 steps cost, i.e. no hidden copy per step).

To run them on the JIT tier too, add ``"jit"`` to ``ENGINES`` (or set ``ILO_TEST_JIT=1``).
"""

from __future__ import annotations

import os

import pytest
from scaling import scaling_ratio

import ilo

ENGINES = ["tree", "vm"] + (["jit"] if os.environ.get("ILO_TEST_JIT") == "1" else [])


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    return request.param


def run(src: str, func: str, *args, engine: str):
    return ilo.load(src).call(func, *args, engine=engine)


# ── basic chains and overwrites ─────────────────────────────────────────────


BASIC = [
    ("f n:n>L n;xs=[];@i 0..n{xs=+=xs i};xs", "f", (4,), [0.0, 1.0, 2.0, 3.0]),
    ('f n:n>t;s="";@i 0..n{t=str i;s=+s t};s', "f", (5,), "01234"),
    ('f n:n>n;m=mmap;@i 0..n{k=str i;m=mset m k i};len m', "f", (6,), 6.0),
    ('f>t;s="a";s=+s "b";s=+s "c";s="new";s=+s "!";s', "f", (), "new!"),
    ('f>L t;xs=["a"];xs=+=xs "b";xs=["z"];xs=+=xs "y";xs', "f", (), ["z", "y"]),
    ('f>M t t;m=mmap;m=mset m "k" "v1";m=mset m "k" "v2";m=mset m "j" "w";m', "f", (), {"j": "w", "k": "v2"}),
    ('f>t;s="";i=0;wh <i 3{s=+s "ab";i=+i 1};s', "f", (), "ababab"),
    ("f>L _;xs=[1];xs=+xs [2 3];xs=+xs [4];xs", "f", (), [1.0, 2.0, 3.0, 4.0]),
]


@pytest.mark.parametrize("src,func,args,expected", BASIC)
def test_basic_chains_and_overwrites(engine, src, func, args, expected):
    assert run(src, func, *args, engine=engine) == expected


# ── the function-call boundary ──────────────────────────────────────────────


CALLS = """grow xs:L n>L n;xs=+=xs 9;xs
tag m:M t n>M t n;m=mset m "t" 1;m
ext s:t>t;s=+s "!";s
lists>L _;a=[1];b=grow a;[a, b]
maps>L _;m=mmap;m=mset m "a" 0;n=tag m;[m, n]
texts>L t;s="hi";t=ext s;[s, t]
twice>L _;a=[1];b=grow a;c=grow b;[a, b, c]
fresh>L n;grow [5]
"""


@pytest.mark.parametrize("func,expected", [
    ("lists", [[1.0], [1.0, 9.0]]),
    ("maps", [{"a": 0.0}, {"a": 0.0, "t": 1.0}]),
    ("texts", ["hi", "hi!"]),
    ("twice", [[1.0], [1.0, 9.0], [1.0, 9.0, 9.0]]),
    ("fresh", [5.0, 9.0]),
])
def test_callee_rebinding_its_parameter_leaves_the_caller_alone(engine, func, expected):
    assert run(CALLS, func, engine=engine) == expected


def test_accumulator_returned_from_a_function_keeps_growing(engine):
    src = "mk n:n>L n;xs=[];@i 0..n{xs=+=xs i};xs\nf>L _;ys=mk 3;ys=+=ys 7;zs=mk 2;[ys, zs]"
    assert run(src, "f", engine=engine) == [[0.0, 1.0, 2.0, 7.0], [0.0, 1.0]]


# ── map-of-list nesting ─────────────────────────────────────────────────────


NESTED = """add m:M t _ k:t v:n>M t _;cur=mget m k;cur=cur??[];cur=+=cur v;m=mset m k cur;m
f>M t _;m=mmap;m=add m "a" 1;m=add m "b" 2;m=add m "a" 3;m
snap>L _;m=mmap;m=add m "a" 1;old=m;m=add m "a" 2;[old, m]
"""


def test_map_of_lists(engine):
    assert run(NESTED, "f", engine=engine) == {"a": [1.0, 3.0], "b": [2.0]}
    assert run(NESTED, "snap", engine=engine) == [{"a": [1.0]}, {"a": [1.0, 2.0]}]


def test_map_of_lists_built_in_a_loop(engine):
    src = ('f n:n>M t _;m=mmap;@i 0..n{r=mod i 3;k=str r;cur=mget m k;cur=cur??[];'
           'cur=+=cur i;m=mset m k cur};m')
    assert run(src, "f", 7, engine=engine) == {"0": [0.0, 3.0, 6.0], "1": [1.0, 4.0], "2": [2.0, 5.0]}


# ── every aliasing shape ────────────────────────────────────────────────────


ALIASING = [
    # a rebind into a *different* name copies
    ('f>L _;m=mmap;m=mset m "a" 1;m2=mset m "b" 2;[m, m2]', [{"a": 1.0}, {"a": 1.0, "b": 2.0}]),
    ("f>L _;xs=[1];ys=+=xs 2;[xs, ys]", [[1.0], [1.0, 2.0]]),
    ('f>L t;s="ab";t2=+s "x";[s, t2]', ["ab", "abx"]),
    # an alias taken before the self-rebind keeps the old value
    ('f>L _;m=mmap;m=mset m "a" 1;m2=m;m=mset m "b" 2;[m2, m]', [{"a": 1.0}, {"a": 1.0, "b": 2.0}]),
    ("f>L _;xs=[1];ys=xs;xs=+=xs 2;[ys, xs]", [[1.0], [1.0, 2.0]]),
    ('f>L t;s="ab";t=s;s=+s "c";[t, s]', ["ab", "abc"]),
    ("f>L _;xs=[1];ys=xs;xs=+xs [2];[ys, xs]", [[1.0], [1.0, 2.0]]),
    # stored in a list, a map or a record, then rebound
    ("f>L _;xs=[1];box=[xs];xs=+=xs 2;[box, xs]", [[[1.0]], [1.0, 2.0]]),
    ('f>L _;xs=[1];m=mmap;m=mset m "k" xs;xs=+=xs 2;[m, xs]', [{"k": [1.0]}, [1.0, 2.0]]),
    ('f>L _;s="a";m=mmap;m=mset m "k" s;s=+s "b";[m, s]', [{"k": "a"}, "ab"]),
    ('f>L _;n=mmap;n=mset n "x" 1;m=mmap;m=mset m "k" n;n=mset n "y" 2;[m, n]',
     [{"k": {"x": 1.0}}, {"x": 1.0, "y": 2.0}]),
    # a value taken out of a container, then rebound, leaves the container alone
    ('f>L _;m=mmap;m=mset m "k" [1];v=mget m "k";v=v??[];v=+=v 2;[m, v]', [{"k": [1.0]}, [1.0, 2.0]]),
    ('f>L _;m=mmap;m=mset m "k" "a";v=mget m "k";v=v??"";v=+v "b";[m, v]', [{"k": "a"}, "ab"]),
    ("f>L _;ls=[[1]];v=ls.0;v=+=v 2;[ls, v]", [[[1.0]], [1.0, 2.0]]),
    # mset over an existing key
    ('f>L _;m=mmap;m=mset m "a" 1;m2=m;m=mset m "a" 2;[m2, m]', [{"a": 1.0}, {"a": 2.0}]),
    # self-referencing operands
    ('f>t;s="ab";s=+s s;s', "abab"),
    ('f>M t _;m=mmap;m=mset m "self" m;m', {"self": {}}),
    # the iterated list rebound inside its own loop
    ("f>L _;xs=[1 2];@x xs{xs=+=xs x};xs", [1.0, 2.0, 1.0, 2.0]),
]


@pytest.mark.parametrize("src,expected", ALIASING)
def test_no_mutation_is_visible_through_another_binding(engine, src, expected):
    assert run(src, "f", engine=engine) == expected


def test_appending_a_list_to_itself(engine):
    assert run("f xs:_>_;xs=+=xs xs;xs", "f", [1], engine=engine) == [1.0, [1.0]]


def test_record_field_keeps_the_old_container(engine):
    src = "type bag{xs:L n}\nf>L _;xs=[1];b=bag xs:xs;xs=+=xs 2;[b.xs, xs]"
    assert run(src, "f", engine=engine) == [[1.0], [1.0, 2.0]]


HIGHER = """app acc:L n x:n>L n;acc=+=acc x;acc
push xs:L n>L n;xs=+=xs 9;xs
fold>L _;base=[0];r=fld app [1 2 3] base;[base, r]
each>L _;a=[1];ls=[a, a];r=map push ls;[a, ls, r]
"""


def test_containers_captured_by_higher_order_calls(engine):
    assert run(HIGHER, "fold", engine=engine) == [[0.0], [0.0, 1.0, 2.0, 3.0]]
    assert run(HIGHER, "each", engine=engine) == [[1.0], [[1.0], [1.0]], [[1.0, 9.0], [1.0, 9.0]]]


def test_aliases_in_a_loop_are_snapshots(engine):
    src = "f n:n>L _;xs=[];snaps=[];@i 0..n{xs=+=xs i;snaps=+=snaps xs};snaps"
    assert run(src, "f", 3, engine=engine) == [[0.0], [0.0, 1.0], [0.0, 1.0, 2.0]]
    src = 'f n:n>L _;m=mmap;ms=[];@i 0..n{k=str i;m=mset m k i;ms=+=ms m};ms'
    assert run(src, "f", 2, engine=engine) == [{"0": 0.0}, {"0": 0.0, "1": 1.0}]


# ── a 500-key correctness loop ──────────────────────────────────────────────


def test_five_hundred_keys(engine):
    src = ('f n:n>L _;m=mmap;@i 0..n{k=str i;v=*i i;m=mset m k v};'
           'm=mset m "7" -1;s=0;ks=mkeys m;@k ks{v=mget m k;s=+s v};[len m, s]')
    expected_sum = sum(i * i for i in range(500)) - 49 - 1
    assert run(src, "f", 500, engine=engine) == [500.0, float(expected_sum)]


# ── scaling ─────────────────────────────────────────────────────────────────


SCALING = {
    "mset": ('f n:n>n;m=mmap;@i 0..n{k=str i;m=mset m k i};len m', 20_000.0),
    "append": ("f n:n>n;xs=[];@i 0..n{xs=+=xs i};len xs", 20_000.0),
    "concat": ('f n:n>n;s="";@i 0..n{s=+s "ab"};len s', 40_000.0),
}


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_accumulators_scale_linearly():
    """Every (shape, engine) pair, measured in this one test: 20,000 steps < 15x 2,000 steps."""
    failures = []
    for shape, (src, expected) in SCALING.items():
        program = ilo.load(src)
        for eng in ENGINES:
            assert program.call("f", 20_000, engine=eng) == expected

            ratio = scaling_ratio(lambda eng=eng, p=program: p.call("f", 2_000, engine=eng),
                                  lambda eng=eng, p=program: p.call("f", 20_000, engine=eng))
            if ratio >= 15:
                failures.append(f"{shape} on {eng}: {ratio:.1f}x")
    assert not failures, "20,000 steps took >= 15x the time of 2,000: " + ", ".join(failures)
