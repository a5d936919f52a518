"""The CLI's pieces in-process: the CRC diagnosis, send's options and report, events, plugins."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import click
import pytest
from cli_support import SECRET, uvicorn_in_thread
from click.testing import CliRunner

from aaa_middleware import ASGIMiddleware
from aaa_middleware.cli import cli
from aaa_middleware.cli._diagnose import diagnose
from aaa_middleware.cli._sending import percentile
from aaa_middleware.cli.events import Since
from aaa_middleware.cli.plugins import describe
from aaa_middleware.cli.send import parse_assignments
from aaa_middleware.cli.serve import _describe_plugins
from aaa_middleware.events import decode_activity
from aaa_middleware.plugin_host import PluginInfo
from aaa_middleware.sansio import Delivery
from aaa_middleware.testing import RecordingPlugin, build_crc, build_delivery

URL = "https://hooks.example.com/webhooks/x"
ENV = {"AAA_CONSUMER_SECRET": SECRET, "AAA_CONFIG": None, "AAA_URL": None}


def invoke(*args: str, env: dict[str, str | None] | None = None, stdin: bytes | None = None):
    return CliRunner().invoke(cli, list(args), env={**ENV, **(env or {})}, input=stdin)


# -- the CRC diagnosis ---------------------------------------------------------------------


def judge(token: str | None = None, *, status=200, headers=None, body=None, elapsed=0.01, url=URL):
    request = build_crc(SECRET)
    answer = token if token is not None else request.expected
    if body is None:
        body = json.dumps({"response_token": answer}).encode()
    headers = {"content-type": "application/json", **(headers or {})}
    return request, diagnose(request, url, status, headers, body, elapsed, {"0": SECRET})


def fails(findings) -> list[str]:
    return [finding.message for finding in findings if finding.level == "fail"]


def test_a_correct_answer_over_https_has_nothing_to_say():
    _, findings = judge()
    assert [finding.level for finding in findings] == ["ok", "ok", "ok"]


@pytest.mark.parametrize(
    ("elapsed", "level", "text"),
    [(3.4, "fail", "X gives up after 3 s"), (1.5, "note", "close to X's 3 s limit")],
)
def test_latency_is_judged_against_the_three_seconds(elapsed, level, text):
    _, findings = judge(elapsed=elapsed)
    assert any(f.level == level and text in f.message for f in findings)


def test_redirect_hints():
    _, findings = judge(status=301, headers={"location": URL + "/"}, body=b"")
    assert "differs only by a trailing slash" in fails(findings)[0]
    _, findings = judge(status=308, headers={"location": URL}, body=b"", url=URL.replace("s:", ":"))
    assert "(the https:// one)" in fails(findings)[0]


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (404, "nothing answers at this path"),
        (405, "the CRC is a GET"),
        (401, "X sends no credentials"),
        (418, "X expects 200 with the response_token"),
    ],
)
def test_error_statuses_are_explained(status, text):
    _, findings = judge(status=status, body=b"nope")
    assert text in fails(findings)[0]


def test_body_problems():
    _, findings = judge(body=b"<html>ok</html>")
    assert "not JSON" in fails(findings)[0]
    _, findings = judge(body=b'{"token": "x"}')
    assert "no response_token" in fails(findings)[0]


def test_token_variants():
    request = build_crc(SECRET)
    digest = hmac.new(SECRET.encode(), request.token.encode(), hashlib.sha256).digest()
    urlsafe = "sha256=" + base64.urlsafe_b64encode(digest).decode()
    findings = diagnose(
        request,
        URL,
        200,
        {"content-type": "application/json"},
        json.dumps({"response_token": urlsafe}).encode(),
        0.01,
        {"0": SECRET},
    )
    if urlsafe != request.expected:  # a digest without + or / reads the same in both
        assert "URL-safe base64" in fails(findings)[0]
    _, findings = judge("sha256=" + "ab" * 32)
    assert "(and not made with the configured secret)" in fails(findings)[0]
    _, findings = judge("sha256=bm9wZQ==")
    assert "not 'sha256=' followed by base64" in fails(findings)[0]


def test_an_answer_with_a_later_secret_names_it():
    request = build_crc("new-secret")
    token = build_crc("old-secret", token=request.token).expected
    findings = diagnose(
        request,
        URL,
        200,
        {"content-type": "application/json"},
        json.dumps({"response_token": token}).encode(),
        0.01,
        {"new": "new-secret", "old": "old-secret"},
    )
    assert "the secret labelled 'old'" in fails(findings)[0]


def test_compressed_answers():
    request, _ = judge()
    body = json.dumps({"response_token": request.expected}).encode()
    findings = diagnose(
        request,
        URL,
        200,
        {"content-type": "application/json", "content-encoding": "deflate"},
        zlib.compress(body),
        0.01,
        {"0": SECRET},
    )
    assert not fails(findings)
    findings = diagnose(
        request,
        URL,
        200,
        {"content-type": "application/json", "content-encoding": "br"},
        body,
        0.01,
        {"0": SECRET},
    )
    assert "not one X is known to accept" in fails(findings)[0]


# -- send ------------------------------------------------------------------------------------


def test_percentile_is_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7.0], 90) == 7
    assert percentile([], 50) == 0


def test_assignments_nest_and_parse_json():
    assert parse_assignments(
        ("source.screen_name=ana", "source.verified=true", "text=hi there")
    ) == {
        "source": {"screen_name": "ana", "verified": True},
        "text": "hi there",
    }
    for bad in ("novalue", "=1", "unique=false"):
        with pytest.raises(click.BadParameter):
            parse_assignments((bad,))


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[str, RecordingPlugin]]:
    recorder = RecordingPlugin()
    app = ASGIMiddleware(consumer_secrets=SECRET, plugins=[recorder], load_entry_points=False)
    with uvicorn_in_thread(app) as url:
        yield url + "/webhooks/x", recorder


def test_send_options_reach_the_plugins(receiver):
    url, recorder = receiver
    recorder.clear()
    result = invoke(
        "send",
        "follow",
        "--url",
        url,
        "--for-user",
        "42",
        "--set",
        "source.screen_name=ana",
        "-n",
        "3",
        "--same-ids",
    )
    assert result.exit_code == 0, result.output
    assert "sent 3 follow deliveries" in result.stdout
    assert "  200  3" in result.stdout
    # The same event three times: a retry for the receiver, dispatched once.
    assert len(recorder.events) == 1
    event = recorder.last
    assert event.for_user_id == "42"
    assert event.source.screen_name == "ana"  # type: ignore[union-attr]


def test_send_a_file_from_stdin(receiver):
    url, recorder = receiver
    recorder.clear()
    body = build_delivery("tweet_delete")
    result = invoke("send", "--file", "-", "--url", url, stdin=body)
    assert result.exit_code == 0, result.output
    assert recorder.kinds == ["tweet_delete"]


def test_send_reports_refusals_and_exits_1(receiver):
    url, _ = receiver
    result = invoke("send", "mute", "block", "--url", url, env={"AAA_CONSUMER_SECRET": "wrong"})
    assert result.exit_code == 1
    assert "sent 2 deliveries of 2 kinds" in result.stdout
    assert "403  2  invalid_signature" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("send",), "give KINDs to build deliveries, or --file"),
        (("send", "follow", "--file", "-"), "give KINDs to build deliveries, or --file"),
        (("send", "follow", "--secret-label", "nope"), "no configured secret is labelled 'nope'"),
        (("send", "retweet"), "Invalid value for '[KIND]...'"),
    ],
)
def test_send_usage_errors_exit_2(args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.output


# -- events ----------------------------------------------------------------------------------


@pytest.fixture
def store_path(tmp_path):
    from aaa_middleware_sqlite import EventStore

    path = tmp_path / "events.db"
    with EventStore(path) as store:
        for index, (kind, user) in enumerate([("follow", "1"), ("mute", "1"), ("follow", "2")]):
            activity = decode_activity(build_delivery(kind, for_user_id=user))
            delivery = Delivery(activity, "0", time.time() - 3600 + index)
            store.add(activity.events[0], delivery)
    return path


def test_events_filters(store_path):
    def kinds(*args: str) -> list[tuple[str, str]]:
        result = invoke("events", "--db", str(store_path), "--json", *args)
        assert result.exit_code == 0, result.output
        return [(event["kind"], event["for_user_id"]) for event in json.loads(result.stdout)]

    assert kinds() == [("follow", "1"), ("mute", "1"), ("follow", "2")]
    assert kinds("--kind", "follow") == [("follow", "1"), ("follow", "2")]
    assert kinds("--user", "1") == [("follow", "1"), ("mute", "1")]
    assert kinds("--limit", "1") == [("follow", "2")]
    assert kinds("--since", "10m") == []
    assert kinds("--since", "2h") == kinds()


def test_events_table_and_empty_result(store_path):
    result = invoke("events", "--db", str(store_path))
    header, *rows = result.stdout.splitlines()
    assert header.split()[:4] == ["RECEIVED", "(UTC)", "KIND", "FOR"]
    assert len(rows) == 3
    assert rows[0].split()[2:4] == ["follow", "1"]
    empty = invoke("events", "--db", str(store_path), "--kind", "xaa")
    assert empty.exit_code == 0
    assert empty.stdout == ""
    assert "no events" in empty.stderr


def test_events_without_a_database(tmp_path):
    result = invoke("events", "--db", str(tmp_path / "missing.db"))
    assert result.exit_code == 2
    assert "no event database at" in result.stderr
    assert not (tmp_path / "missing.db").exists()


def test_since_accepts_iso_and_durations():
    since = Since()
    assert since.convert("2024-06-10T16:00", None, None) == datetime(2024, 6, 10, 16, tzinfo=UTC)
    moment = since.convert("2h", None, None)
    assert abs(datetime.now(UTC) - timedelta(hours=2) - moment) < timedelta(seconds=5)
    with pytest.raises(click.BadParameter):
        since.convert("yesterday", None, None)


# -- plugins, serve's start-up line, configuration errors -------------------------------------


def test_plugin_listing_says_when_a_plugin_implements_nothing():
    lines = describe(
        [
            PluginInfo("store", "entry point", "store-dist", "1.0", ("aaa_event",)),
            PluginInfo("empty", "code", None, None, ()),
        ]
    )
    assert lines == [
        "store  store-dist 1.0 (entry point)",
        "       hooks: aaa_event",
        "empty  registered in code",
        "       hooks: none (it implements no aaa_middleware hook)",
    ]


def test_startup_line_describes_the_store():
    sqlite = PluginInfo("sqlite", "entry point", "aaa-middleware-sqlite", "0.1.0", ())
    assert _describe_plugins([sqlite], "/tmp/e.db") == "plugins: sqlite (/tmp/e.db)"
    assert _describe_plugins([], None) == "plugins: none; no event store (--no-db)"
    assert "not loaded" in _describe_plugins([], "/tmp/e.db")


def test_serve_refuses_a_store_it_cannot_create(tmp_path):
    result = invoke("serve", "--db", str(tmp_path / "no" / "such" / "e.db"))
    assert result.exit_code == 2
    assert "no such directory" in result.stderr


def test_configuration_errors_are_one_line(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("consumer_secret = \n")
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('consumer_secret = "s"\ncolour = "blue"\n')
    for path, message in (
        (broken, "cannot read settings"),
        (unknown, "unknown setting(s): colour"),
    ):
        result = invoke("crc", "--config", str(path), env={"AAA_CONSUMER_SECRET": None})
        assert result.exit_code == 2
        assert message in result.stderr
        assert result.stderr.count("\n") == 1
