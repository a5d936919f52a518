"""The ASGI edge through real ASGI drivers: httpx's ASGITransport and asgiref's communicator."""

from __future__ import annotations

import httpx
import msgspec
import pytest
from asgiref.testing import ApplicationCommunicator
from webhook_cases import CASES, FOLLOW_BODY, MAX_BODY, PATH, SECRET, case_ids, signed

from aaa_middleware.asgi import ASGIMiddleware
from aaa_middleware.testing import RecordingPlugin

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


class InnerApp:
    """An ASGI app that records what reaches it and answers every kind of scope."""

    def __init__(self) -> None:
        self.scopes: list[dict] = []
        self.lifespan: list[str] = []

    async def __call__(self, scope, receive, send):
        self.scopes.append(dict(scope))
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                self.lifespan.append(message["type"])
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        elif scope["type"] == "websocket":
            await receive()
            await send({"type": "websocket.accept"})
        else:
            body = b""
            more = True
            while more:
                message = await receive()
                body += message.get("body", b"")
                more = message.get("more_body", False)
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"inner:" + body})


def make(app=None, **options):
    recorder = RecordingPlugin()
    options.setdefault("max_body_size", MAX_BODY)
    middleware = ASGIMiddleware(
        app,
        path=PATH,
        consumer_secrets=SECRET,
        plugins=[recorder],
        load_entry_points=False,
        **options,
    )
    return middleware, recorder


def client(app):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.mark.parametrize("case", CASES, ids=case_ids())
async def test_error_vocabulary(case):
    inner = InnerApp()
    middleware, recorder = make(inner)
    async with client(middleware) as http:
        response = await http.request(
            case.method,
            PATH + ("?" + case.query.decode() if case.query else ""),
            headers=[(k.decode(), v.decode()) for k, v in case.headers],
            content=case.body,
        )
    assert response.status_code == case.status
    if case.reason:
        assert response.json()["error"] == case.reason
    for name, value in case.extra.items():
        assert response.headers[name] == value
    assert inner.scopes == []  # the webhook path never reaches the inner app
    if case.method == "POST" and case.status == 200:
        assert recorder.events
    else:
        assert recorder.events == []


async def test_delivery_reaches_the_plugin_as_a_typed_event():
    middleware, recorder = make(InnerApp())
    async with client(middleware) as http:
        response = await http.post(
            PATH, content=FOLLOW_BODY, headers=dict(_str(signed(FOLLOW_BODY)))
        )
    assert response.status_code == 200
    [event] = recorder.events
    assert event.kind == "follow"
    assert event.for_user_id == "2244994945"


async def test_other_paths_and_methods_pass_through_untouched():
    inner = InnerApp()
    middleware, recorder = make(inner)
    async with client(middleware) as http:
        other = await http.post(PATH + "/other", content=b"hello")
        root = await http.get("/", params={"crc_token": "abc"})
    assert other.status_code == 200
    assert other.content == b"inner:hello"
    assert root.status_code == 200
    assert root.content == b"inner:"
    assert [scope["path"] for scope in inner.scopes] == [PATH + "/other", "/"]
    assert recorder.events == []


async def test_websocket_passes_through():
    inner = InnerApp()
    middleware, _ = make(inner)
    scope = {
        "type": "websocket",
        "path": PATH,
        "query_string": b"",
        "headers": [],
        "subprotocols": [],
    }
    communicator = ApplicationCommunicator(middleware, scope)
    await communicator.send_input({"type": "websocket.connect"})
    assert await communicator.receive_output(timeout=1) == {"type": "websocket.accept"}
    await communicator.wait(timeout=1)
    assert inner.scopes[0]["type"] == "websocket"


async def test_lifespan_passes_through_and_runs_plugin_lifecycle():
    inner = InnerApp()
    middleware, recorder = make(inner)
    communicator = ApplicationCommunicator(
        middleware, {"type": "lifespan", "asgi": {"version": "3.0"}}
    )
    await communicator.send_input({"type": "lifespan.startup"})
    assert await communicator.receive_output(timeout=1) == {"type": "lifespan.startup.complete"}
    assert (recorder.startups, recorder.shutdowns) == (1, 0)
    await communicator.send_input({"type": "lifespan.shutdown"})
    assert await communicator.receive_output(timeout=1) == {"type": "lifespan.shutdown.complete"}
    await communicator.wait(timeout=1)
    assert inner.lifespan == ["lifespan.startup", "lifespan.shutdown"]
    assert (recorder.startups, recorder.shutdowns) == (1, 1)


