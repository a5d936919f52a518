"""X Activity API (XAA) deliveries: ``{"data": {"event_type", "event_uuid", "filter", "tag",
"payload", "includes"}}``, sent to the same kind of webhook as Account Activity deliveries.

XAA objects are v2-shaped (``id`` strings, ``username``), unlike the v1.1 objects of AAA. Payloads
are typed for the event types X documents an example of; any other event type keeps its payload
as :class:`msgspec.Raw`, to be decoded by whoever knows its shape. ``includes`` (expanded users
and posts) is kept raw as well: its user entries are wrapped in ``{"data": …}`` for some event
types and bare for others.
"""

from __future__ import annotations

from typing import ClassVar, TypeAlias

import msgspec

from .base import BaseEvent, XObject
from .direct import MessageEvent

__all__ = [
    "XAA_PAYLOAD_TYPES",
    "XAAChatMessage",
    "XAAEvent",
    "XAAFilter",
    "XAAFollow",
    "XAALegacyDM",
    "XAAPayload",
    "XAAPost",
    "XAAPostDelete",
    "XAAProfileUpdate",
    "XAAUser",
    "XAAUserRef",
]


class XAAFilter(XObject, frozen=True):
    """The subscription filter that matched: a user id, or a keyword for ``news.new``."""

    user_id: str | None = None
    keyword: str | None = None
    direction: str | None = None


class XAAUser(XObject, frozen=True):
    """A v2 User object."""

    id: str
    username: str | None = None
    name: str | None = None
    description: str | None = None
    location: str | None = None
    url: str | None = None
    profile_image_url: str | None = None
    profile_banner_url: str | None = None
    protected: bool = False
    verified: bool = False
    verified_type: str | None = None
    created_at: str | None = None


class XAAUserRef(XObject, frozen=True):
    """XAA wraps users as ``{"data": <v2 User>}``."""

    data: XAAUser


class XAAPost(XObject, frozen=True):
    """A v2 Post object (``post.create``, ``post.mention.create``)."""

    id: str
    text: str = ""
    author_id: str | None = None
    created_at: str | None = None
    conversation_id: str | None = None
    in_reply_to_user_id: str | None = None
    lang: str | None = None
    display_text_range: tuple[int, int] | None = None
    edit_history_tweet_ids: list[str] = []
    possibly_sensitive: bool | None = None
    reply_settings: str | None = None


class XAAPostDelete(XObject, frozen=True):
    id: str
    author_id: str | None = None


class XAAFollow(XObject, frozen=True):
    """``follow.follow`` / ``follow.unfollow``: ``source`` (un)followed ``target``."""

    source: XAAUserRef
    target: XAAUserRef


class XAAProfileUpdate(XObject, frozen=True):
    """``profile.update.*`` with a textual value: the bio, a picture URL, a name, …"""

    before: str | None = None
    after: str | None = None


class XAALegacyDM(XObject, frozen=True):
    """``dm.sent`` / ``dm.received``: the AAA DM array, with v2 users wrapped in ``data``."""

    direct_message_events: list[MessageEvent] = []
    users: dict[str, XAAUserRef] = {}


class XAAChatMessage(XObject, frozen=True):
    """``chat.sent`` / ``chat.received``: an encrypted XChat message (content stays encoded)."""

    id: str
    sender_id: str | None = None
    conversation_id: str | None = None
    created_at_msec: str | None = None
    conversation_token: str | None = None
    conversation_key_version: str | None = None
    encoded_event: str | None = None


XAAPayload: TypeAlias = (
    XAAPost | XAAPostDelete | XAAFollow | XAAProfileUpdate | XAALegacyDM | XAAChatMessage
)

# The event types whose payload X documents, and the struct each decodes to.
XAA_PAYLOAD_TYPES: dict[str, type[XAAPayload]] = {
    "post.create": XAAPost,
    "post.mention.create": XAAPost,
    "post.delete": XAAPostDelete,
    "follow.follow": XAAFollow,
    "follow.unfollow": XAAFollow,
    "profile.update.bio": XAAProfileUpdate,
    "profile.update.profile_picture": XAAProfileUpdate,
    "profile.update.banner_picture": XAAProfileUpdate,
    "profile.update.screenname": XAAProfileUpdate,
    "profile.update.handle": XAAProfileUpdate,
    "profile.update.geo": XAAProfileUpdate,
    "profile.update.url": XAAProfileUpdate,
    "dm.sent": XAALegacyDM,
    "dm.received": XAALegacyDM,
    "chat.sent": XAAChatMessage,
    "chat.received": XAAChatMessage,
}


class XAAEvent(BaseEvent, frozen=True):
    """One X Activity API event. ``for_user_id`` is the filter's ``user_id``."""

    kind: ClassVar[str] = "xaa"
    event_type: str
    event_uuid: str
    filter: XAAFilter | None = None
    tag: str | None = None
    payload: XAAPayload | msgspec.Raw | None = None
    includes: msgspec.Raw | None = None

    @property
    def actor_id(self) -> str | None:
        payload = self.payload
        if isinstance(payload, XAAFollow):
            return payload.source.data.id
        if isinstance(payload, XAAPost | XAAPostDelete):
            return payload.author_id
        if isinstance(payload, XAAChatMessage):
            return payload.sender_id
        if isinstance(payload, XAALegacyDM):
            for message in payload.direct_message_events:
                if message.message_create is not None:
                    return message.message_create.sender_id
            return None
        if self.event_type.startswith("profile.update.") and self.filter is not None:
            # The filtered user is the one who changed their own profile.
            return self.filter.user_id
        return None

    def _dedupe_rest(self) -> str:
        return self.event_uuid
