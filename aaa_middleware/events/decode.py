"""Decoding a delivery body into an :class:`Activity`.

The body is parsed once into ``dict[str, msgspec.Raw]``: msgspec validates the whole document
but only slices the values, without building them. Each known key's slice is then decoded by a
typed decoder built at import time, and each unknown key is kept as it is. This is the only way
to both type the known keys and keep the unknown ones, since a Struct drops unknown fields.

Every decoding failure surfaces as :class:`~aaa_middleware.errors.PayloadError`, whose message
keeps msgspec's description and the full JSON path of the offending field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias, TypeVar

import msgspec
from msgspec import Raw

from ..errors import PayloadError
from .direct import App, CompactUser, DMTarget, MessageEvent
from .kinds import (
    Block,
    DeletedStatus,
    DirectMessage,
    DirectMessageRead,
    DirectMessageTyping,
    Favorite,
    Follow,
    Mute,
    ReplayJobStatus,
    RevokeSource,
    RevokeTarget,
    TweetCreate,
    TweetDelete,
    Unblock,
    Unfollow,
    UnknownEvent,
    Unmute,
    UserRevoke,
)
from .twitter import Tweet, User, XObject, epoch_millis
from .xaa import XAA_PAYLOAD_TYPES, XAAEvent, XAAFilter, XAAPayload

__all__ = ["Activity", "Event", "decode_activity"]

Event: TypeAlias = (
    TweetCreate
    | TweetDelete
    | Favorite
    | Follow
    | Unfollow
    | Block
    | Unblock
    | Mute
    | Unmute
    | UserRevoke
    | DirectMessage
    | DirectMessageTyping
    | DirectMessageRead
    | ReplayJobStatus
    | XAAEvent
    | UnknownEvent
)


class Activity(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One decoded delivery: its events in delivery order, and the envelope around them."""

    events: tuple[Event, ...]
    for_user_id: str | None = None
    # ``user_has_blocked`` or ``is_blocked_by``, whichever X sent; None when it sent neither.
    user_has_blocked: bool | None = None
    users: dict[str, CompactUser] = {}
    apps: dict[str, App] = {}


# Wire shapes of the array items whose events add envelope fields to what X sends.


class _TimestampedItem(XObject, frozen=True):
    # A number in favorite_events, a string in tweet_delete_events.
    timestamp_ms: int | str

    def __post_init__(self) -> None:
        if isinstance(self.timestamp_ms, str):
            msgspec.structs.force_setattr(self, "timestamp_ms", epoch_millis(self.timestamp_ms))


class _FavoriteItem(_TimestampedItem, frozen=True):
    id: str
    created_at: str
    favorited_status: Tweet
    user: User


class _DeleteItem(_TimestampedItem, frozen=True):
    status: DeletedStatus


class _SourceTargetItem(XObject, frozen=True):
    created_timestamp: str
    source: User
    target: User
    # Absent is read as the positive kind of the key (or the negative one under unfollow_events…).
    type: str | None = None


class _TypingItem(XObject, frozen=True):
    created_timestamp: str
    sender_id: str
    target: DMTarget


class _ReadItem(_TypingItem, frozen=True):
    last_read_event_id: str


class _RevokeItem(XObject, frozen=True):
    date_time: str
    target: RevokeTarget
    source: RevokeSource


class _ReplayItem(XObject, frozen=True):
    job_id: str
    job_state: str
    webhook_id: str | None = None
    job_state_description: str | None = None


class _XAAEnvelope(XObject, frozen=True):
    # Optional so that some other product's "data" object is passed on as unknown, not refused.
    event_type: str | None = None
    event_uuid: str | None = None
    filter: XAAFilter | None = None
    tag: str | None = None
    # msgspec has no optional Raw; an empty Raw stands for "absent".
    payload: Raw = msgspec.field(default_factory=Raw)
    includes: Raw = msgspec.field(default_factory=Raw)


T = TypeVar("T")
Out = list[Event]

_NULL = Raw(b"null")
_TOO_DEEP = "The body nests arrays or objects too deeply"
_TOP = msgspec.json.Decoder(dict[str, Raw])
_ARRAY = msgspec.json.Decoder(list[Raw] | None)
_OBJECT = msgspec.json.Decoder(dict[str, Raw] | None)
_OPT_STR = msgspec.json.Decoder(str | None)
_BLOCKED = msgspec.json.Decoder(bool | str | None)
_USERS = msgspec.json.Decoder(dict[str, CompactUser] | None)
_APPS = msgspec.json.Decoder(dict[str, App] | None)
_TWEET = msgspec.json.Decoder(Tweet)
_FAVORITE = msgspec.json.Decoder(_FavoriteItem)
_DELETE = msgspec.json.Decoder(_DeleteItem)
_SOURCE_TARGET = msgspec.json.Decoder(_SourceTargetItem)
_MESSAGE = msgspec.json.Decoder(MessageEvent)
_TYPING = msgspec.json.Decoder(_TypingItem)
_READ = msgspec.json.Decoder(_ReadItem)
_REVOKE = msgspec.json.Decoder(_RevokeItem)
_REPLAY = msgspec.json.Decoder(_ReplayItem | None)
_XAA = msgspec.json.Decoder(_XAAEnvelope)
_XAA_PAYLOADS: dict[str, msgspec.json.Decoder[XAAPayload]] = {
    event_type: msgspec.json.Decoder(payload_type)
    for event_type, payload_type in XAA_PAYLOAD_TYPES.items()
}


