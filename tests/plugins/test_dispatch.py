from __future__ import annotations

import asyncio
import logging

import pytest
from plugin_fakes import delivery, event, make_settings

from aaa_middleware.dispatch import Dispatcher, DispatchResult
from aaa_middleware.errors import InvalidSignature
from aaa_middleware.hookspecs import hookimpl


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    @hookimpl
    def aaa_event(self, event):
        self.calls.append(("event", event.dedupe_key))

    @hookimpl
    def aaa_follow(self, event, delivery):
        self.calls.append(("follow", delivery.secret_label))


class AsyncRecorder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    @hookimpl
    async def aaa_follow(self, event):
        await asyncio.sleep(0)
        self.calls.append(event.dedupe_key)


class Broken:
    @hookimpl
    def aaa_follow(self, event):
        raise RuntimeError("boom")


class ErrorSink:
    def __init__(self) -> None:
        self.errors: list[tuple[object, str, BaseException]] = []

    @hookimpl
    def aaa_error(self, event, plugin_name, exception):
        self.errors.append((event, plugin_name, exception))


def test_sync_implementations_get_event_and_delivery():
    rec = Recorder()
    dispatcher = Dispatcher(make_settings(), plugins=[rec])
    result = dispatcher.dispatch_sync(delivery(event("follow", "k1"), label="primary"))
    assert result == DispatchResult(dispatched=1)
    assert result.ok
    assert rec.calls == [("event", "k1"), ("follow", "primary")]


@pytest.mark.anyio
async def test_async_implementations_are_awaited():
    rec, arec = Recorder(), AsyncRecorder()
    dispatcher = Dispatcher(make_settings(), plugins=[rec, arec])
    result = await dispatcher.dispatch(delivery(event("follow", "k1"), event("follow", "k2")))
    assert result.dispatched == 2
    assert arec.calls == ["k1", "k2"]
    assert [c for c in rec.calls if c[0] == "event"] == [("event", "k1"), ("event", "k2")]


def test_dispatch_sync_runs_async_implementations():
    arec = AsyncRecorder()
    dispatcher = Dispatcher(make_settings(), plugins=[arec])
    assert dispatcher.dispatch_sync(delivery(event("follow", "k1"))).ok
    assert dispatcher.dispatch_sync(delivery(event("follow", "k2"))).ok
    assert arec.calls == ["k1", "k2"]


@pytest.mark.anyio
async def test_dispatch_sync_refuses_a_running_loop():
    dispatcher = Dispatcher(make_settings(), plugins=[AsyncRecorder()])
    with pytest.raises(RuntimeError, match="await"):
        dispatcher.dispatch_sync(delivery(event("follow")))


@pytest.mark.parametrize("use_async", [False, True])
def test_failing_implementation_does_not_stop_a_healthy_one(use_async, caplog):
    rec, sink = Recorder(), ErrorSink()
    dispatcher = Dispatcher(make_settings(), plugins=[rec, Broken(), sink])
    ev = event("follow", "k1")
    with caplog.at_level(logging.ERROR, logger="aaa_middleware.dispatch"):
        if use_async:
            result = asyncio.run(dispatcher.dispatch(delivery(ev)))
        else:
            result = dispatcher.dispatch_sync(delivery(ev))
    assert not result.ok
    assert result == DispatchResult(dispatched=1, failed=1)
    assert ("follow", "default") in rec.calls
    [(failed_event, plugin_name, exc)] = sink.errors
    assert failed_event is ev
    assert plugin_name == "Broken"
    assert isinstance(exc, RuntimeError)
    assert "aaa_follow of plugin 'Broken' failed on k1" in caplog.text


@pytest.mark.anyio
async def test_failing_coroutine_does_not_stop_the_others():
    arec, sink = AsyncRecorder(), ErrorSink()

    class AsyncBroken:
        @hookimpl
        async def aaa_follow(self):
            raise ValueError("async boom")

    dispatcher = Dispatcher(make_settings(), plugins=[arec, AsyncBroken(), sink])
    result = await dispatcher.dispatch(delivery(event("follow", "k1")))
    assert result.failed == 1
    assert arec.calls == ["k1"]
    assert isinstance(sink.errors[0][2], ValueError)


