"""Every builtin called directly through the registry: normal cases, edge cases and errors.

Expected values follow the reference interpreter's behaviour (byte-counting ``len``, half-away
``rou``, serde-style JSON text, ``Err`` values for file problems, ``ILO-R009`` for bad arguments).
"""

from __future__ import annotations

import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ilo.runtime.builtins import registry
from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.values import Err, FnRef, Ok, Record

SCOPE = (
    "len str num abs min max mod flr cel rou rnd now env rd rdl rdb wr wrl trm spl fmt cat has hd tl "
    "rev srt unq slc jpth jdmp prnt jpar grp flat sum avg rgx mmap mget mset mhas mkeys mvals mdel "
    "map flt fld"
).split()

REFERENCE_ALIASES = {
    "floor": "flr", "ceil": "cel", "round": "rou", "random": "rnd", "string": "str", "number": "num",
    "length": "len", "head": "hd", "tail": "tl", "reverse": "rev", "sort": "srt", "slice": "slc",
    "unique": "unq", "filter": "flt", "fold": "fld", "flatten": "flat", "concat": "cat",
    "contains": "has", "group": "grp", "average": "avg", "print": "prnt", "trim": "trm",
    "split": "spl", "format": "fmt", "regex": "rgx", "read": "rd", "readlines": "rdl",
    "readbuf": "rdb", "write": "wr", "writelines": "wrl",
}  # fmt: skip


def b(name):
    return registry.get(name).impl


def raises(code, fn, *args):
    with pytest.raises(IloRuntimeError) as info:
        fn(*args)
    assert info.value.code == code, info.value.message
    return info.value.message


# A stand-in for an engine's call callback: FnRef names map to Python functions.
FUNCS = {
    "dbl": lambda x: x * 2,
    "pos": lambda x: x > 0,
    "add": lambda a, x: a + x,
    "neg": lambda x: -x,
    "slen": lambda s: float(len(s)),
    "parity": lambda x: "even" if x % 2 == 0 else "odd",
    "half": lambda x: x / 2,
    "bad": lambda x: 1.0,
    "lst": lambda x: [x],
}
CALLS = []


def call(fn, args):
    CALLS.append((fn.name, list(args)))
    return FUNCS[fn.name](*args)


# ---------------------------------------------------------------- table completeness


def test_every_builtin_in_scope_is_registered():
    names = set(registry.all_builtins())
    assert set(SCOPE) <= names
    assert {"get", "post"} <= names  # network builtins live in their own family (net.py)


def test_every_reference_alias_resolves():
    for alias, short in REFERENCE_ALIASES.items():
        assert registry.canonical(alias) == short, alias
    for name in registry.all_builtins():
        assert registry.canonical(name) == name
    assert registry.canonical("nope") is None


def test_every_spec_has_doc_example_signature_and_verdict():
    for name, spec in registry.all_builtins().items():
        assert spec.doc and spec.example and spec.sigs, name
        assert spec.jit in ("kernel", "vm"), name
        assert callable(spec.impl), name


def test_purity_and_higher_order_flags():
    impure = {n for n, s in registry.all_builtins().items() if not s.pure}
    assert impure == {"rnd", "rndn", "now", "sleep", "env", "prnt", "rd", "rdl", "rdjl", "wr", "wrl", "get", "post",
                      "get-many"}
    needs_call = {n for n, s in registry.all_builtins().items() if s.needs_call}
    assert needs_call == {"map", "flt", "fld", "grp", "srt", "rsrt", "ct", "partition", "flatmap", "mapr", "uniqby"}


def test_arities_match_reference():
    arities = {n: s.arities for n, s in registry.all_builtins().items()}
    assert arities["rnd"] == (0, 2)
    assert arities["srt"] == (1, 2, 3) and arities["rsrt"] == (1, 2, 3)
    assert arities["rd"] == (1, 2)
    assert arities["wr"] == (2, 3)
    assert arities["fld"] == (3, 4) and arities["map"] == (2, 3)
    assert arities["padl"] == (2, 3) and arities["min"] == (1, 2)
    assert arities["mmap"] == (0,)
    assert registry.get("fmt").variadic and min(arities["fmt"]) == 1