def _at(message: str, path: str) -> str:
    """Re-root msgspec's ``$…`` path, relative to a slice, at the slice's place in the body."""
    head, sep, tail = message.rpartition(" - at `$")
    if sep:
        return f"{head} - at `$.{path}{tail}"
    return f"{message} - at `$.{path}`"


def _decode(decoder: msgspec.json.Decoder[T], data: Raw, path: str) -> T:
    try:
        return decoder.decode(data)
    except msgspec.DecodeError as exc:  # ValidationError included
        raise PayloadError(_at(str(exc), path)) from None
    except RecursionError:
        raise PayloadError(_at(_TOO_DEEP, path)) from None


class _Context:
    """The envelope fields that every event of a delivery shares."""

    __slots__ = ("apps", "blocked", "for_user_id", "users")

    def __init__(
        self,
        for_user_id: str | None,
        blocked: bool | None,
        users: dict[str, CompactUser],
        apps: dict[str, App],
    ) -> None:
        self.for_user_id = for_user_id
        self.blocked = blocked
        self.users = users
        self.apps = apps


def _items(key: str, value: Raw) -> list[Raw]:
    return _decode(_ARRAY, value, key) or []


def _tweet_create(key: str, value: Raw, ctx: _Context, out: Out) -> None:
    for i, raw in enumerate(_items(key, value)):
        tweet = _decode(_TWEET, raw, f"{key}[{i}]")
        out.append(
            TweetCreate(
                for_user_id=ctx.for_user_id,
                raw=bytes(raw),
                tweet=tweet,
                user_has_blocked=ctx.blocked,
            )
        )


def _tweet_delete(key: str, value: Raw, ctx: _Context, out: Out) -> None:
    for i, raw in enumerate(_items(key, value)):
        item = _decode(_DELETE, raw, f"{key}[{i}]")
        out.append(
            TweetDelete(
                for_user_id=ctx.for_user_id,
                raw=bytes(raw),
                status=item.status,
                timestamp_ms=epoch_millis(item.timestamp_ms),
            )
        )


def _favorite(key: str, value: Raw, ctx: _Context, out: Out) -> None:
    for i, raw in enumerate(_items(key, value)):
        item = _decode(_FAVORITE, raw, f"{key}[{i}]")
        out.append(
            Favorite(
                for_user_id=ctx.for_user_id,
                raw=bytes(raw),
                id=item.id,
                created_at=item.created_at,
                timestamp_ms=epoch_millis(item.timestamp_ms),
                favorited_status=item.favorited_status,
                user=item.user,
            )
        )


_SourceTargetKinds = dict[str | None, type[Follow | Unfollow | Block | Unblock | Mute | Unmute]]


def _source_target(kinds: _SourceTargetKinds) -> Callable[[str, Raw, _Context, Out], None]:
    """A handler for one of the follow/block/mute keys, given which ``type`` means which kind."""

    def handle(key: str, value: Raw, ctx: _Context, out: Out) -> None:
        for i, raw in enumerate(_items(key, value)):
            item = _decode(_SOURCE_TARGET, raw, f"{key}[{i}]")
            cls = kinds.get(item.type)
            if cls is None:
                out.append(UnknownEvent(for_user_id=ctx.for_user_id, raw=bytes(raw), key=key))
                continue
            out.append(
                cls(
                    for_user_id=ctx.for_user_id,
                    raw=bytes(raw),
                    created_timestamp=item.created_timestamp,
                    source=item.source,
                    target=item.target,
                )
            )

    return handle


def _direct_message(key: str, value: Raw, ctx: _Context, out: Out) -> None:
    for i, raw in enumerate(_items(key, value)):
        item = _decode(_MESSAGE, raw, f"{key}[{i}]")
        if item.type != "message_create":
            out.append(UnknownEvent(for_user_id=ctx.for_user_id, raw=bytes(raw), key=key))
            continue
        if item.message_create is None:
            raise PayloadError(
                f"Object missing required field `message_create` - at `$.{key}[{i}]`"
            )
        out.append(
            DirectMessage(
                for_user_id=ctx.for_user_id,
                raw=bytes(raw),
                users=ctx.users,
                apps=ctx.apps,
                id=item.id,
                created_timestamp=item.created_timestamp,
                message_create=item.message_create,
                type=item.type,
            )
        )


def _typing(key: str, value: Raw, ctx: _Context, out: Out) -> None:
    for i, raw in enumerate(_items(key, value)):
        item = _decode(_TYPING, raw, f"{key}[{i}]")
        out.append(
            DirectMessageTyping(
                for_user_id=ctx.for_user_id,
                raw=bytes(raw),
                users=ctx.users,
                apps=ctx.apps,
                created_timestamp=item.created_timestamp,
                sender_id=item.sender_id,
                target=item.target,
            )
        )


