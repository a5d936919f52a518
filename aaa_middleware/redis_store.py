"""Dedupe stores in Redis, for receivers that run as several processes or on several hosts.

Each worker of a multi-process server has its own memory, so the in-memory store lets a retry
that lands on another worker run again. These stores keep the claims in Redis instead::

    from redis.asyncio import Redis
    from aaa_middleware.redis_store import AsyncRedisDedupeStore

    app.add_middleware(ASGIMiddleware, consumer_secrets=..., dedupe_store=AsyncRedisDedupeStore(
        Redis.from_url("redis://127.0.0.1:6379/0")))

`AsyncRedisDedupeStore` is for ASGI (the event loop never waits on the network), and
`RedisDedupeStore` for WSGI. Install the ``redis`` extra: ``pip install "aaa-middleware[redis]"``.

A store made by ``from_url`` owns its client and closes it when the receiver shuts down; a
client you pass in stays yours to close.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import redis
    import redis.asyncio

__all__ = ["DEFAULT_PREFIX", "AsyncRedisDedupeStore", "RedisDedupeStore"]

DEFAULT_PREFIX = "aaa_middleware:dedupe:"


def _milliseconds(ttl: float) -> int:
    # PX needs a positive integer; a sub-millisecond TTL would otherwise mean "forever" or error.
    return max(1, int(ttl * 1000))


class RedisDedupeStore:
    """A blocking `DedupeStore` on a ``redis.Redis`` client (thread-safe, as the client is).

    A claim is one ``SET key 1 NX PX ttl``: atomic, so two workers handling copies of the same
    event at once never both run it. A release is ``DEL``.
    """

    __slots__ = ("_owns_client", "client", "prefix")

    def __init__(self, client: redis.Redis, *, prefix: str = DEFAULT_PREFIX) -> None:
        self.client = client
        self.prefix = prefix
        self._owns_client = False

    @classmethod
    def from_url(cls, url: str, *, prefix: str = DEFAULT_PREFIX) -> RedisDedupeStore:
        import redis

        store = cls(redis.Redis.from_url(url), prefix=prefix)
        store._owns_client = True
        return store

    def close(self) -> None:
        """Close the client if this store made it (called when the receiver shuts down)."""
        if self._owns_client:
            self.client.close()

    def claim(self, key: str, ttl: float) -> bool:
        return bool(self.client.set(self.prefix + key, b"1", nx=True, px=_milliseconds(ttl)))

    def release(self, key: str) -> None:
        self.client.delete(self.prefix + key)


class AsyncRedisDedupeStore:
    """An `AsyncDedupeStore` on a ``redis.asyncio.Redis`` client; same commands as the blocking
    store, awaited on the event loop."""

    __slots__ = ("_owns_client", "client", "prefix")

    def __init__(self, client: redis.asyncio.Redis, *, prefix: str = DEFAULT_PREFIX) -> None:
        self.client = client
        self.prefix = prefix
        self._owns_client = False

    @classmethod
    def from_url(cls, url: str, *, prefix: str = DEFAULT_PREFIX) -> AsyncRedisDedupeStore:
        import redis.asyncio

        store = cls(redis.asyncio.Redis.from_url(url), prefix=prefix)
        store._owns_client = True
        return store

    async def aclose(self) -> None:
        """Close the client if this store made it (called when the receiver shuts down, on the
        event loop its connections belong to)."""
        if self._owns_client:
            await self.client.aclose()

    async def claim(self, key: str, ttl: float) -> bool:
        return bool(await self.client.set(self.prefix + key, b"1", nx=True, px=_milliseconds(ttl)))

    async def release(self, key: str) -> None:
        await self.client.delete(self.prefix + key)
