"""The Redis dedupe stores against a real Redis on 127.0.0.1:6379 (.ci/run starts one)."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
import redis
import redis.asyncio
from servers import uvicorn_server, waitress_server
from webhook_cases import PATH, SECRET, signed

from aaa_middleware import ASGIMiddleware, WSGIMiddleware, hookimpl
from aaa_middleware.redis_store import AsyncRedisDedupeStore, RedisDedupeStore

pytestmark = [pytest.mark.redis, pytest.mark.server]

URL = "redis://127.0.0.1:6379/0"
BODY = (
    b'{"for_user_id":"42","direct_message_events":[{"type":"message_create","id":"954491830116155396",'
    b'"created_timestamp":"1516403560557","message_create":{"target":{"recipient_id":"42"},'
    b'"sender_id":"3001969357","message_data":{"text":"Hello \\ud83d\\ude00","entities":'
    b'{"hashtags":[],"symbols":[],"user_mentions":[],"urls":[]}}}}]}'
)


@pytest.fixture
def prefix():
    client = redis.Redis.from_url(URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:  # pragma: no cover - the environment is broken
        pytest.fail(f"Redis is not answering on {URL}: {exc}")
    name = f"aaa_middleware:test:{uuid.uuid4().hex}:"
    yield name
    for key in client.scan_iter(name + "*"):
        client.delete(key)
    client.close()


class Recorder:
    def __init__(self) -> None:
        self.keys: list[str] = []
        self.fail = False

    @hookimpl
    def aaa_direct_message(self, event):
        if self.fail:
            raise RuntimeError("boom")
        self.keys.append(event.dedupe_key)


def test_sync_store_claims_once_and_releases(prefix):
    store = RedisDedupeStore.from_url(URL, prefix=prefix)
    assert store.claim("k", 60) is True
    assert store.claim("k", 60) is False
    store.release("k")
    assert store.claim("k", 60) is True
    assert 0 < store.client.pttl(prefix + "k") <= 60_000


def test_sync_store_ttl_expires(prefix):
    store = RedisDedupeStore.from_url(URL, prefix=prefix)
    assert store.claim("short", 0.05) is True
    time.sleep(0.2)
    assert store.claim("short", 60) is True


@pytest.mark.anyio
async def test_async_store_claims_once_and_releases(prefix):
    store = AsyncRedisDedupeStore.from_url(URL, prefix=prefix)
    try:
        assert await store.claim("k", 60) is True
        assert await store.claim("k", 60) is False
        await store.release("k")
        assert await store.claim("k", 60) is True
    finally:
        await store.client.aclose()


@pytest.fixture
def anyio_backend():
    return "asyncio"


def _post(url, body=BODY):
    return httpx.post(
        url + PATH, content=body, headers=[(k.decode(), v.decode()) for k, v in signed(body)]
    )


def test_two_asgi_workers_share_claims(prefix):
    """A retry that lands on another worker is still recognised as a duplicate."""
    first, second = Recorder(), Recorder()

    def worker(recorder):
        store = AsyncRedisDedupeStore.from_url(URL, prefix=prefix)
        return ASGIMiddleware(path=PATH, consumer_secrets=SECRET, plugins=[recorder],
                              load_entry_points=False, dedupe_store=store)  # fmt: skip

    with uvicorn_server(worker(first)) as url_a, uvicorn_server(worker(second)) as url_b:
        second.fail = True
        assert _post(url_b).status_code == 500  # failed on worker B: the claim is released
        second.fail = False
        assert _post(url_a).status_code == 200  # X's retry lands on worker A and runs
        assert _post(url_b).status_code == 200  # a later copy on B is a duplicate
    assert first.keys == ["direct_message:42:954491830116155396"]
    assert second.keys == []


def test_two_wsgi_workers_share_claims(prefix):
    first, second = Recorder(), Recorder()
    apps = [
        WSGIMiddleware(path=PATH, consumer_secrets=SECRET, plugins=[recorder],
                       load_entry_points=False,
                       dedupe_store=RedisDedupeStore.from_url(URL, prefix=prefix))
        for recorder in (first, second)
    ]  # fmt: skip
    with waitress_server(apps[0]) as url_a, waitress_server(apps[1]) as url_b:
        assert _post(url_a).status_code == 200
        assert _post(url_b).status_code == 200
    for app in apps:
        app.close()
    assert first.keys == ["direct_message:42:954491830116155396"]
    assert second.keys == []


def test_an_unreachable_store_dispatches_anyway_and_logs(caplog):
    from servers import free_port

    recorder = Recorder()
    store = RedisDedupeStore.from_url(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens
    app = WSGIMiddleware(path=PATH, consumer_secrets=SECRET, plugins=[recorder],
                         load_entry_points=False, dedupe_store=store)  # fmt: skip
    with waitress_server(app) as url:
        assert _post(url).status_code == 200
        assert _post(url).status_code == 200  # at least once: no dedupe without the store
    app.close()
    assert len(recorder.keys) == 2
    assert "dedupe store unavailable" in caplog.text