def test_error_hook_failure_is_only_logged(caplog):
    class BadSink:
        @hookimpl
        def aaa_error(self):
            raise RuntimeError("sink down")

    dispatcher = Dispatcher(make_settings(), plugins=[Broken(), BadSink()])
    result = dispatcher.dispatch_sync(delivery(event("follow")))
    assert result.failed == 1
    assert "aaa_error of plugin 'BadSink' failed" in caplog.text


def test_same_delivery_twice_dispatches_once():
    rec = Recorder()
    dispatcher = Dispatcher(make_settings(), plugins=[rec])
    d = delivery(event("follow", "k1"))
    assert dispatcher.dispatch_sync(d) == DispatchResult(dispatched=1)
    assert dispatcher.dispatch_sync(d) == DispatchResult(duplicates=1)
    assert rec.calls == [("event", "k1"), ("follow", "default")]


def test_retry_after_failure_dispatches_again():
    attempts: list[str] = []

    class Flaky:
        @hookimpl
        def aaa_follow(self, event):
            attempts.append(event.dedupe_key)
            if len(attempts) == 1:
                raise ConnectionError("database away")

    dispatcher = Dispatcher(make_settings(), plugins=[Flaky()])
    d = delivery(event("tweet_create", "t1"), event("follow", "f1"))
    assert dispatcher.dispatch_sync(d) == DispatchResult(dispatched=2, failed=1)
    # X retries the whole delivery: only the failed event runs again.
    assert dispatcher.dispatch_sync(d) == DispatchResult(dispatched=1, duplicates=1)
    assert attempts == ["f1", "f1"]
    assert dispatcher.dispatch_sync(d) == DispatchResult(duplicates=2)


def test_same_tweet_for_two_users_dispatches_twice():
    rec = Recorder()
    dispatcher = Dispatcher(make_settings(), plugins=[rec])
    # The decoder scopes dedupe keys by for_user_id.
    for user in ("100", "101"):
        d = delivery(event("tweet_create", f"tweet_create:{user}:555", for_user_id=user))
        assert dispatcher.dispatch_sync(d).dispatched == 1
    assert [c for c in rec.calls if c[0] == "event"] == [
        ("event", "tweet_create:100:555"),
        ("event", "tweet_create:101:555"),
    ]


def test_dedupe_off_dispatches_every_copy():
    rec = Recorder()
    dispatcher = Dispatcher(make_settings(dedupe=False), plugins=[rec])
    d = delivery(event("follow", "k1"))
    dispatcher.dispatch_sync(d)
    dispatcher.dispatch_sync(d)
    assert dispatcher.dedupe_store is None
    assert len(rec.calls) == 4


def test_ignore_self_skips_events_the_account_caused():
    rec = Recorder()
    dispatcher = Dispatcher(make_settings(ignore_self=True), plugins=[rec])
    own = event("follow", "own", for_user_id="100", actor_id="100")
    other = event("follow", "other", for_user_id="100", actor_id="7")
    unknown_actor = event("user_revoke", "revoke", for_user_id=None, actor_id=None)
    result = dispatcher.dispatch_sync(delivery(own, other, unknown_actor))
    assert result == DispatchResult(dispatched=2, ignored_self=1)
    assert ("event", "own") not in rec.calls


def test_ignore_self_is_off_by_default():
    dispatcher = Dispatcher(make_settings(), plugins=[Recorder()])
    own = event("follow", "own", for_user_id="100", actor_id="100")
    assert dispatcher.dispatch_sync(delivery(own)).dispatched == 1


def test_rejected_never_raises():
    seen: list[tuple[str, int, str | None]] = []

    class Watcher:
        @hookimpl
        def aaa_rejected(self, reason, status, remote_addr):
            seen.append((reason, status, remote_addr))

    class Bad:
        @hookimpl
        def aaa_rejected(self):
            raise RuntimeError("nope")

    dispatcher = Dispatcher(make_settings(), plugins=[Watcher(), Bad()])
    dispatcher.rejected(InvalidSignature(), "10.0.0.1")
    assert seen == [("invalid_signature", 403, "10.0.0.1")]


def test_lifecycle_hooks_run_once_and_lazily():
    calls: list[str] = []

    class Life:
        @hookimpl
        def aaa_startup(self, settings):
            calls.append("start")

        @hookimpl
        async def aaa_shutdown(self, settings):
            calls.append("stop")

    dispatcher = Dispatcher(make_settings(), plugins=[Life()])
    dispatcher.dispatch_sync(delivery(event("follow")))
    dispatcher.startup()
    dispatcher.shutdown()
    assert calls == ["start", "stop"]
