"""Receive X webhooks in Django: list `WebhookMiddleware` first in ``MIDDLEWARE``, configure
it with ``AAA_MIDDLEWARE`` (a dict of `Settings` fields) and optionally
``AAA_MIDDLEWARE_PLUGINS`` (plugin objects or dotted paths to them; classes are instantiated).
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Mapping
from typing import cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.module_loading import import_string

from ._edge import Edge, close_at_exit
from .errors import ConfigurationError, WebhookError
from .sansio import ACCEPTED, HANDLER_FAILED, Delivery, Reply
from .settings import Settings
from .signing import SIGNATURE_HEADER

__all__ = ["PLUGINS_SETTING", "SETTINGS_NAME", "WebhookMiddleware"]

SETTINGS_NAME = "AAA_MIDDLEWARE"
PLUGINS_SETTING = "AAA_MIDDLEWARE_PLUGINS"

_CHUNK = 64 * 1024
_HEADERS = (
    ("CONTENT_LENGTH", b"content-length"),
    ("CONTENT_TYPE", b"content-type"),
    ("HTTP_X_TWITTER_WEBHOOKS_SIGNATURE", SIGNATURE_HEADER.encode()),
)

GetResponse = Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]


class WebhookMiddleware(Edge):
    """Answers the webhook path from ``__call__``, so URL resolution, views and every
    ``process_view`` (CSRF included) never see X's requests, only the middleware listed above.
    Runs in the mode (sync or async) of the chain it is in. Plugins start on the first delivery
    and shut down on `close`, which runs at interpreter exit."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)
        config = getattr(django_settings, SETTINGS_NAME, None)
        if not isinstance(config, Mapping):
            raise ImproperlyConfigured(f"{SETTINGS_NAME} must be a dict of receiver settings")
        try:
            settings = Settings.from_mapping(config)
        except ConfigurationError as exc:
            raise ImproperlyConfigured(f"{SETTINGS_NAME}: {exc}") from exc
        super().__init__(settings, _plugins())
        self._path = self.settings.path
        self._lock = threading.Lock()
        self._started = False
        close_at_exit(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.async_mode:
            return self.__acall__(request)
        if request.path != self._path:
            return self.get_response(request)
        outcome = self._receive(request)
        if isinstance(outcome, Delivery):
            outcome = ACCEPTED if self.dispatcher.dispatch_sync(outcome).ok else HANDLER_FAILED
        return _response(outcome)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path != self._path:
            # In async mode Django hands over an async get_response.
            return await cast("Awaitable[HttpResponseBase]", self.get_response(request))
        outcome = self._receive(request)
        if isinstance(outcome, Delivery):
            ok = (await self.dispatcher.dispatch(outcome)).ok
            outcome = ACCEPTED if ok else HANDLER_FAILED
        return _response(outcome)

    def _receive(self, request: HttpRequest) -> Reply | Delivery:
        """The reply to send, or the delivery to dispatch before replying."""
        meta = request.META
        remote = meta.get("REMOTE_ADDR")
        try:
            outcome = self.receiver.start(
                request.method or "GET",
                meta.get("QUERY_STRING", "").encode("latin-1"),
                [(name, meta[key].encode("latin-1")) for key, name in _HEADERS if meta.get(key)],
                remote,
            )
            if isinstance(outcome, Reply):
                return outcome
            # Straight from the request stream: the receiver has checked Content-Length against
            # its own cap and applies it per chunk, so DATA_UPLOAD_MAX_MEMORY_SIZE plays no part.
            while chunk := request.read(_CHUNK):
                outcome.feed(chunk)
            delivery = outcome.finish()
        except WebhookError as error:
            self.dispatcher.rejected(error, remote)
            return Reply.for_error(error)
        self._started = True
        if not self._background:
            return delivery
        # Django has no lifespan to drain event-loop tasks in, so in either mode background
        # work goes to the thread pool that `close` drains at exit.
        self.dispatcher.submit(delivery)
        return ACCEPTED

    def close(self) -> None:
        """Drain background work, then run the plugins' shutdown hooks if they started."""
        with self._lock:
            started, self._started = self._started, False
        self.dispatcher.drain(self.settings.drain_timeout)
        if started:
            self.dispatcher.shutdown()


def _plugins() -> list[object]:
    entries = getattr(django_settings, PLUGINS_SETTING, ())
    found = [import_string(entry) if isinstance(entry, str) else entry for entry in entries]
    return [plugin() if isinstance(plugin, type) else plugin for plugin in found]


def _response(reply: Reply) -> HttpResponse:
    response = HttpResponse(reply.body, status=reply.status)
    # Django gives every response an HTML content type; the reply's headers are the whole set.
    del response["Content-Type"]
    for name, value in reply.headers:
        response[name.decode("latin-1")] = value.decode("latin-1")
    return response
