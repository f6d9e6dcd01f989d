"""`ilo serv` driven through a real pipe: the reference's request shapes, every error phase,
our optional fields, a thousand requests in one process, and warm kernels across requests."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import REPO

from ilo.runtime.format import format_value
from ilo.serv import ProgramCache, Server, parse_args, to_json

pytestmark = pytest.mark.timeout(120)


class Serv:
    """One `python -m ilo serv` child, talked to a line at a time."""

    def __init__(self, *flags: str, env: dict | None = None):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ilo", "serv", *flags], cwd=REPO, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
            env={**os.environ, **(env or {})})
        assert json.loads(self.proc.stdout.readline()) == {"ready": True}

    def ask(self, req) -> dict:
        line = req if isinstance(req, str) else json.dumps(req)
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def rss_kb(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

    def close(self) -> int:
        self.proc.stdin.close()
        rc = self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return rc


@pytest.fixture(scope="module")
def serv():
    s = Serv()
    yield s
    assert s.close() == 0


# ── the reference's requests, unchanged ──


def test_reference_request_shapes(serv):
    assert serv.ask({"program": "f>n;99"})["ok"] == 99
    r = serv.ask({"program": "f x:n>n;*x 2", "args": ["5"], "func": "f"})
    assert r["ok"] == 10 and isinstance(r["ms"], (int, float))
    assert serv.ask({"program": "f>t;\"hello\""})["ok"] == "hello"
    assert serv.ask({"program": "a>n;1\nb>n;2", "func": "b"})["ok"] == 2
    assert serv.ask({"program": "f>R n t;~42"})["ok"] == 42  # a top-level ~v is unwrapped
    r = serv.ask({"program": "f>R n t;^\"oops\""})
    assert r["error"] == {"phase": "program", "value": "oops"}


def test_error_phases(serv):
    assert serv.ask("not valid json")["error"]["phase"] == "request"
    assert serv.ask("[1, 2]")["error"]["phase"] == "request"
    assert serv.ask({"func": "f"})["error"]["phase"] == "request"
    err = serv.ask({"program": "f>n;\"open"})["error"]
    assert err["phase"] == "lex" and err["code"] == "ILO-L004"
    err = serv.ask({"program": "f>n;??invalid"})["error"]
    assert err["phase"] == "parse" and err["diagnostics"][0]["code"].startswith("ILO-P")
    err = serv.ask({"program": "f x:n>t;x"})["error"]
    assert err["phase"] == "verify" and err["code"] == "ILO-T008"
    err = serv.ask({"program": "f x:n>n;/x 0", "args": [1]})["error"]
    assert err["phase"] == "runtime" and err["code"] == "ILO-R003"
    # the same objects as `ilo --json` (the reference's schema), with the position
    d = err["diagnostics"][0]
    label = d["labels"][0]
    assert (label["line"], label["col"], label["start"], d["message"]) == (1, 9, 8, "division by zero")
    assert d["notes"] == ["in function 'f'"]


def test_arguments_as_words_or_json_values(serv):
    prog = "f xs:L n k:n>n;s=0;@x xs{s=+s x};*s k"
    assert serv.ask({"program": prog, "args": ["1,2,3", "2"]})["ok"] == 12
    assert serv.ask({"program": prog, "args": [[1, 2.5], 2]})["ok"] == 7
    assert serv.ask({"program": prog, "args": [[1, 2], "3"]})["ok"] == 9
    err = serv.ask({"program": prog, "args": [["a"], 1]})["error"]
    assert err["code"] == "ILO-R016"
    assert serv.ask({"program": "f x:n>n;x", "args": ["abc"]})["error"]["code"] == "ILO-R016"
    assert serv.ask({"program": "f x:n>n;x", "args": [10**400]})["error"]["code"] == "ILO-R016"


def test_values_as_json(serv):
    assert serv.ask({"program": "type pt{x:n;y:n}\nf>pt;pt x:1 y:2.5"})["ok"] == {"x": 1, "y": 2.5}
    assert serv.ask({"program": "f>M t n;mset mmap \"a\" 1"})["ok"] == {"a": 1}
    assert serv.ask({"program": "f>L R n t;[~1 ^\"e\"]"})["ok"] == [{"ok": 1}, {"err": "e"}]
    assert serv.ask({"program": "f>n;/1 3"})["ok"] == pytest.approx(1 / 3)
    assert serv.ask({"program": "f>O n;nil"})["ok"] is None
    assert serv.ask({"program": "f>b;true"})["ok"] is True


def test_optional_fields(serv):
    r = serv.ask({"program": "f x:n>n;+x 1", "args": [1], "id": "req-7"})
    assert r["id"] == "req-7" and r["ok"] == 2
    assert serv.ask({"program": "f>n;x", "id": 3})["id"] == 3  # echoed on errors too
    for engine in ("tree", "vm", "jit"):
        assert serv.ask({"program": "f x:n>n;*x x", "args": [3], "engine": engine})["ok"] == 9
    assert serv.ask({"program": "f>n;1", "engine": "gpu"})["error"]["phase"] == "request"
    runaway = {"program": "f>n;i=0;wh true{i=+i 1};i"}
    assert serv.ask({**runaway, "max_steps": 1000})["error"]["code"] == "ILO-R015"
    assert serv.ask({**runaway, "timeout": 0.2})["error"]["code"] == "ILO-R015"
    assert serv.ask({**runaway, "max_steps": 1e400})["error"]["phase"] == "request"
    # ... and the loop goes on
    assert serv.ask({"program": "f>n;7"})["ok"] == 7


def test_limited_requests_still_run_jit_kernels(serv):
    loop = {"program": "f n:n>n;s=0;@i 0..n{s=+s i};s", "args": [100000], "engine": "jit", "jit_stats": True}
    r = serv.ask({**loop, "max_steps": 100_000_000})
    assert r["ok"] == 4999950000 and r["jit"]["compiled"] == 1 and r["jit"]["entries"] >= 1
    r = serv.ask({**loop, "max_steps": 100_000})  # runs out inside the kernel: same error as the VM
    want = serv.ask({**loop, "max_steps": 100_000, "engine": "vm"})
    assert r["error"]["code"] == "ILO-R015" and r["error"] == want["error"]


def test_printed_output_is_returned_not_interleaved(serv):
    r = serv.ask({"program": 'f>n;prnt "hi";42'})
    assert r["ok"] == 42 and r["stdout"] == "hi\n"
    r = serv.ask({"program": 'f>n;prnt "before";x=/1 0;x'})
    assert r["error"]["code"] == "ILO-R003" and r["stdout"] == "before\n"
    assert "stdout" not in serv.ask({"program": "f>n;1"})


def test_warm_kernels_and_program_cache():
    s = Serv(env={"ILO_JIT_THRESHOLD": "2"})
    try:
        req = {"program": "tot n:n>n;s=0;@i 0..n{s=+s i};s", "args": [5000], "jit_stats": True}
        first = s.ask(req)
        assert first["ok"] == 12497500 and first["jit"]["compiled"] >= 1 and first["jit"]["built"] >= 1
        # The JIT tiers up (a loop kernel, then, once the function is hot, a function kernel);
        # after that an identical request builds nothing.
        for _ in range(5):
            r = s.ask(req)
            if r["jit"]["built"] == 0:
                break
        assert r["jit"]["built"] == 0 and r["jit"]["compiled"] >= 1
        before = s.ask({"stats": True})["ok"]
        again = s.ask(req)
        assert again["ok"] == 12497500
        assert again["jit"]["compiled"] >= 1 and again["jit"]["built"] == 0  # warm: no build
        after = s.ask({"stats": True})["ok"]
        assert after["kernels"] == before["kernels"] >= 1
        assert after["cache_hits"] == before["cache_hits"] + 1
        assert after["cache_misses"] == before["cache_misses"] == 1  # parsed once, ever
    finally:
        assert s.close() == 0


def test_a_thousand_requests_bounded_memory():
    s = Serv("--cache", "50")
    try:
        # 1,000 different programs (each a cache miss): the cache stays at 50 and memory stays flat.
        for i in range(200):
            assert s.ask({"program": f"f x:n>n;+x {i}", "args": [1]})["ok"] == i + 1
        warm = s.rss_kb()
        for i in range(200, 1000):
            r = s.ask({"program": f"f x:n>n;+x {i}", "args": [1]}) if i % 3 else s.ask("{bad json")
            assert ("ok" in r) if i % 3 else r["error"]["phase"] == "request"
        stats = s.ask({"stats": True})["ok"]
        assert stats["programs"] == 50 and stats["requests"] == 1001  # the stats request counts too
        assert s.rss_kb() - warm < 8_000, "memory grew beyond the bounded program cache"
    finally:
        assert s.close() == 0


def test_end_of_input_exits_zero_and_blank_lines_are_skipped():
    r = subprocess.run([sys.executable, "-m", "ilo", "serv"], input='\n  \n{"program":"f>n;1"}\n',
                       capture_output=True, text=True, cwd=REPO, timeout=60)
    lines = r.stdout.splitlines()
    assert r.returncode == 0 and json.loads(lines[0]) == {"ready": True}
    assert len(lines) == 2 and json.loads(lines[1])["ok"] == 1


def test_invalid_utf8_is_a_request_error():
    r = subprocess.run([sys.executable, "-m", "ilo", "serv"], input=b'\xff\xfe\n{"program":"f>n;1"}\n',
                       capture_output=True, cwd=REPO, timeout=60)
    lines = r.stdout.decode().splitlines()
    assert json.loads(lines[1])["error"]["phase"] == "request"
    assert json.loads(lines[2])["ok"] == 1


def test_bad_flags_are_usage_errors():
    r = subprocess.run([sys.executable, "-m", "ilo", "serv", "--cache"], capture_output=True, text=True,
                       cwd=REPO, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and "requires a value" in r.stderr


# ── in process: the pieces ──


def test_parse_args():
    assert parse_args(["-j", "--engine", "vm", "--cache=5", "--max-steps", "10"]) == {
        "engine": "vm", "cache_size": 5, "max_steps": 10}
    assert "unknown flag" in parse_args(["--nope"])
    # tool providers are accepted now (they were refused before ilo.toolprov existed)
    assert parse_args(["--mcp", "cfg.json"]) == {"mcp": "cfg.json"}
    assert parse_args(["--tools=t.json"]) == {"tools": "t.json"}
    assert "requires a path argument" in parse_args(["--tools"])


def test_cache_is_lru():
    cache = ProgramCache(2)
    a, b = cache.get("a>n;1"), cache.get("b>n;2")
    assert cache.get("a>n;1") is a  # a is now the most recent
    cache.get("c>n;3")  # evicts b
    assert len(cache) == 2 and cache.get("a>n;1") is a and cache.get("b>n;2") is not b


def test_engine_bug_becomes_an_error_response(monkeypatch):
    server = Server()
    from ilo import api

    def boom(*a, **k):
        raise ValueError("kaput")

    monkeypatch.setattr(api.Program, "call", boom)
    r = server.handle_line('{"program": "f>n;1", "id": 1}')
    assert r["error"]["code"] == "ILO-R013" and r["id"] == 1


def test_deep_values_encode():
    v: list = []
    for _ in range(10_000):
        v = [v]
    out = str(to_json(v))
    assert out == "[" * 10_001 + "]" * 10_001  # the innermost [] and 10,000 around it
    assert to_json(float("nan")) == "null" and to_json(1e20) == "1e20" and to_json(3.0) == "3"
    # a function has no JSON form: its display text, or null right inside a top-level ~
    from ilo.runtime.values import FnRef

    assert json.loads(to_json([FnRef("f")])) == format_value([FnRef("f")])
    assert to_json(FnRef("f"), inside_ok=True) == "null"


def test_response_lines_are_written_as_serde_json_writes_them():
    # compact, object keys sorted (the reference's maps are ordered by key), numbers in
    # serde_json's form, whole milliseconds
    reqs = ['{"program":"f>L n;[1e20 1e-7 0.5 3 -0]"}', '{"program":"f>R n t;^\\"no\\""}', "nope"]
    r = subprocess.run([sys.executable, "-m", "ilo", "serv"], cwd=REPO, input="\n".join(reqs) + "\n",
                       capture_output=True, text=True, timeout=60)
    lines = r.stdout.splitlines()
    assert lines[0] == '{"ready":true}'
    assert lines[1].startswith('{"ms":') and lines[1].endswith(',"ok":[1e20,1e-7,0.5,3,0]}')
    assert json.loads(lines[1])["ms"] == int(json.loads(lines[1])["ms"])
    assert lines[2].startswith('{"error":{"phase":"program","value":"no"},"ms":')
    assert lines[3] == '{"error":{"message":"invalid JSON: expected value at line 1 column 1","phase":"request"}}'
