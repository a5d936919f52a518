"""Decoding a delivery body into an :class:`Activity`.

The body is parsed once into ``dict[str, msgspec.Raw]``: msgspec validates the whole document
but only slices the values, without building them. Each known key's slice is then decoded by a
typed decoder built at import time, and each unknown key is kept as it is. This is the only way
to both type the known keys and keep the unknown ones, since a Struct drops unknown fields.

Every decoding failure surfaces as :class:`~aaa_middleware.errors.PayloadError`, whose message
keeps msgspec's description and the full JSON path of the offending field.
"""

from __future__ import annotations

import msgspec
from msgspec import Raw

from ..errors import PayloadError
from ._handlers import HANDLERS, Context, Out
from ._wire import APPS, BLOCKED, OPT_STR, TOO_DEEP, TOP, USERS, decode_at
from .direct import App, CompactUser
from .kinds import Event, UnknownEvent

__all__ = ["Activity", "decode_activity"]


class Activity(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One decoded delivery: its events in delivery order, and the envelope around them.

    ``users`` and ``apps`` are the DM maps; every DM event of the delivery holds the same dicts.
    """

    events: tuple[Event, ...]
    for_user_id: str | None = None
    # ``user_has_blocked`` or ``is_blocked_by``, whichever X sent; None when it sent neither.
    user_has_blocked: bool | None = None
    users: dict[str, CompactUser] = {}
    apps: dict[str, App] = {}


# Envelope keys: read before the events, whatever their position in the body.
_ENVELOPE_KEYS = frozenset({"for_user_id", "user_has_blocked", "is_blocked_by", "users", "apps"})


def _blocked_flag(top: dict[str, Raw]) -> bool | None:
    """``user_has_blocked`` or ``is_blocked_by``, as a bool or as the string "true"/"false"."""
    flag: bool | None = None
    for key in ("user_has_blocked", "is_blocked_by"):
        value = top.get(key)
        if value is None:
            continue
        parsed = decode_at(BLOCKED, value, key)
        if isinstance(parsed, str):
            lowered = parsed.lower()
            if lowered not in ("true", "false"):
                raise PayloadError(
                    f'Expected `bool` or "true"/"false", got {parsed!r} - at `$.{key}`'
                )
            parsed = lowered == "true"
        if parsed is not None:
            flag = parsed or bool(flag)
    return flag


def decode_activity(body: bytes | bytearray | memoryview) -> Activity:
    """Decode one delivery body.

    :raises PayloadError: the body is not a JSON object, or a known field has the wrong type.
    """
    if type(body) is not bytes:
        # Raw slices reference the buffer they came from; a caller's bytearray may be reused.
        body = bytes(body)
    if not body.isascii():
        # msgspec checks UTF-8 only in what it decodes: an unknown key's value or an ignored
        # field would pass through invalid, and break whoever reads `raw` as text. X escapes
        # non-ASCII characters, so this check is nearly always the one-pass ASCII test above.
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PayloadError(f"The body is not valid UTF-8 (at byte {exc.start})") from None
    try:
        top = TOP.decode(body)
    except msgspec.ValidationError:
        raise PayloadError("The body is JSON but not a JSON object") from None
    except msgspec.DecodeError as exc:
        raise PayloadError(f"The body is not valid JSON: {exc}") from None
    except RecursionError:
        # msgspec bounds its nesting depth by Python's recursion limit.
        raise PayloadError(TOO_DEEP) from None

    value = top.get("for_user_id")
    for_user_id = None if value is None else decode_at(OPT_STR, value, "for_user_id")
    value = top.get("users")
    users = (None if value is None else decode_at(USERS, value, "users")) or {}
    value = top.get("apps")
    apps = (None if value is None else decode_at(APPS, value, "apps")) or {}
    # Only mentions carry the flag; skip the lookups' function call for everything else.
    blocked = _blocked_flag(top) if "user_has_blocked" in top or "is_blocked_by" in top else None
    ctx = Context(for_user_id, blocked, users, apps)

    events: Out = []
    for key, value in top.items():
        handler = HANDLERS.get(key)
        if handler is not None:
            handler(key, value, ctx, events)
        elif key not in _ENVELOPE_KEYS:
            events.append(UnknownEvent(for_user_id=for_user_id, raw=bytes(value), key=key))
    return Activity(
        events=tuple(events),
        for_user_id=for_user_id,
        user_has_blocked=blocked,
        users=users,
        apps=apps,
    )
