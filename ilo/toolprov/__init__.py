"""Tool providers: what a ``tool`` call reaches at run time (``--tools FILE`` / ``--mcp FILE``).

Without a provider a tool call prints ``tool call: name(args)`` on stderr and answers
``~nil`` (``ilo.runtime.calls.call_tool``). ``open_providers(tools=..., mcp=...)`` reads a
config (``config``) and gives ``Providers``: an HTTP provider (``http``) or MCP servers
(``mcp``, whose tools become declarations the program may call without declaring them).
While a ``Providers`` is active (``with providers.active(program):``) every engine's tool
calls go to it: the one slot in ``ilo.runtime.calls`` is what the tree, the VM and the JIT
(which leaves loops that call tools to the VM) all read. ``ilo tools`` lists what a config
offers (``listing``).

Used by: ``ilo.cli`` (run flags), ``ilo.serv`` (``ilo serv --tools/--mcp``), ``listing``;
from Python::

    with ilo.toolprov.open_providers(tools="tools.json") as providers:
        program = providers.load(source)
        with providers.active(program):
            program.call("main")
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from ilo.diagnostics.diagnostic import IloError
from ilo.runtime import calls
from ilo.toolprov.config import ConfigError, read_mcp_config, read_tools_config
from ilo.toolprov.mcp import McpFailure, McpProvider

HELP = """\
A `tool` declaration (tool get-user"Retrieve user" uid:t>R _ t timeout:5,retry:2) is called
like a function. What the call reaches:

  no flag        the call is printed on stderr (tool call: get-user(42)) and answers ~nil
  --tools FILE   an HTTP endpoint per tool: the arguments are POSTed as {"args": [...]};
                 a 2xx answer is ~value (its JSON body), any other ^"HTTP 404 Not Found: body"
  --mcp FILE     MCP servers (run as child processes, JSON-RPC over stdio): every tool they
                 list may be called without a declaration; params from the tool's input
                 schema (string t, number/integer n, boolean b, other t), result R t t

--tools and --mcp exclude each other; both work with `ilo serv` and on every engine. A call
that cannot complete (tool not in the config, host unreachable, timeout, a body that is not
JSON, an MCP server that died) stops the program with ILO-R099 and says why.

  ilo PROGRAM --tools tools.json [FUNC ARGS...]
  ilo serv --mcp mcp.json
  ilo tools -t tools.json | -m mcp.json [--human|--ilo|--json] [--full] [--graph]
"""


class ProviderError(Exception):
    """A provider that cannot be set up; ``str(e)`` is the message the CLI prints."""


def http_provider(path: str):
    from ilo.toolprov.http import HttpProvider

    try:
        return HttpProvider(read_tools_config(path))
    except ConfigError as e:
        raise ProviderError(str(e)) from None


def mcp_provider(path: str) -> McpProvider:
    try:
        servers = read_mcp_config(path)
    except ConfigError as e:
        raise ProviderError(str(e)) from None
    try:
        return McpProvider(servers)
    except McpFailure as e:
        raise ProviderError(f"MCP error: {e}") from None


class Providers:
    """At most one provider for calls (the reference makes --tools and --mcp exclusive)."""

    def __init__(self, provider=None):
        self.provider = provider

    def declarations(self) -> list:
        """Tool declarations the provider adds to every program (MCP tools; none for HTTP)."""
        decls = getattr(self.provider, "declarations", None)
        return decls() if decls is not None else []

    def load(self, source: str, name: str = "<inline>", base_dir=None):
        """``ilo.load`` with the provider's declarations placed before the program's own
        (so the verifier checks calls to them), as the reference injects them."""
        from ilo import api

        extra = self.declarations()
        if not extra:
            return api.load(source, name, base_dir)
        from ilo.runtime.gcpause import gc_paused
        from ilo.verify import verify

        tree, src = api.parse_source(source, name, base_dir)
        tree.decls[:0] = extra
        try:
            with gc_paused():
                return api.Program(verify(tree, src))
        except IloError as e:
            e.source = src
            raise

    def load_file(self, path):
        from ilo import api

        path = Path(path)
        return self.load(api.read_program_file(path), str(path), base_dir=path.parent)

    @contextlib.contextmanager
    def active(self, program=None):
        """Route tool calls to the provider while the block runs (``program``: whose
        declarations' ``timeout:``/``retry:`` options apply)."""
        if self.provider is None:
            yield self
            return
        self.provider.bind(dict(program.verified.tools) if program is not None else {})
        saved = calls.PROVIDER[0]
        calls.PROVIDER[0] = self.provider
        try:
            yield self
        finally:
            calls.PROVIDER[0] = saved

    def close(self) -> None:
        closer = getattr(self.provider, "close", None)
        if closer is not None:
            closer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_providers(tools: str | None = None, mcp: str | None = None) -> Providers:
    """The provider a run with ``--tools`` / ``--mcp`` uses (ProviderError if it cannot be set
    up: a config that cannot be read or parsed, an MCP server that does not start)."""
    if tools is not None and mcp is not None:
        raise ProviderError("error: --tools and --mcp are mutually exclusive")
    if tools is not None:
        return Providers(http_provider(tools))
    if mcp is not None:
        return Providers(mcp_provider(mcp))
    return Providers()


__all__ = ["ProviderError", "Providers", "open_providers", "http_provider", "mcp_provider"]
