"""Realistic deliveries of every kind, encoded the way X encodes them.

``build_delivery("follow")`` returns the bytes of a delivery X could have sent: one event of
that kind, for the default subscribed account, with fresh ids and timestamps (so the receiver's
dedupe store never mistakes two builds for a retry). Keyword arguments are merged into the
event's item, dicts recursively: ``build_delivery("follow", source={"screen_name": "ana"})``
renames only the follower. `OMIT` removes a field; ``envelope=`` does the same at the top level.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from ..events import KINDS
from ._kinds import BUILDERS, SHARED_IDS, Context
from ._objects import SUBSCRIBED, IdSource, compact_user, person_for

__all__ = [
    "DEFAULT_FOR_USER_ID",
    "EVENT_KEYS",
    "OMIT",
    "build_delivery",
    "build_payload",
    "encode_like_x",
]

#: The subscribed account deliveries are for unless ``for_user_id=`` says otherwise.
DEFAULT_FOR_USER_ID: Final = SUBSCRIBED.id_str


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


#: An override value that removes the field instead of setting it.
OMIT: Final = _Omit()

#: The top-level key each kind is delivered under.
EVENT_KEYS: Final[Mapping[str, str]] = {
    "tweet_create": "tweet_create_events",
    "tweet_delete": "tweet_delete_events",
    "favorite": "favorite_events",
    "follow": "follow_events",
    "unfollow": "follow_events",
    "block": "block_events",
    "unblock": "block_events",
    "mute": "mute_events",
    "unmute": "mute_events",
    "user_revoke": "user_event",
    "direct_message": "direct_message_events",
    "direct_message_typing": "direct_message_indicate_typing_events",
    "direct_message_read": "direct_message_mark_read_events",
    "replay_job_status": "replay_job_status",
    "xaa": "data",
    # Listed by X as "coming soon" and never documented: a plausible key this library does
    # not know, which is exactly what the unknown kind is for.
    "unknown": "spaces_events",
}

# Kinds whose deliveries carry no top-level for_user_id (the X Activity API puts it in
# data.filter.user_id instead).
_NO_FOR_USER_ID = frozenset({"user_revoke", "replay_job_status", "xaa"})
# Kinds whose item is an object rather than the single element of an array.
_SINGLE_OBJECT = frozenset({"user_revoke", "replay_job_status", "xaa"})


def build_payload(
    kind: str,
    *,
    for_user_id: str | None = DEFAULT_FOR_USER_ID,
    unique: bool = True,
    envelope: Mapping[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """The JSON object of a delivery of `kind`, before encoding.

    :param kind: one of `aaa_middleware.events.KINDS`.
    :param for_user_id: the subscribed account; it also plays the subscribed party in the
        event (followed, DM recipient, author of the liked post, …). None leaves the top-level
        field out. Kinds X sends without it (user_revoke, replay_job_status, xaa) never get
        the top-level field; xaa puts it in ``filter.user_id``, user_revoke in the source.
    :param unique: fresh ids and timestamps (the default). False builds the same body on every
        call, which a receiver must treat as a retry and drop.
    :param envelope: merged into the top-level object, after everything else.
    :param fields: merged into the event's item (the Tweet for tweet_create, the revoke object
        for user_revoke, the ``data`` object for xaa). Dicts merge recursively; `OMIT` removes.
    """
    builder = BUILDERS.get(kind)
    if builder is None:
        raise ValueError(f"unknown kind {kind!r}; expected one of: {', '.join(KINDS)}")
    ids = SHARED_IDS if unique else IdSource.fixed()
    me = person_for(for_user_id or DEFAULT_FOR_USER_ID)
    item = merge(builder(Context(ids, me, fields)), fields)
    key = EVENT_KEYS[kind]
    payload: dict[str, Any] = {}
    if for_user_id is not None and kind not in _NO_FOR_USER_ID:
        payload["for_user_id"] = for_user_id
    if kind == "tweet_create" and any(m["id_str"] == me.id_str for m in _mentions(item)):
        # X adds the block flag to mentions of the subscribed account, as a string.
        payload["user_has_blocked"] = "false"
    if kind == "user_revoke":
        payload[key] = {"revoke": item}
    else:
        payload[key] = item if kind in _SINGLE_OBJECT else [item]
    if kind.startswith("direct_message"):
        payload.update(_dm_maps(item, ids))
    return merge(payload, envelope or {})


def build_delivery(
    kind: str,
    *,
    for_user_id: str | None = DEFAULT_FOR_USER_ID,
    unique: bool = True,
    envelope: Mapping[str, Any] | None = None,
    **fields: Any,
) -> bytes:
    """The body of a delivery of `kind`, as X would POST it. Arguments as `build_payload`."""
    payload = build_payload(
        kind, for_user_id=for_user_id, unique=unique, envelope=envelope, **fields
    )
    return encode_like_x(payload)


def encode_like_x(payload: Any) -> bytes:
    """Compact JSON, ``/`` escaped as ``\\/`` and non-ASCII as ``\\u00e9``, as X writes it.

    The escapes matter to tests: a receiver that re-serialises the body before checking the
    signature passes with plain ASCII bodies and fails with X's.
    """
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=True)
    # A "/" can only occur inside JSON strings, so escaping every one of them is safe.
    return text.replace("/", "\\/").encode("ascii")


def merge(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `overrides` merged in: dicts recursively, `OMIT` removing a key."""
    out = dict(base)
    for key, value in overrides.items():
        if value is OMIT:
            out.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _mentions(tweet: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    entities = tweet.get("entities")
    if not isinstance(entities, Mapping):
        return []
    mentions = entities.get("user_mentions")
    return [m for m in mentions if isinstance(m, Mapping)] if isinstance(mentions, list) else []


def _dm_maps(item: Mapping[str, Any], ids: IdSource) -> dict[str, Any]:
    """The ``users`` (and ``apps``) maps of a DM delivery, for the ids the final item names."""
    create = item.get("message_create")
    source = create if isinstance(create, Mapping) else item
    target = source.get("target")
    party_ids = [source.get("sender_id")]
    if isinstance(target, Mapping):
        party_ids.append(target.get("recipient_id"))
    joined_ms = ids.millis() - 86_400_000 * 400
    users = {
        user_id: compact_user(person_for(user_id), joined_ms)
        for user_id in party_ids
        if isinstance(user_id, str)
    }
    maps: dict[str, Any] = {}
    app_id = source.get("source_app_id")
    if isinstance(app_id, str):
        # A DM sent through an app names it; X then describes the app in ``apps``.
        maps["apps"] = {app_id: {"id": app_id, "name": "Ovenlight Orders", "url": None}}
    maps["users"] = users
    return maps
