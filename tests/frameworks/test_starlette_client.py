"""ASGIMiddleware in a Starlette app with its own middleware, through Starlette's TestClient."""

from __future__ import annotations

import gzip
import json
import warnings

import pytest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException, StarletteDeprecationWarning
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from webhook_cases import FOLLOW_BODY, PATH, SECRET, UNFOLLOW_BODY, signed

from aaa_middleware import ASGIMiddleware
from aaa_middleware.signing import crc_response_token
from aaa_middleware.testing import RecordingPlugin

with warnings.catch_warnings():
    # Starlette asks for httpx2 at import time; the plain httpx in the test environment works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient


class Teapot(Exception):
    pass


async def home(request: Request) -> PlainTextResponse:
    return PlainTextResponse("home " * 50)


async def login(request: Request) -> PlainTextResponse:
    request.session["user"] = "ana"
    return PlainTextResponse("logged in")


async def whoami(request: Request) -> PlainTextResponse:
    return PlainTextResponse(request.session.get("user", "nobody"))


async def boom(request: Request) -> PlainTextResponse:
    raise Teapot()


async def missing(request: Request) -> PlainTextResponse:
    raise HTTPException(404, "no such thing")


async def teapot_handler(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"handled": "teapot"}, status_code=418)


async def not_found_handler(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"handled": "not found"}, status_code=404)


def build_app(recorder: RecordingPlugin, *, webhook_outermost: bool) -> Starlette:
    app = Starlette(
        routes=[
            Route("/", home),
            Route("/login", login),
            Route("/whoami", whoami),
            Route("/boom", boom),
            Route("/missing", missing),
        ],
        exception_handlers={Teapot: teapot_handler, 404: not_found_handler},
    )
    host_middleware = [
        (SessionMiddleware, {"secret_key": "session-secret"}),
        (CORSMiddleware, {"allow_origins": ["https://example.com"]}),
        (GZipMiddleware, {"minimum_size": 0}),
    ]
    if not webhook_outermost:
        app.add_middleware(
            ASGIMiddleware,
            path=PATH,
            consumer_secrets=SECRET,
            plugins=[recorder],
            load_entry_points=False,
        )
    for middleware, options in host_middleware:
        app.add_middleware(middleware, **options)
    if webhook_outermost:
        app.add_middleware(
            ASGIMiddleware,
            path=PATH,
            consumer_secrets=SECRET,
            plugins=[recorder],
            load_entry_points=False,
        )
    return app


@pytest.fixture(params=[True, False], ids=["webhook-outermost", "webhook-innermost"])
def outermost(request):
    return request.param


@pytest.fixture
def recorder():
    return RecordingPlugin()


@pytest.fixture
def client(recorder, outermost):
    with TestClient(build_app(recorder, webhook_outermost=outermost)) as client:
        yield client


def test_lifespan_reaches_the_plugins(recorder):
    app = build_app(recorder, webhook_outermost=True)
    with TestClient(app):
        assert (recorder.startups, recorder.shutdowns) == (1, 0)
    assert (recorder.startups, recorder.shutdowns) == (1, 1)


def _assert_crc_bytes(client):
    expected = json.dumps(
        {"response_token": crc_response_token("abc", SECRET)}, separators=(",", ":")
    ).encode()
    with client.stream(
        "GET", PATH, params={"crc_token": "abc"}, headers={"Accept-Encoding": "gzip"}
    ) as response:
        raw = b"".join(response.iter_raw())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    # X compares the bytes: whatever encoding is declared must be the one the bytes are in.
    encoding = response.headers.get("content-encoding", "identity")
    assert (gzip.decompress(raw) if encoding == "gzip" else raw) == expected
    assert encoding in ("identity", "gzip")


def test_crc_answer_survives_the_host_middleware(client):
    _assert_crc_bytes(client)


@pytest.mark.parametrize(
    "webhook_outermost",
    [pytest.param(True, id="webhook-around-gzip"), pytest.param(False, id="gzip-around-webhook")],
)
def test_crc_answer_with_only_gzip(recorder, webhook_outermost):
    app = Starlette(routes=[Route("/", home)])
    options = dict(path=PATH, consumer_secrets=SECRET, plugins=[recorder], load_entry_points=False)
    if webhook_outermost:
        app.add_middleware(GZipMiddleware, minimum_size=0)
        app.add_middleware(ASGIMiddleware, **options)
    else:
        app.add_middleware(ASGIMiddleware, **options)
        app.add_middleware(GZipMiddleware, minimum_size=0)
    with TestClient(app) as client:
        _assert_crc_bytes(client)
        assert client.get("/", headers={"Accept-Encoding": "gzip"}).text == "home " * 50


def test_signed_delivery_reaches_the_plugin(client, recorder):
    for body in (FOLLOW_BODY, UNFOLLOW_BODY):
        response = client.post(PATH, content=body, headers=dict(signed(body)))
        assert response.status_code == 200
    assert recorder.kinds == ["follow", "unfollow"]
    assert recorder.last.for_user_id == "2244994945"


def test_bad_and_missing_signatures(client, recorder):
    bad = client.post(PATH, content=FOLLOW_BODY, headers=dict(signed(FOLLOW_BODY, "wrong")))
    assert bad.status_code == 403
    assert bad.json()["error"] == "invalid_signature"
    missing = client.post(PATH, content=FOLLOW_BODY, headers={"content-type": "application/json"})
    assert missing.status_code == 401
    assert missing.json()["error"] == "missing_signature"
    assert recorder.events == []
    assert [r.status for r in recorder.rejections] == [403, 401]


def test_host_routes_and_middleware_are_untouched(client):
    home_response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert home_response.text == "home " * 50
    assert home_response.headers["content-encoding"] == "gzip"
    cors = client.get("/", headers={"Origin": "https://example.com"})
    assert cors.headers["access-control-allow-origin"] == "https://example.com"
    client.get("/login")
    assert client.get("/whoami").text == "ana"


def test_host_exception_handlers_still_fire(client):
    assert client.get("/boom").json() == {"handled": "teapot"}
    assert client.get("/missing").json() == {"handled": "not found"}
    # Only the exact webhook path is the receiver's; the next one down is routed as usual.
    assert client.get(PATH + "/other").json() == {"handled": "not found"}
