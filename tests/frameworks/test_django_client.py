"""WebhookMiddleware in a Django project, through Django's Client (WSGI) and AsyncClient (ASGI)."""

from __future__ import annotations

import json
from pathlib import Path

import django
import pytest
from asgiref.sync import async_to_sync, iscoroutinefunction
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, Client, RequestFactory, override_settings
from django.urls import path
from django.views.decorators.http import require_POST
from webhook_cases import FOLLOW_BODY, MAX_BODY, PATH, SECRET

from aaa_middleware import decode_activity
from aaa_middleware.django import WebhookMiddleware
from aaa_middleware.signing import crc_response_token, sign
from aaa_middleware.testing import RecordingPlugin

FIXTURES = Path(__file__).parent.parent / "fixtures"
BODIES = [FOLLOW_BODY] + [
    (FIXTURES / name).read_bytes() for name in ("favorite.json", "tweet_delete.json")
]

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="django-test-key",
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[],
        USE_TZ=True,
        MIDDLEWARE=[
            "aaa_middleware.django.WebhookMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
        ],
        AAA_MIDDLEWARE={
            "consumer_secrets": SECRET,
            "path": PATH,
            "max_body_size": MAX_BODY,
            "load_entry_points": False,
        },
    )
    django.setup()


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("home")


@require_POST
def contact(request: HttpRequest) -> HttpResponse:
    return HttpResponse("thanks")


urlpatterns = [path("", home), path("contact", contact)]


def inner_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("inner")


async def async_inner_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("inner")


SHARED_RECORDER = RecordingPlugin()


class SyncAsyncClient:
    """AsyncClient behind the synchronous interface of Client, so one test covers both."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    def get(self, *args, **kwargs):
        return async_to_sync(self._client.get)(*args, **kwargs)

    def post(self, *args, **kwargs):
        return async_to_sync(self._client.post)(*args, **kwargs)


@pytest.fixture
def recorder():
    recorder = RecordingPlugin()
    with override_settings(AAA_MIDDLEWARE_PLUGINS=[recorder]):
        yield recorder


@pytest.fixture(params=["wsgi", "asgi"])
def client(request, recorder):
    # Both clients enforce CSRF like a browser-facing deployment does.
    if request.param == "wsgi":
        return Client(enforce_csrf_checks=True)
    return SyncAsyncClient(AsyncClient(enforce_csrf_checks=True))


def post_signed(client, body: bytes, secret: str = SECRET):
    return client.post(
        PATH,
        data=body,
        content_type="application/json",
        headers={"x-twitter-webhooks-signature": sign(body, secret)},
    )


def signed_request(body: bytes) -> HttpRequest:
    return RequestFactory().post(
        PATH,
        data=body,
        content_type="application/json",
        headers={"x-twitter-webhooks-signature": sign(body, SECRET)},
    )


def test_crc(client):
    response = client.get(PATH, {"crc_token": "abc"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == (
        b'{"response_token":"' + crc_response_token("abc", SECRET).encode() + b'"}'
    )


def test_signed_deliveries_reach_the_plugin(client, recorder):
    for body in BODIES:
        assert post_signed(client, body).status_code == 200
    assert recorder.kinds == [e.kind for body in BODIES for e in decode_activity(body).events]
    assert {"follow", "favorite", "tweet_delete"} <= set(recorder.kinds)
    assert recorder.startups == 1


def test_bad_and_missing_signatures(client, recorder):
    bad = post_signed(client, FOLLOW_BODY, secret="wrong")
    assert bad.status_code == 403
    assert json.loads(bad.content)["error"] == "invalid_signature"
    missing = client.post(PATH, data=FOLLOW_BODY, content_type="application/json")
    assert missing.status_code == 401
    assert json.loads(missing.content)["error"] == "missing_signature"
    assert recorder.events == []
    assert [rejection.status for rejection in recorder.rejections] == [403, 401]


def test_host_views_routing_and_csrf_are_untouched(client):
    assert client.get("/").content == b"home"
    # CSRF still guards the project's own views: an unsigned POST without a token is refused.
    assert client.post("/contact", data={"name": "ana"}).status_code == 403
    assert client.get(PATH + "/other").status_code == 404


def test_the_receiver_caps_the_body_not_django(client, recorder):
    padded = FOLLOW_BODY + b" " * 2000  # JSON allows trailing whitespace
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100):
        assert post_signed(client, padded).status_code == 200
    too_large = post_signed(client, FOLLOW_BODY + b" " * MAX_BODY)
    assert too_large.status_code == 413
    assert recorder.kinds == ["follow"]


def test_runs_in_the_mode_of_the_chain():
    assert not iscoroutinefunction(WebhookMiddleware(inner_view))
    assert iscoroutinefunction(WebhookMiddleware(async_inner_view))


def test_plugins_by_dotted_path():
    with override_settings(
        AAA_MIDDLEWARE_PLUGINS=[
            f"{__name__}.SHARED_RECORDER",
            "aaa_middleware.testing.RecordingPlugin",
        ]
    ):
        middleware = WebhookMiddleware(inner_view)
    registered = [info.name for info in middleware.dispatcher.host.list_plugins()]
    assert len(registered) == 2
    request = signed_request(FOLLOW_BODY)
    assert middleware(request).status_code == 200
    assert SHARED_RECORDER.kinds == ["follow"]


def test_close_shuts_the_plugins_down_once(recorder):
    middleware = WebhookMiddleware(inner_view)
    middleware.close()
    assert recorder.shutdowns == 0  # never started, nothing to shut down

    middleware = WebhookMiddleware(inner_view)
    request = RequestFactory().get(PATH, {"crc_token": "abc"})
    assert middleware(request).status_code == 200
    body_request = signed_request(FOLLOW_BODY)
    assert middleware(body_request).status_code == 200
    middleware.close()
    middleware.close()
    assert (recorder.startups, recorder.shutdowns) == (1, 1)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_background_delivery_is_drained_on_close(recorder, mode):
    background = {**settings.AAA_MIDDLEWARE, "delivery": "background"}
    with override_settings(AAA_MIDDLEWARE=background):
        middleware = WebhookMiddleware(inner_view if mode == "sync" else async_inner_view)
    call = middleware if mode == "sync" else async_to_sync(middleware)
    assert call(signed_request(FOLLOW_BODY)).status_code == 200
    middleware.close()
    assert recorder.kinds == ["follow"]
    assert (recorder.startups, recorder.shutdowns) == (1, 1)


@pytest.mark.parametrize(
    "config",
    [
        None,
        {"path": PATH},
        {"consumer_secrets": SECRET, "pth": PATH},
        {"consumer_secrets": SECRET, "path": "webhooks"},
    ],
    ids=["missing", "no-secret", "unknown-field", "bad-path"],
)
def test_misconfiguration_is_improperly_configured(config):
    with override_settings(AAA_MIDDLEWARE=config), pytest.raises(ImproperlyConfigured):
        WebhookMiddleware(inner_view)