# ---------------------------------------------------------------- numeric


def test_str_and_num():
    assert b("str")(42.0) == "42"
    assert b("str")(3.14) == "3.14"
    assert b("str")(-7.0) == "-7"
    assert b("str")(-0.0) == "0"
    assert b("str")(1e20) == "100000000000000000000"
    assert "requires a number" in raises("ILO-R009", b("str"), "x")
    assert b("num")("3.5") == Ok(3.5)
    assert b("num")("-1e3") == Ok(-1000.0)
    assert b("num")(".5") == Ok(0.5) and b("num")("5.") == Ok(5.0)
    assert b("num")("abc") == Err("abc")
    for not_rust in (" 1", "1_000", "", "1e", "0x10"):
        assert b("num")(not_rust) == Err(not_rust)
    assert math.isinf(b("num")("inf").value)
    raises("ILO-R009", b("num"), 1.0)


def test_abs_floor_ceil_round():
    assert b("abs")(-3.5) == 3.5
    assert b("flr")(2.7) == 2.0 and b("flr")(-2.1) == -3.0
    assert b("cel")(2.1) == 3.0 and b("cel")(-2.7) == -2.0
    assert math.copysign(1, b("cel")(-0.5)) == -1  # -0, as Rust's ceil gives
    assert b("rou")(2.5) == 3.0 and b("rou")(-2.5) == -3.0 and b("rou")(0.5) == 1.0
    assert b("rou")(0.49999999999999994) == 0.0
    assert b("rou")(math.inf) == math.inf
    assert math.isnan(b("flr")(math.nan))
    for name in ("abs", "flr", "cel", "rou"):
        raises("ILO-R009", b(name), "1")
        assert type(b(name)(1.5)) is float


def test_min_max_mod():
    assert b("min")(3.0, 7.0) == 3.0 and b("max")(3.0, 7.0) == 7.0
    assert b("min")(math.nan, 1.0) == 1.0 and b("max")(2.0, math.nan) == 2.0
    assert b("mod")(7.0, 3.0) == 1.0
    assert b("mod")(-7.0, 3.0) == -1.0  # sign of the dividend, like Rust's %
    assert b("mod")(7.5, 2.0) == 1.5
    assert "modulo by zero" in raises("ILO-R003", b("mod"), 1.0, 0.0)
    assert math.isnan(b("mod")(math.inf, 2.0))
    raises("ILO-R009", b("min"), 1.0, "2")
    raises("ILO-R009", b("mod"), True, 2.0)


def test_sum_avg():
    assert b("sum")([1.0, 2.0, 3.0]) == 6.0
    assert b("sum")([]) == 0.0 and type(b("sum")([])) is float
    assert b("avg")([2.0, 4.0, 6.0]) == 4.0
    assert "empty" in raises("ILO-R009", b("avg"), [])
    raises("ILO-R009", b("sum"), [1.0, "2"])
    raises("ILO-R009", b("avg"), "123")


def test_rnd_and_now():
    for _ in range(50):
        r = b("rnd")()
        assert 0.0 <= r < 1.0 and type(r) is float
        k = b("rnd")(1.0, 3.0)
        assert k in (1.0, 2.0, 3.0) and type(k) is float
    assert b("rnd")(5.0, 5.0) == 5.0
    assert "lower bound 3 > upper bound 1" in raises("ILO-R009", b("rnd"), 3.0, 1.0)
    raises("ILO-R009", b("rnd"), "a", 1.0)
    t = b("now")()
    assert type(t) is float and t > 1.6e9


# ---------------------------------------------------------------- text


def test_len_counts_utf8_bytes():
    assert b("len")("hello") == 5.0
    assert b("len")("héllo") == 6.0
    assert b("len")([1.0, 2.0]) == 2.0
    assert b("len")({"a": 1.0}) == 1.0
    assert type(b("len")("")) is float
    raises("ILO-R009", b("len"), 5.0)


