"""``crc`` against deliberately broken receivers: one per classic mistake, each explained."""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
from collections.abc import Iterator
from urllib.parse import parse_qsl, unquote

import pytest
from cli_support import SECRET, uvicorn_in_thread
from click.testing import CliRunner

from aaa_middleware import ASGIMiddleware
from aaa_middleware.cli import cli
from aaa_middleware.signing import crc_response_token

pytestmark = pytest.mark.server


def _answer(token: str, path: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """What each broken receiver answers to a CRC for `token`."""
    good = crc_response_token(token, SECRET)
    json_type = [(b"content-type", b"application/json")]
    hex_digest = hmac.new(SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()
    tokens = {
        "/ok": good,
        "/hex": "sha256=" + hex_digest,
        "/base64-of-hex": "sha256=" + base64.b64encode(hex_digest.encode()).decode(),
        "/wrong-secret": crc_response_token(token, "the-access-token-secret"),
        "/no-prefix": good.removeprefix("sha256="),
        "/undecoded": "",  # filled in by the caller, which has the raw query
        "/text-plain": good,
        "/gzip-declared": good,
        "/gzip-undeclared": good,
        "/gzip-correct": good,
    }
    if path == "/redirect":
        return 302, [(b"location", b"http://example.test/webhooks/x/")], b""
    if path == "/error":
        return 500, [(b"content-type", b"text/plain")], b"Internal Server Error"
    body = json.dumps({"response_token": tokens[path]}).encode()
    if path == "/text-plain":
        return 200, [(b"content-type", b"text/plain; charset=utf-8")], body
    if path == "/gzip-declared":
        return 200, [*json_type, (b"content-encoding", b"gzip")], body
    if path == "/gzip-undeclared":
        return 200, json_type, gzip.compress(body)
    if path == "/gzip-correct":
        return 200, [*json_type, (b"content-encoding", b"gzip")], gzip.compress(body)
    return 200, json_type, body


async def broken(scope, receive, send):
    raw = scope["query_string"].decode()
    token = dict(parse_qsl(raw))["crc_token"]
    status, headers, body = _answer(token, scope["path"])
    if scope["path"] == "/undecoded":
        still_encoded = raw.split("crc_token=", 1)[1].split("&", 1)[0]
        body = json.dumps({"response_token": crc_response_token(still_encoded, SECRET)}).encode()
        assert unquote(still_encoded) == token
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope, receive, send):
    if scope["path"] == "/other-secret":
        await other_receiver(scope, receive, send)
    else:
        await broken(scope, receive, send)


other_receiver = ASGIMiddleware(
    path="/other-secret", consumer_secrets="someone-elses-secret", load_entry_points=False
)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with uvicorn_in_thread(app) as url:
        yield url


def crc(url: str, *args: str):
    runner = CliRunner()
    return runner.invoke(cli, ["crc", "--url", url, *args], env={"AAA_CONSUMER_SECRET": SECRET})


@pytest.mark.parametrize(
    ("path", "exit_code", "explanation"),
    [
        ("/ok", 0, "response_token is correct"),
        ("/hex", 1, "response_token is a hex digest: X wants 'sha256=' + standard base64"),
        ("/base64-of-hex", 1, "is base64 of a hex digest"),
        ("/wrong-secret", 1, "not of this token with the configured secret"),
        ("/other-secret", 1, "holds a different consumer secret"),
        ("/no-prefix", 1, "lacks the 'sha256=' prefix"),
        ("/undecoded", 1, "URL-decode it first"),
        ("/text-plain", 1, "Content-Type is text/plain; charset=utf-8"),
        ("/gzip-declared", 1, "Content-Encoding says gzip but the body is not gzip"),
        ("/gzip-undeclared", 1, "gzip-compressed but no Content-Encoding says so"),
        ("/gzip-correct", 0, "gzip-compressed, and says so"),
        ("/redirect", 1, "X does not follow redirects"),
        ("/error", 1, "answered 500: the receiver failed"),
    ],
)
def test_each_mistake_is_named(base_url, path, exit_code, explanation):
    result = crc(base_url + path)
    assert result.exit_code == exit_code, result.output
    assert explanation in result.stdout
    verdict = "X would accept" if exit_code == 0 else "X would mark the webhook invalid"
    assert verdict in result.stdout
    # Local development: plain http and a port are noted, never failed.
    assert "note  http:// is fine for local development" in result.stdout
    assert "X refuses URLs with a port" in result.stdout


def test_json_report(base_url):
    result = crc(base_url + "/hex", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["accepted"] is False
    assert report["status"] == 200
    assert report["findings"][0]["level"] == "fail"
    assert "hex digest" in report["findings"][0]["message"]


def test_unsigned_check_is_answered_with_the_first_secret(base_url):
    result = crc(base_url + "/ok", "--unsigned")
    assert result.exit_code == 0, result.output
