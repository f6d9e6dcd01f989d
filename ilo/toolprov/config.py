"""The two provider config files, read and checked as the reference reads them.

``--tools FILE`` (HTTP tools)::

    {"tools": {"NAME": {"url": "...", "method": "POST", "headers": {"K": "V"},
                        "timeout_secs": 5, "retries": 2}}}

``--mcp FILE`` (MCP servers, the Claude Desktop format)::

    {"mcpServers": {"NAME": {"command": "...", "args": ["..."], "env": {"K": "V"}}}}

Only ``url`` and ``command`` are required; unknown keys are ignored (serde's default), so one
file can serve both implementations. Our one addition: an MCP server may give
``"timeout_secs"`` (default 30), how long to wait for any one answer from it, so a server that
stops answering is an error rather than a hang. Errors are the reference's sentences:
``failed to read tools config PATH: ...`` / ``failed to parse tools config PATH: ...`` (and
``MCP config`` for the other file); the part after the colon is worded as serde_json words it
(syntax errors with their line and column; type errors without a position).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ilo.toolprov import jsonconv


class ConfigError(Exception):
    """A config file that cannot be used; ``str(e)`` is the whole message to print."""


@dataclass
class Endpoint:
    url: str
    method: str | None = None
    headers: dict = field(default_factory=dict)
    timeout_secs: float | None = None
    retries: int | None = None


@dataclass
class McpServer:
    command: str
    args: list = field(default_factory=list)
    env: dict = field(default_factory=dict)
    timeout_secs: float | None = None


def read_tools_config(path: str) -> dict[str, Endpoint]:
    """``--tools PATH``: tool name -> ``Endpoint``."""
    return _read_config(path, "tools config", "ToolsConfig", "tools", _endpoint)


def read_mcp_config(path: str) -> dict[str, McpServer]:
    """``--mcp PATH``: server name -> ``McpServer``, in file order."""
    return _read_config(path, "MCP config", "McpConfig", "mcpServers", _server)


def _read_config(path: str, what: str, struct: str, key: str, entry) -> dict:
    """The one shape both files have: an object whose ``key`` maps names to entries."""
    data = _read(path, what)
    try:
        found = _required(_struct(data, struct), key, _map)
        return {name: entry(spec) for name, spec in found.items()}
    except _Bad as e:
        raise ConfigError(f"failed to parse {what} {path}: {e}") from None


# ── reading ─────────────────────────────────────────────────────────────────


def _read(path: str, what: str):
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise ConfigError(f"failed to read {what} {path}: {os_error_text(e)}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"failed to read {what} {path}: stream did not contain valid UTF-8") from None
    try:
        return jsonconv.parse(text)
    except jsonconv.jsonfmt.JsonError as e:
        raise ConfigError(f"failed to parse {what} {path}: {e}") from None


def os_error_text(e: OSError) -> str:
    """An OS error as Rust's ``io::Error`` prints it: ``No such file or directory (os error 2)``."""
    if e.errno is not None and e.strerror:
        return f"{e.strerror} (os error {e.errno})"
    return str(e)


# ── checking shapes (serde's wording) ───────────────────────────────────────


class _Bad(Exception):
    pass


def _unexpected(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"boolean `{'true' if v else 'false'}`"
    if isinstance(v, int):
        return f"integer `{v}`"
    if isinstance(v, float):
        return f"floating point `{jsonconv.jsonfmt.ryu(v) if math.isfinite(v) else v}`"
    if isinstance(v, str):
        return "string " + jsonconv.dumps(v)
    if isinstance(v, list):
        return "sequence"
    return "map"


def _invalid(v, expected: str) -> _Bad:
    return _Bad(f"invalid type: {_unexpected(v)}, expected {expected}")


def _struct(v, name: str) -> dict:
    if not isinstance(v, dict):
        raise _invalid(v, f"struct {name}")
    return v


def _map(v) -> dict:
    if not isinstance(v, dict):
        raise _invalid(v, "a map")
    return v


def _text(v) -> str:
    if not isinstance(v, str):
        raise _invalid(v, "a string")
    return v


def _text_map(v) -> dict:
    return {k: _text(x) for k, x in _map(v).items()}


def _text_list(v) -> list:
    if not isinstance(v, list):
        raise _invalid(v, "a sequence")
    return [_text(x) for x in v]


def _f64(v) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _invalid(v, "f64")
    return float(v)


def _u32(v) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise _invalid(v, "u32")
    if not 0 <= v < 2**32:
        raise _Bad(f"invalid value: integer `{v}`, expected u32")
    return v


def _optional(check):
    return lambda v: None if v is None else check(v)


def _required(obj: dict, key: str, check):
    if key not in obj:
        raise _Bad(f"missing field `{key}`")
    return check(obj[key])


def _endpoint(spec) -> Endpoint:
    spec = _struct(spec, "ToolEndpoint")
    checks = {"method": _optional(_text), "headers": _text_map, "timeout_secs": _optional(_f64),
              "retries": _optional(_u32), "url": _text}
    # serde reads the fields in document order: the first bad one is the one reported
    found = {k: checks[k](v) for k, v in spec.items() if k in checks}
    if "url" not in found:
        raise _Bad("missing field `url`")
    return Endpoint(**found)


def _server(spec) -> McpServer:
    spec = _struct(spec, "McpServerConfig")
    checks = {"command": _text, "args": _text_list, "env": _text_map, "timeout_secs": _optional(_f64)}
    found = {k: checks[k](v) for k, v in spec.items() if k in checks}
    if "command" not in found:
        raise _Bad("missing field `command`")
    return McpServer(**found)
