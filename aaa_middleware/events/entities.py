"""Entities of v1.1 objects: the hashtags, links, mentions, cashtags and media found in a text."""

from __future__ import annotations

from .base import XObject

__all__ = [
    "Entities",
    "ExtendedEntities",
    "Hashtag",
    "Media",
    "MediaSize",
    "MediaSizes",
    "Symbol",
    "UrlEntity",
    "UserEntities",
    "UserEntityUrls",
    "UserMention",
    "VideoInfo",
    "VideoVariant",
]


class Hashtag(XObject, frozen=True):
    text: str
    indices: tuple[int, int]


class Symbol(XObject, frozen=True):
    """A cashtag such as ``$TWTR``."""

    text: str
    indices: tuple[int, int]


class UrlEntity(XObject, frozen=True):
    url: str
    expanded_url: str | None = None
    display_url: str | None = None
    indices: tuple[int, int] | None = None


class UserMention(XObject, frozen=True):
    id_str: str
    screen_name: str
    name: str | None = None
    indices: tuple[int, int] | None = None


class MediaSize(XObject, frozen=True):
    w: int
    h: int
    resize: str


class MediaSizes(XObject, frozen=True):
    thumb: MediaSize | None = None
    small: MediaSize | None = None
    medium: MediaSize | None = None
    large: MediaSize | None = None


class VideoVariant(XObject, frozen=True):
    content_type: str
    url: str
    bitrate: int | None = None


class VideoInfo(XObject, frozen=True):
    aspect_ratio: tuple[int, int] | None = None
    duration_millis: int | None = None
    variants: list[VideoVariant] = []


class Media(XObject, frozen=True):
    """A photo, video or GIF, in ``entities`` / ``extended_entities`` or a DM attachment."""

    id_str: str
    type: str
    media_url_https: str
    media_url: str | None = None
    url: str | None = None
    display_url: str | None = None
    expanded_url: str | None = None
    indices: tuple[int, int] | None = None
    sizes: MediaSizes | None = None
    video_info: VideoInfo | None = None
    ext_alt_text: str | None = None
    source_status_id_str: str | None = None
    source_user_id_str: str | None = None


class Entities(XObject, frozen=True):
    hashtags: list[Hashtag] = []
    urls: list[UrlEntity] = []
    user_mentions: list[UserMention] = []
    symbols: list[Symbol] = []
    media: list[Media] = []


class ExtendedEntities(XObject, frozen=True):
    """All media of a post (``entities.media`` only ever holds the first one)."""

    media: list[Media] = []


class UserEntityUrls(XObject, frozen=True):
    urls: list[UrlEntity] = []


class UserEntities(XObject, frozen=True):
    url: UserEntityUrls | None = None
    description: UserEntityUrls | None = None
