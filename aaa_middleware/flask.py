"""Receive X webhooks in a Flask app: ``AAA(app)`` or ``AAA().init_app(app)``.

Configuration comes from ``app.config`` keys named after the `Settings` fields with an ``AAA_``
prefix, the same names as the environment variables::

    app.config["AAA_CONSUMER_SECRETS"] = ["current-secret"]  # or AAA_CONSUMER_SECRET
    app.config["AAA_PATH"] = "/webhooks/x"
    AAA(app, plugins=[LogEvents()])

Every ``AAA_*`` key belongs to the receiver, so a misspelt one is an error rather than a
setting silently ignored. The extension wraps ``app.wsgi_app`` in a `WSGIMiddleware`, so
requests on the webhook path are answered before Flask's routing, request context, hooks and
error handlers; everything else reaches the app unchanged. The middleware is kept in
``app.extensions["aaa_middleware"]``: call its ``close()`` to shut the plugins down early
(it also runs at interpreter exit).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .settings import Settings
from .wsgi import WSGIMiddleware

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["AAA", "CONFIG_PREFIX", "EXTENSION_NAME"]

CONFIG_PREFIX = "AAA_"
EXTENSION_NAME = "aaa_middleware"


class AAA:
    """The Flask extension. `plugins` are registered besides the entry-point plugins."""

    def __init__(self, app: Flask | None = None, *, plugins: Sequence[object] = ()) -> None:
        self.plugins = tuple(plugins)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Read the ``AAA_*`` configuration of `app` and put the receiver in front of it."""
        options = app.config.get_namespace(CONFIG_PREFIX)
        # The singular spelling is the environment variable's; accept it here too.
        if "consumer_secret" in options and "consumer_secrets" not in options:
            options["consumer_secrets"] = options.pop("consumer_secret")
        middleware = WSGIMiddleware(
            app.wsgi_app, settings=Settings.from_mapping(options), plugins=self.plugins
        )
        # Flask's documented way to add WSGI middleware; the method is replaced on the instance.
        app.wsgi_app = middleware  # type: ignore[method-assign]
        app.extensions[EXTENSION_NAME] = middleware
