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

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

__all__ = [
    "AsyncDedupeStore",
    "AsyncOutageTolerantStore",
    "DedupeStore",
    "MemoryDedupeStore",
    "OutageTolerantStore",
]

logger = logging.getLogger("aaa_middleware.dedupe")


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

    :param max_entries: at most this many keys are held; beyond it the oldest claims are
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
        expiries = self._expiries
        with self._lock:
            expiry = expiries.get(key)
            if expiry is not None:
                if expiry > now:
                    return False
                del expiries[key]  # expired: claimed anew, so it moves to the back
            expiries[key] = now + ttl
            # Expired keys are harmless (each claim checks its own key's expiry), so they are
            # only dropped when room is needed: one TTL for every key makes claim order expiry
            # order, and the front holds the expired and then the oldest claims.
            while len(expiries) > self.max_entries:
                expiries.popitem(last=False)
            return True

    def release(self, key: str) -> None:
        with self._lock:
            self._expiries.pop(key, None)

    def __len__(self) -> int:
        """Keys held, including expired ones not yet dropped (at most `max_entries`)."""
        return len(self._expiries)

    def __contains__(self, key: object) -> bool:
        expiry = self._expiries.get(key) if isinstance(key, str) else None
        return expiry is not None and expiry > self._clock()


class OutageTolerantStore:
    """A shared store whose outages never stop deliveries.

    When the store cannot answer (Redis restarting, a network partition), refusing the event
    would turn an outage of the dedupe store into lost events once X stops retrying. Instead the
    event is dispatched anyway: at least once, possibly twice, and the failure is logged.
    """

    __slots__ = ("store",)

    def __init__(self, store: DedupeStore) -> None:
        self.store = store

    def claim(self, key: str, ttl: float) -> bool:
        try:
            return self.store.claim(key, ttl)
        except Exception:
            logger.exception("dedupe store unavailable; dispatching %s without dedupe", key)
            return True

    def release(self, key: str) -> None:
        try:
            self.store.release(key)
        except Exception:
            logger.exception("dedupe store unavailable; could not release %s", key)

    def close(self) -> None:
        close = getattr(self.store, "close", None)
        if close is not None:
            close()


class AsyncOutageTolerantStore:
    """`OutageTolerantStore` for an `AsyncDedupeStore`."""

    __slots__ = ("store",)

    def __init__(self, store: AsyncDedupeStore) -> None:
        self.store = store

    async def claim(self, key: str, ttl: float) -> bool:
        try:
            return await self.store.claim(key, ttl)
        except Exception:
            logger.exception("dedupe store unavailable; dispatching %s without dedupe", key)
            return True

    async def release(self, key: str) -> None:
        try:
            await self.store.release(key)
        except Exception:
            logger.exception("dedupe store unavailable; could not release %s", key)

    async def aclose(self) -> None:
        aclose = getattr(self.store, "aclose", None)
        if aclose is not None:
            await aclose()
