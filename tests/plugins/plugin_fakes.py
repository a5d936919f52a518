"""Small stand-ins shared by the plugin framework tests (no decoder needed)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from aaa_middleware.sansio import Delivery
from aaa_middleware.settings import Settings


@dataclass(frozen=True)
class FakeEvent:
    kind: str
    dedupe_key: str
    for_user_id: str | None = "100"
    actor_id: str | None = "200"
    raw: bytes = b"{}"


@dataclass(frozen=True)
class FakeActivity:
    events: tuple[FakeEvent, ...]
    for_user_id: str | None = "100"
    extra: dict[str, object] = field(default_factory=dict)


def make_settings(**fields: object) -> Settings:
    fields.setdefault("consumer_secrets", "s3cret")
    fields.setdefault("load_entry_points", False)
    return Settings.build(**fields)


def event(kind: str = "follow", key: str | None = None, **fields: object) -> FakeEvent:
    return FakeEvent(kind=kind, dedupe_key=key or f"{kind}:100:1", **fields)  # type: ignore[arg-type]


def delivery(*events: FakeEvent, label: str = "default") -> Delivery:
    return Delivery(
        activity=FakeActivity(events=events),  # type: ignore[arg-type]
        secret_label=label,
        received_at=time.time(),
        remote_addr="127.0.0.1",
    )
