"""The building blocks of realistic deliveries: ids, clocks, people, and X's v1.1 objects.

Everything here returns plain JSON-able dicts shaped like what X sends, so a test can tweak
any field before the delivery is encoded and signed.
"""

from __future__ import annotations

import itertools
import random
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "FIXED_EPOCH_MS",
    "PEOPLE",
    "SUBSCRIBED",
    "IdSource",
    "Person",
    "compact_user",
    "person_for",
    "tweet_object",
    "user_object",
]

# X's snowflake ids count milliseconds from this instant (2010-11-04T01:42:54.657Z).
_SNOWFLAKE_EPOCH_MS = 1288834974657
# The instant a deterministic source starts at, so repeated builds produce identical bodies.
FIXED_EPOCH_MS = 1718035200000  # 2024-06-10T16:00:00Z


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """An account that appears in deliveries."""

    id_str: str
    screen_name: str
    name: str
    location: str | None = None
    description: str = ""
    followers_count: int = 0
    friends_count: int = 0
    statuses_count: int = 0
    created_at: str = "Tue Mar 03 09:12:44 +0000 2015"


#: The subscribed account of the defaults (its id is the default ``for_user_id``).
SUBSCRIBED = Person(
    id_str="1620483904127172608",
    screen_name="ovenlight_app",
    name="Ovenlight",
    location="Leeds, England",
    description="Neighbourhood bakery updates \u2014 what's out of the oven, right now.",
    followers_count=5821,
    friends_count=112,
    statuses_count=3307,
    created_at="Tue Jan 31 17:05:21 +0000 2023",
)

#: The other accounts deliveries are about; picked in turn so consecutive builds differ.
#: Every name carries a non-ASCII character on purpose: X sends them as ``\u00e9``-style escapes.
PEOPLE = (
    Person(
        id_str="1387209485521346560",
        screen_name="marta_bakes",
        name="Marta Ruiz \U0001f35e",
        location="Sevilla",
        description="Sourdough & stubbornness. She/her.",
        followers_count=734,
        friends_count=391,
        statuses_count=4102,
        created_at="Wed Apr 28 00:41:18 +0000 2021",
    ),
    Person(
        id_str="2950318466",
        screen_name="joonas_k",
        name="Joonas Kivel\u00e4",
        description="Cycling to every bakery in Yorkshire, one croissant at a time.",
        followers_count=88,
        friends_count=140,
        statuses_count=615,
    ),
    Person(
        id_str="1129873365092282369",
        screen_name="ade_codes",
        name="Ad\u00e9 Okafor",
        location="Lagos / London",
        description="Backend engineer. Opinions on crumb structure are my own.",
        followers_count=2310,
        friends_count=977,
        statuses_count=12044,
        created_at="Sat May 18 22:07:55 +0000 2019",
    ),
    Person(
        id_str="731982647",
        screen_name="pkettle",
        name="Priya Kettle \u2615",
        location="Leeds",
        followers_count=41,
        friends_count=63,
        statuses_count=290,
    ),
)

_BY_ID = {person.id_str: person for person in (SUBSCRIBED, *PEOPLE)}


def person_for(id_str: str) -> Person:
    """The known person with this id, or a plausible stranger for any other id."""
    known = _BY_ID.get(id_str)
    if known is not None:
        return known
    return Person(id_str=id_str, screen_name=f"user{id_str[-6:]}", name=f"User {id_str[-4:]}")


class IdSource:
    """Ids and timestamps for deliveries, all distinct within one source.

    :param start_ms: the clock's first value; None follows the wall clock.
    :param seed: seeds the random parts (worker bits, hex ids, UUIDs); None picks one at random.

    A wall-clock source never hands out the same millisecond twice, so every event built from
    it gets a new dedupe key. A fixed source (``start_ms`` and ``seed`` given) replays the same
    sequence, which is how a test asks for a duplicate delivery.
    """

    def __init__(self, *, start_ms: int | None = None, seed: int | None = None) -> None:
        self._wall = start_ms is None
        self._last_ms = (start_ms or 0) - 1
        self._last_s = self._last_ms // 1000
        self._random = random.Random(seed)
        # Ten "worker" bits, as in X's snowflakes: two processes sending at once stay apart.
        self._worker = self._random.getrandbits(10)
        self._sequence = itertools.count(self._random.getrandbits(12))
        self._lock = threading.Lock()

    @classmethod
    def fixed(cls) -> IdSource:
        return cls(start_ms=FIXED_EPOCH_MS, seed=0)

    def millis(self) -> int:
        """The next timestamp, in epoch milliseconds; strictly increasing."""
        with self._lock:
            now = int(datetime.now(UTC).timestamp() * 1000) if self._wall else 0
            self._last_ms = max(now, self._last_ms + 1)
            return self._last_ms

    def seconds(self) -> int:
        """The next timestamp in whole epoch seconds, strictly increasing.

        For fields X sends with second precision (``user_event.revoke.date_time``): a burst
        of builds runs ahead of the wall clock rather than repeat a value.
        """
        with self._lock:
            now = int(datetime.now(UTC).timestamp()) if self._wall else 0
            self._last_s = max(now, self._last_s + 1)
            return self._last_s

    def snowflake(self, at_ms: int | None = None) -> str:
        """An X-style 64-bit id (a post, a DM event, a job) for an instant."""
        ms = self.millis() if at_ms is None else at_ms
        sequence = next(self._sequence) & 0xFFF
        return str(((ms - _SNOWFLAKE_EPOCH_MS) << 22) | (self._worker << 12) | sequence)

    def hex_id(self) -> str:
        """A 32-digit hex id, as ``favorite_events`` carry."""
        with self._lock:
            return f"{self._random.getrandbits(128):032x}"

    def event_uuid(self) -> str:
        """An X Activity API ``event_uuid``: despite the name, a signed 64-bit decimal."""
        with self._lock:
            return str(self._random.getrandbits(64) - 2**63)


