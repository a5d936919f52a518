"""The command as a user runs it: real processes, a real server, a real event store."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_support import SECRET, cli_env, run_all, run_cli, served, start_cli

from aaa_middleware.events import KINDS
from aaa_middleware.testing import DEFAULT_FOR_USER_ID

pytestmark = pytest.mark.server

REQUIRED_FIELDS = {"kind", "for_user_id", "dedupe_key", "received_at"}


def _stored(path: Path) -> int:
    try:
        with sqlite3.connect(path) as db:
            return int(db.execute("SELECT count(*) FROM events").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_quickstart_walkthrough(tmp_path):
    with served(tmp_path) as server:
        assert server.url.endswith("/webhooks/x")
        store = tmp_path / "aaa_events.db"
        assert f"sqlite ({store})" in server.log
        assert "logging" in server.log

        crc = run_cli("crc", "--url", server.url, cwd=tmp_path)
        assert crc.returncode == 0, crc.stdout + crc.stderr
        assert "response_token is correct" in crc.stdout
        assert "X would accept this answer." in crc.stdout
        assert "http:// is fine for local development" in crc.stdout

        # Every kind from one process, a concurrent burst of follows from another.
        every, burst = run_all(
            [
                ("send", "all", "--url", server.url, "--json"),
                ("send", "follow", "--url", server.url, "-n", "20", "-c", "4"),
            ],
            tmp_path,
            cli_env(),
        )
        assert every.returncode == 0, every.stdout + every.stderr
        assert json.loads(every.stdout)["statuses"] == {"200": len(KINDS)}
        assert burst.returncode == 0, burst.stdout + burst.stderr
        assert "  200  20" in burst.stdout
        assert "latency  p50 " in burst.stdout

        listed = run_cli("events", "--json", "--limit", "100", cwd=tmp_path)
        assert listed.returncode == 0, listed.stderr
        stored = json.loads(listed.stdout)
        assert sorted(event["kind"] for event in stored) == sorted([*KINDS, *["follow"] * 20])
        assert all(set(event) >= REQUIRED_FIELDS for event in stored)

        listed = run_cli("events", "--kind", "mute", "--kind", "follow", "--json", cwd=tmp_path)
        assert sorted(event["kind"] for event in json.loads(listed.stdout)) == [
            *["follow"] * 21,
            "mute",
        ]
        mine = run_cli("events", "--user", DEFAULT_FOR_USER_ID, "--since", "1h", cwd=tmp_path)
        assert mine.stdout.startswith("RECEIVED (UTC)")
        assert "user_revoke" not in mine.stdout  # sent without for_user_id
        assert "follow:" in mine.stdout

        # Ctrl-C is a normal way to stop it.
        assert server.stop(signal.SIGINT) == 0, server.log
    assert "Traceback" not in server.log


@pytest.mark.parametrize("delivery", ["after_dispatch", "background"])
def test_sigterm_loses_no_accepted_delivery(tmp_path, delivery):
    store = tmp_path / "store.db"
    with served(tmp_path, "--db", str(store), "--delivery", delivery) as server:
        sending = ("send", "follow", "--url", server.url, "-n", "600", "-c", "8", "--json")
        sender = start_cli(*sending, cwd=tmp_path)
        deadline = time.monotonic() + 20
        while _stored(store) < 50:
            assert time.monotonic() < deadline, server.log
            assert sender.poll() is None, sender.communicate()
            time.sleep(0.05)
        assert server.stop(signal.SIGTERM) == 0, server.log
        out, err = sender.communicate(timeout=60)
    summary = json.loads(out)
    assert sender.returncode == 1, err  # the deliveries after the shutdown found no server
    assert 50 <= summary["ok"] < 600
    listed = run_cli("events", "--db", str(store), "--json", "--limit", "5000", cwd=tmp_path)
    stored = json.loads(listed.stdout)
    # Every delivery answered 200 is in the store; at most the ones in flight when the
    # connections closed were stored without their answer reaching the sender.
    assert summary["ok"] <= len(stored) <= summary["ok"] + 8
    assert len({event["dedupe_key"] for event in stored}) == len(stored)


def test_one_configuration_for_every_command(tmp_path):
    config = tmp_path / "aaa.toml"
    config.write_text(
        "[aaa_middleware]\n"
        f'consumer_secret = ["{SECRET}", "old-secret"]\n'
        'path = "/hooks/x"\n'
        "[aaa_middleware.plugins.sqlite]\n"
        'path = "configured.db"\n'
    )
    env = cli_env(AAA_CONFIG=str(config))
    del env["AAA_CONSUMER_SECRET"]
    with served(tmp_path, env=env) as server:
        assert server.url.endswith("/hooks/x")
        # The second secret verifies too: the receiver accepts deliveries signed with either.
        sent = run_cli(
            "send", "block", "--url", server.url, "--secret-label", "1", cwd=tmp_path, env=env
        )
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert run_cli("crc", "--url", server.url, cwd=tmp_path, env=env).returncode == 0
        port = server.url.split(":")[2].split("/")[0]
        taken = run_cli("serve", "--port", port, "--no-db", cwd=tmp_path, env=env)
        assert taken.returncode == 1, taken.stderr
        assert "address already in use" in taken.stderr
        assert server.stop() == 0
    listed = run_cli("events", "--json", cwd=tmp_path, env=env)
    assert [event["kind"] for event in json.loads(listed.stdout)] == ["block"]
    assert (tmp_path / "configured.db").exists()
    assert not (tmp_path / "aaa_events.db").exists()


def test_missing_secret_is_one_clear_line(tmp_path):
    env = cli_env()
    del env["AAA_CONSUMER_SECRET"]
    for command in (("serve",), ("send", "follow"), ("crc",)):
        result = run_cli(*command, cwd=tmp_path, env=env)
        assert result.returncode == 2, command
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith("Error: no consumer secret configured")
        assert "AAA_CONSUMER_SECRET" in result.stderr
    assert not (tmp_path / "aaa_events.db").exists()


def test_nothing_listening(tmp_path):
    url = "http://127.0.0.1:9/webhooks/x"  # the discard port: nothing serves HTTP there
    crc = run_cli("crc", "--url", url, cwd=tmp_path)
    assert crc.returncode == 3
    assert crc.stderr.startswith(f"Error: nothing answered at {url}")
    sent = run_cli("send", "mute", "--url", url, cwd=tmp_path)
    assert sent.returncode == 3
    assert "(no answer)" in sent.stdout


def test_plugins_lists_the_installed_ones(tmp_path):
    listed = run_cli("plugins", "--json", cwd=tmp_path, env=cli_env(AAA_CONSUMER_SECRET=""))
    assert listed.returncode == 0, listed.stderr
    by_name = {plugin["name"]: plugin for plugin in json.loads(listed.stdout)}
    assert by_name["sqlite"]["distribution"] == "aaa-middleware-sqlite"
    assert "aaa_event" in by_name["sqlite"]["hooks"]
    off = run_cli("plugins", cwd=tmp_path, env=cli_env(AAA_LOAD_ENTRY_POINTS="0"))
    assert off.returncode == 0
    assert "discovery is off" in off.stdout


def test_help_names_every_command_and_the_exit_codes(tmp_path):
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("serve", "send", "crc", "events", "plugins"):
        assert command in result.stdout
    assert "Exit codes:" in result.stdout
    script = Path(sys.executable).parent / "aaa-middleware"
    version = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    assert version.returncode == 0
    assert version.stdout.startswith("aaa-middleware, version ")
