"""The two roots: :class:`XObject` for what X sends, :class:`BaseEvent` for what hooks receive."""

from __future__ import annotations

import hashlib
from typing import ClassVar

import msgspec

__all__ = ["BaseEvent", "XObject", "epoch_millis"]


# Frozen because one decoded delivery is handed to many independent hooks: none of them should be
# able to change what the next one sees. gc=False is safe for the same reason: a frozen struct that
# only holds strings, numbers, other such structs and lists of them cannot close a reference cycle.
class XObject(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Base of every object decoded from a delivery."""


def epoch_millis(value: int | str) -> int:
    """Normalise an epoch-milliseconds value that X sends either as a number or a string."""
    if isinstance(value, int):
        return value
    # int() alone would also take " 12", "1_2" and non-ASCII digits.
    if not (value.isascii() and value.isdigit()):
        raise ValueError(f"Expected epoch milliseconds as a decimal string, got {value!r}")
    return int(value)


class BaseEvent(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Fields shared by every event; ``kind`` is a class constant."""

    kind: ClassVar[str]
    for_user_id: str | None
    raw: bytes

    @property
    def actor_id(self) -> str | None:
        """The id of the user who caused the event, or None where nobody did."""
        return None

    @property
    def dedupe_key(self) -> str:
        """Identical for every copy of this event (retries, replays), unique among others.

        Computed on access rather than at decode time: only dispatch reads it, once per event.
        The rule per kind is tabled in :mod:`aaa_middleware.events.kinds`.
        """
        return f"{self.kind}:{self.for_user_id or ''}:{self._dedupe_rest()}"

    def _dedupe_rest(self) -> str:
        """The kind-specific part of :attr:`dedupe_key`. Each kind overrides it with the ids X
        gives it; for anything without them, the same bytes are the same event."""
        return hashlib.blake2b(self.raw, digest_size=16).hexdigest()
