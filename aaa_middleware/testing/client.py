"""`WebhookClient`: plays X against one receiver, in-process or over HTTP."""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from ..settings import DEFAULT_PATH
from ..signing import SIGNATURE_HEADER, sign
from .crc import CRCRequest, build_crc
from .payloads import build_delivery
from .transport import ASGIApp, Message, Response, asgi_request, url_request, wsgi_request

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["CRCResult", "WebhookClient", "deliver_asgi", "deliver_url", "deliver_wsgi"]

T = TypeVar("T")
Interface = Literal["asgi", "wsgi", "url"]

# Generous: a hook that takes longer than this in a test is a bug worth a clear failure.
_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class CRCResult:
    """A CRC request and the receiver's answer to it."""

    request: CRCRequest
    response: Response

    @property
    def response_token(self) -> str | None:
        try:
            token = self.response.json().get("response_token")
        except (ValueError, AttributeError):
            return None
        return token if isinstance(token, str) else None

    @property
    def ok(self) -> bool:
        """True when X would accept the answer: 200 and the expected ``response_token``."""
        return self.response.status == 200 and self.response_token == self.request.expected


class WebhookClient:
    """Sends what X sends (signed deliveries, CRC checks) to one receiver.

    :param target: an ASGI app, a WSGI app, or the webhook's URL (``http://…/webhooks/x``).
    :param secret: the consumer secret to sign with.
    :param path: the webhook path, for an app target.
    :param interface: ``"asgi"`` or ``"wsgi"`` when an app is not recognised automatically
        (an ASGI app is one whose ``__call__`` is a coroutine function).

    An ASGI app runs on the client's own event loop, in a background thread, with its lifespan
    started on first use and shut down by `close` (the context manager calls it): background
    dispatches progress between requests and are drained at the end, as under a server.
    In ``async`` tests, use `apost`, `adeliver` and `acrc` instead; they run on the caller's loop.
    """

    def __init__(
        self,
        target: ASGIApp | WSGIApplication | str,
        secret: str,
        *,
        path: str = DEFAULT_PATH,
        interface: Literal["asgi", "wsgi"] | None = None,
    ) -> None:
        self.target = target
        self.secret = secret
        self.path = path
        self.interface: Interface = (
            "url" if isinstance(target, str) else interface or _detect(target)
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lifespan: _Lifespan | None = None

    # -- what X sends ------------------------------------------------------------------------

    def post(
        self,
        body: bytes,
        *,
        signature: str | None = None,
        signed: bool = True,
        content_type: str | None = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """POST `body` signed with the secret (or with `signature`, or unsigned)."""
        headers = self._post_headers(body, signature, signed, content_type, headers)
        return self._call("POST", "", headers, body)

    def deliver(self, kind: str, **overrides: Any) -> Response:
        """Build a delivery of `kind` (see `build_delivery` for `overrides`), sign it, POST it."""
        return self.post(build_delivery(kind, **overrides))

    def crc(self, *, signed: bool = True, token: str | None = None) -> CRCResult:
        """Send a CRC GET (signed over its query, as X does, unless `signed` is false)."""
        request = build_crc(self.secret, token=token, signed=signed)
        return CRCResult(request, self._call("GET", request.query, request.headers, b""))

    async def apost(
        self,
        body: bytes,
        *,
        signature: str | None = None,
        signed: bool = True,
        content_type: str | None = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """`post`, awaited on the running loop."""
        headers = self._post_headers(body, signature, signed, content_type, headers)
        return await self._acall("POST", "", headers, body)

    async def adeliver(self, kind: str, **overrides: Any) -> Response:
        """`deliver`, awaited on the running loop."""
        return await self.apost(build_delivery(kind, **overrides))

    async def acrc(self, *, signed: bool = True, token: str | None = None) -> CRCResult:
        """`crc`, awaited on the running loop."""
        request = build_crc(self.secret, token=token, signed=signed)
        response = await self._acall("GET", request.query, request.headers, b"")
        return CRCResult(request, response)

    # -- plumbing ----------------------------------------------------------------------------

    def _post_headers(
        self,
        body: bytes,
        signature: str | None,
        signed: bool,
        content_type: str | None,
        extra: Mapping[str, str] | None,
    ) -> dict[str, str]:
        headers: dict[str, str] = {}
        if content_type is not None:
            headers["content-type"] = content_type
        if signature is not None:
            headers[SIGNATURE_HEADER] = signature
        elif signed:
            headers[SIGNATURE_HEADER] = sign(body, self.secret)
        headers.update(extra or {})
        return headers

    def _call(self, method: str, query: str, headers: Mapping[str, str], body: bytes) -> Response:
        if self.interface == "asgi":
            return self._run(self._asgi(method, query, headers, body))
        return self._sync(method, query, headers, body)

    async def _acall(
        self, method: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> Response:
        if self.interface == "asgi":
            app = cast("ASGIApp", self.target)
            target = _with_query(self.path, query)
            return await asgi_request(app, method, target, headers=headers, body=body)
        call = functools.partial(self._sync, method, query, headers, body)
        return await asyncio.to_thread(call)

    def _sync(self, method: str, query: str, headers: Mapping[str, str], body: bytes) -> Response:
        if self.interface == "url":
            url = _with_query(cast(str, self.target), query)
            return url_request(url, method, headers=headers, body=body)
        app = cast("WSGIApplication", self.target)
        target = _with_query(self.path, query)
        return wsgi_request(app, method, target, headers=headers, body=body)

    async def _asgi(
        self, method: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> Response:
        app = cast("ASGIApp", self.target)
        if self._lifespan is None:
            self._lifespan = _Lifespan(app)
            await self._lifespan.startup()
        target = _with_query(self.path, query)
        state = self._lifespan.state
        return await asgi_request(app, method, target, headers=headers, body=body, state=state)

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(
                target=self._loop.run_forever, name="aaa-webhook-client", daemon=True
            )
            self._thread.start()
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(_TIMEOUT)

    def close(self) -> None:
        """Shut the ASGI app's lifespan down (draining background work) and stop the loop."""
        loop, thread, lifespan = self._loop, self._thread, self._lifespan
        self._loop = self._thread = self._lifespan = None
        if loop is None:
            return
        try:
            if lifespan is not None:
                asyncio.run_coroutine_threadsafe(lifespan.shutdown(), loop).result(_TIMEOUT)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            if thread is not None:
                thread.join(_TIMEOUT)
            loop.close()

    def __enter__(self) -> WebhookClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _with_query(target: str, query: str) -> str:
    if not query:
        return target
    return f"{target}{'&' if '?' in target else '?'}{query}"


def _detect(app: object) -> Literal["asgi", "wsgi"]:
    call = app if inspect.isfunction(app) else getattr(app, "__call__", None)  # noqa: B004
    if call is None or not callable(call):
        raise TypeError(f"{app!r} is neither an ASGI app, a WSGI app nor a URL")
    return "asgi" if inspect.iscoroutinefunction(call) else "wsgi"


class _Lifespan:
    """Runs an ASGI app's lifespan protocol, as a server does ("auto": optional for the app)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.state: dict[str, Any] = {}
        self._inbox: asyncio.Queue[Message] = asyncio.Queue()
        self._outbox: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.state}
        self._task = asyncio.ensure_future(self.app(scope, self._inbox.get, self._outbox.put))
        await self._exchange("lifespan.startup")

    async def shutdown(self) -> None:
        if self._task is not None and not self._task.done():
            await self._exchange("lifespan.shutdown")

    async def _exchange(self, message_type: str) -> None:
        assert self._task is not None
        await self._inbox.put({"type": message_type})
        answer = asyncio.ensure_future(self._outbox.get())
        await asyncio.wait({answer, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if not answer.done():
            answer.cancel()
            # The app returned or raised without answering: it does not do lifespan.
            if not self._task.cancelled() and self._task.exception() is not None:
                self._task = None
            return
        reply = answer.result()
        if reply["type"].endswith(".failed"):
            raise RuntimeError(f"{message_type} failed: {reply.get('message', '')}")


def _signed_headers(body: bytes, secret: str) -> dict[str, str]:
    return {"content-type": "application/json", SIGNATURE_HEADER: sign(body, secret)}


async def deliver_asgi(
    app: ASGIApp, body: bytes, secret: str, *, path: str = DEFAULT_PATH
) -> Response:
    """POST `body`, signed with `secret`, at an ASGI app (no lifespan: see `WebhookClient`)."""
    return await asgi_request(app, "POST", path, headers=_signed_headers(body, secret), body=body)


def deliver_wsgi(
    app: WSGIApplication, body: bytes, secret: str, *, path: str = DEFAULT_PATH
) -> Response:
    """POST `body`, signed with `secret`, at a WSGI app."""
    return wsgi_request(app, "POST", path, headers=_signed_headers(body, secret), body=body)


def deliver_url(url: str, body: bytes, secret: str, *, timeout: float = 10.0) -> Response:
    """POST `body`, signed with `secret`, to a webhook URL."""
    headers = _signed_headers(body, secret)
    return url_request(url, "POST", headers=headers, body=body, timeout=timeout)
