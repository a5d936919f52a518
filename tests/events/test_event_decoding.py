"""decode_activity's contract: lenient where X is inconsistent, strict where a field is wrong."""

from __future__ import annotations

import json
import typing

import pytest

from aaa_middleware.errors import PayloadError
from aaa_middleware.events import (
    KINDS,
    Event,
    Follow,
    TweetCreate,
    UnknownEvent,
    decode_activity,
)


def user(uid: str = "1") -> dict[str, object]:
    return {"id": int(uid), "id_str": uid, "screen_name": f"u{uid}"}


def tweet(tid: str = "10", uid: str = "1", **extra: object) -> dict[str, object]:
    return {"id": int(tid), "id_str": tid, "text": "hi", "user": user(uid), **extra}


def body(**top: object) -> bytes:
    return json.dumps(top).encode()


def only(activity_body: bytes) -> Event:
    (event,) = decode_activity(activity_body).events
    return event


def test_kinds_and_the_event_union_match() -> None:
    assert KINDS == (
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
    assert sorted(cls.kind for cls in typing.get_args(Event)) == sorted(KINDS)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "not valid JSON"),
        (b"{", "not valid JSON"),
        (b'{"a":1} {"b":2}', "not valid JSON"),
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b"\x00{}", "not valid JSON"),
        (b"[]", "not a JSON object"),
        (b'"for_user_id"', "not a JSON object"),
        (b"null", "not a JSON object"),
        (b"42", "not a JSON object"),
        (b"[" * 50_000 + b"]" * 50_000, "not a JSON object"),
        (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "too deeply"),
    ],
)
def test_bodies_that_are_not_a_json_object(payload: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        decode_activity(payload)


@pytest.mark.parametrize(
    ("top", "path"),
    [
        ({"for_user_id": 1}, "$.for_user_id"),
        ({"tweet_create_events": {}}, "$.tweet_create_events"),
        ({"tweet_create_events": [tweet(), tweet(id_str=2)]}, "$.tweet_create_events[1].id_str"),
        (
            {"tweet_create_events": [tweet(user={"id_str": 5})]},
            "$.tweet_create_events[0].user.id_str",
        ),
        (
            {
                "tweet_create_events": [
                    tweet(entities={"hashtags": [{"text": 1, "indices": [0, 1]}]})
                ]
            },
            "$.tweet_create_events[0].entities.hashtags[0].text",
        ),
        ({"tweet_create_events": [tweet(timestamp_ms="soon")]}, "$.tweet_create_events[0]"),
        (
            {"tweet_create_events": [tweet(timestamp_ms=1.5)]},
            "$.tweet_create_events[0].timestamp_ms",
        ),
        (
            {"follow_events": [{"created_timestamp": 1, "source": user(), "target": user()}]},
            "$.follow_events[0].created_timestamp",
        ),
        (
            {"tweet_delete_events": [{"status": {"id": 1, "user_id": "2"}, "timestamp_ms": "1"}]},
            "$.tweet_delete_events[0].status.id",
        ),
        (
            {
                "direct_message_events": [
                    {"id": "1", "created_timestamp": "1", "type": "message_create"}
                ]
            },
            "$.direct_message_events[0]",
        ),
        (
            {"direct_message_mark_read_events": [{"created_timestamp": "1", "sender_id": "2"}]},
            "$.direct_message_mark_read_events[0]",
        ),
        ({"users": {"1": {"id": 1}}}, "$.users"),
        ({"apps": []}, "$.apps"),
        (
            {"user_event": {"revoke": {"date_time": "x", "target": {}, "source": {}}}},
            "$.user_event.revoke",
        ),
        (
            {"replay_job_status": {"job_id": 1, "job_state": "Complete"}},
            "$.replay_job_status.job_id",
        ),
        ({"user_has_blocked": "perhaps"}, "$.user_has_blocked"),
        ({"is_blocked_by": 1}, "$.is_blocked_by"),
        (
            {"data": {"event_type": "follow.follow", "event_uuid": "1", "payload": {"source": {}}}},
            "$.data.payload.source",
        ),
        ({"data": {"event_type": "x", "event_uuid": 7}}, "$.data.event_uuid"),
    ],
)
def test_a_known_field_of_the_wrong_type_names_its_path(top: dict[str, object], path: str) -> None:
    with pytest.raises(PayloadError) as info:
        decode_activity(body(**top))
    assert f"`{path}" in str(info.value)
    assert info.value.status == 400


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        ({"user_has_blocked": "false"}, False),
        ({"user_has_blocked": "true"}, True),
        ({"user_has_blocked": "True"}, True),
        ({"user_has_blocked": False}, False),
        ({"is_blocked_by": True}, True),
        ({"is_blocked_by": "false"}, False),
        ({"user_has_blocked": "false", "is_blocked_by": True}, True),
        ({"user_has_blocked": None}, None),
        ({}, None),
    ],
)
def test_the_block_flag_under_either_name_and_type(
    top: dict[str, object], expected: bool | None
) -> None:
    activity = decode_activity(body(for_user_id="1", tweet_create_events=[tweet()], **top))
    assert activity.user_has_blocked is expected
    (event,) = activity.events
    assert isinstance(event, TweetCreate)
    assert event.user_has_blocked is expected


def test_input_buffers_are_equivalent_and_never_aliased() -> None:
    payload = body(for_user_id="7", spaces_events=[1], tweet_create_events=[tweet()])
    buffer = bytearray(payload)
    activity = decode_activity(buffer)
    assert activity == decode_activity(memoryview(payload)) == decode_activity(payload)
    buffer[:] = b" " * len(buffer)
    assert activity.events[0].raw == b"[1]"


