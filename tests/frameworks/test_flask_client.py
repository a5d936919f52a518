"""The AAA extension in a Flask app, through Flask's test client."""

from __future__ import annotations

import pytest
from flask import Flask, abort, request
from webhook_cases import FOLLOW_BODY, MAX_BODY, PATH, SECRET, UNFOLLOW_BODY, signed

from aaa_middleware.errors import ConfigurationError
from aaa_middleware.flask import AAA
from aaa_middleware.signing import crc_response_token
from aaa_middleware.testing import RecordingPlugin
from aaa_middleware.wsgi import WSGIMiddleware


def build_app(recorder: RecordingPlugin, *, factory: bool) -> Flask:
    app = Flask(__name__)
    app.config["AAA_CONSUMER_SECRETS"] = [SECRET]
    app.config["AAA_PATH"] = PATH
    app.config["AAA_MAX_BODY_SIZE"] = MAX_BODY
    app.config["AAA_LOAD_ENTRY_POINTS"] = False
    app.config["MAX_CONTENT_LENGTH"] = 100  # Flask's own cap, for its own routes only

    @app.get("/")
    def home() -> str:
        return "home"

    @app.post("/echo")
    def echo() -> bytes:
        return request.get_data()

    @app.get("/gone")
    def gone() -> str:
        abort(410)

    @app.errorhandler(410)
    def handle_gone(error: Exception) -> tuple[dict[str, str], int]:
        return {"handled": "gone"}, 410

    @app.before_request
    def count_requests() -> None:
        app.config["SEEN"] = app.config.get("SEEN", 0) + 1

    if factory:
        extension = AAA(plugins=[recorder])
        extension.init_app(app)
    else:
        AAA(app, plugins=[recorder])
    return app


def signed_headers(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {name.decode(): value.decode() for name, value in signed(body, secret)}


@pytest.fixture
def recorder():
    return RecordingPlugin()


@pytest.fixture(params=[False, True], ids=["AAA(app)", "init_app"])
def app(request, recorder):
    app = build_app(recorder, factory=request.param)
    yield app
    app.extensions["aaa_middleware"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def test_crc(client):
    response = client.get(PATH, query_string={"crc_token": "abc"})
    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.data == (
        b'{"response_token":"' + crc_response_token("abc", SECRET).encode() + b'"}'
    )


def test_signed_deliveries_reach_the_plugin(client, recorder):
    for body in (FOLLOW_BODY, UNFOLLOW_BODY):
        assert client.post(PATH, data=body, headers=signed_headers(body)).status_code == 200
    assert recorder.kinds == ["follow", "unfollow"]


def test_bad_and_missing_signatures(client, recorder):
    bad = client.post(PATH, data=FOLLOW_BODY, headers=signed_headers(FOLLOW_BODY, "wrong"))
    assert bad.status_code == 403
    assert bad.json == {"error": "invalid_signature", "detail": bad.json["detail"]}
    missing = client.post(PATH, data=FOLLOW_BODY, content_type="application/json")
    assert missing.status_code == 401
    assert missing.json["error"] == "missing_signature"
    assert recorder.events == []


def test_webhook_path_bypasses_flask(app, client):
    # Neither Flask's MAX_CONTENT_LENGTH nor its request hooks see the receiver's requests.
    padded = FOLLOW_BODY + b" " * 500
    assert client.post(PATH, data=padded, headers=signed_headers(padded)).status_code == 200
    assert "SEEN" not in app.config


def test_host_routes_hooks_and_error_handlers(app, client):
    assert client.get("/").data == b"home"
    assert client.post("/echo", data=b"ping").data == b"ping"
    assert client.post("/echo", data=b"x" * 101).status_code == 413
    assert client.get("/gone").json == {"handled": "gone"}
    assert client.get(PATH + "/other").status_code == 404
    assert app.config["SEEN"] == 5


def test_lifecycle(app, client, recorder):
    middleware = app.extensions["aaa_middleware"]
    assert isinstance(middleware, WSGIMiddleware)
    assert app.wsgi_app is middleware
    client.post(PATH, data=FOLLOW_BODY, headers=signed_headers(FOLLOW_BODY))
    middleware.close()
    assert (recorder.startups, recorder.shutdowns) == (1, 1)


def test_singular_secret_key_and_unknown_keys():
    app = Flask(__name__)
    app.config["AAA_CONSUMER_SECRET"] = SECRET
    AAA(app)
    assert list(app.extensions["aaa_middleware"].settings.consumer_secrets.values()) == [SECRET]

    app = Flask(__name__)
    app.config["AAA_CONSUMER_SECRETS"] = SECRET
    app.config["AAA_MAX_BODY"] = 10
    with pytest.raises(ConfigurationError, match="max_body"):
        AAA(app)
