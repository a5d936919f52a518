"""ASGIMiddleware in a FastAPI app, through FastAPI's TestClient."""

from __future__ import annotations

import contextlib
import warnings

import pytest
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import StarletteDeprecationWarning
from webhook_cases import FOLLOW_BODY, PATH, SECRET, signed

from aaa_middleware import ASGIMiddleware
from aaa_middleware.signing import crc_response_token
from aaa_middleware.testing import RecordingPlugin

with warnings.catch_warnings():
    # Starlette asks for httpx2 at import time; the plain httpx in the test environment works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


class OutOfStock(Exception):
    pass


def build_app(recorder: RecordingPlugin, lifespan_log: list[str]) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        lifespan_log.append("app startup")
        yield
        lifespan_log.append("app shutdown")

    app = FastAPI(lifespan=lifespan)

    def current_user() -> str:
        return "ana"

    @app.get("/")
    async def home(user: str = Depends(current_user)) -> dict[str, str]:
        return {"user": user}

    @app.post("/items")
    async def create_item(item: dict[str, int]) -> dict[str, int]:
        return item

    @app.get("/stock")
    async def stock() -> None:
        raise OutOfStock()

    @app.get("/forbidden")
    async def forbidden() -> None:
        raise HTTPException(status_code=403, detail="not yours")

    @app.exception_handler(OutOfStock)
    async def out_of_stock(request: Request, exc: OutOfStock) -> JSONResponse:
        return JSONResponse({"handled": "out of stock"}, status_code=409)

    app.add_middleware(
        ASGIMiddleware,
        path=PATH,
        consumer_secrets=SECRET,
        plugins=[recorder],
        load_entry_points=False,
    )
    return app


@pytest.fixture
def recorder():
    return RecordingPlugin()


@pytest.fixture
def lifespan_log():
    return []


@pytest.fixture
def client(recorder, lifespan_log):
    with TestClient(build_app(recorder, lifespan_log)) as client:
        yield client


def test_both_lifespans_run(recorder, lifespan_log):
    with TestClient(build_app(recorder, lifespan_log)):
        assert lifespan_log == ["app startup"]
        assert recorder.startups == 1
    assert lifespan_log == ["app startup", "app shutdown"]
    assert recorder.shutdowns == 1


def test_crc(client):
    response = client.get(PATH, params={"crc_token": "abc"})
    assert response.status_code == 200
    assert response.content == (
        b'{"response_token":"' + crc_response_token("abc", SECRET).encode() + b'"}'
    )


def test_signed_delivery_reaches_the_plugin(client, recorder):
    response = client.post(PATH, content=FOLLOW_BODY, headers=dict(signed(FOLLOW_BODY)))
    assert response.status_code == 200
    assert recorder.kinds == ["follow"]


def test_bad_and_missing_signatures(client, recorder):
    bad = client.post(PATH, content=FOLLOW_BODY, headers=dict(signed(FOLLOW_BODY, "wrong")))
    assert bad.status_code == 403
    missing = client.post(PATH, content=FOLLOW_BODY, headers={"content-type": "application/json"})
    assert missing.status_code == 401
    assert recorder.events == []


def test_host_routes_dependencies_and_handlers(client):
    assert client.get("/").json() == {"user": "ana"}
    assert client.post("/items", json={"apples": 3}).json() == {"apples": 3}
    assert client.post("/items", json={"apples": "many"}).status_code == 422
    assert client.get("/stock").json() == {"handled": "out of stock"}
    assert client.get("/forbidden").json() == {"detail": "not yours"}
    assert client.get("/docs").status_code == 200
