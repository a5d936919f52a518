"""WebhookClient and the deliver_* helpers against real receivers: ASGI, WSGI and a URL."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from aaa_middleware import ASGIMiddleware, WSGIMiddleware, hookimpl
from aaa_middleware.events import KINDS
from aaa_middleware.testing import (
    RecordingPlugin,
    WebhookClient,
    build_delivery,
    deliver_asgi,
    deliver_url,
    deliver_wsgi,
)

SECRET = "kit-secret"


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> RecordingPlugin:
    return RecordingPlugin()


@pytest.fixture
def wsgi_url(recorder) -> Iterator[str]:
    app = WSGIMiddleware(consumer_secrets=SECRET, plugins=[recorder], load_entry_points=False)
    server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/webhooks/x"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        app.close()


def test_asgi_every_kind_reaches_the_plugins_once(recorder):
    app = ASGIMiddleware(consumer_secrets=SECRET, plugins=[recorder], load_entry_points=False)
    with WebhookClient(app, SECRET) as x:
        assert x.interface == "asgi"
        for kind in KINDS:
            assert x.deliver(kind).status == 200, kind
        # Identical bodies are a retry: answered 200, never dispatched twice.
        assert x.deliver("follow", unique=False).ok
        assert x.deliver("follow", unique=False).ok
        assert recorder.startups == 1
    assert recorder.kinds == [*KINDS, "follow"]
    assert recorder.shutdowns == 1


def test_asgi_background_policy_is_drained_by_close(recorder):
    class Slow:
        @hookimpl
        async def aaa_event(self, event):
            await asyncio.sleep(0.05)

    app = ASGIMiddleware(
        consumer_secrets=SECRET,
        plugins=[Slow(), recorder],
        delivery="background",
        load_entry_points=False,
    )
    with WebhookClient(app, SECRET) as x:
        for _ in range(5):
            assert x.deliver("mute").status == 200
        assert len(recorder.wait_for(1, timeout=5)) >= 1
    assert len(recorder.of_kind("mute")) == 5


def test_refusals_are_recorded(recorder):
    app = ASGIMiddleware(consumer_secrets=SECRET, plugins=[recorder], load_entry_points=False)
    with WebhookClient(app, SECRET) as x:
        assert x.post(build_delivery("block"), signed=False).status == 401
        assert x.post(build_delivery("block"), signature="sha256=" + "A" * 43 + "=").status == 403
        assert x.post(build_delivery("block"), content_type="text/plain").status == 415
    assert [r.status for r in recorder.rejections] == [401, 403, 415]
    assert recorder.events == []
    with pytest.raises(AssertionError, match="no event"):
        _ = recorder.last


def test_wsgi_app_and_crc(recorder):
    app = WSGIMiddleware(consumer_secrets=SECRET, plugins=[recorder], load_entry_points=False)
    with WebhookClient(app, SECRET) as x:
        assert x.interface == "wsgi"
        assert x.deliver("direct_message").ok
        answer = x.crc()
        assert answer.ok, answer
        assert answer.response.headers["content-type"] == "application/json"
        assert x.crc(signed=False).ok
    # The wrong secret gets a 403 on a signed CRC: the GET's signature does not verify.
    with WebhookClient(app, "another-secret") as wrong:
        assert wrong.crc().response.status == 403
        assert not wrong.crc(signed=False).ok
    app.close()
    assert recorder.kinds == ["direct_message"]


def test_url_target(wsgi_url, recorder):
    with WebhookClient(wsgi_url, SECRET) as x:
        assert x.interface == "url"
        assert x.deliver("favorite").ok
        assert x.crc().ok
    assert deliver_url(wsgi_url, build_delivery("unmute"), SECRET).status == 200
    assert deliver_url(wsgi_url, build_delivery("unmute"), "nope").status == 403
    assert recorder.kinds == ["favorite", "unmute"]


def test_deliver_helpers_in_process(recorder):
    asgi = ASGIMiddleware(consumer_secrets=SECRET, plugins=[recorder], load_entry_points=False)
    wsgi = WSGIMiddleware(consumer_secrets=SECRET, plugins=[recorder], load_entry_points=False)
    response = asyncio.run(deliver_asgi(asgi, build_delivery("tweet_delete"), SECRET))
    assert response.status == 200
    assert deliver_wsgi(wsgi, build_delivery("xaa"), SECRET).status == 200
    assert deliver_wsgi(wsgi, build_delivery("xaa"), SECRET, path="/elsewhere").status == 404
    wsgi.close()
    assert recorder.kinds == ["tweet_delete", "xaa"]


def test_async_methods_run_on_the_callers_loop(recorder):
    app = ASGIMiddleware(consumer_secrets=SECRET, plugins=[recorder], load_entry_points=False)
    client = WebhookClient(app, SECRET)

    async def scenario() -> None:
        assert (await client.adeliver("unblock")).ok
        assert (await client.acrc()).ok
        assert (await client.apost(b"{}", signed=False)).status == 401

    asyncio.run(scenario())
    client.close()
    assert recorder.kinds == ["unblock"]


def test_an_app_that_does_not_do_lifespan_is_still_served():
    calls = []

    async def bare(scope, receive, send):
        if scope["type"] != "http":
            raise RuntimeError("no lifespan here")
        calls.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    with WebhookClient(bare, SECRET, path="/hook") as x:
        assert x.deliver("follow").status == 204
    assert calls == ["/hook"]


def test_not_an_app():
    with pytest.raises(TypeError, match="neither"):
        WebhookClient(42, SECRET)  # type: ignore[arg-type]
