"""A plugin that logs what it receives; a real one would store events or act on them."""

from __future__ import annotations

import logging

from aaa_middleware import Event, hookimpl

logger = logging.getLogger(__name__)


class LogEvents:
    @hookimpl
    def aaa_startup(self) -> None:
        logger.info("receiver started")

    @hookimpl
    def aaa_event(self, event: Event) -> None:
        logger.info("event %s for %s: %s", event.kind, event.for_user_id, event.dedupe_key)

    @hookimpl
    def aaa_shutdown(self) -> None:
        logger.info("receiver stopped")
