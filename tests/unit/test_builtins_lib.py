"""The reference's library beyond the first fifty builtins, called through the registry:
edge cases and error messages as the reference reports them, plus ``get-many`` against a
local HTTP server started here (never the internet)."""

from __future__ import annotations

import http.server
import math
import threading
import time

import pytest

import ilo
from ilo.diagnostics.diagnostic import IloError
from ilo.runtime.builtins import registry
from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.values import Err, FnRef, Ok


def b(name):
    return registry.get(name).impl


def raises(fn, *args, code="ILO-R009"):
    with pytest.raises(IloRuntimeError) as info:
        fn(*args)
    assert info.value.code == code, info.value.message
    return info.value.message


FUNCS = {"dbl": lambda x, *ctx: x * 2 + sum(ctx), "even": lambda x: x % 2 == 0, "klen": lambda s: float(len(s)),
         "ok": lambda x: Ok(x), "errodd": lambda x: Err("odd") if x % 2 else Ok(x), "pair": lambda x: [x, x],
         "add": lambda a, x, *ctx: a + x * (ctx[0] if ctx else 1.0), "num": lambda x: 1.0}


def call(fn, args):
    return FUNCS[fn.name](*args)


def test_math_follows_ieee_where_python_raises():
    assert math.isnan(b("sqrt")(-1.0)) and b("log")(0.0) == -math.inf and math.isnan(b("log")(-1.0))
    assert b("exp")(1000.0) == math.inf and math.isnan(b("asin")(2.0)) and math.isnan(b("sin")(math.inf))
    assert b("pow")(10.0, 400.0) == math.inf and b("pow")(-10.0, 401.0) == -math.inf
    assert math.isnan(b("pow")(-8.0, 1 / 3)) and b("pow")(0.0, -1.0) == math.inf and b("pow")(-0.0, -1.0) == -math.inf
    assert b("clamp")(5.0, 10.0, 0.0) == 10.0 and b("clamp")(math.nan, 0.0, 1.0) == 1.0
    assert raises(b("clamp"), 1.0, "a", 2.0) == "clamp requires three numbers"
    assert raises(b("sqrt"), "x").startswith("sqrt requires a number")


def test_min_max_list_forms():
    assert b("min")([3.0, 1.0, 2.0]) == 1.0 and b("max")([3.0, 1.0, 2.0]) == 3.0
    assert math.isnan(b("max")([1.0, math.nan, 3.0])) and b("max")(1.0, math.nan) == 1.0
    assert raises(b("min"), []) == "min: cannot take min of an empty list"
    assert "arg must be a list" in raises(b("max"), "x")


