"""The structured-logging and SQLite plugins, through a real Dispatcher and recorded deliveries."""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import aaa_middleware_logging
import aaa_middleware_sqlite
import pytest
from aaa_middleware_sqlite import EventStore
from plugin_fakes import make_settings

from aaa_middleware.dispatch import Dispatcher
from aaa_middleware.errors import InvalidSignature
from aaa_middleware.events import decode_activity
from aaa_middleware.hookspecs import hookimpl
from aaa_middleware.plugin_host import PluginError
from aaa_middleware.sansio import Delivery

FIXTURES = Path(__file__).parent.parent / "fixtures"


def recorded(name: str, received_at: float | None = None) -> Delivery:
    activity = decode_activity((FIXTURES / name).read_bytes())
    at = time.time() if received_at is None else received_at
    return Delivery(activity, secret_label="primary", received_at=at, remote_addr="127.0.0.1")


@pytest.fixture
def sqlite_dispatcher(tmp_path):
    path = tmp_path / "events.db"
    settings = make_settings(plugin_config={"sqlite": {"path": str(path)}}, dedupe=False)
    dispatcher = Dispatcher(settings, plugins=[aaa_middleware_sqlite])
    dispatcher.startup()
    yield dispatcher, path
    dispatcher.shutdown()


def stored(path: Path) -> list[aaa_middleware_sqlite.StoredEvent]:
    with EventStore(path, create=False) as store:
        return store.query()


def json_lines(caplog, level: int) -> list[dict[str, object]]:
    return [
        json.loads(r.getMessage())
        for r in caplog.records
        if r.name == "aaa_middleware.events" and r.levelno == level
    ]


def test_logging_plugin_writes_one_json_line_per_event(caplog):
    dispatcher = Dispatcher(make_settings(), plugins=[aaa_middleware_logging])
    delivery = recorded("direct_message.json")
    with caplog.at_level(logging.INFO, logger="aaa_middleware.events"):
        assert dispatcher.dispatch_sync(delivery).ok
    lines = json_lines(caplog, logging.INFO)
    assert lines == [
        {
            "type": "event",
            "kind": "direct_message",
            "for_user_id": e.for_user_id,
            "dedupe_key": e.dedupe_key,
            "secret_label": "primary",
        }
        for e in delivery.activity.events
    ]
    assert "Hello" not in caplog.text  # the message text stays out of the log


def test_logging_plugin_logs_refusals_and_failures(caplog):
    class Broken:
        @hookimpl
        def aaa_follow(self):
            raise KeyError("secret-ish detail")

    dispatcher = Dispatcher(make_settings(), plugins=[aaa_middleware_logging, Broken()])
    dispatcher.rejected(InvalidSignature(), "198.51.100.4")
    dispatcher.dispatch_sync(recorded("follow.json"))
    assert json_lines(caplog, logging.WARNING) == [
        {"type": "rejected", "reason": "invalid_signature", "status": 403,
         "remote_addr": "198.51.100.4"}
    ]  # fmt: skip
    [error] = json_lines(caplog, logging.ERROR)
    assert error["type"] == "error"
    assert error["kind"] == "follow"
    assert error["plugin"] == "Broken"
    assert error["error"] == "KeyError"


def test_sqlite_plugin_stores_every_event(sqlite_dispatcher):
    dispatcher, path = sqlite_dispatcher
    dm, follow = recorded("direct_message.json"), recorded("follow.json")
    dispatcher.dispatch_sync(dm)
    dispatcher.dispatch_sync(follow)
    events = stored(path)
    assert [e.kind for e in events] == ["direct_message", "direct_message", "follow", "unfollow"]
    first = events[0]
    assert first.dedupe_key == dm.activity.events[0].dedupe_key
    assert first.raw.encode() == bytes(dm.activity.events[0].raw)
    assert first.secret_label == "primary"
    as_json = json.loads(json.dumps(first.as_dict()))
    assert as_json["received_at"] == datetime.fromtimestamp(dm.received_at, UTC).isoformat()
    assert set(as_json) == {
        "kind", "for_user_id", "dedupe_key", "received_at", "secret_label", "raw"
    }  # fmt: skip


def test_sqlite_plugin_ignores_a_duplicate_dedupe_key(sqlite_dispatcher):
    dispatcher, path = sqlite_dispatcher  # dedupe is off: the store itself must hold
    for _ in range(3):
        dispatcher.dispatch_sync(recorded("follow.json"))
    assert len(stored(path)) == 2


def test_sqlite_query_filters(sqlite_dispatcher, request):
    dispatcher, path = sqlite_dispatcher
    dispatcher.dispatch_sync(recorded("favorite.json", received_at=1_000.0))
    dispatcher.dispatch_sync(recorded("tweet_delete.json", received_at=2_000.0))
    dispatcher.dispatch_sync(recorded("direct_message_read.json", received_at=3_000.0))
    store = EventStore(path)
    request.addfinalizer(store.close)
    assert [e.kind for e in store.query(kind="favorite")] == ["favorite", "favorite"]
    assert {e.kind for e in store.query(for_user_id="4337869213")} == {"direct_message_read"}
    since = datetime.fromtimestamp(2_000.0, UTC)
    assert [e.kind for e in store.query(since=since)] == ["tweet_delete"] * 2 + [
        "direct_message_read"
    ]
    assert [e.kind for e in store.query(since=2_500)] == ["direct_message_read"]
    assert [e.kind for e in store.query(limit=2)] == ["tweet_delete", "direct_message_read"]


def test_sqlite_plugin_is_safe_under_threads(sqlite_dispatcher):
    dispatcher, path = sqlite_dispatcher
    names = ["favorite.json", "follow.json", "tweet_delete.json", "direct_message.json"]
    threads = [
        threading.Thread(target=dispatcher.dispatch_sync, args=(recorded(name),))
        for name in names * 4
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stored(path)) == 8


@pytest.mark.anyio
async def test_sqlite_plugin_under_the_event_loop(tmp_path):
    path = tmp_path / "async.db"
    settings = make_settings(plugin_config={"sqlite": {"path": str(path)}})
    dispatcher = Dispatcher(settings, plugins=[aaa_middleware_sqlite])
    await dispatcher.dispatch(recorded("follow.json"))  # starts the plugin lazily
    await dispatcher.ashutdown()
    assert len(stored(path)) == 2


def test_sqlite_plugin_without_configuration_does_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    dispatcher = Dispatcher(make_settings(), plugins=[aaa_middleware_sqlite])
    dispatcher.startup()
    assert dispatcher.dispatch_sync(recorded("follow.json")).ok
    dispatcher.shutdown()
    assert list(tmp_path.iterdir()) == []


def test_sqlite_plugin_with_a_bad_section_reports_it(tmp_path, caplog):
    settings = make_settings(plugin_config={"sqlite": {"file": "x.db"}})
    dispatcher = Dispatcher(settings, plugins=[aaa_middleware_sqlite])
    with pytest.raises(PluginError, match="needs a 'path'"):
        dispatcher.startup()
    assert "needs a 'path'" in caplog.text
    assert list(tmp_path.iterdir()) == []


def test_event_store_reader_never_creates_a_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        EventStore(tmp_path / "missing.db", create=False)
    assert list(tmp_path.iterdir()) == []
