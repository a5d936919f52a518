"""Structured logs for aaa_middleware: one JSON object per line, ready for a log pipeline.

* every event, at INFO: kind, for_user_id, dedupe_key and the label of the verifying secret;
* every refused request, at WARNING: reason, status and peer address;
* every failed plugin implementation, at ERROR: the event's identifiers, the plugin and the
  exception's type (the traceback is in the ``aaa_middleware.dispatch`` log).

All on the ``aaa_middleware.events`` logger. Bodies, signatures and secrets are never logged:
only identifiers that X already exposes to whoever subscribes to the account.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from aaa_middleware.hookspecs import hookimpl

if TYPE_CHECKING:
    from aaa_middleware.events import Event
    from aaa_middleware.sansio import Delivery

__all__ = ["aaa_error", "aaa_event", "aaa_rejected", "logger"]

logger = logging.getLogger("aaa_middleware.events")


def _line(**fields: object) -> str:
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False)


@hookimpl
def aaa_event(event: Event, delivery: Delivery) -> None:
    # Checked first: building the line costs more than the rest of a no-op dispatch.
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            "%s",
            _line(
                type="event",
                kind=event.kind,
                for_user_id=event.for_user_id,
                dedupe_key=event.dedupe_key,
                secret_label=delivery.secret_label,
            ),
        )


@hookimpl
def aaa_rejected(reason: str, status: int, remote_addr: str | None) -> None:
    logger.warning(
        "%s", _line(type="rejected", reason=reason, status=status, remote_addr=remote_addr)
    )


@hookimpl
def aaa_error(event: Event, plugin_name: str, exception: BaseException, delivery: Delivery) -> None:
    logger.error(
        "%s",
        _line(
            type="error",
            kind=event.kind,
            for_user_id=event.for_user_id,
            dedupe_key=event.dedupe_key,
            secret_label=delivery.secret_label,
            plugin=plugin_name,
            error=type(exception).__name__,
        ),
    )
