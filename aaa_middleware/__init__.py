"""Receive X (Twitter) account-activity webhooks inside any ASGI or WSGI app.

Mount `ASGIMiddleware` or `WSGIMiddleware` at a path of your app; implement hooks with
`hookimpl` in a plugin object (``plugins=[...]``) or an installed distribution registered under
the ``aaa_middleware`` entry-point group.
"""

from __future__ import annotations

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