def _read(key: str, value: Raw, ctx: _Context, out: Out) -> None:
    for i, raw in enumerate(_items(key, value)):
        item = _decode(_READ, raw, f"{key}[{i}]")
        out.append(
            DirectMessageRead(
                for_user_id=ctx.for_user_id,
                raw=bytes(raw),
                users=ctx.users,
                apps=ctx.apps,
                created_timestamp=item.created_timestamp,
                sender_id=item.sender_id,
                target=item.target,
                last_read_event_id=item.last_read_event_id,
            )
        )


def _user_event(key: str, value: Raw, ctx: _Context, out: Out) -> None:
    # An object keyed by what happened; X documents only "revoke" so far.
    for name, raw in (_decode(_OBJECT, value, key) or {}).items():
        if name != "revoke":
            out.append(
                UnknownEvent(for_user_id=ctx.for_user_id, raw=bytes(raw), key=f"{key}.{name}")
            )
            continue
        item = _decode(_REVOKE, raw, f"{key}.revoke")
        out.append(
            UserRevoke(
                for_user_id=ctx.for_user_id,
                raw=bytes(raw),
                date_time=item.date_time,
                target=item.target,
                source=item.source,
            )
        )


def _replay_job_status(key: str, value: Raw, ctx: _Context, out: Out) -> None:
    item = _decode(_REPLAY, value, key)
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


def _present(raw: Raw) -> Raw | None:
    return None if len(raw) == 0 or raw == _NULL else raw


def _xaa(key: str, value: Raw, ctx: _Context, out: Out) -> None:
    raw = bytes(value)
    # Only an object with both event_type and event_uuid is an X Activity API envelope.
    envelope = _decode(_XAA, value, key) if raw[:1] == b"{" else None
    if envelope is None or envelope.event_type is None or envelope.event_uuid is None:
        out.append(UnknownEvent(for_user_id=ctx.for_user_id, raw=raw, key=key))
        return
    payload: XAAPayload | Raw | None = _present(envelope.payload)
    decoder = _XAA_PAYLOADS.get(envelope.event_type)
    if decoder is not None and payload is not None:
        payload = _decode(decoder, envelope.payload, f"{key}.payload")
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
            includes=_present(envelope.includes),
        )
    )


_HANDLERS: dict[str, Callable[[str, Raw, _Context, Out], None]] = {
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

# Envelope keys: read before the events, whatever their position in the body.
_ENVELOPE_KEYS = frozenset({"for_user_id", "user_has_blocked", "is_blocked_by", "users", "apps"})


def _blocked_flag(top: dict[str, Raw]) -> bool | None:
    """``user_has_blocked`` or ``is_blocked_by``, as a bool or as the string "true"/"false"."""
    flag: bool | None = None
    for key in ("user_has_blocked", "is_blocked_by"):
        value = top.get(key)
        if value is None:
            continue
        parsed = _decode(_BLOCKED, value, key)
        if isinstance(parsed, str):
            lowered = parsed.lower()
            if lowered not in ("true", "false"):
                raise PayloadError(
                    f'Expected `bool` or "true"/"false", got {parsed!r} - at `$.{key}`'
                )
            parsed = lowered == "true"
        if parsed is not None:
            flag = parsed or bool(flag)
    return flag


def decode_activity(body: bytes | bytearray | memoryview) -> Activity:
    """Decode one delivery body.

    :raises PayloadError: the body is not a JSON object, or a known field has the wrong type.
    """
    if type(body) is not bytes:
        # Raw slices reference the buffer they came from; a caller's bytearray may be reused.
        body = bytes(body)
    try:
        top = _TOP.decode(body)
    except msgspec.ValidationError:
        raise PayloadError("The body is JSON but not a JSON object") from None
    except msgspec.DecodeError as exc:
        raise PayloadError(f"The body is not valid JSON: {exc}") from None
    except RecursionError:
        # msgspec bounds its nesting depth by Python's recursion limit.
        raise PayloadError(_TOO_DEEP) from None

    value = top.get("for_user_id")
    for_user_id = None if value is None else _decode(_OPT_STR, value, "for_user_id")
    value = top.get("users")
    users = (None if value is None else _decode(_USERS, value, "users")) or {}
    value = top.get("apps")
    apps = (None if value is None else _decode(_APPS, value, "apps")) or {}
    blocked = _blocked_flag(top)
    ctx = _Context(for_user_id, blocked, users, apps)

    events: Out = []
    for key, value in top.items():
        handler = _HANDLERS.get(key)
        if handler is not None:
            handler(key, value, ctx, events)
        elif key not in _ENVELOPE_KEYS:
            events.append(UnknownEvent(for_user_id=for_user_id, raw=bytes(value), key=key))
    return Activity(
        events=tuple(events),
        for_user_id=for_user_id,
        user_has_blocked=blocked,
        users=users,
        apps=apps,
    )
