"""The delivery factories: every kind decodes to itself, overrides land, ids stay fresh."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aaa_middleware.events import KINDS, Follow, TweetCreate, decode_activity
from aaa_middleware.signing import sign as core_sign
from aaa_middleware.testing import (
    DEFAULT_FOR_USER_ID,
    EVENT_KEYS,
    OMIT,
    build_crc,
    build_delivery,
    build_payload,
    encode_like_x,
    sign,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"
NO_TOP_LEVEL_USER = {"user_revoke", "replay_job_status"}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_decodes_to_itself(kind):
    activity = decode_activity(build_delivery(kind))
    assert [event.kind for event in activity.events] == [kind]
    expected_user = None if kind in NO_TOP_LEVEL_USER else DEFAULT_FOR_USER_ID
    assert activity.events[0].for_user_id == expected_user


@pytest.mark.parametrize("kind", KINDS)
def test_for_user_id_is_the_subscribed_party(kind):
    body = build_delivery(kind, for_user_id="42")
    event = decode_activity(body).events[0]
    if kind in NO_TOP_LEVEL_USER:
        assert b'"for_user_id"' not in body
    else:
        assert event.for_user_id == "42"
    if kind == "user_revoke":
        assert event.actor_id == "42"


@pytest.mark.parametrize("kind", KINDS)
def test_each_build_is_a_new_event_unless_asked(kind):
    first, second = (decode_activity(build_delivery(kind)).events[0] for _ in range(2))
    assert first.dedupe_key != second.dedupe_key
    assert build_delivery(kind, unique=False) == build_delivery(kind, unique=False)


@pytest.mark.parametrize("kind", KINDS)
def test_encoded_like_x(kind):
    body = build_delivery(kind)
    assert body.isascii()
    # Compact, and stable through X's encoding: nothing but escapes differs from plain JSON.
    assert body == encode_like_x(json.loads(body))
    assert json.loads(body) == json.loads(body.replace(b"\\/", b"/"))
    # X escapes "/" and non-ASCII characters; the defaults carry both where text appears.
    if kind in ("tweet_create", "favorite", "direct_message", "follow"):
        assert b"\\/" in body
        assert b"\\u" in body


def test_uses_the_same_field_names_as_the_corpus():
    # The corpus was written from X's documented shapes; a factory field outside its vocabulary
    # would be a field X never sends.
    def names(value):
        if isinstance(value, dict):
            found = {key for key in value if not key.isdigit()}
            return found.union(*(names(v) for v in value.values()))
        if isinstance(value, list):
            return set().union(*(names(v) for v in value))
        return set()

    corpus = set().union(
        *(names(json.loads(path.read_bytes())) for path in FIXTURES.glob("*.json"))
    )
    for kind in KINDS:
        assert names(build_payload(kind)) <= corpus, kind


def test_top_level_keys_match_the_corpus():
    for path in FIXTURES.glob("*.json"):
        body = path.read_bytes()
        top = json.loads(body)
        for event in decode_activity(body).events:
            if event.kind != "unknown" and EVENT_KEYS[event.kind] in top:
                break
        else:
            continue
        mine = build_payload(event.kind)
        assert EVENT_KEYS[event.kind] in mine


def test_overrides_merge_recursively():
    body = build_delivery("follow", source={"screen_name": "ana_l"}, created_timestamp="1")
    event = decode_activity(body).events[0]
    assert isinstance(event, Follow)
    assert event.source.screen_name == "ana_l"
    assert event.source.id_str  # the rest of the follower is still there
    assert event.created_timestamp == "1"


def test_omit_removes_and_envelope_adds():
    payload = build_payload("tweet_create", entities=OMIT, envelope={"user_has_blocked": OMIT})
    tweet = payload["tweet_create_events"][0]
    assert "entities" not in tweet
    assert "user_has_blocked" not in payload
    body = build_delivery("tweet_create", envelope={"is_blocked_by": True})
    activity = decode_activity(body)
    assert activity.user_has_blocked is True


def test_mention_carries_the_block_flag_as_x_sends_it():
    payload = build_payload("tweet_create")
    assert payload["user_has_blocked"] == "false"
    event = decode_activity(encode_like_x(payload)).events[0]
    assert isinstance(event, TweetCreate)
    assert event.user_has_blocked is False
    assert event.tweet.entities is not None
    mention = event.tweet.entities.user_mentions[0]
    assert mention.id_str == DEFAULT_FOR_USER_ID
    start, end = mention.indices or (0, 0)
    assert event.tweet.text[start:end] == "@" + mention.screen_name


def test_dm_maps_follow_the_final_ids():
    body = build_delivery(
        "direct_message", message_create={"sender_id": "77", "source_app_id": "900"}
    )
    activity = decode_activity(body)
    assert set(activity.users) == {"77", DEFAULT_FOR_USER_ID}
    assert set(activity.apps) == {"900"}
    assert body.index(b'"apps"') < body.index(b'"users"')


@pytest.mark.parametrize("event_type", ["follow.unfollow", "post.create", "dm.sent", "news.new"])
def test_xaa_payload_follows_the_event_type(event_type):
    event = decode_activity(build_delivery("xaa", event_type=event_type)).events[0]
    assert event.kind == "xaa"
    assert event.event_type == event_type
    assert event.for_user_id == DEFAULT_FOR_USER_ID


def test_unknown_kind_is_refused_with_the_list():
    with pytest.raises(ValueError, match="tweet_create"):
        build_delivery("retweet")


def test_sign_is_the_receivers_signature():
    assert sign is core_sign
    # Public vector V6 of the wire-format notes.
    assert sign(b'{"test_number":1,"test_string":"two"}', "test") == (
        "sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI="
    )


def test_crc_request_matches_public_vectors():
    request = build_crc("__APP_SECRET__", token="__TOKEN_FROM_TWITTER__", nonce="__NONCE__")
    assert request.query == "crc_token=__TOKEN_FROM_TWITTER__&nonce=__NONCE__"
    assert request.expected == "sha256=rPq0FJoFEukzQI8G52D6xjiQ4BGXK4EuZWYZCWMMlsQ="
    assert request.signature == "sha256=bsQqpx1cyheVTwyNGGPmTeY+SLC8YZIwOfr5Kcb2fQE="
    assert request.url("https://example.com/x") == "https://example.com/x?" + request.query
    assert build_crc("s", signed=False).headers == {}


def test_default_crc_token_needs_url_decoding():
    request = build_crc("s", token="a+b/c=")
    assert "a%2Bb%2Fc%3D" in request.query
    assert request.expected_body() == (b'{"response_token":"' + request.expected.encode() + b'"}')


@pytest.mark.parametrize("kind", ["follow", "unfollow", "block", "unblock", "mute", "unmute"])
def test_two_senders_in_the_same_millisecond_still_send_different_events(kind):
    """Two processes sending at once share the wall clock, and these kinds are told apart by
    the accounts and a millisecond timestamp only; each source's worker bits keep them apart."""
    from aaa_middleware.testing._kinds import BUILDERS, Context
    from aaa_middleware.testing._objects import SUBSCRIBED, IdSource

    keys = set()
    for seed in (1, 2):
        ids = IdSource(start_ms=1718035200000, seed=seed)  # the same clock reading for both
        event = {
            "for_user_id": SUBSCRIBED.id_str,
            f"{kind}_events": [BUILDERS[kind](Context(ids, SUBSCRIBED, {}))],
        }
        [decoded] = decode_activity(json.dumps(event).encode()).events
        assert decoded.kind == kind
        keys.add(decoded.dedupe_key)
    assert len(keys) == 2
