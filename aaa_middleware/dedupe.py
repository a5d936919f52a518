"""Remembering which events were dispatched, so X's retries and replays run them only once.

X has no delivery id: an event's identity is its ``dedupe_key`` (kind, subscribed user and the
event's own ids). The dispatcher *claims* a key before running an event's hooks, *releases* it
if a hook failed (so X's retry runs the event again) and keeps it otherwise, until the TTL ends.

Claiming is one atomic step, not "check then add", so two concurrent copies of one delivery
(X retrying while the first is still being handled) never both run.

A store shared by several processes follows the same contract. A Redis store, for example,
claims with ``SET key 1 NX PX <ttl ms>`` (true when the reply is OK) and releases with ``DEL``;
under ASGI it implements `AsyncDedupeStore` with ``redis.asyncio`` so the event loop never
blocks on the network, and under WSGI `DedupeStore` with the blocking client. The dispatcher
accepts either kind.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

__all__ = ["AsyncDedupeStore", "DedupeStore", "MemoryDedupeStore"]


class DedupeStore(Protocol):
    """A blocking dedupe store. Both methods must be safe to call from several threads."""

    def claim(self, key: str, ttl: float) -> bool:
        """Remember `key` for `ttl` seconds; true if it was not already remembered."""
        ...

    def release(self, key: str) -> None:
        """Forget `key` (its event failed), so the next copy of it is dispatched again."""
        ...


class AsyncDedupeStore(Protocol):
    """The same contract for stores that do network I/O on the event loop."""

    async def claim(self, key: str, ttl: float) -> bool:
        """Remember `key` for `ttl` seconds; true if it was not already remembered."""
        ...

    async def release(self, key: str) -> None:
        """Forget `key` (its event failed), so the next copy of it is dispatched again."""
        ...


class MemoryDedupeStore:
    """A bounded, TTL-based store in this process's memory; one per receiver.

    :param max_entries: at most this many keys are remembered; beyond it the oldest claims are
        forgotten first (a very late retry of one of them would then run again).
    :param clock: a monotonic clock in seconds, injectable for tests.

    It suits a single process. Behind several workers each has its own memory, and a retry
    landing on another worker runs again: use a shared store there.
    """

    __slots__ = ("_clock", "_expiries", "_lock", "max_entries")

    def __init__(self, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        if max_entries <= 0:
            raise ValueError("max_entries must be positive")
        self.max_entries = max_entries
        self._clock = clock
        # key → expiry, oldest claim first: eviction and expiry both pop from the front.
        self._expiries: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, key: str, ttl: float) -> bool:
        now = self._clock()
        with self._lock:
            expiry = self._expiries.get(key)
            if expiry is not None and expiry > now:
                return False
            self._expiries[key] = now + ttl
            self._expiries.move_to_end(key)
            self._prune(now)
            return True

    def release(self, key: str) -> None:
        with self._lock:
            self._expiries.pop(key, None)

    def __len__(self) -> int:
        return len(self._expiries)

    def __contains__(self, key: object) -> bool:
        expiry = self._expiries.get(key) if isinstance(key, str) else None
        return expiry is not None and expiry > self._clock()

    def _prune(self, now: float) -> None:
        # With one TTL for every key, claim order is expiry order, so expired keys sit at the
        # front; stopping at the first live one keeps each claim O(1) amortised.
        expiries = self._expiries
        while expiries:
            oldest = next(iter(expiries.values()))
            if oldest > now and len(expiries) <= self.max_entries:
                break
            expiries.popitem(last=False)
