"""Tool providers: ``--tools`` (HTTP endpoints), ``--mcp`` (MCP servers over stdio), ``ilo tools``.

A local HTTP server runs on 127.0.0.1 in a thread; a tiny MCP server is a Python script
written by the test. Tool calls are checked on every engine through the oracle (the JIT leaves
loops that call tools on the VM: asserted from its stats), through the CLI and ``ilo serv`` as
subprocesses, and on their error paths (unreachable host, timeout, bad JSON, a server that
dies or hangs, bad configs, retries).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import REPO
from oracle import assert_same, outcome

from ilo.runtime import calls
from ilo.runtime.values import Err, Ok, Record
from ilo.toolprov import ProviderError, open_providers

# ── a local HTTP server ─────────────────────────────────────────────────────


class _Handler(BaseHTTPRequestHandler):
    def _any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        srv = self.server
        srv.seen.append({"method": self.command, "path": self.path, "body": body,
                         "headers": {k.lower(): v for k, v in self.headers.items()}})
        path = self.path
        srv.hits[path] = srv.hits.get(path, 0) + 1
        status, out = 200, None
        if path == "/echo":
            out = json.dumps({"args": json.loads(body)["args"]})
        elif path == "/missing":
            status, out = 404, '{"error": "no such user", "id": 7}'
        elif path == "/notjson":
            out = "<html>hello</html>"
        elif path == "/slow":
            time.sleep(1.5)
            out = "1"
        elif path == "/flaky":  # fails the first time, then answers
            status, out = (500, '{"e":"down"}') if srv.hits[path] == 1 else (200, '{"ok": "up"}')
        elif path == "/trickle":  # headers at once, then a body that never ends in time
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.1)
            return
        elif path == "/result":
            out = '{"err": "declined"}'
        else:
            out = '{"n": 1.5, "list": [1, true, null], "name": "x"}'
        data = out.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that timed out and hung up is what the timeout tests do


@pytest.fixture(scope="module")
def http_server():
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    srv.seen, srv.hits = [], {}
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _tools_config(tmp_path, srv, **tools) -> str:
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    cfg = {"tools": {name: {**spec, "url": spec.get("url", base + spec.pop("path", "/echo"))}
                     for name, spec in tools.items()}}
    path = tmp_path / "tools.json"
    path.write_text(json.dumps(cfg))
    return str(path)


def _run_tool_program(path: str, src: str, func: str, *args, **options):
    """``src`` run on every engine with the providers of ``path`` active."""
    with open_providers(tools=path) as providers:
        program = providers.load(src)
        with providers.active(program):
            return assert_same(program, func, *args, **options)


# ── no provider: the reference's stub ───────────────────────────────────────


def test_stub_without_provider_prints_the_call_and_answers_ok_nil(capfd):
    assert calls.PROVIDER[0] is None
    result = assert_same('tool ping"p" x:t n:n>R _ t\nf>R _ t;ping "hi" 2', "f")
    assert result == Ok(None)
    err = capfd.readouterr().err
    assert err.count("tool call: ping(hi, 2)") == 4  # once per engine, and the value returned


# ── HTTP provider ───────────────────────────────────────────────────────────


def test_http_ok_on_every_engine_and_the_request_it_sends(tmp_path, http_server):
    path = _tools_config(tmp_path, http_server, echo={"headers": {"X-Key": "k1"}})
    src = 'tool echo"e" a:n b:t c:L n d:R n t>R _ t\nf>R _ t;echo 3 "x" [1 2.5] ~4'
    http_server.seen.clear()
    result = _run_tool_program(path, src, "f")
    assert result == Ok(Record("_", {"args": [3.0, "x", [1.0, 2.5], Ok(4.0)]}))
    req = http_server.seen[0]
    assert req["method"] == "POST" and req["path"] == "/echo"
    assert req["body"] == b'{"args":[3,"x",[1,2.5],{"ok":4}]}'  # serde_json's layout
    assert req["headers"]["x-key"] == "k1" and req["headers"]["content-type"] == "application/json"
    assert len(http_server.seen) == 4  # one request per engine, and the value returned


def test_http_response_becomes_ilo_values(tmp_path, http_server):
    path = _tools_config(tmp_path, http_server, data={"path": "/data"}, res={"path": "/result"})
    src = 'tool data"d">R _ t\ntool res"r">R _ t\nf>R _ t;data()\ng>R _ t;res()'
    value = _run_tool_program(path, src, "f")
    assert value == Ok(Record("_", {"list": [1.0, True, None], "n": 1.5, "name": "x"}))
    assert _run_tool_program(path, src, "g") == Ok(Err("declined"))  # {"err": ..} is a result


def test_http_method_and_put(tmp_path, http_server):
    path = _tools_config(tmp_path, http_server, up={"method": "put"}, odd={"method": "BREW"})
    http_server.seen.clear()
    _run_tool_program(path, 'tool up"u" x:n>R _ t\ntool odd"o" x:n>R _ t\nf>R _ t;up 1\ng>R _ t;odd 1', "f")
    assert {r["method"] for r in http_server.seen} == {"PUT"}
    http_server.seen.clear()
    _run_tool_program(path, 'tool odd"o" x:n>R _ t\ng>R _ t;odd 1', "g")
    assert {r["method"] for r in http_server.seen} == {"POST"}  # unknown method: POST


def test_http_non_2xx_is_an_err_value(tmp_path, http_server):
    path = _tools_config(tmp_path, http_server, who={"path": "/missing"})
    result = _run_tool_program(path, 'tool who"w" x:t>R _ t\nf>R _ t;who "a"', "f")
    assert result == Err('HTTP 404 Not Found: {"error":"no such user","id":7}')


def test_http_body_that_is_not_json_is_a_diagnostic(tmp_path, http_server):
    path = _tools_config(tmp_path, http_server, page={"path": "/notjson"})
    out = _run_tool_program(path, 'tool page"p">R _ t\nf>R _ t;page()', "f")
    assert out[:3] == ("error", "ILO-R099", "JSON error for tool 'page': error decoding response body")


def test_http_unreachable_host_and_unconfigured_tool(tmp_path, http_server):
    path = _tools_config(tmp_path, http_server, gone={"url": "http://127.0.0.1:1/x"})
    out = _run_tool_program(path, 'tool gone"g">R _ t\nf>R _ t;gone()', "f")
    assert out[:3] == ("error", "ILO-R099", "HTTP error calling 'gone': error sending request for url (http://127.0.0.1:1/x)")
    out = _run_tool_program(path, 'tool other"o">R _ t\nf>R _ t;other()', "f")
    assert out[:3] == ("error", "ILO-R099", "tool not configured: other")


def test_http_timeout_from_config_and_from_declaration(tmp_path, http_server):
    path = _tools_config(tmp_path, http_server, slow={"path": "/slow", "timeout_secs": 0.2})
    out = _run_tool_program(path, 'tool slow"s">R _ t\nf>R _ t;slow()', "f", engines=["tree"])
    assert out[:3] == ("error", "ILO-R099", "timeout calling tool 'slow'")
    path = _tools_config(tmp_path, http_server, slow={"path": "/slow"})
    out = _run_tool_program(path, 'tool slow"s">R _ t timeout:0.2\nf>R _ t;slow()', "f", engines=["vm"])
    assert out[:3] == ("error", "ILO-R099", "timeout calling tool 'slow'")


def test_http_timeout_bounds_the_whole_request(tmp_path, http_server):
    path = _tools_config(tmp_path, http_server, drip={"path": "/trickle", "timeout_secs": 0.5})
    out = _run_tool_program(path, 'tool drip"d">R _ t\nf>R _ t;drip()', "f", engines=["vm"])
    # each byte comes within the timeout; only a deadline on the whole request stops it
    # (without one the body completes after 10 s and is then not JSON)
    assert out[:3] == ("error", "ILO-R099", "timeout calling tool 'drip'")


def test_http_retries_a_failed_request(tmp_path, http_server):
    src = 'tool flaky"f">R _ t\nf>R _ t;flaky()'
    path = _tools_config(tmp_path, http_server, flaky={"path": "/flaky"})
    http_server.hits.pop("/flaky", None)
    with open_providers(tools=path) as providers:
        program = providers.load(src)
        with providers.active(program):  # no retries by default
            assert outcome(program, "f", [], "tree") == ("ok", '^HTTP 500 Internal Server Error: {"e":"down"}', "Err")
    for cfg, decl in (({"path": "/flaky", "retries": 1}, ""), ({"path": "/flaky"}, " retry:1")):
        path = _tools_config(tmp_path, http_server, flaky=cfg)
        http_server.hits.pop("/flaky", None)
        with open_providers(tools=path) as providers:
            program = providers.load(f'tool flaky"f">R _ t{decl}\nf>R _ t;flaky()')
            with providers.active(program):
                assert outcome(program, "f", [], "vm") == ("ok", "~~up", "Ok")  # {"ok": ..} is a result
        assert http_server.hits["/flaky"] == 2


def test_http_function_argument_cannot_be_sent(tmp_path, http_server):
    from ilo.runtime.errors import IloRuntimeError
    from ilo.runtime.values import FnRef

    path = _tools_config(tmp_path, http_server, echo={})
    provider = open_providers(tools=path).provider
    with pytest.raises(IloRuntimeError) as info:
        provider.call("echo", [FnRef("dbl")])
    assert (info.value.code, info.value.message) == ("ILO-R099", "JSON error for tool 'echo': functions cannot be serialized")
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(IloRuntimeError) as info:
        provider.call("echo", [deep])
    assert info.value.message == "JSON error for tool 'echo': recursion limit exceeded"


def test_jit_leaves_loops_that_call_tools_on_the_vm(tmp_path, http_server):
    path = _tools_config(tmp_path, http_server, echo={})
    src = 'tool echo"e" x:n>R _ t\nf n:n>n;s=0;@i 0..n{r=echo i;s=+s i};s'
    assert _run_tool_program(path, src, "f", 12, jit_threshold=2) == 66.0
    with open_providers(tools=path) as providers:
        program = providers.load(src)
        with providers.active(program):
            program.call("f", 12, engine="jit", jit_threshold=2)
    stats = program.last_jit_stats
    assert not stats.compiled and [s.fallback.split(" at ")[0] for s in stats.fallbacks] == ["CALL_TOOL"]


# ── config errors ───────────────────────────────────────────────────────────


@pytest.mark.parametrize(("text", "message"), [
    ("not json", "expected value at line 1 column 1"),
    ("{}", "missing field `tools`"),
    ('{"tools": 5}', "invalid type: integer `5`, expected a map"),
    ('{"tools": {"a": {}}}', "missing field `url`"),
    ('{"tools": {"a": {"url": 3}}}', "invalid type: integer `3`, expected a string"),
    ('{"tools": {"a": {"url": "u", "retries": -1}}}', "invalid value: integer `-1`, expected u32"),
])
def test_tools_config_errors(tmp_path, text, message):
    path = tmp_path / "c.json"
    path.write_text(text)
    with pytest.raises(ProviderError) as info:
        open_providers(tools=str(path))
    assert str(info.value) == f"failed to parse tools config {path}: {message}"


def test_config_files_that_cannot_be_read(tmp_path):
    with pytest.raises(ProviderError) as info:
        open_providers(tools=str(tmp_path / "no.json"))
    assert str(info.value) == f"failed to read tools config {tmp_path / 'no.json'}: No such file or directory (os error 2)"
    (tmp_path / "m.json").write_text('{"servers": {}}')
    with pytest.raises(ProviderError) as info:
        open_providers(mcp=str(tmp_path / "m.json"))
    assert str(info.value) == f"failed to parse MCP config {tmp_path / 'm.json'}: missing field `mcpServers`"


# ── MCP ─────────────────────────────────────────────────────────────────────

MCP_SERVER = r'''
import json, sys, time
TOOLS = [
    {"name": "echo", "description": "Echo text", "inputSchema": {"type": "object",
     "properties": {"times": {"type": "integer"}, "text": {"type": "string"}, "loud": {"type": "boolean"}},
     "required": ["text", "times"]}},
    {"name": "refuse", "description": "Always fails", "inputSchema": {"type": "object", "properties": {}}},
    {"name": "die", "description": "Exits", "inputSchema": {}},
    {"name": "hang", "description": "Never answers", "inputSchema": {}},
    {"description": "no name: skipped"},
]
mode = sys.argv[1] if len(sys.argv) > 1 else ""
for line in sys.stdin:
    msg = json.loads(line)
    if "id" not in msg:
        continue
    method, rid = msg["method"], msg["id"]
    if method == "initialize":
        if mode == "garbage":
            print("this is not json", flush=True)
            continue
        res = {"protocolVersion": "2024-11-05", "capabilities": {}, "serverInfo": {"name": "t", "version": "1"}}
    elif method == "tools/list":
        print(json.dumps({"jsonrpc": "2.0", "method": "log", "params": {}}), flush=True)  # skipped
        res = {"tools": TOOLS}
    else:
        name, args = msg["params"]["name"], msg["params"]["arguments"]
        if name == "die":
            sys.exit(0)
        if name == "hang":
            time.sleep(30)
        if name == "refuse":
            res = {"content": [{"type": "text", "text": "no"}, {"type": "text", "text": "never"}], "isError": True}
        else:
            text = args["text"] * args["times"]
            res = {"content": [{"type": "text", "text": text.upper() if args.get("loud") else text}]}
    print(json.dumps({"jsonrpc": "2.0", "id": rid, "result": res}), flush=True)
'''


@pytest.fixture
def mcp_config(tmp_path):
    script = tmp_path / "mcp_server.py"
    script.write_text(MCP_SERVER)

    def make(mode: str = "", timeout: float | None = None, command: str = sys.executable) -> str:
        server = {"command": command, "args": [str(script), mode]}
        if timeout is not None:
            server["timeout_secs"] = timeout
        path = tmp_path / f"mcp{mode}.json"
        path.write_text(json.dumps({"mcpServers": {"test": server}}))
        return str(path)

    return make


def test_mcp_tools_are_declared_and_called_on_every_engine(mcp_config):
    with open_providers(mcp=mcp_config()) as providers:
        assert [t.name for t in providers.provider.tools] == ["echo", "refuse", "die", "hang"]
        echo = providers.provider.tools[0]
        assert echo.param_names == ["text", "times", "loud"]  # required first, then sorted
        program = providers.load('f x:t>R t t;echo x 2 false\ng>R t t;refuse()\nh n:n>n;s=0;@i 0..n{r=echo "a" 1 true;s=+s 1};s')
        with providers.active(program):
            assert program.call("h", 5, engine="jit", jit_threshold=2) == 5.0
            assert program.last_jit_stats.fallbacks and not program.last_jit_stats.compiled
            assert assert_same(program, "f", "ab") == Ok("abab")
            assert assert_same(program, "g") == Err("no\nnever")
            assert assert_same(program, "h", 5, jit_threshold=2) == 5.0


def test_mcp_server_that_dies_or_hangs_during_a_call(mcp_config):
    with open_providers(mcp=mcp_config(timeout=0.5)) as providers:
        program = providers.load("f>R t t;hang()\ng>R t t;die()")
        with providers.active(program):
            out = assert_same(program, "f", engines=["vm"])
            assert out[:3] == ("error", "ILO-R099", "timeout calling tool 'hang'")
    with open_providers(mcp=mcp_config()) as providers:
        program = providers.load("g>R t t;die()")
        with providers.active(program):
            out = outcome(program, "g", [], "jit")
            assert out[:3] == ("error", "ILO-R099", "HTTP error calling 'die': MCP server closed connection")
            out = assert_same(program, "g")  # the server is gone: later calls cannot be sent
            assert out[:3] == ("error", "ILO-R099", "HTTP error calling 'die': MCP write error: Broken pipe (os error 32)")


def test_mcp_servers_that_cannot_be_used(mcp_config):
    with pytest.raises(ProviderError) as info:
        open_providers(mcp=mcp_config(command="/no/such/ilo-server"))
    assert str(info.value) == ("MCP error: MCP server 'test': Failed to spawn MCP server '/no/such/ilo-server': "
                               "No such file or directory (os error 2)")
    with pytest.raises(ProviderError) as info:
        open_providers(mcp=mcp_config("garbage"))
    assert str(info.value).startswith("MCP error: MCP server 'test': MCP response parse error: expected value")
    assert str(info.value).endswith("\nraw: this is not json")


# ── command line and serv ───────────────────────────────────────────────────


def _ilo(*args, stdin: str | None = None):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "ilo", *args], input=stdin, capture_output=True,
                          text=True, cwd=REPO, env=env, timeout=60)


def test_cli_runs_with_tools_and_mcp(tmp_path, http_server, mcp_config):
    path = _tools_config(tmp_path, http_server, who={"path": "/missing"}, echo={})
    r = _ilo('tool echo"e" x:n>R _ t\nf x:n>R _ t;echo x', "4", "--tools", path, "--run-vm", "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == {"ok": {"args": [4]}}
    r = _ilo('tool who"w">R _ t\nf>R _ t;who()', "--tools", path)
    assert r.returncode == 1 and r.stderr.strip() == '^HTTP 404 Not Found: {"error":"no such user","id":7}'
    r = _ilo("main x:t>R t t;echo x 3 true", "hi", "--mcp", mcp_config())
    assert (r.returncode, r.stdout) == (0, "HIHIHI\n")
    r = _ilo("f x:n>n;x", "1", "--tools", str(tmp_path / "none.json"))
    assert r.returncode == 1 and r.stderr.startswith("failed to read tools config")
    r = _ilo("f x:n>n;x", "1", "--tools", path, "--mcp", mcp_config())
    assert r.returncode == 1 and "--tools and --mcp are mutually exclusive" in r.stderr
    r = _ilo("f x:n>n;x", "--tools")
    assert r.returncode == 1 and "--tools requires a path argument" in r.stderr


def test_ilo_tools_listing(tmp_path, http_server, mcp_config):
    path = _tools_config(tmp_path, http_server, zeta={}, alpha={})
    r = _ilo("tools", "-t", path)
    assert (r.returncode, r.stdout) == (0, "alpha\nzeta\n")
    r = _ilo("tools", "--tools", path, "--mcp", mcp_config(), "--full")
    lines = r.stdout.splitlines()
    assert lines[0] == f"{'alpha':<32} (http tool \u2014 no type info)"
    assert lines[2] == f"{'echo':<32} {'Echo text':<44} text:t times:n loud:b > R t t"
    assert lines[3] == f"{'refuse':<32} {'Always fails':<44} > R t t"
    r = _ilo("tool", "-m", mcp_config(), "-t", path, "--ilo")
    assert r.stdout.splitlines()[:3] == ['tool alpha"" > R t t', 'tool zeta"" > R t t',
                                         'tool echo"Echo text" text:t times:n loud:b>R t t']
    r = _ilo("tools", "-m", mcp_config(), "--json")
    items = json.loads(r.stdout)
    assert items[0] == {"description": "Echo text", "name": "echo", "return": "R t t", "source": "mcp",
                        "params": [{"name": "text", "type": "t"}, {"name": "times", "type": "n"},
                                   {"name": "loud", "type": "b"}]}
    assert r.stdout.startswith('[\n  {\n    "description"')
    r = _ilo("tools", "-m", mcp_config(), "--graph")
    assert "Tool composition graph" in r.stdout and "refuse" in r.stdout
    r = _ilo("tools")
    assert r.returncode == 1 and r.stderr.startswith("error: ilo tools requires at least one of --mcp <path> or --tools <path>")
    r = _ilo("tools", "--bogus")
    assert r.returncode == 1 and r.stderr.startswith("unknown flag: --bogus")


def test_serv_with_tools_and_mcp(tmp_path, http_server, mcp_config):
    path = _tools_config(tmp_path, http_server, echo={})
    reqs = [{"program": 'tool echo"e" x:n>R _ t\nf x:n>R _ t;echo x', "args": ["2"], "engine": engine}
            for engine in ("tree", "vm", "jit")]
    reqs.append({"program": 'tool nope"n">R _ t\nf>R _ t;nope()'})
    r = _ilo("serv", "--tools", path, stdin="".join(json.dumps(q) + "\n" for q in reqs))
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert out[0] == {"ready": True}
    assert [o.get("ok") for o in out[1:4]] == [{"args": [2]}] * 3
    assert out[4]["error"]["code"] == "ILO-R099" and out[4]["error"]["message"] == "tool not configured: nope"
    req = json.dumps({"program": "f x:t>R t t;echo x 2 false", "args": ["ab"]}) + "\n"
    r = _ilo("serv", "-m", mcp_config(), stdin=req)
    assert json.loads(r.stdout.splitlines()[1])["ok"] == "abab"
    r = _ilo("serv", "--tools", str(tmp_path / "none.json"), stdin="")
    assert r.returncode == 1 and r.stderr.startswith("failed to read tools config")


def test_status_lines_are_worded_as_the_reference_words_them():
    from ilo.toolprov.http import status_text

    assert [status_text(c) for c in (404, 413, 500, 299)] == [
        "404 Not Found", "413 Payload Too Large", "500 Internal Server Error", "299 <unknown status code>"]
