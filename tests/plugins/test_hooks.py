"""One test per hook, named ``test_hook_<hook>``, driven by real recorded deliveries."""

from __future__ import annotations

import asyncio
import time
import types
from pathlib import Path

import pytest
from plugin_fakes import make_settings

from aaa_middleware.dispatch import Dispatcher
from aaa_middleware.errors import BodyTooLarge
from aaa_middleware.events import decode_activity
from aaa_middleware.hookspecs import hookimpl
from aaa_middleware.sansio import Delivery

FIXTURES = Path(__file__).parent.parent / "fixtures"


def recorded(name: str) -> Delivery:
    activity = decode_activity((FIXTURES / name).read_bytes())
    return Delivery(activity, secret_label="primary", received_at=time.time(), remote_addr=None)


def assert_kind_hook(kind: str, fixture: str, style: str = "sync") -> None:
    """Dispatch a recorded delivery; the kind's hook sees exactly that kind's events."""
    seen: list[tuple[str, str]] = []

    def sync_impl(event, delivery):
        seen.append((event.kind, delivery.secret_label))

    async def async_impl(event, delivery):
        await asyncio.sleep(0)
        seen.append((event.kind, delivery.secret_label))

    def event_only(event):
        seen.append((event.kind, "primary"))

    impl = {"sync": sync_impl, "async": async_impl, "event_only": event_only}[style]
    plugin = types.ModuleType(f"record_{kind}")
    setattr(plugin, f"aaa_{kind}", hookimpl(impl))
    delivery = recorded(fixture)
    expected = [(e.kind, "primary") for e in delivery.activity.events if e.kind == kind]
    assert expected, f"{fixture} has no {kind} event"
    dispatcher = Dispatcher(make_settings(), plugins=[plugin])
    if style == "async":
        result = asyncio.run(dispatcher.dispatch(delivery))
    else:
        result = dispatcher.dispatch_sync(delivery)
    assert result.ok
    assert result.dispatched == len(delivery.activity.events)
    assert seen == expected


def test_hook_aaa_tweet_create():
    assert_kind_hook("tweet_create", "tweet_create_quote_retweet.json")


def test_hook_aaa_tweet_delete():
    assert_kind_hook("tweet_delete", "tweet_delete.json", "async")


def test_hook_aaa_favorite():
    assert_kind_hook("favorite", "favorite.json", "event_only")


def test_hook_aaa_follow():
    assert_kind_hook("follow", "follow.json")


def test_hook_aaa_unfollow():
    assert_kind_hook("unfollow", "follow.json", "async")


def test_hook_aaa_block():
    assert_kind_hook("block", "block_mute_shared_keys.json")


def test_hook_aaa_unblock():
    assert_kind_hook("unblock", "unevents_own_keys.json", "event_only")


def test_hook_aaa_mute():
    assert_kind_hook("mute", "block_mute_shared_keys.json", "async")


def test_hook_aaa_unmute():
    assert_kind_hook("unmute", "block_mute_shared_keys.json")


def test_hook_aaa_user_revoke():
    assert_kind_hook("user_revoke", "user_revoke.json", "event_only")


def test_hook_aaa_direct_message():
    assert_kind_hook("direct_message", "direct_message.json", "async")


def test_hook_aaa_direct_message_typing():
    assert_kind_hook("direct_message_typing", "direct_message_typing.json")


def test_hook_aaa_direct_message_read():
    assert_kind_hook("direct_message_read", "direct_message_read.json", "event_only")


def test_hook_aaa_replay_job_status():
    assert_kind_hook("replay_job_status", "replay_complete.json")


def test_hook_aaa_xaa():
    assert_kind_hook("xaa", "xaa_follow.json", "async")


def test_hook_aaa_unknown():
    assert_kind_hook("unknown", "unknown_keys.json")


def test_hook_aaa_event():
    order: list[str] = []

    class Both:
        @hookimpl
        def aaa_event(self, event):
            order.append(f"event:{event.kind}")

        @hookimpl
        def aaa_follow(self):
            order.append("follow")

        @hookimpl
        async def aaa_unfollow(self):
            order.append("unfollow")

    result = Dispatcher(make_settings(), plugins=[Both()]).dispatch_sync(recorded("follow.json"))
    assert result.dispatched == 2
    assert order == ["event:follow", "follow", "event:unfollow", "unfollow"]


def test_hook_aaa_error():
    reports: list[tuple[str, str, str, str]] = []

    class Failing:
        @hookimpl
        async def aaa_direct_message(self, event):
            raise TimeoutError("slow API")

    class Tracker:
        @hookimpl
        async def aaa_error(self, event, plugin_name, exception, delivery):
            reports.append(
                (event.kind, plugin_name, type(exception).__name__, delivery.secret_label)
            )

    dispatcher = Dispatcher(make_settings(), plugins=[Failing(), Tracker()])
    result = asyncio.run(dispatcher.dispatch(recorded("direct_message.json")))
    assert result.failed == 2
    assert reports == [("direct_message", "Failing", "TimeoutError", "primary")] * 2


@pytest.mark.parametrize("use_async", [False, True])
def test_hook_aaa_rejected(use_async):
    seen: list[tuple[str, int, str | None]] = []

    class Watcher:
        @hookimpl
        def aaa_rejected(self, reason, status, remote_addr):
            seen.append((reason, status, remote_addr))

    class AsyncWatcher:
        @hookimpl
        async def aaa_rejected(self, status):
            seen.append(("async", status, None))

    dispatcher = Dispatcher(make_settings(), plugins=[Watcher(), AsyncWatcher()])
    if use_async:

        async def refuse() -> None:
            dispatcher.rejected(BodyTooLarge(), "192.0.2.7")
            await dispatcher.adrain()

        asyncio.run(refuse())
    else:
        dispatcher.rejected(BodyTooLarge(), "192.0.2.7")
    assert sorted(seen, key=str) == [("async", 413, None), ("body_too_large", 413, "192.0.2.7")]


def test_hook_aaa_startup():
    started: list[object] = []

    class Life:
        @hookimpl
        async def aaa_startup(self, settings):
            await asyncio.sleep(0.01)
            started.append(settings)

    settings = make_settings()
    dispatcher = Dispatcher(settings, plugins=[Life()])

    async def lifespan() -> None:
        # Two deliveries racing a server without lifespan: startup still runs once, first.
        await asyncio.gather(*(dispatcher.dispatch(recorded("follow.json")) for _ in range(2)))
        await dispatcher.astartup()

    asyncio.run(lifespan())
    assert started == [settings]


def test_hook_aaa_shutdown():
    calls: list[str] = []

    class Life:
        @hookimpl
        def aaa_startup(self):
            calls.append("start")

        @hookimpl
        def aaa_shutdown(self, settings):
            calls.append("stop")

    dispatcher = Dispatcher(make_settings(), plugins=[Life()])
    dispatcher.startup()
    dispatcher.shutdown()
    asyncio.run(dispatcher.astartup())
    asyncio.run(dispatcher.ashutdown())
    assert calls == ["start", "stop", "start", "stop"]
