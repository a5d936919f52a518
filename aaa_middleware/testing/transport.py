"""Sending requests to a receiver the way X does: at an ASGI app, a WSGI app or a URL.

Nothing here needs an HTTP library: ASGI and WSGI apps are called directly (the request goes
through the whole app, middleware stack included), and URLs are reached with `http.client`.
"""

from __future__ import annotations

import asyncio
import http.client
import io
import json
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["ASGIApp", "Response", "asgi_request", "url_request", "wsgi_request"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]

_CLIENT = ("127.0.0.1", 54321)
_SERVER = ("testserver", 80)


@dataclass(frozen=True, slots=True)
class Response:
    """What the receiver answered.

    :param headers: lower-case names; a repeated header keeps its last value.
    :param elapsed: seconds from sending the request to the end of the answer.
    """

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    elapsed: float = 0.0

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def ok(self) -> bool:
        """True for 200, the only answer X takes as an acknowledgement."""
        return self.status == 200


def _split_target(path: str) -> tuple[str, str]:
    path, _, query = path.partition("?")
    return path or "/", query


async def asgi_request(
    app: ASGIApp,
    method: str,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    state: Mapping[str, Any] | None = None,
) -> Response:
    """Call an ASGI app with one HTTP request and collect its answer.

    The body arrives in one ``http.request`` message; once the answer is complete the app
    sees ``http.disconnect``, as behind a real server. `state` is the lifespan state, copied
    into the request's scope as servers do.
    """
    path, query = _split_target(path)
    raw_headers = [
        (k.lower().encode("latin-1"), v.encode("latin-1"))
        for k, v in _with_length(headers, body).items()
    ]
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("utf-8"),
        "query_string": query.encode("latin-1"),
        "root_path": "",
        "headers": [(b"host", _SERVER[0].encode()), *raw_headers],
        "client": _CLIENT,
        "server": _SERVER,
        "state": dict(state or {}),
        "extensions": {},
    }
    sent_body = False
    finished = asyncio.Event()
    status: int | None = None
    answer_headers: dict[str, str] = {}
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
            for name, value in message.get("headers", ()):
                answer_headers[bytes(name).decode("latin-1").lower()] = bytes(value).decode(
                    "latin-1"
                )
        elif message["type"] == "http.response.body":
            chunks.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                finished.set()

    started = time.perf_counter()
    try:
        await app(scope, receive, send)
    finally:
        finished.set()
    if status is None:
        raise RuntimeError(f"the ASGI app answered nothing to {method} {path}")
    return Response(status, answer_headers, b"".join(chunks), time.perf_counter() - started)


def wsgi_request(
    app: WSGIApplication,
    method: str,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
) -> Response:
    """Call a WSGI app with one HTTP request (PEP 3333 environ) and collect its answer."""
    path, query = _split_target(path)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        # PEP 3333: the path arrives as latin-1 decoded bytes.
        "PATH_INFO": path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": _SERVER[0],
        "SERVER_PORT": str(_SERVER[1]),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": _CLIENT[0],
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in _with_length(headers, body).items():
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        environ[key] = value
    state: dict[str, Any] = {}

    def start_response(
        status: str, response_headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], object]:
        state["status"] = int(status.split(" ", 1)[0])
        state["headers"] = {name.lower(): value for name, value in response_headers}
        return lambda data: None

    started = time.perf_counter()
    result: Iterable[bytes] = app(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if "status" not in state:
        raise RuntimeError(f"the WSGI app answered nothing to {method} {path}")
    elapsed = time.perf_counter() - started
    return Response(state["status"], state["headers"], content, elapsed)


def url_request(
    url: str,
    method: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    timeout: float = 10.0,
) -> Response:
    """Send one request over HTTP(S). Redirects are not followed, as X does not follow them.

    :raises OSError: the server could not be reached (refused, timed out, name unknown).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout)
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    started = time.perf_counter()
    try:
        connection.request(method, target, body=body or None, headers=dict(headers or {}))
        answer = connection.getresponse()
        content = answer.read()
    finally:
        connection.close()
    answer_headers = {name.lower(): value for name, value in answer.getheaders()}
    return Response(answer.status, answer_headers, content, time.perf_counter() - started)


def _with_length(headers: Mapping[str, str] | None, body: bytes) -> dict[str, str]:
    out = {name.lower(): value for name, value in (headers or {}).items()}
    if body and "content-length" not in out:
        out["content-length"] = str(len(body))
    return out