def test_trm_spl_cat():
    assert b("trm")("  hi \n\t") == "hi"
    assert b("trm")("\x1fhi") == "\x1fhi"  # not White_Space, so Rust keeps it
    assert b("trm")("\u3000hi\xa0") == "hi"
    raises("ILO-R009", b("trm"), 1.0)
    assert b("spl")("a,b,,c", ",") == ["a", "b", "", "c"]
    assert b("spl")("abc", "") == ["", "a", "b", "c", ""]
    assert b("spl")("", ",") == [""]
    raises("ILO-R009", b("spl"), "a", 1.0)
    assert b("cat")(["a", "b", "c"], "-") == "a-b-c"
    assert b("cat")([], ",") == ""
    assert "must be text" in raises("ILO-R009", b("cat"), ["a", 1.0], ",")
    raises("ILO-R009", b("cat"), "ab", ",")


def test_fmt():
    fmt = b("fmt")
    assert fmt("Hello {}, you are {} years old", "alice", 30.0) == "Hello alice, you are 30 years old"
    assert fmt("{} {}", [1.0, 2.0], Ok(1.5)) == "[1, 2] ~1.5"
    assert fmt("{} and {}", "x") == "x and {}"  # missing arguments leave the placeholder
    assert fmt("no holes", 1.0) == "no holes"
    assert fmt("{{}}", "a") == "{a}"
    raises("ILO-R009", fmt, 1.0)


def test_rgx():
    rgx = b("rgx")
    assert rgx(r"\d+", "abc123def456") == ["123", "456"]
    assert rgx(r"(\w+)@(\w+)", "mail bob@host and al@x") == ["bob", "host"]
    assert rgx(r"(a)|(b)", "b") == ["b"]  # groups that did not take part are skipped
    assert rgx(r"(\d)", "none") == []
    assert rgx("a*", "baaa") == ["", "aaa"]  # no empty match right after a match, as in Rust
    assert rgx(r"(?<y>\d{4})", "in 2024") == ["2024"]
    assert rgx(r"end\z", "the end") == ["end"]
    assert "invalid regex" in raises("ILO-R009", rgx, "(", "x")
    raises("ILO-R009", rgx, 1.0, "x")


# ---------------------------------------------------------------- lists and text sequences


def test_has():
    assert b("has")([1.0, 2.0], 2.0) is True
    assert b("has")([1.0, 2.0], "2") is False
    assert b("has")([[1.0]], [1.0]) is True
    assert b("has")("hello-world", "world") is True
    assert b("has")("abc", "") is True
    raises("ILO-R009", b("has"), "abc", 1.0)
    raises("ILO-R009", b("has"), 5.0, 1.0)


def test_hd_tl():
    assert b("hd")([10.0, 20.0]) == 10.0 and b("hd")("héllo") == "h"
    assert b("tl")([10.0, 20.0, 30.0]) == [20.0, 30.0] and b("tl")("ébc") == "bc"
    assert b("tl")([1.0]) == [] and b("tl")("a") == ""
    assert "hd: empty list" in raises("ILO-R009", b("hd"), [])
    assert "hd: empty text" in raises("ILO-R009", b("hd"), "")
    assert "tl: empty list" in raises("ILO-R009", b("tl"), [])
    assert "tl: empty text" in raises("ILO-R009", b("tl"), "")
    raises("ILO-R009", b("hd"), 1.0)


def test_rev_never_mutates():
    xs = [1.0, 2.0, 3.0]
    assert b("rev")(xs) == [3.0, 2.0, 1.0] and xs == [1.0, 2.0, 3.0]
    assert b("rev")("héllo") == "olléh"
    raises("ILO-R009", b("rev"), 1.0)


def test_srt_plain():
    srt = b("srt")
    xs = [3.0, 1.0, 4.0, 1.0, 5.0]
    assert srt(call, xs) == [1.0, 1.0, 3.0, 4.0, 5.0] and xs[0] == 3.0
    assert srt(call, ["b", "a", "C"]) == ["C", "a", "b"]
    assert srt(call, "dcba") == "abcd"
    assert srt(call, []) == []
    assert "all numbers or all text" in raises("ILO-R009", srt, call, [1.0, "a"])
    raises("ILO-R009", srt, call, [True, False])
    raises("ILO-R009", srt, call, 3.0)
    with_nan = srt(call, [2.0, math.nan, 1.0])  # NaN compares equal to all, never raises
    assert len(with_nan) == 3 and 1.0 in with_nan and 2.0 in with_nan


