"""pytest fixtures for suites that test an X webhook receiver, or a plugin for one.

Installed with aaa_middleware through pytest's ``pytest11`` entry point. It only defines
fixtures, so a suite that does not ask for one is not affected in any way; nothing is imported
beyond this module until a fixture runs.

Override any fixture in your ``conftest.py``; the usual one is `aaa_app`::

    @pytest.fixture
    def aaa_app(aaa_secret, aaa_recorder):
        return create_app(consumer_secrets=aaa_secret, plugins=[aaa_recorder])

    def test_follow_is_welcomed(x_webhook, aaa_recorder):
        assert x_webhook.deliver("follow").status == 200
        assert aaa_recorder.last.kind == "follow"
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .client import WebhookClient
    from .recorder import RecordingPlugin

__all__ = [
    "aaa_app",
    "aaa_path",
    "aaa_plugins",
    "aaa_recorder",
    "aaa_secret",
    "aaa_settings",
    "x_webhook",
]


@pytest.fixture
def aaa_secret() -> str:
    """The consumer secret deliveries are signed with; a fresh random one per test."""
    return "test-secret-" + secrets.token_hex(16)


@pytest.fixture
def aaa_path() -> str:
    """The webhook path deliveries are posted to (the receiver's default)."""
    from ..settings import DEFAULT_PATH

    return DEFAULT_PATH


@pytest.fixture
def aaa_plugins() -> list[object]:
    """Plugins the default `aaa_app` registers: override it with the plugin under test."""
    return []


@pytest.fixture
def aaa_settings() -> dict[str, Any]:
    """More `Settings` fields for the default `aaa_app` (``{"delivery": "background"}``, …)."""
    return {}


@pytest.fixture
def aaa_recorder() -> RecordingPlugin:
    """A `RecordingPlugin`: what the receiver handed to plugins, for assertions."""
    from .recorder import RecordingPlugin

    return RecordingPlugin()


@pytest.fixture
def aaa_app(
    aaa_secret: str,
    aaa_path: str,
    aaa_plugins: list[object],
    aaa_settings: dict[str, Any],
    aaa_recorder: RecordingPlugin,
) -> object:
    """The receiver under test: an ASGI app, a WSGI app, or the URL of a running one.

    By default a standalone `ASGIMiddleware` with `aaa_plugins` and `aaa_recorder`, and no
    installed plugin (``load_entry_points`` off) so the test sees only what it registered.
    Override it to test your own app; register `aaa_recorder` in it to assert on events.
    """
    from ..asgi import ASGIMiddleware

    options: dict[str, Any] = {"load_entry_points": False, **aaa_settings}
    return ASGIMiddleware(
        consumer_secrets=aaa_secret,
        path=aaa_path,
        plugins=[*aaa_plugins, aaa_recorder],
        **options,
    )


@pytest.fixture
def x_webhook(aaa_app: Any, aaa_secret: str, aaa_path: str) -> Iterator[WebhookClient]:
    """Plays X against `aaa_app`: ``.deliver(kind, **overrides)``, ``.post(body)``, ``.crc()``.

    Deliveries are signed with `aaa_secret`. An ASGI app's lifespan runs around the test, so
    its plugins start up before the first request and shut down (drained) after the test.
    """
    from .client import WebhookClient

    with WebhookClient(aaa_app, aaa_secret, path=aaa_path) as client:
        yield client
