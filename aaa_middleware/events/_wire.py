"""Wire shapes of the items that events are built from, and the decoders for them.

Each decoder is built once, at import: building one per call would cost about as much as the
decode itself.
"""

from __future__ import annotations

from typing import TypeVar

import msgspec
from msgspec import Raw

from ..errors import PayloadError
from .base import XObject, epoch_millis
from .direct import App, CompactUser, DMTarget, MessageEvent
from .kinds import DeletedStatus, RevokeSource, RevokeTarget
from .twitter import Tweet, User
from .xaa import XAA_PAYLOAD_TYPES, XAAFilter, XAAPayload


class TimestampedItem(XObject, frozen=True):
    # A number in favorite_events, a string in tweet_delete_events.
    timestamp_ms: int | str

    def __post_init__(self) -> None:
        if isinstance(self.timestamp_ms, str):
            msgspec.structs.force_setattr(self, "timestamp_ms", epoch_millis(self.timestamp_ms))


class FavoriteItem(TimestampedItem, frozen=True):
    id: str
    created_at: str
    favorited_status: Tweet
    user: User


class DeleteItem(TimestampedItem, frozen=True):
    status: DeletedStatus


class SourceTargetItem(XObject, frozen=True):
    created_timestamp: str
    source: User
    target: User
    # Absent is read as the positive kind of the key (or the negative one under unfollow_events…).
    type: str | None = None


class TypingItem(XObject, frozen=True):
    created_timestamp: str
    sender_id: str
    target: DMTarget


class ReadItem(TypingItem, frozen=True):
    last_read_event_id: str


class RevokeItem(XObject, frozen=True):
    date_time: str
    target: RevokeTarget
    source: RevokeSource


class ReplayItem(XObject, frozen=True):
    job_id: str
    job_state: str
    webhook_id: str | None = None
    job_state_description: str | None = None


class XAAEnvelope(XObject, frozen=True):
    # Optional so that some other product's "data" object is passed on as unknown, not refused.
    event_type: str | None = None
    event_uuid: str | None = None
    filter: XAAFilter | None = None
    tag: str | None = None
    # msgspec has no optional Raw; an empty Raw stands for "absent".
    payload: Raw = msgspec.field(default_factory=Raw)
    includes: Raw = msgspec.field(default_factory=Raw)


T = TypeVar("T")

NULL = Raw(b"null")
TOO_DEEP = "The body nests arrays or objects too deeply"
TOP = msgspec.json.Decoder(dict[str, Raw])
SLICES = msgspec.json.Decoder(list[Raw])
OBJECT = msgspec.json.Decoder(dict[str, Raw] | None)
OPT_STR = msgspec.json.Decoder(str | None)
BLOCKED = msgspec.json.Decoder(bool | str | None)
USERS = msgspec.json.Decoder(dict[str, CompactUser] | None)
APPS = msgspec.json.Decoder(dict[str, App] | None)
# Arrays are decoded whole: one call per key rather than one per item. null reads as empty.
TWEETS = msgspec.json.Decoder(list[Tweet] | None)
FAVORITES = msgspec.json.Decoder(list[FavoriteItem] | None)
DELETES = msgspec.json.Decoder(list[DeleteItem] | None)
SOURCE_TARGETS = msgspec.json.Decoder(list[SourceTargetItem] | None)
MESSAGES = msgspec.json.Decoder(list[MessageEvent] | None)
TYPINGS = msgspec.json.Decoder(list[TypingItem] | None)
READS = msgspec.json.Decoder(list[ReadItem] | None)
REVOKE = msgspec.json.Decoder(RevokeItem)
REPLAY = msgspec.json.Decoder(ReplayItem | None)
XAA = msgspec.json.Decoder(XAAEnvelope)
XAA_PAYLOADS: dict[str, msgspec.json.Decoder[XAAPayload]] = {
    event_type: msgspec.json.Decoder(payload_type)
    for event_type, payload_type in XAA_PAYLOAD_TYPES.items()
}


def at(message: str, path: str) -> str:
    """Re-root msgspec's ``$…`` path, relative to a slice, at the slice's place in the body."""
    head, sep, tail = message.rpartition(" - at `$")
    if sep:
        return f"{head} - at `$.{path}{tail}"
    return f"{message} - at `$.{path}`"


def decode_at(decoder: msgspec.json.Decoder[T], data: Raw, path: str) -> T:
    """Decode a slice of the body; on failure, name the field by its path in the whole body."""
    try:
        return decoder.decode(data)
    except msgspec.DecodeError as exc:  # ValidationError included
        raise PayloadError(at(str(exc), path)) from None
    except RecursionError:
        raise PayloadError(at(TOO_DEEP, path)) from None


def items(
    decoder: msgspec.json.Decoder[list[T] | None], value: Raw, key: str
) -> list[tuple[bytes, T]]:
    """The items of the array ``value`` under ``key``, each with its own JSON bytes."""
    decoded = decode_at(decoder, value, key)
    if not decoded:
        return []
    if len(decoded) == 1:
        # Nearly every delivery has one item per array. Its JSON is the array's minus brackets
        # and whitespace, which saves a second pass over the array to slice the items out.
        return [(bytes(value)[1:-1].strip(b" \t\r\n"), decoded[0])]
    return [(bytes(raw), item) for raw, item in zip(SLICES.decode(value), decoded, strict=True)]


def present(raw: Raw) -> Raw | None:
    """``raw`` unless it stands for an absent value: empty (the default) or JSON null."""
    return None if len(raw) == 0 or raw == NULL else raw
