"""One item builder per event kind: the event as X shapes it, before any override."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping
from typing import Any

from ..events import KINDS
from ._objects import (
    PEOPLE,
    IdSource,
    Person,
    iso_date,
    tweet_object,
    twitter_date,
    user_object,
)

__all__ = ["BUILDERS", "SHARED_IDS", "Context"]

#: The source of every ``unique`` build in this process.
SHARED_IDS = IdSource()
_turns = itertools.count()


class Context:
    """What one build needs: the id source, the subscribed account and the other party."""

    def __init__(self, ids: IdSource, subscribed: Person, hints: Mapping[str, Any]) -> None:
        self.ids = ids
        self.me = subscribed
        self.hints = hints
        # A fixed source must rebuild identical bodies, so it always picks the same person.
        turn = next(_turns) if ids is SHARED_IDS else 0
        self.other = PEOPLE[turn % len(PEOPLE)]


def _tweet_create(ctx: Context) -> dict[str, Any]:
    text = f"@{ctx.me.screen_name} is the rye back on the shelf tomorrow? \U0001f64f"
    return tweet_object(ctx.ids, ctx.other, text, mentions=(ctx.me,), reply_to=ctx.me)


def _tweet_delete(ctx: Context) -> dict[str, Any]:
    ms = ctx.ids.millis()
    status = {"id": ctx.ids.snowflake(ms - 60_000), "user_id": ctx.me.id_str}
    return {"status": status, "timestamp_ms": str(ms)}


def _favorite(ctx: Context) -> dict[str, Any]:
    status = tweet_object(ctx.ids, ctx.me, "Cardamom buns are out. Twelve left, then that's it.")
    status["favorited"] = True
    ms = ctx.ids.millis()
    return {
        "id": ctx.ids.hex_id(),
        "created_at": twitter_date(ms),
        "timestamp_ms": ms,
        "favorited_status": status,
        "user": user_object(ctx.other),
    }


def _source_target(event_type: str, *, by_subscriber: bool) -> Callable[[Context], Any]:
    # X delivers (un)blocks, (un)mutes and unfollows done *by* the subscribed account;
    # a follow is most often someone else following it.
    def build(ctx: Context) -> dict[str, Any]:
        # These events are told apart only by the two accounts and a millisecond timestamp, and
        # two processes sending at once can hit the same millisecond: the other account gets an
        # id of its own, with this source's worker bits in it.
        other = dataclasses.replace(ctx.other, id_str=ctx.ids.snowflake())
        source, target = (ctx.me, other) if by_subscriber else (other, ctx.me)
        return {
            "type": event_type,
            "created_timestamp": str(ctx.ids.millis()),
            "target": user_object(target, in_follow_event=True),
            "source": user_object(source, in_follow_event=True),
        }

    return build


def _user_revoke(ctx: Context) -> dict[str, Any]:
    return {
        "date_time": iso_date(ctx.ids.seconds()),
        "target": {"app_id": "28470919"},
        "source": {"user_id": ctx.me.id_str},
    }


def _direct_message(ctx: Context) -> dict[str, Any]:
    ms = ctx.ids.millis()
    return {
        "type": "message_create",
        "id": ctx.ids.snowflake(ms),
        "created_timestamp": str(ms),
        "message_create": {
            "target": {"recipient_id": ctx.me.id_str},
            "sender_id": ctx.other.id_str,
            "message_data": {
                "text": "Can I order 3 loaves for Saturday? Collection ~9am &amp; cash is fine",
                "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
            },
        },
    }


def _typing(ctx: Context) -> dict[str, Any]:
    return {
        "created_timestamp": str(ctx.ids.millis()),
        "sender_id": ctx.other.id_str,
        "target": {"recipient_id": ctx.me.id_str},
    }


def _read(ctx: Context) -> dict[str, Any]:
    ms = ctx.ids.millis()
    return {
        "created_timestamp": str(ms),
        "sender_id": ctx.other.id_str,
        "target": {"recipient_id": ctx.me.id_str},
        "last_read_event_id": ctx.ids.snowflake(ms - 30_000),
    }


def _replay_job_status(ctx: Context) -> dict[str, Any]:
    return {
        "webhook_id": "1712498110224617472",
        "job_state": "Complete",
        "job_state_description": "Job completed successfully",
        "job_id": ctx.ids.snowflake(),
    }


def _v2_user(person: Person) -> dict[str, Any]:
    # The X Activity API wraps each user in {"data": …}.
    return {
        "data": {
            "id": person.id_str,
            "username": person.screen_name,
            "name": person.name,
            "protected": False,
            "verified": False,
        }
    }


def _xaa_payload(ctx: Context, event_type: str) -> dict[str, Any]:
    if event_type.startswith("follow."):
        return {"source": _v2_user(ctx.other), "target": _v2_user(ctx.me)}
    if event_type in ("post.create", "post.mention.create"):
        ms = ctx.ids.millis()
        post_id = ctx.ids.snowflake(ms)
        return {
            "id": post_id,
            "text": f"@{ctx.me.screen_name} the seeded loaf was worth the queue",
            "author_id": ctx.other.id_str,
            "created_at": iso_date(ms // 1000).replace("+00:00", f".{ms % 1000:03d}Z"),
            "conversation_id": post_id,
            "edit_history_tweet_ids": [post_id],
            "lang": "en",
        }
    if event_type == "post.delete":
        return {"id": ctx.ids.snowflake(), "author_id": ctx.me.id_str}
    if event_type in ("dm.received", "dm.sent"):
        message = _direct_message(ctx)
        if event_type == "dm.sent":
            create = message["message_create"]
            create["sender_id"], create["target"]["recipient_id"] = ctx.me.id_str, ctx.other.id_str
        users = {person.id_str: _v2_user(person) for person in (ctx.other, ctx.me)}
        return {"direct_message_events": [message], "users": users}
    if event_type.startswith("profile.update."):
        return {"before": "Bakery updates.", "after": ctx.me.description}
    return {}


def _xaa(ctx: Context) -> dict[str, Any]:
    event_type = str(ctx.hints.get("event_type", "follow.follow"))
    return {
        "event_uuid": ctx.ids.event_uuid(),
        "filter": {"user_id": ctx.me.id_str},
        "event_type": event_type,
        "tag": "bakery-activity",
        "payload": _xaa_payload(ctx, event_type),
    }


def _unknown(ctx: Context) -> dict[str, Any]:
    ms = ctx.ids.millis()
    return {"id": ctx.ids.snowflake(ms), "created_timestamp": str(ms), "state": "live"}


BUILDERS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "tweet_create": _tweet_create,
    "tweet_delete": _tweet_delete,
    "favorite": _favorite,
    "follow": _source_target("follow", by_subscriber=False),
    "unfollow": _source_target("unfollow", by_subscriber=True),
    "block": _source_target("block", by_subscriber=True),
    "unblock": _source_target("unblock", by_subscriber=True),
    "mute": _source_target("mute", by_subscriber=True),
    "unmute": _source_target("unmute", by_subscriber=True),
    "user_revoke": _user_revoke,
    "direct_message": _direct_message,
    "direct_message_typing": _typing,
    "direct_message_read": _read,
    "replay_job_status": _replay_job_status,
    "xaa": _xaa,
    "unknown": _unknown,
}
assert set(BUILDERS) == set(KINDS), "every kind needs a builder"
