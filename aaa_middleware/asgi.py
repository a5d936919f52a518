"""The ASGI edge: answers the webhook path, passes every other scope through untouched."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from ._edge import Edge
from .dedupe import AsyncDedupeStore, DedupeStore
from .errors import WebhookError
from .plugin_host import PluginError
from .sansio import ACCEPTED, HANDLER_FAILED, NOT_FOUND, Reply
from .settings import Settings

__all__ = ["ASGIApp", "ASGIMiddleware"]

logger = logging.getLogger("aaa_middleware.asgi")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ASGIMiddleware(Edge):
    """Receive X webhooks at `path` inside any ASGI app.

    ``ASGIMiddleware(app, path="/webhooks/x", consumer_secrets="…", plugins=[...])`` answers
    CRC checks and deliveries on exactly that path and hands every other request, websocket and
    lifespan scope to `app`. Without `app` it is a standalone ASGI app that answers 404
    elsewhere. Keyword options are the fields of `Settings`; or pass ``settings=`` whole.
    `dedupe_store` replaces the in-memory store, e.g. with one shared by several processes.
    """

    def __init__(
        self,
        app: ASGIApp | None = None,
        *,
        settings: Settings | None = None,
        plugins: Sequence[object] = (),
        dedupe_store: DedupeStore | AsyncDedupeStore | None = None,
        **options: Any,
    ) -> None:
        self.app = app
        super().__init__(settings or Settings.build(**options), plugins, dedupe_store)
        self._path = self.settings.path
        self._started = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http" and scope["path"] == self._path:
            await self._handle(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(scope, receive, send)
        elif self.app is not None:
            await self.app(scope, receive, send)
        elif kind == "http":
            await _send_reply(send, NOT_FOUND)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1000})

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        remote = client[0] if client else None
        try:
            outcome = self.receiver.start(
                scope["method"], scope["query_string"], scope["headers"], remote
            )
            if isinstance(outcome, Reply):
                await _send_reply(send, outcome)
                return
            more_body = True
            while more_body:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return  # the client is gone: there is nobody to answer
                outcome.feed(message.get("body", b""))
                more_body = message.get("more_body", False)
            delivery = outcome.finish()
        except WebhookError as error:
            self.dispatcher.rejected(error, remote)
            await _send_reply(send, Reply.for_error(error))
            return
        if not self._started:
            try:
                await self._startup()  # the server did not run lifespan
            except PluginError:
                logger.exception("plugins failed to start; answering 500 so that X retries")
                await _send_reply(send, HANDLER_FAILED)
                return
        if self._background:
            self.dispatcher.spawn(delivery)
            await _send_reply(send, ACCEPTED)
        else:
            result = await self.dispatcher.dispatch(delivery)
            await _send_reply(send, ACCEPTED if result.ok else HANDLER_FAILED)

    async def _startup(self) -> None:
        await self.dispatcher.astartup()
        self._started = True

    async def _shutdown(self) -> None:
        if self._started:
            self._started = False
            await self.dispatcher.adrain(self.settings.drain_timeout)
            await self.dispatcher.ashutdown()

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is None:
            await self._answer_lifespan(receive, send, startup_seen=False)
            return

        # Take part in the inner app's lifespan without replacing it: our start-up runs when the
        # server announces start-up, our drain and shutdown once the app has finished its own.
        answered = startup_seen = False

        async def lifespan_receive() -> Message:
            nonlocal startup_seen
            message = await receive()
            if message["type"] == "lifespan.startup" and not self._started:
                startup_seen = True
                await self._startup()  # a failure reaches the app's own start-up handling
            return message

        async def lifespan_send(message: Message) -> None:
            nonlocal answered
            if message["type"].startswith("lifespan.startup."):
                answered = True
            elif message["type"] in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
                await self._shutdown()
            await send(message)

        assert self.app is not None
        try:
            await self.app(scope, lifespan_receive, lifespan_send)
        except Exception:
            if answered:
                raise
            # An app that does not speak lifespan (Django's ASGI handler raises, others just
            # return) would leave the plugins without start-up and shutdown: answer for it.
            logger.debug("the inner app does not support lifespan; answering it here")
        if not answered:
            await self._answer_lifespan(receive, send, startup_seen=startup_seen)

    async def _answer_lifespan(self, receive: Receive, send: Send, *, startup_seen: bool) -> None:
        if not startup_seen:
            await receive()  # lifespan.startup
        try:
            if not self._started:
                await self._startup()
        except Exception as exc:
            # The server refuses to start: better than acknowledging deliveries that plugins
            # which could not start would silently drop.
            await send({"type": "lifespan.startup.failed", "message": str(exc)})
            return
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        await self._shutdown()
        await send({"type": "lifespan.shutdown.complete"})


async def _send_reply(send: Send, reply: Reply) -> None:
    # A fresh list each time: middleware around us (GZip) edits response headers in place.
    headers = list(reply.headers)
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})