def test_srt_by_key_is_stable():
    srt = b("srt")
    assert srt(call, FnRef("neg"), [1.0, 3.0, 2.0]) == [3.0, 2.0, 1.0]
    assert srt(call, FnRef("slen"), ["banana", "fig", "apple", "kiwi"]) == ["fig", "kiwi", "apple", "banana"]
    assert srt(call, "slen", ["bb", "a"]) == ["a", "bb"]  # a text names a function
    raises("ILO-R009", srt, call, 1.0, [1.0])
    raises("ILO-R009", srt, call, FnRef("neg"), "abc")


def test_unq():
    assert b("unq")([1.0, 2.0, 1.0, 3.0, 2.0]) == [1.0, 2.0, 3.0]
    assert b("unq")([1.0, "1", True, 1.0]) == [1.0, "1", True]
    assert b("unq")([[1.0], [1.0], {"a": 1.0}, {"a": 1.0}]) == [[1.0], {"a": 1.0}]
    assert len(b("unq")([math.nan, math.nan])) == 1
    assert b("unq")("abracadabra") == "abrcd"
    raises("ILO-R009", b("unq"), 1.0)


def test_slc_clamps():
    slc = b("slc")
    assert slc([10.0, 20.0, 30.0, 40.0, 50.0], 1.0, 3.0) == [20.0, 30.0]
    assert slc("abcdef", 0.0, 3.0) == "abc"
    assert slc("héllo", 1.0, 3.0) == "él"  # by character
    assert slc([1.0, 2.0], 1.0, 99.0) == [2.0]
    assert slc([1.0, 2.0], 3.0, 1.0) == []
    assert slc([1.0, 2.0, 3.0], -5.0, 1.0) == [1.0]  # far negative clamps to 0
    assert slc([1.0, 2.0, 3.0], -2.0, 3.0) == [2.0, 3.0]  # negative counts from the end
    assert slc("(quoted)", 1.0, -1.0) == "quoted"
    raises("ILO-R009", slc, [1.0], 0.5, 1.0)  # bounds must be whole
    raises("ILO-R009", slc, [1.0], math.nan, 1.0)
    raises("ILO-R009", slc, [1.0], "0", 1.0)
    raises("ILO-R009", slc, [1.0], 0.0, None)
    raises("ILO-R009", slc, 5.0, 0.0, 1.0)


def test_flat():
    assert b("flat")([[1.0, 2.0], [3.0], [4.0, 5.0]]) == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert b("flat")([1.0, [2.0, [3.0]]]) == [1.0, 2.0, [3.0]]
    assert b("flat")([]) == []
    raises("ILO-R009", b("flat"), "ab")


# ---------------------------------------------------------------- higher-order


def test_map_flt_fld_call_in_order():
    CALLS.clear()
    assert b("map")(call, FnRef("dbl"), [1.0, 2.0, 3.0]) == [2.0, 4.0, 6.0]
    assert [a for _, a in CALLS] == [[1.0], [2.0], [3.0]]
    assert b("flt")(call, FnRef("pos"), [-1.0, 2.0, -3.0, 4.0]) == [2.0, 4.0]
    CALLS.clear()
    assert b("fld")(call, FnRef("add"), [1.0, 2.0, 3.0], 10.0) == 16.0
    assert CALLS[0] == ("add", [10.0, 1.0])  # accumulator first, then the element
    assert b("fld")(call, FnRef("add"), [], 7.0) == 7.0
    assert b("map")(call, "dbl", [1.0]) == [2.0]


