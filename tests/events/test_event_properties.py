"""Properties of decode_activity over generated input.

Whatever arrives, the decoder answers with an Activity or a PayloadError, nothing else; and a
well-formed array of a known kind always yields exactly one event per item, in order.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings, strategies as st

from aaa_middleware.errors import PayloadError
from aaa_middleware.events import Activity, TweetCreate, UnknownEvent, decode_activity

KNOWN_KEYS = [
    "for_user_id",
    "user_has_blocked",
    "is_blocked_by",
    "users",
    "apps",
    "tweet_create_events",
    "tweet_delete_events",
    "favorite_events",
    "follow_events",
    "unfollow_events",
    "block_events",
    "unblock_events",
    "mute_events",
    "unmute_events",
    "user_event",
    "direct_message_events",
    "direct_message_indicate_typing_events",
    "direct_message_mark_read_events",
    "replay_job_status",
    "data",
]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(KNOWN_KEYS + ["id_str", "type", "user"]) | st.text(),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)
# Objects whose keys are mostly the known ones, so the typed decoders see random values.
top_objects = st.dictionaries(
    st.sampled_from(KNOWN_KEYS) | st.text(max_size=8), json_values, max_size=6
)


def decode_or_refuse(body: bytes) -> Activity | None:
    try:
        return decode_activity(body)
    except PayloadError:
        return None


@settings(max_examples=300, deadline=None)
@given(top_objects, st.booleans())
def test_any_json_object_decodes_or_is_refused(top: dict[str, Any], ascii_only: bool) -> None:
    body = json.dumps(top, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    activity = decode_or_refuse(body)
    if activity is not None:
        for event in activity.events:
            assert event.dedupe_key.startswith(f"{event.kind}:")
            assert isinstance(event.raw, bytes)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=512))
def test_arbitrary_bytes_decode_or_are_refused(body: bytes) -> None:
    decode_or_refuse(body)


@settings(deadline=None)
@given(
    st.dictionaries(st.text().filter(lambda key: key not in KNOWN_KEYS), json_values, max_size=5)
)
def test_unknown_keys_arrive_as_unknown_events_with_their_value(top: dict[str, Any]) -> None:
    activity = decode_activity(json.dumps(top).encode())
    assert [event.key for event in activity.events if isinstance(event, UnknownEvent)] == list(top)
    for event in activity.events:
        assert isinstance(event, UnknownEvent)
        assert json.loads(event.raw) == top[event.key]


ids = st.integers(min_value=0, max_value=2**64).map(str)
millis = st.integers(min_value=0, max_value=2**53).map(str)
# Random extra fields must not collide with declared ones, which would then be wrongly typed.
extras = st.dictionaries(st.text(max_size=6).map(lambda key: f"x_{key}"), json_values, max_size=2)


def with_extras(strategy: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.tuples(strategy, extras).map(lambda pair: {**pair[1], **pair[0]})


users = with_extras(
    st.fixed_dictionaries(
        {"id_str": ids},
        optional={
            "screen_name": st.text(),
            "lang": st.sampled_from(["", "en", None]),
            "profile_link_color": st.just(-1) | st.text(max_size=6),
            "utc_offset": st.none() | st.integers(-50_000, 50_000),
            "followers_count": st.integers(0, 2**40),
        },
    )
)
timestamps = st.integers(min_value=0, max_value=2**53).flatmap(
    lambda n: st.sampled_from([n, str(n)])
)
tweets = with_extras(
    st.fixed_dictionaries(
        {"id_str": ids, "user": users},
        optional={
            "text": st.text(),
            "truncated": st.booleans(),
            "timestamp_ms": timestamps,
            "extended_tweet": st.fixed_dictionaries({"full_text": st.text()}),
            "entities": st.fixed_dictionaries({"hashtags": st.just([])}),
        },
    )
)


def pairs(type_: str | None) -> st.SearchStrategy[dict[str, Any]]:
    base = {"created_timestamp": millis, "source": users, "target": users}
    if type_ is not None:
        base["type"] = st.just(type_)
    return with_extras(st.fixed_dictionaries(base))


dm_target = st.fixed_dictionaries({"recipient_id": ids})
messages = st.fixed_dictionaries(
    {
        "type": st.just("message_create"),
        "id": ids,
        "created_timestamp": millis,
        "message_create": st.fixed_dictionaries(
            {
                "target": dm_target,
                "sender_id": ids,
                "message_data": st.fixed_dictionaries({"text": st.text()}),
            }
        ),
    }
)
typings = st.fixed_dictionaries(
    {"created_timestamp": millis, "sender_id": ids, "target": dm_target}
)
reads = st.fixed_dictionaries(
    {"created_timestamp": millis, "sender_id": ids, "target": dm_target, "last_read_event_id": ids}
)

# For each array key: strategies for its valid items, each paired with the kind it must become.
Item = tuple[dict[str, Any], str]
ITEMS: dict[str, st.SearchStrategy[Item]] = {
    "tweet_create_events": tweets.map(lambda item: (item, "tweet_create")),
    "tweet_delete_events": st.fixed_dictionaries(
        {"status": st.fixed_dictionaries({"id": ids, "user_id": ids}), "timestamp_ms": timestamps}
    ).map(lambda item: (item, "tweet_delete")),
    "favorite_events": st.fixed_dictionaries(
        {
            "id": st.text(),
            "created_at": st.text(),
            "timestamp_ms": timestamps,
            "favorited_status": tweets,
            "user": users,
        }
    ).map(lambda item: (item, "favorite")),
    "follow_events": st.sampled_from(["follow", "unfollow"]).flatmap(
        lambda kind: pairs(kind).map(lambda item: (item, kind))
    ),
    "unfollow_events": pairs(None).map(lambda item: (item, "unfollow")),
    "block_events": st.sampled_from(["block", "unblock"]).flatmap(
        lambda kind: pairs(kind).map(lambda item: (item, kind))
    ),
    "unblock_events": pairs("unblock").map(lambda item: (item, "unblock")),
    "mute_events": st.sampled_from(["mute", "unmute"]).flatmap(
        lambda kind: pairs(kind).map(lambda item: (item, kind))
    ),
    "unmute_events": pairs(None).map(lambda item: (item, "unmute")),
    "direct_message_events": messages.map(lambda item: (item, "direct_message")),
    "direct_message_indicate_typing_events": typings.map(
        lambda item: (item, "direct_message_typing")
    ),
    "direct_message_mark_read_events": reads.map(lambda item: (item, "direct_message_read")),
}


def arrays(key: str) -> st.SearchStrategy[tuple[str, list[Item]]]:
    return st.lists(ITEMS[key], max_size=4).map(lambda items: (key, items))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(sorted(ITEMS)), min_size=1, max_size=4, unique=True).flatmap(
        lambda keys: st.tuples(*(arrays(key) for key in keys))
    ),
    ids,
    st.booleans(),
)
def test_no_item_of_a_known_kind_is_lost(
    arrays_: tuple[tuple[str, list[Item]], ...], for_user_id: str, ascii_only: bool
) -> None:
    top: dict[str, Any] = {"for_user_id": for_user_id}
    expected: list[str] = []
    for key, items in arrays_:
        top[key] = [item for item, _ in items]
        expected += [kind for _, kind in items]
    activity = decode_activity(json.dumps(top, ensure_ascii=ascii_only).encode())
    assert [event.kind for event in activity.events] == expected
    for event, item in zip(
        activity.events, [i for _, items in arrays_ for i, _ in items], strict=True
    ):
        assert event.for_user_id == for_user_id
        assert json.loads(event.raw) == item


@given(st.integers(min_value=2**53, max_value=2**128), ids)
def test_numeric_ids_beyond_float_precision_keep_their_id_str(
    number: int, for_user_id: str
) -> None:
    item = {
        "id": number,
        "id_str": str(number),
        "user": {"id": number + 1, "id_str": str(number + 1)},
    }
    activity = decode_activity(
        json.dumps({"for_user_id": for_user_id, "tweet_create_events": [item]}).encode()
    )
    (event,) = activity.events
    assert isinstance(event, TweetCreate)
    assert event.tweet.id_str == str(number)
    assert event.actor_id == str(number + 1)
    assert event.dedupe_key == f"tweet_create:{for_user_id}:{number}"


def dedupe_keys(body: bytes) -> list[str]:
    return [event.dedupe_key for event in decode_activity(body).events]


@given(st.lists(ITEMS["tweet_create_events"], min_size=1, max_size=4), ids)
def test_dedupe_keys_survive_reserialisation(items: list[Item], for_user_id: str) -> None:
    top = {"for_user_id": for_user_id, "tweet_create_events": [item for item, _ in items]}
    # A retry or a replay may be serialised differently; its keys must not change.
    retried = json.dumps(top, indent=1, sort_keys=True).encode()
    assert dedupe_keys(json.dumps(top).encode()) == dedupe_keys(retried)