def twitter_date(ms: int) -> str:
    """``Mon Jun 10 16:00:00 +0000 2024``: the date format of v1.1 objects."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")


def iso_date(seconds: int) -> str:
    """``2024-06-10T16:00:00+00:00``: the date format of ``user_event.revoke``."""
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def user_object(person: Person, *, in_follow_event: bool = False) -> dict[str, Any]:
    """A full v1.1 User object.

    Inside follow, block and mute events X fills the profile colours with ``-1``, ``lang`` with
    an empty string and sends ids as strings; elsewhere the colours are hex strings.
    """
    colour: str | int = -1 if in_follow_event else "1DA1F2"
    images = f"https://pbs.twimg.com/profile_images/{person.id_str}/avatar"
    return {
        "id": person.id_str if in_follow_event else int(person.id_str),
        "id_str": person.id_str,
        "name": person.name,
        "screen_name": person.screen_name,
        "location": person.location,
        "url": None,
        "description": person.description,
        "translator_type": "none",
        "protected": False,
        "verified": False,
        "followers_count": person.followers_count,
        "friends_count": person.friends_count,
        "listed_count": person.followers_count // 50,
        "favourites_count": person.statuses_count // 3,
        "statuses_count": person.statuses_count,
        "created_at": person.created_at,
        "utc_offset": 0 if in_follow_event else None,
        "time_zone": None,
        "geo_enabled": False,
        "lang": "" if in_follow_event else None,
        "contributors_enabled": False,
        "is_translator": False,
        "profile_background_color": colour if in_follow_event else "F5F8FA",
        "profile_background_image_url": "",
        "profile_background_image_url_https": "",
        "profile_background_tile": False,
        "profile_link_color": colour,
        "profile_sidebar_border_color": colour if in_follow_event else "C0DEED",
        "profile_sidebar_fill_color": colour if in_follow_event else "DDEEF6",
        "profile_text_color": colour if in_follow_event else "333333",
        "profile_use_background_image": not in_follow_event,
        "profile_image_url": images.replace("https:", "http:") + "_normal.jpg",
        "profile_image_url_https": images + "_normal.jpg",
        "default_profile": True,
        "default_profile_image": False,
        "following": None,
        "follow_request_sent": None,
        "notifications": None,
    }


def compact_user(person: Person, created_ms: int) -> dict[str, Any]:
    """An entry of a DM delivery's ``users`` map."""
    return {
        "id": person.id_str,
        "created_timestamp": str(created_ms),
        "name": person.name,
        "screen_name": person.screen_name,
        "location": person.location,
        "description": person.description,
        "protected": False,
        "verified": False,
        "followers_count": person.followers_count,
        "friends_count": person.friends_count,
        "statuses_count": person.statuses_count,
        "profile_image_url": f"http://pbs.twimg.com/profile_images/{person.id_str}/avatar.jpg",
        "profile_image_url_https": (
            f"https://pbs.twimg.com/profile_images/{person.id_str}/avatar.jpg"
        ),
    }


def tweet_object(
    ids: IdSource,
    author: Person,
    text: str,
    *,
    mentions: tuple[Person, ...] = (),
    reply_to: Person | None = None,
) -> dict[str, Any]:
    """A v1.1 Tweet object; ``entities.user_mentions`` are found in `text` with their indices."""
    ms = ids.millis()
    id_str = ids.snowflake(ms)
    user_mentions = []
    for person in mentions:
        start = text.find("@" + person.screen_name)
        if start >= 0:
            end = start + 1 + len(person.screen_name)
            user_mentions.append(
                {
                    "screen_name": person.screen_name,
                    "name": person.name,
                    "id": int(person.id_str),
                    "id_str": person.id_str,
                    "indices": [start, end],
                }
            )
    return {
        "created_at": twitter_date(ms),
        "id": int(id_str),
        "id_str": id_str,
        "text": text,
        "display_text_range": [0, len(text)],
        "source": '<a href="https://mobile.x.com" rel="nofollow">X Web App</a>',
        "truncated": False,
        "in_reply_to_status_id": None,
        "in_reply_to_status_id_str": None,
        "in_reply_to_user_id": None if reply_to is None else int(reply_to.id_str),
        "in_reply_to_user_id_str": None if reply_to is None else reply_to.id_str,
        "in_reply_to_screen_name": None if reply_to is None else reply_to.screen_name,
        "user": user_object(author),
        "geo": None,
        "coordinates": None,
        "place": None,
        "contributors": None,
        "is_quote_status": False,
        "quote_count": 0,
        "reply_count": 0,
        "retweet_count": 0,
        "favorite_count": 0,
        "entities": {"hashtags": [], "urls": [], "user_mentions": user_mentions, "symbols": []},
        "favorited": False,
        "retweeted": False,
        "filter_level": "low",
        "lang": "en",
        "timestamp_ms": str(ms),
    }