def test_higher_order_errors():
    assert "must return bool" in raises("ILO-R009", b("flt"), call, FnRef("bad"), [1.0])
    assert "function reference" in raises("ILO-R009", b("map"), call, 1.0, [1.0])
    assert "must be a list" in raises("ILO-R009", b("map"), call, FnRef("dbl"), "abc")
    raises("ILO-R009", b("fld"), call, FnRef("add"), 5.0, 0.0)


def test_grp():
    groups = b("grp")(call, FnRef("parity"), [1.0, 2.0, 3.0, 4.0])
    assert groups == {"odd": [1.0, 3.0], "even": [2.0, 4.0]}
    # number keys floor to number keys, as in the reference's map keys
    assert b("grp")(call, FnRef("half"), [2.0, 3.0, 5.0]) == {1: [2.0, 3.0], 2: [5.0]}
    assert b("grp")(call, FnRef("pos"), [1.0, -1.0]) == {"true": [1.0], "false": [-1.0]}
    assert "key function" in raises("ILO-R009", b("grp"), call, FnRef("lst"), [1.0])


# ---------------------------------------------------------------- maps


def test_maps_copy_and_sort():
    m = b("mmap")()
    assert m == {}
    m1 = b("mset")(m, "b", 2.0)
    m2 = b("mset")(m1, "a", 1.0)
    assert m == {} and m1 == {"b": 2.0}  # never mutated
    assert b("mget")(m2, "a") == 1.0 and b("mget")(m2, "zz") is None
    assert b("mhas")(m2, "b") is True and b("mhas")(m2, "c") is False
    assert b("mkeys")(m2) == ["a", "b"]
    assert b("mvals")(m2) == [1.0, 2.0]
    m3 = b("mdel")(m2, "a")
    assert m3 == {"b": 2.0} and "a" in m2
    assert b("mdel")(m3, "missing") == m3


def test_number_keys_floor_and_never_match_text_keys():
    m = b("mset")(b("mset")({}, 7.9, "seven"), "7", "text")
    assert m == {7: "seven", "7": "text"}
    assert b("mget")(m, 7.0) == "seven" and b("mhas")(m, -0.0) is False
    assert b("mkeys")(b("mset")(m, -2.0, 1.0)) == [-2.0, 7.0, "7"]
    assert b("jdmp")(b("mset")({}, 3.0, 1.0)) == '{"3":1}'


def test_map_errors():
    raises("ILO-R009", b("mget"), [1.0], "a")
    raises("ILO-R009", b("mget"), {}, True)
    raises("ILO-R009", b("mget"), {}, math.nan)
    raises("ILO-R009", b("mset"), {}, math.inf, 2.0)
    raises("ILO-R009", b("mhas"), "m", "a")
    raises("ILO-R009", b("mkeys"), [])
    raises("ILO-R009", b("mvals"), None)
    raises("ILO-R009", b("mdel"), {}, None)


# ---------------------------------------------------------------- JSON


def test_jdmp():
    jdmp = b("jdmp")
    assert jdmp([1.0, 2.0, 3.0]) == "[1,2,3]"
    assert jdmp(42.0) == "42" and jdmp(2.5) == "2.5" and jdmp(-0.0) == "0"
    assert jdmp(1e15) == "1000000000000000.0" and jdmp(1e20) == "1e20" and jdmp(1e-7) == "1e-7"
    assert jdmp(math.nan) == "null" and jdmp(math.inf) == "null"
    assert jdmp("hello") == '"hello"'
    assert jdmp('a"b\n\\é') == '"a\\"b\\n\\\\é"'
    assert jdmp(Record("pt", {"y": 2.0, "x": 1.0})) == '{"x":1,"y":2}'
    assert jdmp({"b": [], "a": {}}) == '{"a":{},"b":[]}'
    assert jdmp(Ok(1.0)) == "1" and jdmp(Err("e")) == '"e"'
    assert jdmp(None) == "null" and jdmp(True) == "true"
    assert jdmp(FnRef("f")) == '"<fn:f>"'


