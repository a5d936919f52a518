"""Direct-message events, and their objects: ``message_create`` and the ``users`` / ``apps`` maps.

DM deliveries describe people by id only; the names and pictures live in the delivery's top-level
``users`` map (compact user entries, not v1.1 User objects) and the sending app, when there is
one, in ``apps``.
"""

from __future__ import annotations

from typing import ClassVar

from .base import BaseEvent, XObject
from .entities import Entities, Media

__all__ = [
    "DMEvent",
    "DirectMessage",
    "DirectMessageRead",
    "DirectMessageTyping",
    "App",
    "Attachment",
    "CallToAction",
    "CompactUser",
    "DMTarget",
    "MessageCreate",
    "MessageData",
    "MessageEvent",
    "QuickReply",
    "QuickReplyOption",
    "QuickReplyResponse",
]


class DMTarget(XObject, frozen=True):
    recipient_id: str


class Attachment(XObject, frozen=True):
    type: str
    media: Media | None = None


class QuickReplyResponse(XObject, frozen=True):
    """Set on a DM sent by tapping a quick-reply option; ``metadata`` is the option's metadata."""

    type: str
    metadata: str | None = None


class QuickReplyOption(XObject, frozen=True):
    label: str
    description: str | None = None
    metadata: str | None = None


class QuickReply(XObject, frozen=True):
    """The options an outgoing DM offered (``type`` is ``"options"``)."""

    type: str
    options: list[QuickReplyOption] = []


class CallToAction(XObject, frozen=True):
    type: str
    label: str
    url: str | None = None


class MessageData(XObject, frozen=True):
    """The content of a DM. ``text`` is HTML-escaped by X (``&amp;``, ``&lt;``, ``&gt;``)."""

    text: str = ""
    entities: Entities | None = None
    attachment: Attachment | None = None
    quick_reply: QuickReply | None = None
    quick_reply_response: QuickReplyResponse | None = None
    ctas: list[CallToAction] = []


class MessageCreate(XObject, frozen=True):
    target: DMTarget
    sender_id: str
    message_data: MessageData
    # Present only when the DM was sent through an app; its details are in the delivery's ``apps``.
    source_app_id: str | None = None


class CompactUser(XObject, frozen=True):
    """An entry of a DM delivery's ``users`` map."""

    id: str
    created_timestamp: str | None = None
    name: str | None = None
    screen_name: str | None = None
    location: str | None = None
    description: str | None = None
    url: str | None = None
    protected: bool = False
    verified: bool = False
    followers_count: int = 0
    friends_count: int = 0
    statuses_count: int = 0
    profile_image_url: str | None = None
    profile_image_url_https: str | None = None


class App(XObject, frozen=True):
    """An entry of a DM delivery's ``apps`` map.

    Every field is optional because older docs nested a stray ``"users": {}`` inside ``apps``;
    such an entry decodes with an empty ``id`` instead of failing the delivery.
    """

    id: str = ""
    name: str | None = None
    url: str | None = None


class MessageEvent(XObject, frozen=True):
    """An item of a ``direct_message_events`` array (AAA, or inside an XAA ``dm.*`` payload)."""

    id: str
    created_timestamp: str
    type: str = "message_create"
    # Required when ``type`` is ``message_create``, the only type X documents.
    message_create: MessageCreate | None = None


class DMEvent(BaseEvent, frozen=True):
    """A DM-related event. ``users`` and ``apps`` are the delivery's maps, shared, not copied."""

    users: dict[str, CompactUser]
    apps: dict[str, App]


class DirectMessage(DMEvent, frozen=True):
    """A DM sent or received by the subscribed user (including DMs the app itself sent)."""

    kind: ClassVar[str] = "direct_message"
    id: str
    created_timestamp: str
    message_create: MessageCreate
    type: str = "message_create"

    @property
    def actor_id(self) -> str:
        return self.message_create.sender_id

    @property
    def sender(self) -> CompactUser | None:
        return self.users.get(self.message_create.sender_id)

    @property
    def recipient(self) -> CompactUser | None:
        return self.users.get(self.message_create.target.recipient_id)

    @property
    def source_app(self) -> App | None:
        app_id = self.message_create.source_app_id
        return None if app_id is None else self.apps.get(app_id)

    def _dedupe_rest(self) -> str:
        return self.id


class _SenderEvent(DMEvent, frozen=True):
    """Typing and read receipts: a sender, a recipient, a time, and no id of their own."""

    created_timestamp: str
    sender_id: str
    target: DMTarget

    @property
    def actor_id(self) -> str:
        return self.sender_id

    @property
    def sender(self) -> CompactUser | None:
        return self.users.get(self.sender_id)


class DirectMessageTyping(_SenderEvent, frozen=True):
    """``sender_id`` is typing a DM to ``target.recipient_id``."""

    kind: ClassVar[str] = "direct_message_typing"

    def _dedupe_rest(self) -> str:
        return f"{self.sender_id}:{self.target.recipient_id}:{self.created_timestamp}"


class DirectMessageRead(_SenderEvent, frozen=True):
    """``sender_id`` read the conversation up to ``last_read_event_id``."""

    kind: ClassVar[str] = "direct_message_read"
    last_read_event_id: str

    def _dedupe_rest(self) -> str:
        return (
            f"{self.sender_id}:{self.target.recipient_id}:"
            f"{self.last_read_event_id}:{self.created_timestamp}"
        )