def test_large_numeric_ids_never_go_through_a_float() -> None:
    big = 2**63 + 12345
    raw = (
        b'{"for_user_id":"9","tweet_create_events":[{"id":%d,"id_str":"%d","text":"x",'
        b'"user":{"id":%d,"id_str":"%d"},"entities":{"user_mentions":[{"id":%d,'
        b'"id_str":"%d","screen_name":"m"}],"media":[{"id":1e400,"id_str":"%d",'
        b'"type":"photo","media_url_https":"u"}]}}]}'
    ) % (big, big, big + 1, big + 1, big + 2, big + 2, big + 3)
    event = only(raw)
    assert isinstance(event, TweetCreate)
    assert event.tweet.id_str == str(big)
    assert event.tweet.user.id_str == str(big + 1)
    assert event.tweet.entities is not None
    assert event.tweet.entities.user_mentions[0].id_str == str(big + 2)
    assert event.tweet.entities.media[0].id_str == str(big + 3)
    assert event.dedupe_key == f"tweet_create:9:{big}"


def test_unknown_fields_are_ignored_and_nulls_accepted() -> None:
    item = tweet(brand_new_field={"x": [1]}, place=None, coordinates=None, lang=None)
    item["user"] = {**user(), "description": None, "url": None, "new_user_field": 3}
    event = only(body(for_user_id="1", tweet_create_events=[item]))
    assert isinstance(event, TweetCreate)
    assert event.tweet.place is None
    assert event.tweet.user.description is None


def test_null_collections_mean_nothing_was_sent() -> None:
    activity = decode_activity(
        body(
            for_user_id=None,
            tweet_create_events=None,
            users=None,
            apps=None,
            replay_job_status=None,
        )
    )
    assert activity.events == ()
    assert (activity.for_user_id, activity.users, activity.apps) == (None, {}, {})


def test_items_of_an_unexpected_type_become_unknown_events() -> None:
    pair = {"created_timestamp": "1", "source": user("2"), "target": user("3")}
    activity = decode_activity(
        body(
            for_user_id="1",
            follow_events=[{**pair, "type": "follow_request"}, pair],
            direct_message_events=[
                {"type": "welcome_message", "id": "5", "created_timestamp": "1"}
            ],
            user_event={"deactivate": {"user_id": "2"}},
        )
    )
    unknown_follow, follow, unknown_dm, unknown_user_event = activity.events
    assert isinstance(unknown_follow, UnknownEvent)
    assert unknown_follow.key == "follow_events"
    assert json.loads(unknown_follow.raw)["type"] == "follow_request"
    # An item without "type" under follow_events is a follow.
    assert isinstance(follow, Follow)
    assert isinstance(unknown_dm, UnknownEvent)
    assert unknown_dm.key == "direct_message_events"
    assert isinstance(unknown_user_event, UnknownEvent)
    assert unknown_user_event.key == "user_event.deactivate"
    assert unknown_user_event.raw == b'{"user_id": "2"}'


@pytest.mark.parametrize(
    "data",
    [{"id": "1", "text": "a filtered-stream post"}, [1, 2], "x", {"event_type": "post.create"}],
)
def test_a_data_key_that_is_not_an_xaa_envelope_is_unknown(data: object) -> None:
    event = only(body(data=data))
    assert isinstance(event, UnknownEvent)
    assert event.key == "data"


def test_dedupe_keys() -> None:
    item = tweet("123")
    for_a = only(body(for_user_id="A", tweet_create_events=[item]))
    for_b = only(body(for_user_id="B", tweet_create_events=[item]))
    # A retry may be re-serialised: the key depends on the ids, not the bytes.
    retried = only(
        json.dumps({"tweet_create_events": [item], "for_user_id": "A"}, indent=2).encode()
    )
    assert for_a.dedupe_key == retried.dedupe_key == "tweet_create:A:123"
    assert for_b.dedupe_key == "tweet_create:B:123"
    favorite = {
        "id": "123",
        "created_at": "x",
        "timestamp_ms": 1,
        "favorited_status": item,
        "user": user(),
    }
    assert only(body(for_user_id="A", favorite_events=[favorite])).dedupe_key == "favorite:A:123"
    first = only(body(for_user_id="A", other=[1]))
    assert first.dedupe_key == only(body(other=[1], for_user_id="A")).dedupe_key
    assert first.dedupe_key != only(body(for_user_id="A", other=[2])).dedupe_key


def test_invalid_utf8_inside_a_known_field_is_a_payload_error() -> None:
    raw = b'{"tweet_create_events":[{"id_str":"1","text":"\xc3\x28","user":{"id_str":"2"}}]}'
    with pytest.raises(PayloadError, match="not valid UTF-8"):
        decode_activity(raw)


def test_invalid_utf8_anywhere_is_refused_even_where_nothing_is_decoded():
    body = b'{"for_user_id":"1","spaces_events":[{"title":"caf\xe9"}]}'
    with pytest.raises(PayloadError, match="not valid UTF-8"):
        decode_activity(body)
    valid = b'{"for_user_id":"1","spaces_events":[{"title":"caf\xc3\xa9 \xf0\x9f\x98\x80"}]}'
    [event] = decode_activity(valid).events
    assert event.kind == "unknown"
    assert bytes(event.raw).decode("utf-8") == '[{"title":"café 😀"}]'
