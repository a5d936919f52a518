"""One handler per known top-level key: it decodes the key's value and appends its events.

A handler gets the key, its value's raw JSON and the delivery's envelope fields. Arrays are
fanned out, one event per item, and an item whose ``type`` its key does not carry becomes an
:class:`~aaa_middleware.events.UnknownEvent` rather than a refusal.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec
from msgspec import Raw

from ..errors import PayloadError
from ._wire import (
    DELETES,
    FAVORITES,
    MESSAGES,
    OBJECT,
    READS,
    REPLAY,
    REVOKE,
    SOURCE_TARGETS,
    TWEETS,
    TYPINGS,
    XAA,
    XAA_PAYLOADS,
    decode_at,
    items,
    present,
)
from .base import epoch_millis
from .direct import App, CompactUser, DirectMessage, DirectMessageRead, DirectMessageTyping
from .kinds import (
    Block,
    Event,
    Favorite,
    Follow,
    Mute,
    ReplayJobStatus,
    TweetCreate,
    TweetDelete,
    Unblock,
    Unfollow,
    UnknownEvent,
    Unmute,
    UserRevoke,
)
from .xaa import XAAEvent, XAAPayload

__all__ = ["HANDLERS", "Context", "Out"]


Out = list[Event]


class Context(msgspec.Struct, frozen=True, gc=False):
    """The envelope fields that every event of a delivery shares, read before any event."""

    for_user_id: str | None
    blocked: bool | None
    users: dict[str, CompactUser]
    apps: dict[str, App]


def _tweet_create(key: str, value: Raw, ctx: Context, out: Out) -> None:
    for raw, tweet in items(TWEETS, value, key):
        out.append(
            TweetCreate(
                for_user_id=ctx.for_user_id, raw=raw, tweet=tweet, user_has_blocked=ctx.blocked
            )
        )


def _tweet_delete(key: str, value: Raw, ctx: Context, out: Out) -> None:
    for raw, item in items(DELETES, value, key):
        out.append(
            TweetDelete(
                for_user_id=ctx.for_user_id,
                raw=raw,
                status=item.status,
                timestamp_ms=epoch_millis(item.timestamp_ms),
            )
        )


def _favorite(key: str, value: Raw, ctx: Context, out: Out) -> None:
    for raw, item in items(FAVORITES, value, key):
        out.append(
            Favorite(
                for_user_id=ctx.for_user_id,
                raw=raw,
                id=item.id,
                created_at=item.created_at,
                timestamp_ms=epoch_millis(item.timestamp_ms),
                favorited_status=item.favorited_status,
                user=item.user,
            )
        )


_SourceTargetKinds = dict[str | None, type[Follow | Unfollow | Block | Unblock | Mute | Unmute]]


def _source_target(kinds: _SourceTargetKinds) -> Callable[[str, Raw, Context, Out], None]:
    """A handler for one of the follow/block/mute keys, given which ``type`` means which kind."""

    def handle(key: str, value: Raw, ctx: Context, out: Out) -> None:
        for raw, item in items(SOURCE_TARGETS, value, key):
            cls = kinds.get(item.type)
            if cls is None:
                out.append(UnknownEvent(for_user_id=ctx.for_user_id, raw=raw, key=key))
                continue
            out.append(
                cls(
                    for_user_id=ctx.for_user_id,
                    raw=raw,
                    created_timestamp=item.created_timestamp,
                    source=item.source,
                    target=item.target,
                )
            )

    return handle


def _direct_message(key: str, value: Raw, ctx: Context, out: Out) -> None:
    for i, (raw, item) in enumerate(items(MESSAGES, value, key)):
        if item.type != "message_create":
            out.append(UnknownEvent(for_user_id=ctx.for_user_id, raw=raw, key=key))
            continue
        if item.message_create is None:
            raise PayloadError(
                f"Object missing required field `message_create` - at `$.{key}[{i}]`"
            )
        out.append(
            DirectMessage(
                for_user_id=ctx.for_user_id,
                raw=raw,
                users=ctx.users,
                apps=ctx.apps,
                id=item.id,
                created_timestamp=item.created_timestamp,
                message_create=item.message_create,
                type=item.type,
            )
        )


def _typing(key: str, value: Raw, ctx: Context, out: Out) -> None:
    for raw, item in items(TYPINGS, value, key):
        out.append(
            DirectMessageTyping(
                for_user_id=ctx.for_user_id,
                raw=raw,
                users=ctx.users,
                apps=ctx.apps,
                created_timestamp=item.created_timestamp,
                sender_id=item.sender_id,
                target=item.target,
            )
        )


def _read(key: str, value: Raw, ctx: Context, out: Out) -> None:
    for raw, item in items(READS, value, key):
        out.append(
            DirectMessageRead(
                for_user_id=ctx.for_user_id,
                raw=raw,
                users=ctx.users,
                apps=ctx.apps,
                created_timestamp=item.created_timestamp,
                sender_id=item.sender_id,
                target=item.target,
                last_read_event_id=item.last_read_event_id,
            )
        )


def _user_event(key: str, value: Raw, ctx: Context, out: Out) -> None:
    # An object keyed by what happened; X documents only "revoke" so far.
    for name, raw in (decode_at(OBJECT, value, key) or {}).items():
        if name != "revoke":
            out.append(
                UnknownEvent(for_user_id=ctx.for_user_id, raw=bytes(raw), key=f"{key}.{name}")
            )
            continue
        item = decode_at(REVOKE, raw, f"{key}.revoke")
        out.append(
            UserRevoke(
                for_user_id=ctx.for_user_id,
                raw=bytes(raw),
                date_time=item.date_time,
                target=item.target,
                source=item.source,
            )
        )


def _replay_job_status(key: str, value: Raw, ctx: Context, out: Out) -> None:
    item = decode_at(REPLAY, value, key)
    if item is not None:
        out.append(
            ReplayJobStatus(
                for_user_id=ctx.for_user_id,
                raw=bytes(value),
                job_id=item.job_id,
                job_state=item.job_state,
                webhook_id=item.webhook_id,
                job_state_description=item.job_state_description,
            )
        )


def _xaa(key: str, value: Raw, ctx: Context, out: Out) -> None:
    raw = bytes(value)
    # Only an object with both event_type and event_uuid is an X Activity API envelope.
    envelope = decode_at(XAA, value, key) if raw[:1] == b"{" else None
    if envelope is None or envelope.event_type is None or envelope.event_uuid is None:
        out.append(UnknownEvent(for_user_id=ctx.for_user_id, raw=raw, key=key))
        return
    payload: XAAPayload | Raw | None = present(envelope.payload)
    decoder = XAA_PAYLOADS.get(envelope.event_type)
    if decoder is not None and payload is not None:
        payload = decode_at(decoder, envelope.payload, f"{key}.payload")
    user_id = envelope.filter.user_id if envelope.filter is not None else None
    out.append(
        XAAEvent(
            for_user_id=user_id if user_id is not None else ctx.for_user_id,
            raw=raw,
            event_type=envelope.event_type,
            event_uuid=envelope.event_uuid,
            filter=envelope.filter,
            tag=envelope.tag,
            payload=payload,
            includes=present(envelope.includes),
        )
    )


HANDLERS: dict[str, Callable[[str, Raw, Context, Out], None]] = {
    "tweet_create_events": _tweet_create,
    "tweet_delete_events": _tweet_delete,
    "favorite_events": _favorite,
    # X's docs list the un-event keys, yet every example sends un-events under the positive
    # event's key with a "type" discriminator; both forms are accepted.
    "follow_events": _source_target({None: Follow, "follow": Follow, "unfollow": Unfollow}),
    "unfollow_events": _source_target({None: Unfollow, "unfollow": Unfollow}),
    "block_events": _source_target({None: Block, "block": Block, "unblock": Unblock}),
    "unblock_events": _source_target({None: Unblock, "unblock": Unblock}),
    "mute_events": _source_target({None: Mute, "mute": Mute, "unmute": Unmute}),
    "unmute_events": _source_target({None: Unmute, "unmute": Unmute}),
    "user_event": _user_event,
    "direct_message_events": _direct_message,
    "direct_message_indicate_typing_events": _typing,
    "direct_message_mark_read_events": _read,
    "replay_job_status": _replay_job_status,
    "data": _xaa,
}
