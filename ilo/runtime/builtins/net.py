"""HTTP builtins: ``get url [headers]`` (alias ``$url``), ``post url body [headers]`` and
``get-many urls`` (concurrent GETs, results in the order of the URLs).

In: a URL, optional body text and an optional ``M t t`` map of headers. Out: ``~body`` on a
2xx answer, ``^message`` on any failure (HTTP status, DNS, refused connection, timeout) —
network trouble is a value the program handles, never a crash. Uses the standard library
(``urllib.request``) with a fixed timeout.
"""

from __future__ import annotations

from ilo.runtime.builtins._support import debug, fail, need_list
from ilo.runtime.builtins.registry import builtin
from ilo.runtime.values import Err, Ok

TIMEOUT_SECONDS = 30.0


def _request(url, body, headers, name: str):
    if not isinstance(url, str):
        raise fail(f"{name}: url must be text")
    if headers is not None and not (
        isinstance(headers, dict) and all(isinstance(v, str) for v in headers.values())
    ):
        raise fail(f"{name}: headers must be a map of text to text")
    data = None if body is None else str(body).encode("utf-8")
    # Imported here: urllib.request pulls in http, email and ssl (~15 ms), which a program
    # that never fetches should not pay at start-up.
    import urllib.error
    import urllib.request

    try:
        req = urllib.request.Request(url, data=data, headers=dict(headers or {}),
                                     method="GET" if body is None else "POST")
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as resp:
            return Ok(resp.read().decode("utf-8", errors="replace"))
    except urllib.error.HTTPError as e:
        return Err(f"HTTP {e.code}: {e.reason}")
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", e)
        return Err(str(reason))


@builtin("get", "t > R t t", "t, M t t > R t t", pure=False,
         checked=(0, 1), doc="HTTP GET: ~body on success, ^message on failure", example='r=get "http://localhost:8000/x"')
def get(url, headers=None):
    return _request(url, None, headers, "get")


@builtin("post", "t, t > R t t", "t, t, M t t > R t t", pure=False,
         checked=(0, 1, 2), doc="HTTP POST with a text body: ~body or ^message", example='r=post url "{}"')
def post(url, body, headers=None):
    if not isinstance(body, str):
        raise fail("post: body must be text")
    return _request(url, body, headers, "post")


# The reference fetches in batches of at most this many parallel requests.
GET_MANY_MAX_CONCURRENCY = 10


@builtin("get-many", "L t > L (R t t)", pure=False,
         doc="HTTP GET many URLs concurrently (at most 10 at a time): one ~body or ^message per URL, in order.",
         example='get-many ["http://localhost:8000/a" "http://localhost:8000/b"]')
def get_many(urls):
    need_list(urls, "get-many requires L t (list of urls)")
    for i, u in enumerate(urls):
        if not isinstance(u, str):
            raise fail(f"get-many requires L t (list of urls); element {i} is {debug(u)}")
    if not urls:
        return []
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(GET_MANY_MAX_CONCURRENCY, len(urls))) as pool:
        return list(pool.map(lambda u: _request(u, None, None, "get-many"), urls))