def test_stats():
    assert b("median")([3.0, 1.0, 2.0]) == 2.0 and b("median")([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert b("quantile")([1.0, 2.0, 3.0, 4.0], 0.25) == 1.75 and b("quantile")([5.0], 0.9) == 5.0
    assert b("quantile")([1.0, 2.0], 7.0) == 2.0  # p clamps
    assert b("variance")([1.0, 2.0, 3.0, 4.0]) == pytest.approx(1.6666666666666667)
    assert raises(b("stdev"), [1.0]) == "stdev: at least 2 samples required"
    assert raises(b("median"), []) == "median: cannot take median of an empty list"
    assert b("cumsum")([]) == [] and b("cumsum")([1.0, 2.0]) == [1.0, 3.0]


def test_at_take_drop_lst():
    assert b("at")([1.0, 2.0, 3.0], -1.0) == 3.0 and b("at")([1.0, 2.0, 3.0], 1.9) == 2.0
    assert b("at")([1.0, 2.0, 3.0], -1.5) == 2.0  # floors to -2
    assert b("at")("héllo", 1.0) == "é"
    assert raises(b("at"), [1.0], 5.0) == "at: index 5 out of range for list of length 1"
    assert raises(b("at"), "ab", -3.0) == "at: index -3 out of range for text of length 2"
    assert b("take")(-5.0, [1.0]) == [] and b("drop")(-5.0, [1.0]) == [1.0] and b("take")(2.0, "héllo") == "hé"
    assert raises(b("take"), 1.5, [1.0]) == "take: count must be an integer"
    assert b("lst")([1.0, 2.0], 0.0, "x") == ["x", 2.0]
    assert raises(b("lst"), [1.0], -1.0, 0.0) == "lst: index must be a non-negative integer"
    assert raises(b("lst"), [1.0], 1.0, 0.0) == "lst: index 1 out of range for list of length 1"
    assert registry.canonical("lset") == "lst"


def test_range_window_chunks_zip():
    assert b("range")(0.0, 3.0) == [0.0, 1.0, 2.0] and b("range")(3.0, 0.0) == []
    assert raises(b("range"), 0.5, 3.0) == "range: bounds must be integers"
    assert raises(b("range"), 0.0, 2e6).startswith("range too large")
    assert b("window")(5.0, [1.0]) == [] and b("chunks")(2.0, []) == []
    assert raises(b("window"), 0.0, [1.0]) == "window: size must be a positive integer, got 0"
    assert b("zip")([1.0], []) == [] and b("enumerate")([]) == []


def test_set_operations_sort_by_type_prefixed_text():
    assert b("setunion")([10.0, 9.0], [1.0]) == [1.0, 10.0, 9.0]  # "n:1" < "n:10" < "n:9"
    assert b("setinter")(["a", 1.0], [1.0, "b"]) == [1.0]
    assert b("setdiff")([True, "x"], ["x"]) == [True]
    assert "elements must be text, number, or bool" in raises(b("setunion"), [[1.0]], [])


def test_higher_order_with_context_and_new_forms():
    fn = FnRef
    assert b("map")(call, fn("dbl"), 1.0, [1.0, 2.0]) == [3.0, 5.0]  # f x ctx
    assert b("fld")(call, fn("add"), 10.0, [1.0, 2.0], 0.0) == 30.0  # f acc x ctx
    assert b("ct")(call, fn("even"), [1.0, 2.0, 4.0]) == 2.0
    assert b("partition")(call, fn("even"), [1.0, 2.0, 3.0]) == [[2.0], [1.0, 3.0]]
    assert b("flatmap")(call, fn("pair"), [1.0, 2.0]) == [1.0, 1.0, 2.0, 2.0]
    assert b("mapr")(call, fn("errodd"), [2.0, 3.0, 5.0]) == Err("odd")
    assert b("mapr")(call, fn("ok"), [1.0]) == Ok([1.0])
    assert b("uniqby")(call, fn("klen"), ["a", "bb", "c"]) == ["a", "bb"]
    assert b("rsrt")(call, fn("klen"), ["a", "ccc", "bb"]) == ["ccc", "bb", "a"]
    assert b("srt")(call, fn("dbl"), 0.0, [3.0, 1.0]) == [1.0, 3.0]
    assert "predicate must return bool" in raises(b("ct"), call, fn("num"), [1.0])
    assert b("frq")(["a", 2.0, 2.5, True]) == {"a": 1.0, 2: 2.0, "true": 1.0}


def test_text():
    assert b("padl")("7", 3.0, "0") == "007" and b("padr")("ab", 1.0) == "ab"
    assert raises(b("padl"), "a", 3.0, "xy") == 'padl pad char must be a 1-character string, got "xy"'
    assert raises(b("padr"), "a", -1.0) == "padr width must be non-negative, got -1"
    assert b("fmt2")(2.675, 2.0) == "2.67" and b("fmt2")(1.0, -3.0) == "1" and b("fmt2")(math.nan, 2.0) == "NaN"
    assert b("fmt2")(1.0, 99.0) == "1." + "0" * 20
    assert raises(b("ord"), "") == "ord requires a non-empty string"
    assert raises(b("chr"), 55296.0) == "chr: 55296 is not a valid Unicode codepoint"
    assert b("rgxsub")("(?<w>\\w+)", "[${w}]$$", "hi yo") == "[hi]$ [yo]$"
    assert b("rgxall")("x", "axbx") == [["x"], ["x"]]
    assert "only supports 0 or 1" in raises(b("rgxall1"), "(a)(b)", "ab")
    assert b("fmt")("{}-{}", 1.0) == "1-{}"
    assert "only supports bare" in raises(b("fmt"), "{:>5}", 1.0)


def test_fmt_spec_in_a_literal_template_is_a_verify_error():
    with pytest.raises(IloError) as info:
        ilo.load('f n:n>t;fmt "{:06d}" n')
    assert "ILO-T013" in str(info.value) and "{:06d}" in str(info.value)
    ilo.load('f n:n>t;fmt "{}" n')  # bare placeholders are fine
    with pytest.raises(IloError) as info:
        ilo.load('f>R t t;wr "/tmp/x" [1] "xml"')
    assert "ILO-T013" in str(info.value) and '"xml"' in str(info.value)


def test_linear_algebra_errors():
    assert raises(b("inv"), [[1.0, 2.0], [2.0, 4.0]]) == "inv: matrix is singular"
    assert raises(b("det"), [[1.0, 2.0]]) == "det: matrix must be square"
    assert raises(b("solve"), [[1.0]], [1.0, 2.0]) == "solve: vector length must match matrix size"
    assert raises(b("matmul"), [[1.0, 2.0]], [[1.0, 2.0]]) == "matmul: shape mismatch (a is 1x2, b is 1x2)"
    assert raises(b("dot"), [1.0], []) == "dot: length mismatch (xs has 1, ys has 0)"
    assert b("det")([[0.0, 1.0], [1.0, 0.0]]) == -1.0
    assert len(b("fft")([1.0, 2.0, 3.0])) == 4  # zero-padded
    assert raises(b("fft"), []) == "fft: input list must not be empty"


def test_time():
    assert b("dtfmt")(0.0, "%Y-%m-%d %H:%M:%S") == Ok("1970-01-01 00:00:00")
    assert b("dtfmt")(math.inf, "%Y") == Err("dtfmt: epoch is not finite (inf)")
    assert b("dtparse")("2024-01-15", "%Y-%m-%d") == Ok(1705276800.0)
    assert isinstance(b("dtparse")("nope", "%Y-%m-%d"), Err)
    t0 = time.perf_counter()
    assert b("sleep")(20.0) is None and time.perf_counter() - t0 >= 0.015
    assert b("sleep")(-5.0) is None and b("sleep")(math.nan) is None


def test_rdjl(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text('{"a":1}\n\nnot json\n[2]\n')
    out = b("rdjl")(str(p))
    assert len(out) == 3 and isinstance(out[0], Ok) and isinstance(out[1], Err) and out[2] == Ok([2.0])
    assert "rdjl failed to read" in raises(b("rdjl"), str(tmp_path / "missing.jsonl"))


class _Slow(http.server.BaseHTTPRequestHandler):
    active = 0
    peak = 0
    lock = threading.Lock()

    def do_GET(self):  # noqa: N802 - the http.server API
        with _Slow.lock:
            _Slow.active += 1
            _Slow.peak = max(_Slow.peak, _Slow.active)
        time.sleep(0.05)
        # Leave the count before answering: once the client has its reply it
        # may start the next request before this thread runs again, which
        # would count one request twice.
        with _Slow.lock:
            _Slow.active -= 1
        body = self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.timeout(30)
def test_get_many_is_concurrent_ordered_and_capped_at_ten():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        urls = [f"{base}/{i}" for i in range(25)]
        t0 = time.perf_counter()
        out = b("get-many")(urls)
        elapsed = time.perf_counter() - t0
        assert out == [Ok(f"/{i}") for i in range(25)]
        assert 2 <= _Slow.peak <= 10
        assert elapsed < 25 * 0.05  # faster than one at a time
        got = b("get-many")([f"{base}/ok", "http://127.0.0.1:9/refused"])
        assert got[0] == Ok("/ok") and isinstance(got[1], Err)
        assert b("get-many")([]) == []
        assert "element 1" in raises(b("get-many"), ["a", 2.0])
    finally:
        server.shutdown()
