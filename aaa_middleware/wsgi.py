"""The WSGI edge: the same receiver behind PEP 3333, passing every other path through."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ._edge import Edge, close_at_exit
from .dedupe import AsyncDedupeStore, DedupeStore
from .errors import MalformedRequest, WebhookError
from .plugin_host import PluginError
from .sansio import ACCEPTED, HANDLER_FAILED, NOT_FOUND, Reply
from .settings import Settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["WSGIMiddleware"]

_CHUNK = 64 * 1024

logger = logging.getLogger("aaa_middleware.wsgi")


class WSGIMiddleware(Edge):
    """Receive X webhooks at `path` inside any WSGI app (Flask, Django, …).

    Same options and behaviour as `ASGIMiddleware`. Plugins start on the first request and
    shut down (after draining background work) when `close()` is called or the process exits.
    """

    def __init__(
        self,
        app: WSGIApplication | None = None,
        *,
        settings: Settings | None = None,
        plugins: Sequence[object] = (),
        dedupe_store: DedupeStore | AsyncDedupeStore | None = None,
        **options: Any,
    ) -> None:
        self.app = app
        super().__init__(settings or Settings.build(**options), plugins, dedupe_store)
        # PEP 3333 hands the path over as latin-1 decoded bytes; compare in that form.
        self._path = self.settings.path.encode("utf-8").decode("latin-1")
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        close_at_exit(self)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "") != self._path:
            if self.app is not None:
                return self.app(environ, start_response)
            return _respond(start_response, NOT_FOUND)
        return _respond(start_response, self._handle(environ))

    def _handle(self, environ: WSGIEnvironment) -> Reply:
        remote = environ.get("REMOTE_ADDR")
        try:
            outcome = self.receiver.start(
                environ["REQUEST_METHOD"],
                environ.get("QUERY_STRING", "").encode("latin-1"),
                _headers(environ),
                remote,
            )
            if isinstance(outcome, Reply):
                return outcome
            _read_body(environ, outcome.feed)
            delivery = outcome.finish()
        except WebhookError as error:
            self.dispatcher.rejected(error, remote)
            return Reply.for_error(error)
        if not self._started:
            try:
                self.start()
            except PluginError:
                logger.exception("plugins failed to start; answering 500 so that X retries")
                return HANDLER_FAILED
        if self._background:
            self.dispatcher.submit(delivery)
            return ACCEPTED
        return ACCEPTED if self.dispatcher.dispatch_sync(delivery).ok else HANDLER_FAILED

    def start(self) -> None:
        """Run the plugins' start-up hooks (done on the first delivery if not called)."""
        with self._lock:
            if not self._started:
                self.dispatcher.startup()
                self._started = True

    def close(self) -> None:
        """Drain background work, then run the plugins' shutdown hooks. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self.dispatcher.drain(self.settings.drain_timeout)
            if self._started:
                self.dispatcher.shutdown()


def _headers(environ: WSGIEnvironment) -> list[tuple[bytes, bytes]]:
    headers = []
    for key, name in (
        ("CONTENT_LENGTH", b"content-length"),
        ("CONTENT_TYPE", b"content-type"),
        ("HTTP_X_TWITTER_WEBHOOKS_SIGNATURE", b"x-twitter-webhooks-signature"),
    ):
        value = environ.get(key)
        if value:
            headers.append((name, value.encode("latin-1")))
    return headers


def _read_body(environ: WSGIEnvironment, feed: Callable[[bytes], None]) -> None:
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length:
        # The receiver has already checked it is digits and within the cap.
        remaining = int(length)
        while remaining > 0:
            chunk = stream.read(min(remaining, _CHUNK))
            if not chunk:
                raise MalformedRequest("body ended before content-length")
            remaining -= len(chunk)
            feed(chunk)
    elif environ.get("wsgi.input_terminated"):
        # Chunked transfer: the server promises EOF at the end; the cap stops a long body.
        while chunk := stream.read(_CHUNK):
            feed(chunk)


def _native(reply: Reply) -> tuple[str, list[tuple[str, str]]]:
    headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in reply.headers]
    return reply.status_line, headers


# The answers given on every delivery, converted to WSGI's native strings once.
_PREBUILT = {id(reply): (reply, _native(reply)) for reply in (ACCEPTED, HANDLER_FAILED, NOT_FOUND)}


def _respond(start_response: StartResponse, reply: Reply) -> list[bytes]:
    prebuilt = _PREBUILT.get(id(reply))
    if prebuilt is not None and prebuilt[0] is reply:
        status, headers = prebuilt[1]
        start_response(status, list(headers))  # a copy: servers and middleware may edit it
    else:
        start_response(*_native(reply))
    return [reply.body]
