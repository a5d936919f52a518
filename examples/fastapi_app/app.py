"""A FastAPI app with its own routes and the X webhook receiver at /webhooks/x."""

from __future__ import annotations

import logging
import os

from fastapi import FastAPI

from aaa_middleware import ASGIMiddleware, Event, hookimpl

logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s")
logger = logging.getLogger("fastapi_app")


class LogEvents:
    """A plugin that logs what it receives; a real one would store events or act on them."""

    @hookimpl
    def aaa_startup(self) -> None:
        logger.info("receiver started")

    @hookimpl
    async def aaa_event(self, event: Event) -> None:
        logger.info("event %s for %s: %s", event.kind, event.for_user_id, event.dedupe_key)

    @hookimpl
    def aaa_shutdown(self) -> None:
        logger.info("receiver stopped")


app = FastAPI()


@app.get("/")
async def home() -> dict[str, str]:
    return {"message": "Hello from FastAPI"}


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


app.add_middleware(
    ASGIMiddleware,
    path="/webhooks/x",
    consumer_secrets=os.environ["AAA_CONSUMER_SECRET"],
    plugins=[LogEvents()],
)
