from __future__ import annotations

import asyncio
import logging
import threading

import pytest
from plugin_fakes import delivery, event, make_settings

from aaa_middleware.dispatch import Dispatcher
from aaa_middleware.hookspecs import hookimpl


class Slow:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.done: list[str] = []

    @hookimpl
    async def aaa_follow(self, event):
        await asyncio.sleep(self.delay)
        self.done.append(event.dedupe_key)


@pytest.mark.anyio
async def test_spawn_then_adrain_waits_for_a_slow_hook():
    slow = Slow(0.05)
    dispatcher = Dispatcher(make_settings(delivery="background"), plugins=[slow])
    dispatcher.spawn(delivery(event("follow", "k1")))
    assert dispatcher.in_flight == 1
    assert slow.done == []
    assert await dispatcher.adrain() == 0
    assert slow.done == ["k1"]
    assert dispatcher.in_flight == 0


@pytest.mark.anyio
async def test_adrain_timeout_abandons_and_logs(caplog):
    slow = Slow(30)
    dispatcher = Dispatcher(make_settings(), plugins=[slow])
    dispatcher.spawn(delivery(event("follow", "stuck")))
    await asyncio.sleep(0)
    assert await dispatcher.adrain(timeout=0.05) == 1
    assert slow.done == []
    assert "abandoning background task" in caplog.text
    # The cancelled event was released: a retry of it would run.
    assert "stuck" not in dispatcher.dedupe_store


@pytest.mark.anyio
async def test_background_failure_is_logged(caplog):
    class Broken:
        @hookimpl
        async def aaa_follow(self):
            raise RuntimeError("late boom")

    dispatcher = Dispatcher(make_settings(), plugins=[Broken()])
    dispatcher.spawn(delivery(event("follow")))
    with caplog.at_level(logging.ERROR, logger="aaa_middleware.dispatch"):
        await dispatcher.adrain()
    assert "background dispatch: 1 of 1 event(s) failed" in caplog.text


def test_submit_then_drain_runs_on_the_pool():
    seen: list[str] = []
    release = threading.Event()

    class Blocking:
        @hookimpl
        def aaa_follow(self, event):
            release.wait(5)
            seen.append(threading.current_thread().name)

    dispatcher = Dispatcher(make_settings(), plugins=[Blocking()])
    dispatcher.submit(delivery(event("follow", "k1")))
    assert dispatcher.in_flight == 1
    release.set()
    assert dispatcher.drain() == 0
    assert len(seen) == 1
    assert seen[0].startswith("aaa-dispatch")
    assert dispatcher.in_flight == 0


def test_submit_runs_async_hooks_on_a_worker_loop():
    slow = Slow(0.01)
    dispatcher = Dispatcher(make_settings(), plugins=[slow])
    for i in range(3):
        dispatcher.submit(delivery(event("follow", f"k{i}")))
    assert dispatcher.drain() == 0
    assert sorted(slow.done) == ["k0", "k1", "k2"]


def test_drain_timeout_abandons(caplog):
    release = threading.Event()

    class Blocking:
        @hookimpl
        def aaa_follow(self):
            release.wait(5)

    dispatcher = Dispatcher(make_settings(), plugins=[Blocking()])
    dispatcher.submit(delivery(event("follow", "k1")))
    try:
        assert dispatcher.drain(timeout=0.05) == 1
        assert "abandoning 1 background dispatch(es)" in caplog.text
    finally:
        release.set()


def test_drain_without_work_is_a_no_op():
    dispatcher = Dispatcher(make_settings())
    assert dispatcher.drain(0) == 0
