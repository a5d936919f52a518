"""A Starlette app with its own routes and the X webhook receiver at /webhooks/x."""

from __future__ import annotations

import logging
import os

from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from aaa_middleware import ASGIMiddleware, Event, hookimpl

logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s")
logger = logging.getLogger("starlette_app")


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


async def home(request: Request) -> PlainTextResponse:
    return PlainTextResponse("Hello from Starlette")


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/", home), Route("/health", health)])
app.add_middleware(GZipMiddleware, minimum_size=0)
# Added last, so it is the outermost middleware: X's requests are answered before the app's
# own middleware runs, and every other request goes through that middleware as before.
app.add_middleware(
    ASGIMiddleware,
    path="/webhooks/x",
    consumer_secrets=os.environ["AAA_CONSUMER_SECRET"],
    plugins=[LogEvents()],
)
