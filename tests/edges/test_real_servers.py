"""Both edges under real servers on 127.0.0.1, driven over real HTTP."""

from __future__ import annotations

import httpx
import pytest
from servers import uvicorn_server, waitress_server
from webhook_cases import CASES, FOLLOW_BODY, MAX_BODY, PATH, SECRET, case_ids, signed

from aaa_middleware.asgi import ASGIMiddleware
from aaa_middleware.testing import RecordingPlugin
from aaa_middleware.wsgi import WSGIMiddleware

pytestmark = pytest.mark.server


async def asgi_inner(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": b"inner " + scope["path"].encode()})


def wsgi_inner(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"inner " + environ["PATH_INFO"].encode("latin-1")]


def _options(recorder):
    return dict(
        path=PATH,
        consumer_secrets=SECRET,
        plugins=[recorder],
        load_entry_points=False,
        max_body_size=MAX_BODY,
    )


@pytest.fixture(scope="module", params=["uvicorn", "waitress"])
def served(request):
    recorder = RecordingPlugin()
    if request.param == "uvicorn":
        with uvicorn_server(ASGIMiddleware(asgi_inner, **_options(recorder))) as url:
            yield url, recorder
    else:
        middleware = WSGIMiddleware(wsgi_inner, **_options(recorder))
        with waitress_server(middleware) as url:
            yield url, recorder
        middleware.close()


@pytest.mark.parametrize("case", CASES, ids=case_ids())
def test_error_vocabulary_over_http(served, case):
    url, recorder = served
    before = len(recorder.events)
    with httpx.Client(base_url=url) as http:
        response = http.request(
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
    # Each accepted case is a different delivery; dedupe must not hide any of them.
    grew = len(recorder.events) > before
    assert grew == (case.method == "POST" and case.status == 200)


def test_crc_answer_is_byte_exact_over_http(served):
    url, _ = served
    with httpx.Client(base_url=url) as http:
        response = http.get(PATH, params={"crc_token": "test token", "nonce": "1"})
    from aaa_middleware.signing import crc_response_token

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert "content-encoding" not in response.headers
    assert (
        response.content
        == b'{"response_token":"' + crc_response_token("test token", SECRET).encode() + b'"}'
    )


def test_streamed_chunked_upload(served):
    url, recorder = served
    body = FOLLOW_BODY.replace(b"1517588749178", b"1517588749999")

    def chunks():
        for start in range(0, len(body), 16):
            yield body[start : start + 16]

    with httpx.Client(base_url=url) as http:
        response = http.post(
            PATH, content=chunks(), headers=[(k.decode(), v.decode()) for k, v in signed(body)]
        )
    assert response.status_code == 200
    assert recorder.events[-1].kind == "follow"


def test_other_paths_reach_the_inner_app(served):
    url, _ = served
    with httpx.Client(base_url=url) as http:
        response = http.post(PATH + "/other", content=b"{}")
    assert response.status_code == 200
    assert response.text == f"inner {PATH}/other"


def test_uvicorn_lifespan_reaches_plugins():
    recorder = RecordingPlugin()
    with uvicorn_server(ASGIMiddleware(asgi_inner, **_options(recorder))) as url:
        assert (recorder.startups, recorder.shutdowns) == (1, 0)
        httpx.get(url + "/")
    assert (recorder.startups, recorder.shutdowns) == (1, 1)
