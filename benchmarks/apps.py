"""What the middleware is compared with: the floor work, done by hand, and a bare endpoint.

The *floor* is the least any receiver must do with a delivery: check its HMAC and decode it.
`floor_asgi` and `floor_wsgi` are hand-written apps doing only that (read the body, check the
signature, `decode_activity`, answer 200), with no dedupe, no plugins and no error vocabulary.
`bare_asgi` reads the body and answers 200 without even that, for the end-to-end runs.

The factories at the bottom are what ``uvicorn --factory benchmarks.apps:<name>`` serves.
"""

from __future__ import annotations

import binascii
import hmac
import os
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from aaa_middleware import ASGIMiddleware, Settings, decode_activity, hookimpl

from .payloads import SECRET

__all__ = [
    "PATH",
    "NoOpPlugin",
    "bare_asgi",
    "check_signature",
    "floor_asgi",
    "floor_wsgi",
    "settings",
]

PATH = "/webhooks/x"
SECRET_ENV = "AAA_BENCH_SECRET"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
StartResponse = Callable[[str, list[tuple[str, str]]], object]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_SIGNATURE = b"x-twitter-webhooks-signature"
# The middleware acknowledges with an empty text/plain body; the floor answers the same bytes.
_OK_HEADERS = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"0")]
_OK_WSGI_HEADERS = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "0")]


class NoOpPlugin:
    """One `aaa_event` implementation that does nothing: the dispatch cost alone."""

    @hookimpl
    def aaa_event(self, event: object) -> None:
        return None


def settings(*, dedupe: bool = True, dedupe_max_entries: int = 100_000) -> Settings:
    """The middleware's settings in every benchmark: one secret, no entry-point discovery."""
    return Settings.build(
        consumer_secrets=os.environ.get(SECRET_ENV, SECRET),
        path=PATH,
        load_entry_points=False,
        dedupe=dedupe,
        dedupe_max_entries=dedupe_max_entries,
    )


def check_signature(body: bytes, signature: bytes, key: bytes) -> bool:
    """The floor of verification: base64-decode the header's digest, HMAC the body, compare."""
    try:
        expected = binascii.a2b_base64(signature[7:])
    except binascii.Error:
        return False
    return hmac.compare_digest(hmac.digest(key, body, "sha256"), expected)


def floor_asgi(secret: str = SECRET) -> ASGIApp:
    """A hand-written ASGI app doing only the floor work on every POST."""
    key = secret.encode()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        signature = b""
        for name, value in scope["headers"]:
            if name == _SIGNATURE:
                signature = value
        message = await receive()
        body = message.get("body", b"")
        if message.get("more_body", False):
            chunks = [body]
            while message.get("more_body", False):
                message = await receive()
                chunks.append(message.get("body", b""))
            body = b"".join(chunks)
        status = 403
        if check_signature(body, signature, key):
            decode_activity(body)
            status = 200
        await send({"type": "http.response.start", "status": status, "headers": _OK_HEADERS})
        await send({"type": "http.response.body", "body": b""})

    return app


def floor_wsgi(secret: str = SECRET) -> WSGIApp:
    """A hand-written WSGI app doing only the floor work on every POST."""
    key = secret.encode()

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        signature = environ.get("HTTP_X_TWITTER_WEBHOOKS_SIGNATURE", "").encode("latin-1")
        status = "403 Forbidden"
        if check_signature(body, signature, key):
            decode_activity(body)
            status = "200 OK"
        start_response(status, _OK_WSGI_HEADERS)
        return [b""]

    return app


async def bare_asgi(scope: Scope, receive: Receive, send: Send) -> None:
    """Read the whole body and answer 200: the server's own cost per request."""
    more_body = True
    while more_body:
        message = await receive()
        more_body = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": _OK_HEADERS})
    await send({"type": "http.response.body", "body": b""})


# -- uvicorn factories (``--factory``) ------------------------------------------------------


def bare_app() -> ASGIApp:
    return bare_asgi


def floor_app() -> ASGIApp:
    return floor_asgi(os.environ.get(SECRET_ENV, SECRET))


def middleware_app() -> ASGIMiddleware:
    # Without dedupe: the load generator sends one body over and over, and a duplicate would
    # skip the dispatch (it is still verified and decoded).
    return ASGIMiddleware(settings=settings(dedupe=False), plugins=[NoOpPlugin()])
