"""Every fixture of the corpus decodes to the kinds, ids and values it was written with."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from aaa_middleware.events import (
    KINDS,
    Activity,
    Block,
    DirectMessage,
    DirectMessageRead,
    DirectMessageTyping,
    Favorite,
    Follow,
    Mute,
    ReplayJobStatus,
    TweetCreate,
    TweetDelete,
    Unblock,
    Unfollow,
    UnknownEvent,
    Unmute,
    UserRevoke,
    XAAEvent,
    XAAFollow,
    XAALegacyDM,
    XAAProfileUpdate,
    decode_activity,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def load(name: str) -> tuple[bytes, Activity]:
    body = (FIXTURES / name).read_bytes()
    return body, decode_activity(body)


def kinds(activity: Activity) -> list[str]:
    return [event.kind for event in activity.events]


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_every_event_keeps_its_item_bytes_and_a_known_kind(path: Path) -> None:
    body = path.read_bytes()
    activity = decode_activity(body)
    assert activity.events
    for event in activity.events:
        assert event.kind in KINDS
        # raw is a verbatim slice of the body, and valid JSON on its own.
        assert event.raw in body
        json.loads(event.raw)
        assert event.dedupe_key.startswith(f"{event.kind}:{event.for_user_id or ''}:")
    keys = [event.dedupe_key for event in activity.events]
    assert len(set(keys)) == len(keys)


def test_mention_with_media_emoji_and_escapes() -> None:
    body, activity = load("tweet_create_mention.json")
    assert kinds(activity) == ["tweet_create"]
    assert activity.for_user_id == "1489330167772536832"
    assert activity.user_has_blocked is False
    (event,) = activity.events
    assert isinstance(event, TweetCreate)
    assert event.user_has_blocked is False
    tweet = event.tweet
    # The numeric id is above 2**53; only the exact id_str is kept.
    assert tweet.id_str == "1790321456789012345"
    assert event.dedupe_key == "tweet_create:1489330167772536832:1790321456789012345"
    assert event.actor_id == "917204113376362496"
    assert "\U0001f600" in tweet.text
    assert tweet.text.endswith("https://t.co/Qm3vXk9LpA #harbour")
    assert tweet.source == '<a href="https://mobile.x.com" rel="nofollow">X Web App</a>'
    assert tweet.display_text_range == (0, 86)
    assert tweet.in_reply_to_status_id_str is None
    assert tweet.in_reply_to_user_id_str == "1489330167772536832"
    assert tweet.timestamp_ms == 1715674867123
    assert tweet.coordinates is not None
    assert tweet.coordinates.coordinates == (-8.7226, 42.2406)
    assert tweet.user.name == "Mar\u00eda Tid\u00e9 \U0001f30a"
    assert tweet.user.utc_offset is None
    assert tweet.user.profile_link_color == "1DA1F2"
    assert tweet.entities is not None
    assert [h.text for h in tweet.entities.hashtags] == ["harbour"]
    assert tweet.entities.user_mentions[0].id_str == "1489330167772536832"
    assert tweet.entities.user_mentions[0].indices == (0, 10)
    assert tweet.extended_entities is not None
    photo, video = tweet.extended_entities.media
    assert (photo.type, photo.id_str) == ("photo", "1790321400000000001")
    assert photo.ext_alt_text == "Tide staff at 3.2 metres"
    assert photo.sizes is not None
    assert photo.sizes.large is not None
    assert photo.sizes.large.w == 2048
    assert video.video_info is not None
    assert video.video_info.aspect_ratio == (16, 9)
    assert [v.bitrate for v in video.video_info.variants] == [None, 832000]
    assert tweet.long_text == tweet.text


def test_reply_with_raw_utf8_and_place() -> None:
    _, activity = load("tweet_create_reply.json")
    (event,) = activity.events
    assert isinstance(event, TweetCreate)
    assert activity.user_has_blocked is None
    assert event.tweet.text.startswith("@quaywatch 了解です、ありがとう 😀")
    assert event.tweet.user.name == "Kenji 🚤 Harbour Ops"
    assert event.tweet.in_reply_to_status_id_str == "1790845001122334455"
    place = event.tweet.place
    assert place is not None
    assert (place.full_name, place.country_code) == ("Vigo, Espa\u00f1a", "ES")
    assert place.bounding_box is not None
    assert place.bounding_box.coordinates[0][2] == (-8.62, 42.27)


def test_longform_post_exposes_extended_tweet() -> None:
    _, activity = load("tweet_create_longform.json")
    # is_blocked_by is the field-table name of the same flag, here a real boolean.
    assert activity.user_has_blocked is True
    (event,) = activity.events
    assert isinstance(event, TweetCreate)
    assert event.user_has_blocked is True
    tweet = event.tweet
    assert tweet.truncated is True
    # The numeric id was rounded by its producer; id_str is the truth.
    assert tweet.id_str == "1791013579246800999"
    assert tweet.extended_tweet is not None
    assert tweet.extended_tweet.display_text_range == (11, 283)
    assert tweet.long_text.endswith("#harbour #maintenance \U0001f527")
    assert tweet.long_text != tweet.text
    entities = tweet.extended_tweet.entities
    assert entities is not None
    assert [h.text for h in entities.hashtags] == ["harbour", "maintenance"]
    assert tweet.extended_tweet.extended_entities is not None
    assert len(tweet.extended_tweet.extended_entities.media) == 2
    assert tweet.edit_history is not None
    assert tweet.edit_history.edit_tweet_ids == ["1791013579246800999"]
    assert tweet.edit_controls is not None
    assert tweet.edit_controls.editable_until_ms == 1715843400000
    assert tweet.user.verified is True
    assert tweet.user.location == ""


def test_quote_and_retweet_nest_full_tweets() -> None:
    _, activity = load("tweet_create_quote_retweet.json")
    quote, retweet = activity.events
    assert isinstance(quote, TweetCreate)
    assert isinstance(retweet, TweetCreate)
    assert quote.tweet.is_quote_status is True
    assert quote.tweet.quoted_status_id_str == "1791013579246800999"
    assert quote.tweet.quoted_status is not None
    assert quote.tweet.quoted_status.user.screen_name == "port_eng"
    assert quote.tweet.quoted_status.long_text.endswith("drifts, in full.")
    assert quote.tweet.quoted_status_permalink is not None
    assert quote.tweet.quoted_status_permalink.display == "x.com/port_eng/statu\u2026"
    assert quote.tweet.entities is not None
    assert quote.tweet.entities.symbols[0].text == "TIDE"
    original = retweet.tweet.retweeted_status
    assert original is not None
    assert original.id_str == quote.tweet.id_str
    assert original.quoted_status is not None
    assert original.quoted_status.id_str == "1791013579246800999"
    assert original.favorite_count == 3
    assert retweet.actor_id == "3141592653"
    assert retweet.tweet.user.name == "Buoy Fan \U0001f6a2"


def test_tweet_delete_with_both_timestamp_forms() -> None:
    _, activity = load("tweet_delete.json")
    first, second = activity.events
    assert isinstance(first, TweetDelete)
    assert isinstance(second, TweetDelete)
    assert (first.status.id, first.status.user_id) == ("1045405559317569537", "930524282358325248")
    assert first.timestamp_ms == 1432228155593
    assert second.timestamp_ms == 1432228155600
    assert second.actor_id == "4407211234"
    assert first.dedupe_key == ("tweet_delete:930524282358325248:1045405559317569537:1432228155593")


def test_favorites() -> None:
    _, activity = load("favorite.json")
    first, second = activity.events
    assert isinstance(first, Favorite)
    assert isinstance(second, Favorite)
    assert first.id == "a7ba59eab0bfcba386f7acedac279542"
    assert first.timestamp_ms == 1522082006140
    assert second.timestamp_ms == 1522082102777
    assert first.favorited_status.id_str == "978301290017030145"
    assert first.favorited_status.text.endswith("\U0001f680")
    assert first.user.name == "Ana L\u00f3pez"
    assert (first.actor_id, second.actor_id) == ("62815123", "70012345")
    assert first.dedupe_key == "favorite:2244994945:a7ba59eab0bfcba386f7acedac279542"


def test_follow_users_keep_their_sentinels() -> None:
    _, activity = load("follow.json")
    follow, unfollow = activity.events
    assert isinstance(follow, Follow)
    assert isinstance(unfollow, Unfollow)
    assert follow.created_timestamp == "1517588749178"
    assert follow.actor_id == "3001969357"
    assert follow.target.id_str == "2244994945"
    assert follow.source.profile_background_color == -1
    assert follow.source.lang == ""
    assert follow.source.utc_offset == 0
    assert follow.target.profile_image_url == "null"
    assert follow.target.following is None
    assert unfollow.source.id_str == "4450012345"
    assert unfollow.dedupe_key == "unfollow:2244994945:4450012345:2244994945:1517588749999"


def test_block_and_mute_un_events_under_the_shared_key() -> None:
    _, activity = load("block_mute_shared_keys.json")
    assert kinds(activity) == ["block", "unblock", "mute", "unmute"]
    block, unblock, mute, unmute = activity.events
    assert isinstance(block, Block)
    assert isinstance(unblock, Unblock)
    assert isinstance(mute, Mute)
    assert isinstance(unmute, Unmute)
    assert block.target.screen_name == "jb_camper"
    assert block.dedupe_key != unblock.dedupe_key
    assert mute.target.id_str == unmute.target.id_str == "4450012345"


def test_un_events_under_their_own_keys() -> None:
    _, activity = load("unevents_own_keys.json")
    assert kinds(activity) == ["unfollow", "unblock", "unmute"]
    assert [e.actor_id for e in activity.events] == ["2244994945"] * 3


def test_user_revoke_has_no_for_user_id() -> None:
    _, activity = load("user_revoke.json")
    (event,) = activity.events
    assert isinstance(event, UserRevoke)
    assert activity.for_user_id is None
    assert event.for_user_id is None
    assert (event.source.user_id, event.target.app_id) == ("63046977", "13090192")
    assert event.actor_id == "63046977"
    assert event.dedupe_key == "user_revoke::63046977:13090192:2018-05-24T09:48:12+00:00"


def test_direct_messages_reach_the_users_and_apps_maps() -> None:
    _, activity = load("direct_message.json")
    incoming, outgoing = activity.events
    assert isinstance(incoming, DirectMessage)
    assert isinstance(outgoing, DirectMessage)
    assert incoming.users is activity.users
    assert incoming.apps is activity.apps
    assert incoming.id == "954491830116155396"
    assert incoming.dedupe_key == "direct_message:4337869213:954491830116155396"
    assert incoming.actor_id == "3001969357"
    assert incoming.sender is not None
    assert incoming.sender.screen_name == "jb_camper"
    assert incoming.recipient is not None
    assert incoming.recipient.name == "Harbour Desk"
    assert incoming.source_app is not None
    assert incoming.source_app.name == "TideBot / staging"
    data = incoming.message_create.message_data
    # X HTML-escapes DM text; it is passed on as sent.
    assert data.text.startswith("Tide table for Sat &amp; Sun attached \U0001f600")
    assert data.attachment is not None
    assert data.attachment.media is not None
    assert data.attachment.media.id_str == "954491820000000000"
    assert outgoing.source_app is None
    response = outgoing.message_create.message_data.quick_reply_response
    assert response is not None
    assert response.metadata == "option-b"
    assert outgoing.message_create.message_data.text == "Option B 🌊"


def test_typing_and_read_events() -> None:
    _, typing = load("direct_message_typing.json")
    first, second = typing.events
    assert isinstance(first, DirectMessageTyping)
    assert isinstance(second, DirectMessageTyping)
    assert first.sender is not None
    assert first.sender.screen_name == "bogart_b"
    assert first.target.recipient_id == "4337869213"
    assert first.dedupe_key != second.dedupe_key
    assert typing.apps == {}
    _, read = load("direct_message_read.json")
    (event,) = read.events
    assert isinstance(event, DirectMessageRead)
    assert event.last_read_event_id == "963085315333238788"
    assert event.actor_id == "199566737"
    assert event.sender is not None
    assert event.sender.followers_count == 1200


@pytest.mark.parametrize(
    ("name", "state", "complete"),
    [("replay_complete.json", "Complete", True), ("replay_incomplete.json", "Incomplete", False)],
)
def test_replay_job_status(name: str, state: str, complete: bool) -> None:
    _, activity = load(name)
    (event,) = activity.events
    assert isinstance(event, ReplayJobStatus)
    assert (event.job_state, event.complete) == (state, complete)
    assert event.for_user_id is None
    assert event.actor_id is None
    assert event.webhook_id == "1234577122340233217"
    assert event.dedupe_key == f"replay_job_status::{event.job_id}:{state}"


def test_xaa_follow() -> None:
    _, activity = load("xaa_follow.json")
    (event,) = activity.events
    assert isinstance(event, XAAEvent)
    assert (event.event_type, event.tag) == ("follow.follow", "follows")
    assert event.for_user_id == "1811111111111111111"
    assert isinstance(event.payload, XAAFollow)
    assert event.payload.source.data.username == "new_follower"
    assert event.payload.source.data.name == "New Follower \U0001f600"
    assert event.actor_id == "1822222222222222222"
    assert event.dedupe_key == "xaa:1811111111111111111:-7953119945885597316"


def test_xaa_dm_received_and_profile_update() -> None:
    _, activity = load("xaa_dm_received.json")
    (event,) = activity.events
    assert isinstance(event, XAAEvent)
    assert isinstance(event.payload, XAALegacyDM)
    (message,) = event.payload.direct_message_events
    assert message.message_create is not None
    assert message.message_create.message_data.text == "is the slipway open?"
    assert event.payload.users["1822222222222222222"].data.username == "new_follower"
    assert event.actor_id == "1822222222222222222"
    _, activity = load("xaa_profile_update.json")
    (event,) = activity.events
    assert isinstance(event, XAAEvent)
    assert isinstance(event.payload, XAAProfileUpdate)
    assert event.payload.after == "Harbour ops desk \u2014 tides, berths & weather \U0001f30a"
    assert event.actor_id == "1811111111111111111"


def test_xaa_undocumented_payload_stays_raw() -> None:
    _, activity = load("xaa_news_untyped.json")
    (event,) = activity.events
    assert isinstance(event, XAAEvent)
    assert isinstance(event.payload, msgspec.Raw)
    assert json.loads(bytes(event.payload))["name"] == "Storm closes three ports"
    assert event.for_user_id is None
    assert event.filter is not None
    assert event.filter.keyword == "harbour"
    assert event.includes is None


def test_unknown_keys_keep_their_place_and_bytes() -> None:
    _, activity = load("unknown_keys.json")
    assert kinds(activity) == ["unknown", "tweet_delete", "unknown", "unknown"]
    spaces, _, future, flag = activity.events
    assert isinstance(spaces, UnknownEvent)
    assert isinstance(future, UnknownEvent)
    assert isinstance(flag, UnknownEvent)
    assert spaces.key == "spaces_events"
    assert json.loads(spaces.raw) == [{"id": "1YqKDqWqdPLsV", "state": "live"}]
    # A number no float can hold survives, because unknown values are never decoded.
    assert b"12345678901234567890123" in future.raw
    assert (flag.key, flag.raw) == ("flag_only", b"null")
    assert spaces.for_user_id == "2244994945"
    assert spaces.actor_id is None
