"""Play X against a receiver in tests: realistic signed deliveries, CRC checks, a recorder.

::

    from aaa_middleware.testing import WebhookClient, build_delivery

    body = build_delivery("follow", source={"screen_name": "ana"})
    with WebhookClient(app, "my-secret") as x:   # an ASGI app, a WSGI app, or a URL
        assert x.post(body).status == 200
        assert x.crc().ok

With pytest, the fixtures `x_webhook`, `aaa_recorder`, `aaa_secret`, `aaa_app` (and
`aaa_plugins`, `aaa_settings`, `aaa_path` to tune the default app) are available without
any import: see `aaa_middleware.testing.pytest_plugin`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..events import KINDS
    from ..signing import SIGNATURE_HEADER, sign
    from .client import CRCResult, WebhookClient, deliver_asgi, deliver_url, deliver_wsgi
    from .crc import CRCRequest, build_crc
    from .payloads import (
        DEFAULT_FOR_USER_ID,
        EVENT_KEYS,
        OMIT,
        build_delivery,
        build_payload,
        encode_like_x,
    )
    from .recorder import HookFailure, RecordingPlugin, Rejection
    from .transport import Response, asgi_request, url_request, wsgi_request

__all__ = [
    "DEFAULT_FOR_USER_ID",
    "EVENT_KEYS",
    "KINDS",
    "OMIT",
    "SIGNATURE_HEADER",
    "CRCRequest",
    "CRCResult",
    "HookFailure",
    "RecordingPlugin",
    "Rejection",
    "Response",
    "WebhookClient",
    "asgi_request",
    "build_crc",
    "build_delivery",
    "build_payload",
    "deliver_asgi",
    "deliver_url",
    "deliver_wsgi",
    "encode_like_x",
    "sign",
    "url_request",
    "wsgi_request",
]

# pytest imports the plugin module of this package in every session of an environment where
# aaa_middleware is installed, used or not; loading the rest on first use keeps that session's
# cost to the plugin module itself.
_HOMES = {
    "KINDS": "..events",
    "SIGNATURE_HEADER": "..signing",
    "sign": "..signing",
    "CRCResult": ".client",
    "WebhookClient": ".client",
    "deliver_asgi": ".client",
    "deliver_url": ".client",
    "deliver_wsgi": ".client",
    "CRCRequest": ".crc",
    "build_crc": ".crc",
    "DEFAULT_FOR_USER_ID": ".payloads",
    "EVENT_KEYS": ".payloads",
    "OMIT": ".payloads",
    "build_delivery": ".payloads",
    "build_payload": ".payloads",
    "encode_like_x": ".payloads",
    "HookFailure": ".recorder",
    "RecordingPlugin": ".recorder",
    "Rejection": ".recorder",
    "Response": ".transport",
    "asgi_request": ".transport",
    "url_request": ".transport",
    "wsgi_request": ".transport",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
