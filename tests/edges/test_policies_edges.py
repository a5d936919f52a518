"""Delivery policies, failure isolation and dedupe, through real requests at both edges."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from servers import uvicorn_server, waitress_server
from webhook_cases import FOLLOW_BODY, OTHER_SECRET, PATH, SECRET, signed

from aaa_middleware import ASGIMiddleware, WSGIMiddleware, hookimpl

pytestmark = pytest.mark.server

TWEET = (
    b'{"for_user_id":"%s","tweet_create_events":[{"created_at":"Fri Aug 16 03:39:40 +0000 2019",'
    b'"id":1162207271281016840,"id_str":"1162207271281016840","text":"hello \\/ world",'
    b'"user":{"id":1162195935398547457,"id_str":"1162195935398547457","screen_name":"someone"},'
    b'"timestamp_ms":"1565926780897"}]}'
)


def headers(body, secret=SECRET):
    return [(k.decode(), v.decode()) for k, v in signed(body, secret)]


class Calls:
    """Sync and async implementations side by side, one of which fails while `failing` is set."""

    def __init__(self, *, failing: bool = False, delay: float = 0.0) -> None:
        self.sync_events: list[str] = []
        self.async_events: list[str] = []
        self.errors: list[tuple[str, str]] = []
        self.lifecycle: list[str] = []
        self.failing = failing
        self.delay = delay

    @hookimpl
    def aaa_event(self, event):
        self.sync_events.append(event.dedupe_key)

    @hookimpl
    async def aaa_tweet_create(self, event):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.async_events.append(event.dedupe_key)

    @hookimpl
    def aaa_error(self, plugin_name, exception):
        self.errors.append((plugin_name, str(exception)))

    @hookimpl
    def aaa_startup(self):
        self.lifecycle.append("startup")

    @hookimpl
    def aaa_shutdown(self):
        self.lifecycle.append(f"shutdown:{len(self.async_events)}")


class Flaky:
    def __init__(self) -> None:
        self.fail = True
        self.calls = 0

    @hookimpl
    def aaa_tweet_create(self, event):
        self.calls += 1
        if self.fail:
            raise RuntimeError("database unavailable")


def _options(*plugins, **extra):
    return dict(
        path=PATH, consumer_secrets=SECRET, plugins=list(plugins), load_entry_points=False, **extra
    )


@pytest.fixture(params=["asgi", "wsgi"])
def serve(request):
    """Start the middleware (with the given plugins and options) under a real server."""

    def start(*plugins, lifespan="on", **extra):
        if request.param == "asgi":
            return uvicorn_server(ASGIMiddleware(**_options(*plugins, **extra)), lifespan=lifespan)
        middleware = WSGIMiddleware(**_options(*plugins, **extra))

        class _Served:
            def __enter__(self):
                self._server = waitress_server(middleware)
                return self._server.__enter__()

            def __exit__(self, *exc):
                self._server.__exit__(*exc)
                middleware.close()

        return _Served()

    return start


def test_sync_and_async_implementations_both_run(serve):
    calls = Calls()
    with serve(calls) as url:
        response = httpx.post(url + PATH, content=TWEET % b"1", headers=headers(TWEET % b"1"))
    assert response.status_code == 200
    assert calls.sync_events == calls.async_events == ["tweet_create:1:1162207271281016840"]
    assert calls.lifecycle == ["startup", "shutdown:1"]


def test_a_failing_implementation_does_not_stop_the_others_and_the_retry_reruns(serve):
    calls, flaky = Calls(), Flaky()
    body = TWEET % b"1"
    with serve(calls, flaky) as url:
        first = httpx.post(url + PATH, content=body, headers=headers(body))
        flaky.fail = False
        retry = httpx.post(url + PATH, content=body, headers=headers(body))
        again = httpx.post(url + PATH, content=body, headers=headers(body))
    assert first.status_code == 500
    assert first.json() == {"error": "handler_failed"}
    assert retry.status_code == 200
    assert again.status_code == 200
    assert len(calls.sync_events) == 2  # the failed event ran again on retry, then was kept
    assert flaky.calls == 2
    assert len(calls.errors) == 1
    assert calls.errors[0][1] == "database unavailable"


def test_duplicates_dispatch_once_but_each_subscribed_user_gets_its_copy(serve):
    calls = Calls()
    with serve(calls) as url:
        for user in (b"1", b"1", b"2"):
            body = TWEET % user
            assert httpx.post(url + PATH, content=body, headers=headers(body)).status_code == 200
    assert calls.sync_events == [
        "tweet_create:1:1162207271281016840",
        "tweet_create:2:1162207271281016840",
    ]


def test_background_policy_answers_first_and_drains_on_shutdown(serve):
    calls = Calls(delay=0.5)
    body = TWEET % b"7"
    with serve(calls, delivery="background", drain_timeout=5) as url:
        started = time.monotonic()
        response = httpx.post(url + PATH, content=body, headers=headers(body))
        answered_in = time.monotonic() - started
        assert response.status_code == 200
        assert calls.async_events == []  # still sleeping: the answer did not wait for it
    assert answered_in < 0.5
    assert calls.async_events == ["tweet_create:7:1162207271281016840"]
    assert calls.lifecycle == ["startup", "shutdown:1"]  # drained before shutdown ran


def test_background_drain_is_bounded():
    calls = Calls(delay=30)
    middleware = ASGIMiddleware(**_options(calls, delivery="background", drain_timeout=0.2))
    body = TWEET % b"9"
    started = time.monotonic()
    with uvicorn_server(middleware) as url:
        assert httpx.post(url + PATH, content=body, headers=headers(body)).status_code == 200
    assert time.monotonic() - started < 10
    assert calls.async_events == []
    assert calls.lifecycle == ["startup", "shutdown:0"]


def test_two_receivers_at_two_paths_with_their_own_secrets():
    staging, production = Calls(), Calls()
    app = ASGIMiddleware(
        ASGIMiddleware(path="/x/production", consumer_secrets=SECRET, plugins=[production],
                       load_entry_points=False),
        path="/x/staging", consumer_secrets=OTHER_SECRET, plugins=[staging],
        load_entry_points=False,
    )  # fmt: skip
    with uvicorn_server(app) as url:
        ok_staging = httpx.post(url + "/x/staging", content=FOLLOW_BODY,
                                headers=headers(FOLLOW_BODY, OTHER_SECRET))  # fmt: skip
        wrong = httpx.post(url + "/x/production", content=FOLLOW_BODY,
                           headers=headers(FOLLOW_BODY, OTHER_SECRET))  # fmt: skip
        ok_production = httpx.post(url + "/x/production", content=FOLLOW_BODY,
                                   headers=headers(FOLLOW_BODY))  # fmt: skip
    assert (ok_staging.status_code, wrong.status_code, ok_production.status_code) == (200, 403, 200)
    assert len(staging.sync_events) == 1
    assert len(production.sync_events) == 1


def test_wsgi_concurrent_first_requests_start_plugins_once():
    calls = Calls()
    middleware = WSGIMiddleware(**_options(calls))
    bodies = [TWEET % str(n).encode() for n in range(8)]
    with waitress_server(middleware) as url:
        threads = [
            threading.Thread(target=httpx.post, args=(url + PATH,),
                             kwargs={"content": body, "headers": headers(body)})
            for body in bodies
        ]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    middleware.close()
    assert calls.lifecycle == ["startup", "shutdown:8"]
    assert len(calls.async_events) == 8


class BrokenStart:
    """A plugin whose start-up fails until `fixed` is set, counting its events."""

    def __init__(self) -> None:
        self.fixed = False
        self.events = 0

    @hookimpl
    def aaa_startup(self):
        if not self.fixed:
            raise OSError("database directory is missing")

    @hookimpl
    def aaa_event(self):
        self.events += 1


def test_a_plugin_that_cannot_start_stops_a_standalone_server_from_starting():
    import asyncio as _asyncio

    from asgiref.testing import ApplicationCommunicator

    app = ASGIMiddleware(**_options(BrokenStart()))

    async def run():
        communicator = ApplicationCommunicator(app, {"type": "lifespan"})
        await communicator.send_input({"type": "lifespan.startup"})
        return await communicator.receive_output(timeout=2)

    message = _asyncio.run(run())
    assert message["type"] == "lifespan.startup.failed"
    assert "database directory is missing" in message["message"]


def test_without_lifespan_deliveries_get_500_until_plugins_start(serve):
    plugin = BrokenStart()
    body = TWEET % b"3"
    with serve(plugin, lifespan="off") as url:
        failed = httpx.post(url + PATH, content=body, headers=headers(body))
        plugin.fixed = True
        retried = httpx.post(url + PATH, content=body, headers=headers(body))
    assert failed.status_code == 500  # nothing acknowledged while the plugin was down
    assert retried.status_code == 200
    assert plugin.events == 1
