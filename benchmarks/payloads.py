"""Deterministic deliveries of three sizes, encoded and signed the way X sends them.

Every body is compact JSON with ``/`` escaped as ``\\/`` and every non-ASCII character as a
``\\uXXXX`` escape (surrogate pairs above the BMP), which is what X's serialiser produces. The
filler text comes from a seeded generator, so a given ``serial`` always yields the same bytes on
every machine and Python version.

``serial`` changes only the event's identity (its id, or its timestamp for a typing event, which
has no id), written with a fixed number of digits: all deliveries of one kind have the same
length and the same dedupe-key shape, and none of them is a duplicate of another. Each kind's
document is built once; a delivery is that template with its identity spliced in, which keeps
generating 100,000 of them cheap.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import random
from dataclasses import dataclass
from typing import Any

__all__ = [
    "KINDS",
    "SECRET",
    "SIGNATURE_HEADER",
    "Signed",
    "body",
    "pool",
    "sign",
    "signed",
]

SECRET = "bench-consumer-secret-5f0c1d2e"
SIGNATURE_HEADER = "x-twitter-webhooks-signature"

# The subscribed account every delivery is for.
_FOR_USER = "1489330167772536832"
_WORDS = (
    "tide",
    "gauge",
    "pier",
    "harbour",
    "buoy",
    "swell",
    "ferry",
    "quay",
    "crane",
    "dock",
    "tug",
    "berth",
    "pilot",
    "chart",
    "ebb",
    "flood",
    "spring",
    "neap",
    "surge",
    "gale",
    "drizzle",
    "lighthouse",
    "beacon",
    "mooring",
    "anchor",
    "hull",
    "keel",
    "mast",
    "rigging",
    "sensor",
    "reading",
    "log",
    "photo",
    "update",
    "station",
    "north",
    "south",
    "breakwater",
    "slipway",
)
# A few characters outside ASCII, BMP and astral, to exercise the \u escapes.
_ACCENTED = ("Mar\u00eda", "Jo\u00e3o", "Bj\u00f6rk", "Zo\u00eb", "Ren\u00e9e", "\u00c1lvaro")
_EMOJI = ("\U0001f30a", "\U0001f6a2", "\u2693", "\U0001f4f8", "\U0001f600")


@dataclass(frozen=True, slots=True)
class Signed:
    """One delivery: its body and the value of its signature header."""

    body: bytes
    signature: bytes


def sign(body: bytes, secret: str = SECRET) -> bytes:
    """``sha256=`` and the base64 HMAC-SHA256 of `body`, as X computes it."""
    digest = hmac.digest(secret.encode(), body, hashlib.sha256)
    return b"sha256=" + base64.b64encode(digest)


def _encode(document: dict[str, Any]) -> bytes:
    text = json.dumps(document, ensure_ascii=True, separators=(",", ":"))
    # Outside strings compact JSON has no '/', so escaping every one only touches strings.
    return text.replace("/", "\\/").encode("ascii")


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def _digits(rng: random.Random, length: int) -> str:
    return str(rng.randrange(10 ** (length - 1), 10**length))


def _compact_user(rng: random.Random, user_id: str, *, full: bool) -> dict[str, Any]:
    name = f"{rng.choice(_ACCENTED)} {rng.choice(_WORDS).title()}"
    screen_name = f"{rng.choice(_WORDS)}_{rng.choice(_WORDS)}{rng.randrange(100)}"
    if not full:
        # The trimmed entries of typing and read deliveries.
        return {
            "id": user_id,
            "name": name,
            "screen_name": screen_name,
            "protected": False,
            "verified": False,
            "followers_count": rng.randrange(10_000),
        }
    return {
        "id": user_id,
        "created_timestamp": _digits(rng, 13),
        "name": name,
        "screen_name": screen_name,
        "location": f"{rng.choice(_WORDS).title()}, {rng.choice(_WORDS).title()}",
        "description": f"{_sentence(rng, 12)} {rng.choice(_EMOJI)}",
        "url": f"https://t.co/{_digits(rng, 10)}",
        "protected": False,
        "verified": rng.random() < 0.2,
        "followers_count": rng.randrange(10_000),
        "friends_count": rng.randrange(2_000),
        "statuses_count": rng.randrange(50_000),
        "profile_image_url": f"http://pbs.twimg.com/profile_images/{_digits(rng, 19)}/a_normal.jpg",
        "profile_image_url_https": (
            f"https://pbs.twimg.com/profile_images/{_digits(rng, 19)}/a_normal.jpg"
        ),
    }


# The identity of serial 0 of each kind; serial n is this plus n, with as many digits.
_TYPING_AT = 1_718_127_183_443
_TWEET_ID = 1_790_321_456_789_012_345
_DM_ID = 954_491_830_116_155_396


def _typing() -> dict[str, Any]:
    rng = random.Random(5)
    sender, recipient = "3284025577", _FOR_USER
    return {
        "for_user_id": _FOR_USER,
        "direct_message_indicate_typing_events": [
            {
                "created_timestamp": str(_TYPING_AT),
                "sender_id": sender,
                "target": {"recipient_id": recipient},
            }
        ],
        "users": {
            sender: _compact_user(rng, sender, full=False),
            recipient: _compact_user(rng, recipient, full=False),
        },
    }


def _v1_user(rng: random.Random, user_id: int) -> dict[str, Any]:
    return {
        "id": user_id,
        "id_str": str(user_id),
        "name": f"{rng.choice(_ACCENTED)} {rng.choice(_WORDS).title()} {rng.choice(_EMOJI)}",
        "screen_name": "tidegauge_maria",
        "location": "Vigo, Galicia",
        "url": "https://example.org/tides",
        "description": _sentence(rng, 10),
        "translator_type": "none",
        "protected": False,
        "verified": False,
        "followers_count": 1204,
        "friends_count": 388,
        "listed_count": 17,
        "favourites_count": 5122,
        "statuses_count": 9031,
        "created_at": "Sun Oct 08 23:14:55 +0000 2017",
        "utc_offset": None,
        "time_zone": None,
        "geo_enabled": True,
        "lang": None,
        "contributors_enabled": False,
        "is_translator": False,
        "profile_background_color": "F5F8FA",
        "profile_background_image_url": "",
        "profile_background_image_url_https": "",
        "profile_background_tile": False,
        "profile_link_color": "1DA1F2",
        "profile_sidebar_border_color": "C0DEED",
        "profile_sidebar_fill_color": "DDEEF6",
        "profile_text_color": "333333",
        "profile_use_background_image": True,
        "profile_image_url": f"http://pbs.twimg.com/profile_images/{user_id}/a_normal.jpg",
        "profile_image_url_https": f"https://pbs.twimg.com/profile_images/{user_id}/a_normal.jpg",
        "default_profile": True,
        "default_profile_image": False,
        "following": None,
        "follow_request_sent": None,
        "notifications": None,
    }


def _mention() -> dict[str, Any]:
    rng = random.Random(25)
    tweet_id = _TWEET_ID
    author = 917_204_113_376_362_496
    text = f"@quaywatch {_sentence(rng, 9)} {rng.choice(_EMOJI)} https://t.co/Qm3vXk9LpA #harbour"
    return {
        "for_user_id": _FOR_USER,
        "user_has_blocked": "false",
        "tweet_create_events": [
            {
                "created_at": "Tue May 14 08:21:07 +0000 2024",
                "id": tweet_id,
                "id_str": str(tweet_id),
                "text": text,
                "display_text_range": [0, len(text)],
                "source": '<a href="https://mobile.x.com" rel="nofollow">X Web App</a>',
                "truncated": False,
                "in_reply_to_status_id": None,
                "in_reply_to_status_id_str": None,
                "in_reply_to_user_id": int(_FOR_USER),
                "in_reply_to_user_id_str": _FOR_USER,
                "in_reply_to_screen_name": "quaywatch",
                "user": _v1_user(rng, author),
                "geo": None,
                "coordinates": None,
                "place": None,
                "contributors": None,
                "is_quote_status": False,
                "quote_count": 0,
                "reply_count": 0,
                "retweet_count": 0,
                "favorite_count": 0,
                "entities": {
                    "hashtags": [{"text": "harbour", "indices": [len(text) - 8, len(text)]}],
                    "urls": [
                        {
                            "url": "https://t.co/Qm3vXk9LpA",
                            "expanded_url": "https://example.org/tides/pier-4",
                            "display_url": "example.org/tides/pier-4",
                            "indices": [len(text) - 32, len(text) - 9],
                        }
                    ],
                    "user_mentions": [
                        {
                            "screen_name": "quaywatch",
                            "name": "Quay Watch",
                            "id": int(_FOR_USER),
                            "id_str": _FOR_USER,
                            "indices": [0, 10],
                        }
                    ],
                    "symbols": [],
                },
                "favorited": False,
                "retweeted": False,
                "filter_level": "low",
                "lang": "en",
                "timestamp_ms": "1715674867000",
            }
        ],
    }


def _direct_message() -> dict[str, Any]:
    rng = random.Random(30)
    sender = "3001969357"
    app_id = "13090192"
    # A group of participants: the delivery's users map describes every one of them in full.
    ids = [sender, _FOR_USER, *(_digits(rng, 19) for _ in range(44))]
    text = " ".join(f"{_sentence(rng, 8)} {rng.choice(_EMOJI)}" for _ in range(6))
    media_id = _digits(rng, 19)
    return {
        "for_user_id": _FOR_USER,
        "direct_message_events": [
            {
                "type": "message_create",
                "id": str(_DM_ID),
                "created_timestamp": "1716403560557",
                "message_create": {
                    "target": {"recipient_id": _FOR_USER},
                    "sender_id": sender,
                    "source_app_id": app_id,
                    "message_data": {
                        "text": text + " https://t.co/Xy12Ab34Cd",
                        "entities": {
                            "hashtags": [],
                            "symbols": [],
                            "user_mentions": [],
                            "urls": [
                                {
                                    "url": "https://t.co/Xy12Ab34Cd",
                                    "expanded_url": "https://example.org/charts/ebb",
                                    "display_url": "example.org/charts/ebb",
                                    "indices": [len(text) + 1, len(text) + 24],
                                }
                            ],
                        },
                        "attachment": {
                            "type": "media",
                            "media": {
                                "id": int(media_id),
                                "id_str": media_id,
                                "indices": [len(text) + 1, len(text) + 24],
                                "media_url": f"http://pbs.twimg.com/dm_img/{media_id}/a.jpg",
                                "media_url_https": f"https://pbs.twimg.com/dm_img/{media_id}/a.jpg",
                                "url": "https://t.co/Xy12Ab34Cd",
                                "display_url": "pic.x.com/Xy12Ab34Cd",
                                "expanded_url": "https://x.com/messages/media/1",
                                "type": "photo",
                                "sizes": {
                                    "thumb": {"w": 150, "h": 150, "resize": "crop"},
                                    "small": {"w": 680, "h": 510, "resize": "fit"},
                                    "medium": {"w": 1200, "h": 900, "resize": "fit"},
                                    "large": {"w": 2048, "h": 1536, "resize": "fit"},
                                },
                            },
                        },
                    },
                },
            }
        ],
        "apps": {
            app_id: {"id": app_id, "name": "QuayWatch Relay", "url": "https://example.org/relay"}
        },
        "users": {user_id: _compact_user(rng, user_id, full=True) for user_id in ids},
    }


_BUILDERS = {
    "typing": (_typing, _TYPING_AT),
    "mention": (_mention, _TWEET_ID),
    "dm": (_direct_message, _DM_ID),
}

#: Delivery kinds by increasing size: a typing indicator (~0.5 KB), a mention (~2.5 KB) and a
#: direct message with its users map (~30 KB).
KINDS: tuple[str, ...] = tuple(_BUILDERS)


@functools.cache
def _template(kind: str) -> tuple[int, list[bytes]]:
    """The identity of serial 0 of `kind`, and the body split around each of its occurrences."""
    build, identity = _BUILDERS[kind]
    parts = _encode(build()).split(str(identity).encode())
    if len(parts) < 2:
        raise AssertionError(f"the {kind} document does not contain its identity")
    return identity, parts


def body(kind: str, serial: int = 0) -> bytes:
    """The body of delivery number `serial` of `kind` (one of `KINDS`)."""
    identity, parts = _template(kind)
    value = str(identity + serial)
    if len(value) != len(str(identity)):
        raise ValueError(f"serial {serial} is out of range for {kind}")
    return value.encode().join(parts)


def signed(kind: str, serial: int = 0, secret: str = SECRET) -> Signed:
    data = body(kind, serial)
    return Signed(data, sign(data, secret))


def pool(kind: str, count: int, start: int = 0) -> list[Signed]:
    """`count` distinct signed deliveries of `kind`, serials ``start`` to ``start + count - 1``."""
    return [signed(kind, serial) for serial in range(start, start + count)]
