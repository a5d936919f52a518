"""Every fixture of the corpus, signed and POSTed through both edges, reaches the plugins as the
right typed events, in order, through the per-kind hooks as well as the catch-all."""

from __future__ import annotations

import io
import pathlib
from wsgiref.util import setup_testing_defaults

import httpx
import pytest
from webhook_cases import PATH, SECRET, signed

from aaa_middleware import (
    KINDS,
    ASGIMiddleware,
    WSGIMiddleware,
    decode_activity,
    events as ev,
    hookimpl,
)

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures"

EXPECTED = {
    "block_mute_shared_keys": [ev.Block, ev.Unblock, ev.Mute, ev.Unmute],
    "direct_message": [ev.DirectMessage, ev.DirectMessage],
    "direct_message_read": [ev.DirectMessageRead],
    "direct_message_typing": [ev.DirectMessageTyping, ev.DirectMessageTyping],
    "favorite": [ev.Favorite, ev.Favorite],
    "follow": [ev.Follow, ev.Unfollow],
    "replay_complete": [ev.ReplayJobStatus],
    "replay_incomplete": [ev.ReplayJobStatus],
    "tweet_create_longform": [ev.TweetCreate],
    "tweet_create_mention": [ev.TweetCreate],
    "tweet_create_quote_retweet": [ev.TweetCreate, ev.TweetCreate],
    "tweet_create_reply": [ev.TweetCreate],
    "tweet_delete": [ev.TweetDelete, ev.TweetDelete],
    "unevents_own_keys": [ev.Unfollow, ev.Unblock, ev.Unmute],
    "unknown_keys": [ev.UnknownEvent, ev.TweetDelete, ev.UnknownEvent, ev.UnknownEvent],
    "user_revoke": [ev.UserRevoke],
    "xaa_dm_received": [ev.XAAEvent],
    "xaa_follow": [ev.XAAEvent],
    "xaa_news_untyped": [ev.XAAEvent],
    "xaa_profile_update": [ev.XAAEvent],
}


def test_the_table_covers_the_corpus():
    assert sorted(EXPECTED) == sorted(path.stem for path in FIXTURES.glob("*.json"))


class PerKind:
    """Records the catch-all and every per-kind hook separately."""

    def __init__(self) -> None:
        self.catch_all: list[object] = []
        self.by_kind: list[tuple[str, object]] = []

    @hookimpl
    def aaa_event(self, event):
        self.catch_all.append(event)


def _add_kind_hooks() -> None:
    for kind in KINDS:

        def record(self, event, _kind=kind):
            self.by_kind.append((_kind, event))

        record.__name__ = f"aaa_{kind}"
        setattr(PerKind, f"aaa_{kind}", hookimpl(record))


_add_kind_hooks()


def _check(name: str, body: bytes, recorder: PerKind) -> None:
    expected = decode_activity(body).events
    assert [type(event) for event in recorder.catch_all] == EXPECTED[name]
    assert tuple(recorder.catch_all) == expected  # the same values as a direct decode
    assert [kind for kind, _ in recorder.by_kind] == [event.kind for event in expected]
    assert [event for _, event in recorder.by_kind] == list(expected)
    for event in recorder.catch_all:
        assert event.raw  # the exact bytes of the item travel with it
        assert event.raw in body or event.kind == "unknown"


def _options(recorder):
    return dict(path=PATH, consumer_secrets=SECRET, plugins=[recorder], load_entry_points=False)


@pytest.mark.anyio
@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_asgi(name):
    body = (FIXTURES / f"{name}.json").read_bytes()
    recorder = PerKind()
    app = ASGIMiddleware(**_options(recorder))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        response = await client.post(
            PATH, content=body, headers=[(k.decode(), v.decode()) for k, v in signed(body)]
        )
    assert response.status_code == 200
    _check(name, body, recorder)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_wsgi(name):
    body = (FIXTURES / f"{name}.json").read_bytes()
    recorder = PerKind()
    app = WSGIMiddleware(**_options(recorder))
    environ: dict = {}
    setup_testing_defaults(environ)
    environ.update(REQUEST_METHOD="POST", PATH_INFO=PATH, CONTENT_LENGTH=str(len(body)))
    environ["wsgi.input"] = io.BytesIO(body)
    for key, value in signed(body):
        name_ = key.decode().upper().replace("-", "_")
        environ[name_ if name_ == "CONTENT_TYPE" else "HTTP_" + name_] = value.decode()
    statuses: list[str] = []
    app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    app.close()
    assert statuses == ["200 OK"]
    _check(name, body, recorder)


@pytest.fixture
def anyio_backend():
    return "asyncio"
