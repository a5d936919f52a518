"""Records what it receives, so a test can see that entry-point loading reached it."""

from __future__ import annotations

from aaa_middleware.hookspecs import hookimpl

seen: list[object] = []


@hookimpl
def aaa_event(event):
    seen.append(event.dedupe_key)


@hookimpl
async def aaa_follow(event, delivery):
    seen.append(("follow", delivery.secret_label))
