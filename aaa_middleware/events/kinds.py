"""One struct per event kind: what a hook receives.

Every event has ``kind`` (one of :data:`KINDS`), ``for_user_id``, ``raw`` (the exact JSON bytes of
its item), ``actor_id`` (who caused it) and ``dedupe_key``. Events are built by
:func:`~aaa_middleware.events.decode_activity`; the X objects they hold are decoded by msgspec.

``dedupe_key`` is ``"<kind>:<for_user_id>:<rest>"`` (``for_user_id`` empty where X sends none), so
the same item delivered for two subscribed users, or two kinds sharing an id, never collide,
while a retried or replayed copy always gets the same key. ``<rest>`` per kind:

=========================  ================================================================
kind                       rest
=========================  ================================================================
tweet_create               the post's ``id_str``
tweet_delete               ``status.id`` ``:`` ``timestamp_ms``
favorite                   the favorite event's ``id``
follow, unfollow, block,   ``source.id_str`` ``:`` ``target.id_str`` ``:`` ``created_timestamp``
unblock, mute, unmute
user_revoke                ``source.user_id`` ``:`` ``target.app_id`` ``:`` ``date_time``
direct_message             the DM event's ``id``
direct_message_typing      ``sender_id`` ``:`` ``target.recipient_id`` ``:`` ``created_timestamp``
direct_message_read        ``sender_id`` ``:`` ``target.recipient_id`` ``:``
                           ``last_read_event_id`` ``:`` ``created_timestamp``
replay_job_status          ``job_id`` ``:`` ``job_state``
xaa                        ``event_uuid``
unknown                    the key ``:`` the BLAKE2b-128 hex digest of ``raw``
=========================  ================================================================
"""

from __future__ import annotations

import hashlib
from typing import ClassVar, TypeAlias

from .base import BaseEvent, XObject
from .direct import DirectMessage, DirectMessageRead, DirectMessageTyping
from .twitter import Tweet, User
from .xaa import XAAEvent

__all__ = [
    "KINDS",
    "Event",
    "Block",
    "DeletedStatus",
    "Favorite",
    "Follow",
    "Mute",
    "ReplayJobStatus",
    "RevokeSource",
    "RevokeTarget",
    "SourceTargetEvent",
    "TweetCreate",
    "TweetDelete",
    "Unblock",
    "Unfollow",
    "UnknownEvent",
    "Unmute",
    "UserRevoke",
]

KINDS: tuple[str, ...] = (
    "tweet_create",
    "tweet_delete",
    "favorite",
    "follow",
    "unfollow",
    "block",
    "unblock",
    "mute",
    "unmute",
    "user_revoke",
    "direct_message",
    "direct_message_typing",
    "direct_message_read",
    "replay_job_status",
    "xaa",
    "unknown",
)


class TweetCreate(BaseEvent, frozen=True):
    """A post by, replying to, quoting, retweeting or mentioning the subscribed user."""

    kind: ClassVar[str] = "tweet_create"
    tweet: Tweet
    # From the delivery: whether the subscribed user blocked this mention's author (None: not sent).
    user_has_blocked: bool | None = None

    @property
    def actor_id(self) -> str:
        return self.tweet.user.id_str

    def _dedupe_rest(self) -> str:
        return self.tweet.id_str


class DeletedStatus(XObject, frozen=True):
    id: str
    user_id: str


class TweetDelete(BaseEvent, frozen=True):
    """A post was deleted; delete any stored copy of it."""

    kind: ClassVar[str] = "tweet_delete"
    status: DeletedStatus
    timestamp_ms: int

    @property
    def actor_id(self) -> str:
        return self.status.user_id

    def _dedupe_rest(self) -> str:
        return f"{self.status.id}:{self.timestamp_ms}"


class Favorite(BaseEvent, frozen=True):
    """``user`` liked ``favorited_status``."""

    kind: ClassVar[str] = "favorite"
    id: str
    created_at: str
    timestamp_ms: int
    favorited_status: Tweet
    user: User

    @property
    def actor_id(self) -> str:
        return self.user.id_str

    def _dedupe_rest(self) -> str:
        return self.id


class SourceTargetEvent(BaseEvent, frozen=True):
    """``source`` did something (follow, block, mute or the reverse) to ``target``."""

    created_timestamp: str
    source: User
    target: User

    @property
    def actor_id(self) -> str:
        return self.source.id_str

    def _dedupe_rest(self) -> str:
        return f"{self.source.id_str}:{self.target.id_str}:{self.created_timestamp}"


class Follow(SourceTargetEvent, frozen=True):
    kind: ClassVar[str] = "follow"


class Unfollow(SourceTargetEvent, frozen=True):
    kind: ClassVar[str] = "unfollow"


class Block(SourceTargetEvent, frozen=True):
    kind: ClassVar[str] = "block"


class Unblock(SourceTargetEvent, frozen=True):
    kind: ClassVar[str] = "unblock"


class Mute(SourceTargetEvent, frozen=True):
    kind: ClassVar[str] = "mute"


class Unmute(SourceTargetEvent, frozen=True):
    kind: ClassVar[str] = "unmute"


class RevokeTarget(XObject, frozen=True):
    app_id: str


class RevokeSource(XObject, frozen=True):
    user_id: str


class UserRevoke(BaseEvent, frozen=True):
    """The user removed the app's authorisation; X deleted their subscription."""

    kind: ClassVar[str] = "user_revoke"
    date_time: str
    target: RevokeTarget
    source: RevokeSource

    @property
    def actor_id(self) -> str:
        return self.source.user_id

    def _dedupe_rest(self) -> str:
        return f"{self.source.user_id}:{self.target.app_id}:{self.date_time}"


class ReplayJobStatus(BaseEvent, frozen=True):
    """A replay job finished; ``job_state`` is ``"Complete"`` or ``"Incomplete"``."""

    kind: ClassVar[str] = "replay_job_status"
    job_id: str
    job_state: str
    webhook_id: str | None = None
    job_state_description: str | None = None

    @property
    def complete(self) -> bool:
        return self.job_state == "Complete"

    def _dedupe_rest(self) -> str:
        return f"{self.job_id}:{self.job_state}"


class UnknownEvent(BaseEvent, frozen=True):
    """A top-level key this version does not know, with its value's JSON in ``raw``.

    Also used for an item under a known key whose ``type`` is not one that key carries (a
    ``follow_events`` item of an unexpected type, say): then ``key`` is the array's key and
    ``raw`` the item.
    """

    kind: ClassVar[str] = "unknown"
    key: str

    def _dedupe_rest(self) -> str:
        return f"{self.key}:{hashlib.blake2b(self.raw, digest_size=16).hexdigest()}"


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
