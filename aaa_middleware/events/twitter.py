"""v1.1 Tweet and User objects, as embedded in Account Activity deliveries.

X documents these objects loosely and fills them inconsistently, so the models follow a few rules:

* Every id is read from its ``*_id_str`` / ``id_str`` twin. The numeric ``id`` fields are not
  declared at all: msgspec skips them without ever converting them, so an id above 2**53 can't
  lose precision on the way through.
* Everything X may omit or send as ``null`` is optional. Unknown fields are ignored, so new
  fields from X never break decoding; a declared field with the wrong JSON type does.
* Values are kept as X sends them, sentinels included (``-1`` profile colours and ``lang: ""``
  on the user objects inside follow events), except ``timestamp_ms``, which is a string here and a
  number elsewhere and is normalised to ``int``.
"""

from __future__ import annotations

import msgspec

from .base import XObject, epoch_millis
from .entities import Entities, ExtendedEntities, UserEntities

__all__ = [
    "BoundingBox",
    "Coordinates",
    "EditControls",
    "EditHistory",
    "ExtendedTweet",
    "Permalink",
    "Place",
    "Tweet",
    "User",
]


class User(XObject, frozen=True):
    """A v1.1 User object.

    Colours are strings such as ``"1DA1F2"``, but user objects inside follow, block and mute
    events carry ``-1`` for them, hence ``str | int``.
    """

    id_str: str
    name: str = ""
    screen_name: str = ""
    location: str | None = None
    url: str | None = None
    description: str | None = None
    entities: UserEntities | None = None
    protected: bool = False
    verified: bool = False
    followers_count: int = 0
    friends_count: int = 0
    listed_count: int = 0
    favourites_count: int = 0
    statuses_count: int = 0
    created_at: str | None = None
    utc_offset: int | None = None
    time_zone: str | None = None
    geo_enabled: bool = False
    lang: str | None = None
    contributors_enabled: bool = False
    is_translator: bool = False
    translator_type: str | None = None
    profile_background_color: str | int | None = None
    profile_background_image_url: str | None = None
    profile_background_image_url_https: str | None = None
    profile_background_tile: bool = False
    profile_link_color: str | int | None = None
    profile_sidebar_border_color: str | int | None = None
    profile_sidebar_fill_color: str | int | None = None
    profile_text_color: str | int | None = None
    profile_use_background_image: bool = True
    profile_image_url: str | None = None
    profile_image_url_https: str | None = None
    profile_banner_url: str | None = None
    default_profile: bool = False
    default_profile_image: bool = False
    following: bool | None = None
    follow_request_sent: bool | None = None
    notifications: bool | None = None
    withheld_in_countries: list[str] = []


class Coordinates(XObject, frozen=True):
    """GeoJSON point, longitude first (GeoJSON allows a third, altitude, element)."""

    type: str
    coordinates: tuple[float, ...]


class BoundingBox(XObject, frozen=True):
    type: str
    coordinates: list[list[tuple[float, ...]]]


class Place(XObject, frozen=True):
    id: str
    url: str | None = None
    place_type: str | None = None
    name: str | None = None
    full_name: str | None = None
    country_code: str | None = None
    country: str | None = None
    bounding_box: BoundingBox | None = None


class Permalink(XObject, frozen=True):
    """``quoted_status_permalink``: the quoted post's link, as shown."""

    url: str
    expanded: str | None = None
    display: str | None = None


class EditHistory(XObject, frozen=True):
    initial_tweet_id: str
    edit_tweet_ids: list[str] = []


class EditControls(XObject, frozen=True):
    edits_remaining: int | None = None
    is_edit_eligible: bool | None = None
    editable_until_ms: int | None = None


class ExtendedTweet(XObject, frozen=True):
    """The untruncated content of a long post (``truncated`` is true on the outer Tweet)."""

    full_text: str
    display_text_range: tuple[int, int] | None = None
    entities: Entities | None = None
    extended_entities: ExtendedEntities | None = None


class Tweet(XObject, frozen=True):
    """A v1.1 Tweet object (X calls them posts now).

    ``retweeted_status`` and ``quoted_status`` are complete Tweets themselves, so a retweet of a
    quote nests three deep. Use :attr:`long_text` for the full text whatever the post's length.
    """

    id_str: str
    user: User
    created_at: str = ""
    text: str = ""
    full_text: str | None = None
    source: str | None = None
    truncated: bool = False
    display_text_range: tuple[int, int] | None = None
    in_reply_to_status_id_str: str | None = None
    in_reply_to_user_id_str: str | None = None
    in_reply_to_screen_name: str | None = None
    coordinates: Coordinates | None = None
    place: Place | None = None
    is_quote_status: bool = False
    quoted_status_id_str: str | None = None
    quoted_status: Tweet | None = None
    quoted_status_permalink: Permalink | None = None
    retweeted_status: Tweet | None = None
    extended_tweet: ExtendedTweet | None = None
    quote_count: int = 0
    reply_count: int = 0
    retweet_count: int = 0
    favorite_count: int = 0
    entities: Entities | None = None
    extended_entities: ExtendedEntities | None = None
    favorited: bool = False
    retweeted: bool = False
    possibly_sensitive: bool | None = None
    filter_level: str | None = None
    lang: str | None = None
    edit_history: EditHistory | None = None
    edit_controls: EditControls | None = None
    # Stored under a private name so the public attribute can be typed as the normalised int.
    _timestamp_ms: int | str | None = msgspec.field(default=None, name="timestamp_ms")

    def __post_init__(self) -> None:
        # msgspec turns a ValueError raised here into a ValidationError naming this object's path.
        if isinstance(self._timestamp_ms, str):
            msgspec.structs.force_setattr(self, "_timestamp_ms", epoch_millis(self._timestamp_ms))

    @property
    def timestamp_ms(self) -> int | None:
        """When X created the post, in epoch milliseconds (sent as a string in Tweet objects)."""
        ts = self._timestamp_ms
        return None if ts is None else epoch_millis(ts)

    @property
    def long_text(self) -> str:
        """The complete text: ``extended_tweet.full_text`` for long posts, else the text."""
        if self.extended_tweet is not None:
            return self.extended_tweet.full_text
        return self.full_text if self.full_text is not None else self.text
