"""``jdmp`` in kernels and its flat-record writer.

* A function that builds a list of records and serialises it compiles whole (a python
  function kernel calls ``jdmp`` in place), and every engine prints the same text, also for
  records the writer hands to the general path (nested values, numbers serde_json writes
  with an exponent, NaN, lists of mixed values).
* The flat-record writer gives exactly the general writer's text (``render(dump_tree(v))``,
  the path that follows serde_json rule by rule) for generated lists of records.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import jit_agrees, outcome

import ilo
from ilo import config
from ilo.runtime.builtins import jsonfmt
from ilo.runtime.values import Record

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(autouse=True)
def _kernels(tmp_path, monkeypatch):
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path / "ilo-cache"))
    monkeypatch.setattr(config, "JIT_NUMBA", "never")


def _function_kernel_ran(src: str, func: str, *args):
    program, want = jit_agrees(src, func, args, calls=4)
    fks = [k for k in program.last_jit_stats.functions if k.name == func]
    assert fks and fks[0].backend == "python" and fks[0].entries >= 1, program.last_jit_stats.report()
    return want


MIXED = ("type item{name:t;val:n}\n"
         "f n:n>t;items=[];i=0;wh <i n{nm=str i;vl=*i 3;it=item name:nm val:vl;items=+=items it;i=+i 1};jdmp items")


def test_records_built_and_serialised_in_one_function_kernel():
    want = _function_kernel_ran(MIXED, "f", 3)
    assert want == ("ok", '[{"name":"0","val":0},{"name":"1","val":3},{"name":"2","val":6}]', "str")
    assert _function_kernel_ran(MIXED, "f", 0)[1] == "[]"


@pytest.mark.parametrize("value, text", [
    ("*i 1e20", '"val":1e20'),                 # exponent: serde_json's form, not Python's
    ("/i 3", '"val":0.3333333333333333'),
    ("-0 *i 1e-7", '"val":-1e-7'),
    ("sqrt -1", '"val":null'),                 # NaN
    ("[i 2]", '"val":[1,2]'),                  # a nested list
    ("mset mmap \"k\" i", '"val":{"k":1}'),    # a nested map
    ('?=i 1 (h "one") (h i)', '"val":"one"'),  # text and numbers in one field
])
def test_records_the_writer_hands_to_the_general_path(value, text):
    src = (f"type item{{name:t;val:_}}\nh x:_>_;x\n"
           f"f n:n>t;items=[];i=0;wh <i n{{nm=str i;vl={value};it=item name:nm val:vl;"
           f"items=+=items it;i=+i 1}};jdmp items")
    got = outcome(ilo.load(src), "f", (2,), "tree")
    assert got[0] == "ok" and text in got[1], got
    for engine in ("vm", "jit"):
        program = ilo.load(src)
        for _ in range(3):
            assert outcome(program, "f", (2,), engine, jit_threshold=2) == got


def test_jdmp_of_every_kind_a_kernel_holds():
    # numbers, text, bools, nil, number lists, text lists, maps: each through the kernel form
    src = ('f n:n>t;s="";i=0;wh <i n{m=mset mmap "a" i;xs=[];xs=+=xs i;xs=+=xs 1;ws=[];ws=+=ws "a";ws=+=ws "é";'
           'a=jdmp i;b=jdmp "x\\"y";c=jdmp >i 0;d=jdmp m;e=jdmp xs;g=jdmp ws;'
           's=+s a;s=+s b;s=+s c;s=+s d;s=+s e;s=+s g;i=+i 1};s')
    want = _function_kernel_ran(src, "f", 2)
    assert want[1] == '0"x\\"y"false{"a":0}[0,1]["a","é"]1"x\\"y"true{"a":1}[1,1]["a","é"]'


_SCALARS = st.one_of(
    st.text(max_size=6), st.booleans(), st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e15, 1e15 - 1, -1e15 + 1, 1e16, 9.99e15, 1e-4, 1e-5, 3.0]),
)
_KEYS = st.sampled_from(["name", "val", "a", "Z", "é", "", "b b", "\"q\""])
_RECORDS = st.builds(lambda t, f: Record(t, f), st.sampled_from(["item", "json"]),
                     st.dictionaries(_KEYS, _SCALARS, max_size=4))


@settings(max_examples=300, deadline=None)
@given(st.lists(_RECORDS, min_size=1, max_size=5))
def test_flat_record_writer_matches_the_general_writer(records):
    assert jsonfmt.jdmp(records) == jsonfmt.render(jsonfmt.dump_tree(records))


def test_flat_record_writer_declines_what_it_cannot_write():
    nested = [Record("r", {"xs": [1.0]})]
    with pytest.raises(jsonfmt._NeedsRenderer):
        jsonfmt._flat_records(nested)
    assert jsonfmt.jdmp(nested) == '[{"xs":[1]}]'
    with pytest.raises(jsonfmt._NeedsRenderer):
        jsonfmt._flat_records([Record("r", {"x": 1e300})])
    assert jsonfmt.jdmp([Record("r", {"x": 1e300}), 2.0]) == '[{"x":1e300},2]'
    assert jsonfmt.jdmp([Record("r", {}), Record("r", {"x": math.inf})]) == '[{},{"x":null}]'
