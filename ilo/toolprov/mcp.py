"""MCP tool provider (``--mcp FILE``): MCP servers run as child processes, spoken to over
their stdin/stdout in line-delimited JSON-RPC 2.0, as the reference's ``mcp_client.rs``.

Connecting one server: spawn it (its stderr is ours), send ``initialize`` (protocol
2024-11-05, client ``ilo``), then the ``notifications/initialized`` notification, then
``tools/list``. Every tool it lists becomes a tool declaration the program can call without
declaring it (``declarations``): parameters are the schema's ``required`` names in order, then
its other properties sorted by name; ``string`` is ``t``, ``number``/``integer`` ``n``,
``boolean`` ``b``, anything else ``t``; every MCP tool returns ``R t t``. A call sends
``tools/call`` with the positional arguments named by those parameters and answers
``~text`` (the result's text content items joined by newlines, or the whole result as JSON if
it has none), or ``^text`` when the result says ``"isError": true``.

Failures are the reference's messages: a server that cannot start, closes its output, answers
something that is not JSON or answers with a JSON-RPC error stops the run before it starts
(``MCP error: MCP server 'NAME': ...``) or, during a call, fails the call with ``ILO-R099``
(``HTTP error calling 'TOOL': MCP server closed connection``). Unlike the reference, every
wait is bounded (``timeout_secs`` of the server, default 30 s), so a server that hangs is an
error, not a hang: ``timeout calling tool 'TOOL'``. Children are stopped by ``close``.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import threading
import time

from ilo.runtime.values import Err, Ok
from ilo.syntax import ast
from ilo.toolprov import jsonconv
from ilo.toolprov.config import McpServer, os_error_text
from ilo.toolprov.http import tool_error
from ilo.types import TBool, TNum, TResult, TText

DEFAULT_TIMEOUT = 30.0
PROTOCOL_VERSION = "2024-11-05"
_EOF = object()


class McpFailure(Exception):
    """A protocol failure; ``str(e)`` is the reference's message for it."""


class McpTimeout(McpFailure):
    pass


