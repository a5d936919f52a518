"""Receive X (Twitter) account-activity webhooks inside any ASGI or WSGI app.

Mount `ASGIMiddleware` or `WSGIMiddleware` at a path of your app; implement hooks with
`hookimpl` in a plugin object (``plugins=[...]``) or an installed distribution registered under
the ``aaa_middleware`` entry-point group.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .asgi import ASGIMiddleware
    from .dispatch import Dispatcher, DispatchResult
    from .errors import ConfigurationError, PayloadError, WebhookError
    from .events import KINDS, Activity, Event, decode_activity
    from .hookspecs import hookimpl
    from .sansio import Delivery, Receiver, Reply
    from .settings import Settings
    from .signing import crc_response_token, sign
    from .wsgi import WSGIMiddleware

__version__ = "0.1.0"

# Imported on first use: the pytest plugin and the CLI import this package in processes that
# may never receive a webhook, and should not pay for the whole receiver to do so.
_EXPORTS = {
    "ASGIMiddleware": "asgi",
    "Activity": "events",
    "ConfigurationError": "errors",
    "Delivery": "sansio",
    "DispatchResult": "dispatch",
    "Dispatcher": "dispatch",
    "Event": "events",
    "KINDS": "events",
    "PayloadError": "errors",
    "Receiver": "sansio",
    "Reply": "sansio",
    "Settings": "settings",
    "WSGIMiddleware": "wsgi",
    "WebhookError": "errors",
    "crc_response_token": "signing",
    "decode_activity": "events",
    "hookimpl": "hookspecs",
    "sign": "signing",
}

__all__ = [
    "KINDS",
    "ASGIMiddleware",
    "Activity",
    "ConfigurationError",
    "Delivery",
    "DispatchResult",
    "Dispatcher",
    "Event",
    "PayloadError",
    "Receiver",
    "Reply",
    "Settings",
    "WSGIMiddleware",
    "WebhookError",
    "__version__",
    "crc_response_token",
    "decode_activity",
    "hookimpl",
    "sign",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