def test_jpar():
    jpar = b("jpar")
    r = jpar('{"x": 1, "b": [true, null, "s", 2.5]}')
    assert isinstance(r, Ok)
    rec = r.value
    assert isinstance(rec, Record) and rec.type_name == "json"
    assert list(rec.fields) == ["b", "x"]
    assert rec.fields["x"] == 1.0 and type(rec.fields["x"]) is float
    assert rec.fields["b"] == [True, None, "s", 2.5]
    assert jpar("[1, 2]") == Ok([1.0, 2.0])
    assert jpar('"s"') == Ok("s")
    for bad in ("", "{", "[1,]", "1 2", "NaN", "{'a': 1}"):
        out = jpar(bad)
        assert isinstance(out, Err) and isinstance(out.value, str) and out.value, bad
    assert "line 1 column" in jpar("1 2").value
    raises("ILO-R009", jpar, 1.0)


def test_jpth():
    jpth = b("jpth")
    doc = '{"user": {"name": "ann", "tags": ["a", "b"], "age": 30, "h": 1.5, "o": {"k": 1}}}'
    assert jpth(doc, "user.name") == Ok("ann")
    assert jpth(doc, "user.tags.1") == Ok("b")
    assert jpth(doc, "user.age") == Ok("30")
    assert jpth(doc, "user.h") == Ok("1.5")
    assert jpth(doc, "user.o") == Ok('{"k":1}')
    assert jpth(doc, "user.tags") == Ok('["a","b"]')
    assert jpth(doc, "user.zip") == Err("key not found: zip")
    assert jpth(doc, "user.tags.5") == Err("key not found: 5")
    assert jpth('{"0": 1}', "0") == Err("key not found: 0")  # numeric keys only index arrays
    assert isinstance(jpth("{bad", "a"), Err)
    raises("ILO-R009", jpth, doc, 1.0)


# ---------------------------------------------------------------- files, env, prnt


def test_rd_formats(tmp_path):
    csv = tmp_path / "d.CSV"
    csv.write_bytes(b'a,b\r\n"x,1","say ""hi"""\n\nlast')
    assert b("rd")(str(csv)) == Ok([["a", "b"], ["x,1", 'say "hi"'], [""], ["last"]])
    tsv = tmp_path / "d.tsv"
    tsv.write_text("a\tb\n")
    assert b("rd")(str(tsv)) == Ok([["a", "b"]])
    js = tmp_path / "d.json"
    js.write_text('{"n": [1, 2]}')
    assert b("rd")(str(js)) == Ok(Record("json", {"n": [1.0, 2.0]}))
    js.write_text("{oops")
    assert isinstance(b("rd")(str(js)), Err)
    txt = tmp_path / "notes"
    txt.write_text("plain,text\n")
    assert b("rd")(str(txt)) == Ok("plain,text\n")
    assert b("rd")(str(txt), "csv") == Ok([["plain", "text"]])
    dot = tmp_path / ".hidden"
    dot.write_text("x,y")
    assert b("rd")(str(dot)) == Ok("x,y")


def test_rd_errors_are_values(tmp_path):
    missing = b("rd")(str(tmp_path / "nope.txt"))
    assert missing == Err("No such file or directory (os error 2)")
    assert b("rdl")(str(tmp_path / "nope")) == missing
    assert b("rd")(str(tmp_path)) == Err("Is a directory (os error 21)")
    binary = tmp_path / "b.bin"
    binary.write_bytes(b"\xff\xfe")
    assert b("rd")(str(binary)) == Err("stream did not contain valid UTF-8")
    assert isinstance(b("rd")("a\0b"), Err)
    raises("ILO-R009", b("rd"), 1.0)
    raises("ILO-R009", b("rd"), "x", 1.0)
    raises("ILO-R009", b("rdl"), None)


def test_rdl_and_rdb(tmp_path):
    f = tmp_path / "l.txt"
    f.write_bytes(b"one\r\ntwo\n\nthree\n")
    assert b("rdl")(str(f)) == Ok(["one", "two", "", "three"])
    f.write_text("")
    assert b("rdl")(str(f)) == Ok([])
    assert b("rdb")("a,b\n1,2", "csv") == Ok([["a", "b"], ["1", "2"]])
    assert b("rdb")("[1]", "json") == Ok([1.0])
    assert b("rdb")("raw text", "raw") == Ok("raw text")
    assert isinstance(b("rdb")("[", "json"), Err)
    raises("ILO-R009", b("rdb"), 1.0, "csv")
    raises("ILO-R009", b("rdb"), "x", None)


