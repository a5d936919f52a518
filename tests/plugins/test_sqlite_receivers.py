"""The SQLite store serving several receivers in one process, each with its own file."""

from __future__ import annotations

import io
from wsgiref.util import setup_testing_defaults

import aaa_middleware_sqlite
from aaa_middleware_sqlite import EventStore
from webhook_cases import FOLLOW_BODY, SECRET, UNFOLLOW_BODY, signed

from aaa_middleware import WSGIMiddleware


def _post(app, path, body):
    environ: dict = {}
    setup_testing_defaults(environ)
    environ.update(REQUEST_METHOD="POST", PATH_INFO=path, CONTENT_LENGTH=str(len(body)))
    environ["wsgi.input"] = io.BytesIO(body)
    for key, value in signed(body):
        name = key.decode().upper().replace("-", "_")
        environ[name if name == "CONTENT_TYPE" else "HTTP_" + name] = value.decode()
    statuses: list[str] = []
    app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    return statuses[0]


def _receiver(app, path, db):
    return WSGIMiddleware(
        app, path=path, consumer_secrets=SECRET, plugins=[aaa_middleware_sqlite],
        load_entry_points=False, plugin_config={"sqlite": {"path": str(db)}},
    )  # fmt: skip


def test_each_receiver_writes_its_own_file(tmp_path):
    staging_db, production_db = tmp_path / "staging.db", tmp_path / "production.db"
    production = _receiver(None, "/x/production", production_db)
    staging = _receiver(production, "/x/staging", staging_db)
    assert _post(staging, "/x/staging", FOLLOW_BODY) == "200 OK"
    assert _post(staging, "/x/production", UNFOLLOW_BODY) == "200 OK"
    staging.close()
    production.close()
    with EventStore(staging_db, create=False) as store:
        assert [event.kind for event in store.query()] == ["follow"]
    with EventStore(production_db, create=False) as store:
        assert [event.kind for event in store.query()] == ["unfollow"]


def test_receivers_sharing_a_file_keep_it_open_until_the_last_stops(tmp_path):
    db = tmp_path / "events.db"
    second = _receiver(None, "/b", db)
    first = _receiver(second, "/a", db)
    assert _post(first, "/a", FOLLOW_BODY) == "200 OK"
    assert _post(first, "/b", UNFOLLOW_BODY) == "200 OK"
    first.close()  # the second receiver still writes to the shared file
    assert _post(first, "/b", FOLLOW_BODY.replace(b"1517588749178", b"1517588749999")) == "200 OK"
    second.close()
    with EventStore(db, create=False) as store:
        assert [event.kind for event in store.query()] == ["follow", "unfollow", "follow"]


def test_nothing_is_written_without_configuration(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = WSGIMiddleware(path="/x", consumer_secrets=SECRET, plugins=[aaa_middleware_sqlite],
                         load_entry_points=False)  # fmt: skip
    assert _post(app, "/x", FOLLOW_BODY) == "200 OK"
    app.close()
    assert list(tmp_path.iterdir()) == []