class McpClient:
    """One running MCP server."""

    def __init__(self, server: McpServer):
        self.timeout = server.timeout_secs if server.timeout_secs is not None else DEFAULT_TIMEOUT
        env = dict(os.environ)
        env.update(server.env)
        try:
            # stdin unbuffered: a write to a server that died fails on the write itself, as
            # the reference's (``MCP write error: Broken pipe (os error 32)``)
            self.proc = subprocess.Popen([server.command, *server.args], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, env=env, bufsize=0)
        except OSError as e:
            raise McpFailure(f"Failed to spawn MCP server '{server.command}': {os_error_text(e)}") from None
        self.next_id = 1
        self.closed = False  # its output ended: it has exited, or is about to
        self.lines: queue.Queue = queue.Queue()
        # A reader thread, so every wait for an answer can have a deadline.
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        try:
            for raw in self.proc.stdout:
                self.lines.put(raw)
        except (OSError, ValueError):
            pass
        self.lines.put(_EOF)

    def _write(self, message: dict) -> None:
        line = json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            self.proc.stdin.write(line.encode("utf-8"))
        except OSError as e:
            raise McpFailure(f"MCP write error: {os_error_text(e)}") from None
        try:
            self.proc.stdin.flush()
        except OSError as e:
            raise McpFailure(f"MCP flush error: {os_error_text(e)}") from None

    def request(self, method: str, params: dict):
        """Send a request and wait for the answer with its id; its ``result``."""
        rid = self.next_id
        self.next_id += 1
        if self.closed:
            # let it finish exiting, so the write below fails the same way every time
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=self.timeout)
        self._write({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            try:
                raw = self.lines.get(timeout=max(left, 0.0))
            except queue.Empty:
                raise McpTimeout(f"MCP server did not answer '{method}' within {self.timeout:g}s") from None
            if raw is _EOF:
                self.closed = True
                self.lines.put(_EOF)  # every later request sees the end too
                raise McpFailure("MCP server closed connection")
            text = raw.decode("utf-8", "replace").strip()
            if not text:
                continue
            try:
                resp = jsonconv.parse(text)
            except jsonconv.jsonfmt.JsonError as e:
                raise McpFailure(f"MCP response parse error: {e}\nraw: {text}") from None
            # answers to other ids and server notifications (no id) are skipped
            if isinstance(resp, dict) and type(resp.get("id")) is int and resp["id"] == rid:
                if "error" in resp:
                    raise McpFailure(f"MCP error response: {jsonconv.raw_text(resp['error'])}")
                return resp.get("result")

    def notify(self, method: str, params: dict) -> None:
        self._write({"jsonrpc": "2.0", "method": method, "params": params})

    def handshake(self) -> None:
        self.request("initialize", {"protocolVersion": PROTOCOL_VERSION, "capabilities": {},
                                    "clientInfo": {"name": "ilo", "version": "0.4.0"}})
        self.notify("notifications/initialized", {})

    def list_tools(self) -> list:
        result = self.request("tools/list", {})
        tools = result.get("tools") if isinstance(result, dict) else None
        if not isinstance(tools, list):
            raise McpFailure("MCP tools/list: no 'tools' array in response")
        return tools

    def close(self) -> None:
        """Stop the server: end its input, give it a moment, then kill it."""
        proc = self.proc
        if proc.poll() is None:
            try:
                proc.stdin.close()
            except OSError:
                pass
            try:
                proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


class McpTool:
    __slots__ = ("server", "name", "description", "param_names", "decl")

    def __init__(self, server: str, name: str, description: str, params: list):
        self.server = server
        self.name = name
        self.description = description
        self.param_names = [p.name for p in params]
        self.decl = ast.Tool(name, description, params, TResult(TText(), TText()))


def schema_type(schema):
    kind = schema.get("type") if isinstance(schema, dict) else None
    if kind == "string":
        return TText()
    if kind in ("number", "integer"):
        return TNum()
    if kind == "boolean":
        return TBool()
    return TText()  # arrays, objects, anything else: text (raw JSON)


def parse_tool(server: str, raw) -> McpTool | None:
    """One entry of ``tools/list`` (None if it has no name, as the reference skips it)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        return None
    description = raw.get("description")
    schema = raw.get("inputSchema")
    schema = schema if isinstance(schema, dict) else {}
    props = schema.get("properties")
    props = props if isinstance(props, dict) else {}
    required = schema.get("required")
    names = [r for r in required if isinstance(r, str)] if isinstance(required, list) else []
    names += [k for k in sorted(props) if k not in names]
    params = [ast.Param(n, schema_type(props.get(n))) for n in names]
    return McpTool(server, raw["name"], description if isinstance(description, str) else "", params)


class McpProvider:
    """Every configured server, connected; tool name -> the server that has it."""

    def __init__(self, servers: dict[str, McpServer]):
        self.clients: list[McpClient] = []
        self.tools: list[McpTool] = []
        self.index: dict[str, tuple[McpClient, McpTool]] = {}
        try:
            for name, server in servers.items():
                try:
                    client = McpClient(server)
                except McpFailure as e:
                    raise McpFailure(f"MCP server '{name}': {e}") from None
                self.clients.append(client)
                try:
                    client.handshake()
                except McpFailure as e:
                    raise McpFailure(f"MCP server '{name}': {e}") from None
                try:
                    listed = client.list_tools()
                except McpFailure as e:
                    raise McpFailure(f"MCP server '{name}' list_tools: {e}") from None
                for raw in listed:
                    tool = parse_tool(name, raw)
                    if tool is not None:
                        self.tools.append(tool)
                        self.index[tool.name] = (client, tool)
        except BaseException:
            self.close()
            raise

    def declarations(self) -> list:
        return [t.decl for t in self.tools]

    def handles(self, name: str) -> bool:
        return name in self.index

    def bind(self, tools: dict) -> None:
        pass  # MCP calls take their timeout from the server's config

    def call(self, name: str, args: list):
        found = self.index.get(name)
        if found is None:
            raise tool_error(f"tool not configured: {name}")
        client, tool = found
        try:
            # rendered as serde_json renders numbers; json.loads of that gives plain data
            arguments = {pname: json.loads(jsonconv.arg_text(arg)) for pname, arg in zip(tool.param_names, args)}
        except jsonconv.Unserialisable as e:
            raise tool_error(f"JSON error for tool '{name}': {e}") from None
        except RecursionError:
            raise tool_error(f"JSON error for tool '{name}': recursion limit exceeded") from None
        try:
            result = client.request("tools/call", {"name": name, "arguments": arguments})
        except McpTimeout:
            raise tool_error(f"timeout calling tool '{name}'") from None
        except McpFailure as e:
            raise tool_error(f"HTTP error calling '{name}': {e}") from None
        text = _text_content(result)
        if isinstance(result, dict) and result.get("isError") is True:
            return Err(text)
        return Ok(text)

    def close(self) -> None:
        for client in self.clients:
            client.close()


def _text_content(result) -> str:
    content = result.get("content") if isinstance(result, dict) else None
    if isinstance(content, list):
        texts = [item["text"] for item in content
                 if isinstance(item, dict) and item.get("type") == "text" and isinstance(item.get("text"), str)]
        if texts:
            return "\n".join(texts)
    return jsonconv.raw_text(result)
