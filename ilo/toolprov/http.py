"""The HTTP tool provider (``--tools FILE``): each configured tool is one endpoint.

A call sends ``{"args": [...]}`` (JSON, ``Content-Type: application/json`` unless the config
sets one) with the endpoint's method (default POST; an unknown method is sent as POST, as the
reference does) and headers, and reads the body as JSON:

- 2xx: ``~value`` (the body as an ilo value, ``jsonconv.to_value``);
- any other status: ``^"HTTP 404 Not Found: <body as compact JSON>"``;
- no such tool in the config, a host that cannot be reached, a body that is not JSON, a
  timeout: the call fails with ``ILO-R099`` and the reference's message (``tool not
  configured: NAME``, ``HTTP error calling 'NAME': ...``, ``JSON error for tool 'NAME':
  ...``, ``timeout calling tool 'NAME'``).

The timeout bounds the whole request (connect, send, read), ``timeout_secs`` or else the
declaration's ``timeout:n`` or else 30 s. Retries (``retries`` or else the declaration's
``retry:n``; none by default) repeat a request that could not be sent, timed out or got a
5xx answer, with a short pause between tries; the last try's outcome is the result. (The
reference reads both settings from the config but never uses ``retries``; the SPEC describes
them, so they are honoured here.) stdlib only: ``urllib``.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.values import Err, Ok
from ilo.toolprov import jsonconv
from ilo.toolprov.config import Endpoint

DEFAULT_TIMEOUT = 30.0
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_CHUNK = 65536


def tool_error(message: str) -> IloRuntimeError:
    """A provider failure: the reference's tree engine reports every one as ``ILO-R099``."""
    return IloRuntimeError("ILO-R099", message)


class _Timeout(Exception):
    pass


class _Unsent(Exception):
    """The request never got an answer (connection refused, bad host, reset)."""


class HttpProvider:
    """Tool name -> endpoint; ``call`` does one tool call."""

    def __init__(self, endpoints: dict[str, Endpoint]):
        self.endpoints = endpoints
        self.declared: dict = {}  # name -> ast.Tool of the program being run (bind)

    def names(self) -> list[str]:
        return sorted(self.endpoints)

    def bind(self, tools: dict) -> None:
        """The running program's tool declarations, for their ``timeout:``/``retry:`` options."""
        self.declared = tools

    def handles(self, name: str) -> bool:
        return name in self.endpoints

    def call(self, name: str, args: list):
        endpoint = self.endpoints.get(name)
        if endpoint is None:
            raise tool_error(f"tool not configured: {name}")
        try:
            body = ('{"args":[' + ",".join(map(jsonconv.arg_text, args)) + "]}").encode("utf-8")
        except jsonconv.Unserialisable as e:
            raise tool_error(f"JSON error for tool '{name}': {e}") from None
        decl = self.declared.get(name)
        timeout = endpoint.timeout_secs
        if timeout is None:
            timeout = decl.timeout if decl is not None and decl.timeout is not None else DEFAULT_TIMEOUT
        retries = endpoint.retries
        if retries is None:
            retries = int(decl.retry) if decl is not None and decl.retry is not None else 0
        retries = max(0, min(retries, 100))
        for attempt in range(retries + 1):
            last = attempt == retries
            try:
                status, data = _send(endpoint, body, timeout)
            except _Timeout:
                if last:
                    raise tool_error(f"timeout calling tool '{name}'") from None
            except _Unsent as e:
                if last:
                    raise tool_error(f"HTTP error calling '{name}': {e}") from None
            else:
                if status < 500 or last:
                    return _result(name, status, data)
            time.sleep(min(0.05 * 2**attempt, 1.0))
        raise AssertionError("unreachable")  # pragma: no cover


def _result(name: str, status: int, data: bytes):
    try:
        parsed = jsonconv.parse(data.decode("utf-8"))
    except (UnicodeDecodeError, jsonconv.jsonfmt.JsonError):
        raise tool_error(f"JSON error for tool '{name}': error decoding response body") from None
    if 200 <= status < 300:
        return Ok(jsonconv.to_value(parsed))
    return Err(f"HTTP {status_text(status)}: {jsonconv.raw_text(parsed)}")


# The reason phrases of the reference's HTTP library (the ``http`` crate's canonical
# reasons), which differ from Python's in places ("Payload Too Large", "URI Too Long").
_REASONS = {
    100: "Continue", 101: "Switching Protocols", 102: "Processing",
    200: "OK", 201: "Created", 202: "Accepted", 203: "Non Authoritative Information",
    204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
    208: "Already Reported", 226: "IM Used",
    300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
    304: "Not Modified", 305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
    400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
    407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict", 410: "Gone",
    411: "Length Required", 412: "Precondition Failed", 413: "Payload Too Large",
    414: "URI Too Long", 415: "Unsupported Media Type", 416: "Range Not Satisfiable",
    417: "Expectation Failed", 418: "I'm a teapot", 421: "Misdirected Request",
    422: "Unprocessable Entity", 423: "Locked", 424: "Failed Dependency",
    426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests",
    431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
    500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
    506: "Variant Also Negotiates", 507: "Insufficient Storage", 508: "Loop Detected",
    510: "Not Extended", 511: "Network Authentication Required",
}


def status_text(status: int) -> str:
    """A status as the reference's HTTP library prints it: ``404 Not Found``."""
    return f"{status} {_REASONS.get(status, '<unknown status code>')}"


def _display_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path or "/"))


def _send(endpoint: Endpoint, body: bytes, timeout: float) -> tuple[int, bytes]:
    """One request: (status, body), whatever the status; _Timeout or _Unsent otherwise."""
    url = endpoint.url
    try:
        scheme = urllib.parse.urlsplit(url).scheme.lower()
    except ValueError:
        raise _Unsent("builder error") from None
    if scheme not in ("http", "https"):
        raise _Unsent("builder error" if not scheme else f"builder error for url ({url})")
    shown = f"error sending request for url ({_display_url(url)})"
    method = (endpoint.method or "POST").upper()
    headers = dict(endpoint.headers)
    if not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "application/json"
    deadline = time.monotonic() + max(timeout, 0.0)
    try:
        request = urllib.request.Request(url, data=body, headers=headers,
                                         method=method if method in _METHODS else "POST")
    except ValueError:
        raise _Unsent("builder error") from None
    try:
        try:
            response = urllib.request.urlopen(request, timeout=_left(deadline))
        except urllib.error.HTTPError as e:  # a non-2xx answer is still an answer
            response = e
        with response:
            return response.status if hasattr(response, "status") else response.code, _read(response, deadline)
    except _Timeout:
        raise
    except TimeoutError:
        raise _Timeout from None
    except urllib.error.URLError as e:
        if isinstance(e.reason, (TimeoutError, socket.timeout)):
            raise _Timeout from None
        raise _Unsent(shown) from None
    except (OSError, http.client.HTTPException, ValueError):
        raise _Unsent(shown) from None


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Timeout
    return left


def _read(response, deadline: float) -> bytes:
    """The body, read in pieces so a server that trickles bytes still meets the deadline."""
    chunks = []
    while True:
        sock_timeout = _left(deadline)
        fp = getattr(getattr(response, "fp", None), "raw", None)
        sock = getattr(fp, "_sock", None)
        if sock is not None:
            sock.settimeout(sock_timeout)
        piece = response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK)
        if not piece:
            return b"".join(chunks)
        chunks.append(piece)
