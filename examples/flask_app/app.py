"""A Flask app with its own routes and the X webhook receiver at /webhooks/x."""

from __future__ import annotations

import logging
import os

from flask import Flask

from aaa_middleware import Event, hookimpl
from aaa_middleware.flask import AAA

logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s")
logger = logging.getLogger("flask_app")


class LogEvents:
    """A plugin that logs what it receives; a real one would store events or act on them."""

    @hookimpl
    def aaa_startup(self) -> None:
        logger.info("receiver started")

    @hookimpl
    def aaa_event(self, event: Event) -> None:
        logger.info("event %s for %s: %s", event.kind, event.for_user_id, event.dedupe_key)

    @hookimpl
    def aaa_shutdown(self) -> None:
        logger.info("receiver stopped")


app = Flask(__name__)


@app.get("/")
def home() -> str:
    return "Hello from Flask"


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


app.config["AAA_CONSUMER_SECRETS"] = os.environ["AAA_CONSUMER_SECRET"]
app.config["AAA_PATH"] = "/webhooks/x"
AAA(app, plugins=[LogEvents()])
