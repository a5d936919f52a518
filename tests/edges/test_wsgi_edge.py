"""The WSGI edge, called the way a server would, inside wsgiref's PEP 3333 validator."""

from __future__ import annotations

import io
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import msgspec
import pytest
from webhook_cases import CASES, FOLLOW_BODY, MAX_BODY, PATH, SECRET, case_ids, signed

from aaa_middleware.testing import RecordingPlugin
from aaa_middleware.wsgi import WSGIMiddleware


def inner_app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"inner:" + body]


def make(app=inner_app, **options):
    recorder = RecordingPlugin()
    options.setdefault("max_body_size", MAX_BODY)
    middleware = WSGIMiddleware(
        app,
        path=PATH,
        consumer_secrets=SECRET,
        plugins=[recorder],
        load_entry_points=False,
        **options,
    )
    return middleware, recorder


def call(app, method, path, *, query=b"", headers=(), body=b"", chunked=False):
    environ: dict = {}
    setup_testing_defaults(environ)
    environ.update(REQUEST_METHOD=method, PATH_INFO=path, QUERY_STRING=query.decode("latin-1"))
    environ["wsgi.input"] = io.BytesIO(body)
    if chunked:
        environ["wsgi.input_terminated"] = True
    else:
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in headers:
        key = name.decode().upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        environ[key] = value.decode("latin-1")
    captured = {}

    def start_response(status, response_headers, exc_info=None):
        captured["status"] = int(status.split()[0])
        captured["headers"] = {k.lower(): v for k, v in response_headers}
        return lambda data: None

    result = validator(app)(environ, start_response)
    try:
        body_out = b"".join(result)
    finally:
        result.close()
    return captured["status"], captured["headers"], body_out


@pytest.mark.parametrize("case", CASES, ids=case_ids())
def test_error_vocabulary(case):
    middleware, recorder = make()
    status, headers, body = call(
        middleware, case.method, PATH, query=case.query, headers=case.headers, body=case.body
    )
    assert status == case.status
    if case.reason:
        assert msgspec.json.decode(body)["error"] == case.reason
    for name, value in case.extra.items():
        assert headers[name] == value
    assert bool(recorder.events) == (case.method == "POST" and case.status == 200)


def test_delivery_reaches_the_plugin_and_starts_plugins_once():
    middleware, recorder = make()
    for _ in range(2):
        status, _, _ = call(middleware, "POST", PATH, headers=signed(FOLLOW_BODY), body=FOLLOW_BODY)
        assert status == 200
    assert [event.kind for event in recorder.events] == ["follow"]  # the copy was deduplicated
    assert (recorder.startups, recorder.shutdowns) == (1, 0)
    middleware.close()
    middleware.close()
    assert (recorder.startups, recorder.shutdowns) == (1, 1)


def test_chunked_body_without_content_length():
    middleware, recorder = make()
    status, _, _ = call(
        middleware, "POST", PATH, headers=signed(FOLLOW_BODY), body=FOLLOW_BODY, chunked=True
    )
    assert status == 200
    assert [event.kind for event in recorder.events] == ["follow"]


def test_chunked_body_over_the_cap_is_refused():
    middleware, recorder = make()
    big = b"{" + b" " * (MAX_BODY * 3) + b"}"
    status, _, body = call(middleware, "POST", PATH, headers=signed(big), body=big, chunked=True)
    assert status == 413
    assert recorder.events == []


def test_truncated_body_is_a_bad_request():
    middleware, _ = make()
    environ_body = FOLLOW_BODY[:10]
    headers = (*signed(FOLLOW_BODY), (b"content-length", str(len(FOLLOW_BODY)).encode()))
    environ: dict = {}
    setup_testing_defaults(environ)
    environ.update(REQUEST_METHOD="POST", PATH_INFO=PATH, CONTENT_LENGTH=str(len(FOLLOW_BODY)))
    environ["wsgi.input"] = io.BytesIO(environ_body)
    environ["CONTENT_TYPE"] = "application/json"
    environ["HTTP_X_TWITTER_WEBHOOKS_SIGNATURE"] = dict(headers)[
        b"x-twitter-webhooks-signature"
    ].decode()
    statuses = []
    middleware(environ, lambda status, headers, exc_info=None: statuses.append(status))
    assert statuses == ["400 Bad Request"]


def test_other_paths_pass_through():
    middleware, recorder = make()
    status, _, body = call(middleware, "POST", PATH + "/other", body=b"hi")
    assert (status, body) == (200, b"inner:hi")
    status, _, body = call(middleware, "GET", "/", query=b"crc_token=abc")
    assert (status, body) == (200, b"inner:")
    assert recorder.events == []


def test_script_name_is_part_of_the_path():
    middleware, _ = make()
    environ: dict = {}
    setup_testing_defaults(environ)
    environ.update(
        REQUEST_METHOD="GET", SCRIPT_NAME="/webhooks", PATH_INFO="/x", QUERY_STRING="crc_token=abc"
    )
    statuses = []
    middleware(environ, lambda status, headers, exc_info=None: statuses.append(status))
    assert statuses == ["200 OK"]


def test_standalone_answers_404_elsewhere():
    middleware, _ = make(None)
    status, _, _ = call(middleware, "GET", "/elsewhere")
    assert status == 404