async def test_standalone_app_answers_404_elsewhere_and_its_own_lifespan():
    middleware, recorder = make(None)
    async with client(middleware) as http:
        assert (await http.get("/elsewhere")).status_code == 404
        assert (await http.get(PATH, params={"crc_token": "abc"})).status_code == 200
    communicator = ApplicationCommunicator(middleware, {"type": "lifespan"})
    await communicator.send_input({"type": "lifespan.startup"})
    assert await communicator.receive_output(timeout=1) == {"type": "lifespan.startup.complete"}
    await communicator.send_input({"type": "lifespan.shutdown"})
    assert await communicator.receive_output(timeout=1) == {"type": "lifespan.shutdown.complete"}


async def _run(middleware, messages, headers):
    scope = {
        "type": "http",
        "method": "POST",
        "path": PATH,
        "query_string": b"",
        "headers": list(headers),
        "client": ("127.0.0.1", 5000),
    }
    communicator = ApplicationCommunicator(middleware, scope)
    for message in messages:
        await communicator.send_input(message)
    return communicator


async def test_body_streamed_in_chunks_verifies():
    middleware, recorder = make(None)
    chunks = [FOLLOW_BODY[i : i + 10] for i in range(0, len(FOLLOW_BODY), 10)]
    messages = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]
    messages.append({"type": "http.request", "body": b"", "more_body": False})
    communicator = await _run(middleware, messages, signed(FOLLOW_BODY))
    start = await communicator.receive_output(timeout=1)
    assert start["status"] == 200
    assert [event.kind for event in recorder.events] == ["follow"]


async def test_oversized_stream_is_refused_without_content_length():
    middleware, recorder = make(None)
    messages = [{"type": "http.request", "body": b"x" * 1024, "more_body": True} for _ in range(5)]
    communicator = await _run(middleware, messages, signed(b"{}"))
    start = await communicator.receive_output(timeout=1)
    body = await communicator.receive_output(timeout=1)
    assert start["status"] == 413
    assert msgspec.json.decode(body["body"])["error"] == "body_too_large"
    assert recorder.events == []


async def test_client_disconnect_mid_body_sends_nothing():
    middleware, recorder = make(None)
    messages = [
        {"type": "http.request", "body": FOLLOW_BODY[:20], "more_body": True},
        {"type": "http.disconnect"},
    ]
    communicator = await _run(middleware, messages, signed(FOLLOW_BODY))
    await communicator.wait(timeout=1)
    assert await communicator.receive_nothing()
    assert recorder.events == []


def _str(headers):
    return [(k.decode(), v.decode()) for k, v in headers]


async def _no_lifespan_raises(scope, receive, send):
    if scope["type"] == "lifespan":
        raise ValueError("Django can only handle ASGI/HTTP connections, not lifespan.")


async def _no_lifespan_returns(scope, receive, send):
    return None


@pytest.mark.parametrize("inner", [_no_lifespan_raises, _no_lifespan_returns])
async def test_lifespan_is_answered_for_an_inner_app_without_one(inner):
    middleware, recorder = make(inner)
    communicator = ApplicationCommunicator(middleware, {"type": "lifespan"})
    await communicator.send_input({"type": "lifespan.startup"})
    assert await communicator.receive_output(timeout=1) == {"type": "lifespan.startup.complete"}
    assert (recorder.startups, recorder.shutdowns) == (1, 0)
    await communicator.send_input({"type": "lifespan.shutdown"})
    assert await communicator.receive_output(timeout=1) == {"type": "lifespan.shutdown.complete"}
    await communicator.wait(timeout=1)
    assert (recorder.startups, recorder.shutdowns) == (1, 1)


async def test_a_failing_inner_lifespan_still_fails_after_answering():
    async def inner(scope, receive, send):
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "no database"})
        raise RuntimeError("no database")

    middleware, _ = make(inner)
    communicator = ApplicationCommunicator(middleware, {"type": "lifespan"})
    await communicator.send_input({"type": "lifespan.startup"})
    assert (await communicator.receive_output(timeout=1))["type"] == "lifespan.startup.failed"
    with pytest.raises(RuntimeError, match="no database"):
        await communicator.wait(timeout=1)