def test_wr_text_is_atomic_and_returns_path(tmp_path):
    p = str(tmp_path / "out.txt")
    assert b("wr")(p, "hello") == Ok(p)
    assert open(p).read() == "hello"
    assert b("wr")(p, "bye") == Ok(p)
    assert open(p).read() == "bye"
    assert os.listdir(tmp_path) == ["out.txt"]  # no temp file left behind
    plain = tmp_path / "plain"
    plain.write_text("")  # a file made the ordinary way shows the mode wr should give
    assert os.stat(p).st_mode & 0o777 == os.stat(plain).st_mode & 0o777
    plain.unlink()
    bad = b("wr")(str(tmp_path / "no" / "dir.txt"), "x")
    assert bad == Err("No such file or directory (os error 2)")
    assert b("wr")(str(tmp_path), "x") == Err("Is a directory (os error 21)")
    assert os.listdir(tmp_path) == ["out.txt"]
    raises("ILO-R009", b("wr"), 1.0, "x")
    raises("ILO-R009", b("wr"), p, 1.0)


def test_wr_formats(tmp_path):
    p = str(tmp_path / "o.csv")
    rows = [["a", "b,c", 'q"'], [1.0, 2.5, True]]
    assert b("wr")(p, rows, "csv") == Ok(p)
    assert open(p).read() == 'a,"b,c","q"""\n1,2.5,true\n'
    assert b("wr")(p, [["a b", "c"]], "tsv") == Ok(p)
    assert open(p).read() == "a b\tc\n"
    assert b("wr")(p, {"k": [1.0, "x"], "e": []}, "json") == Ok(p)
    assert open(p).read() == '{\n  "e": [],\n  "k": [\n    1.0,\n    "x"\n  ]\n}'
    assert "unknown format" in raises("ILO-R009", b("wr"), p, "x", "xml")
    assert "list of rows" in raises("ILO-R009", b("wr"), p, "x", "csv")
    assert "each row" in raises("ILO-R009", b("wr"), p, ["x"], "csv")


def test_wrl(tmp_path):
    p = str(tmp_path / "lines.txt")
    assert b("wrl")(p, ["a", "b"]) == Ok(p)
    assert open(p).read() == "a\nb\n"
    assert b("wrl")(p, []) == Ok(p) and open(p).read() == ""
    raises("ILO-R009", b("wrl"), p, ["a", 1.0])
    raises("ILO-R009", b("wrl"), p, "a")


def test_prnt_passes_value_through(capsys):
    v = [1.0, "a"]
    assert b("prnt")(v) is v
    assert b("prnt")(2.5) == 2.5
    assert capsys.readouterr().out == "[1, a]\n2.5\n"


def test_env(monkeypatch):
    monkeypatch.setenv("ILO_TEST_VAR", "yes")
    monkeypatch.delenv("ILO_TEST_MISSING", raising=False)
    assert b("env")("ILO_TEST_VAR") == Ok("yes")
    assert b("env")("ILO_TEST_MISSING") == Err("env var 'ILO_TEST_MISSING' not set")
    raises("ILO-R009", b("env"), 1.0)


def test_http_failures_are_err_values_not_exceptions():
    get, post = registry.get("get").impl, registry.get("post").impl
    # Nothing listens on port 1 of the loopback address: connection refused, as a value.
    assert isinstance(get("http://127.0.0.1:1/"), Err)
    assert isinstance(post("http://127.0.0.1:1/", "{}"), Err)
    assert isinstance(get("not a url"), Err)


@given(st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
    max_leaves=12))
@settings(max_examples=300, deadline=None)
def test_jdmp_fast_path_matches_the_serde_style_renderer(value):
    from ilo.runtime.builtins.jsonfmt import dump_tree, render

    assert registry.get("jdmp").impl(value) == render(dump_tree(value))
