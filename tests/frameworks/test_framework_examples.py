"""Every example app under a real server on 127.0.0.1, driven over real HTTP, then stopped.

Each server is a subprocess started the way the example's README says; its log (stderr) is
where the example's plugin writes what it received, so the events, the plugin start-up and the
shutdown are all observed from outside, as an operator would.
"""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from servers import free_port
from webhook_cases import FOLLOW_BODY, PATH, SECRET, signed

from aaa_middleware import decode_activity
from aaa_middleware.signing import crc_response_token

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FIXTURES = ROOT / "tests" / "fixtures"
BODIES = [FOLLOW_BODY] + [
    (FIXTURES / name).read_bytes()
    for name in ("favorite.json", "tweet_delete.json", "block_mute_shared_keys.json")
]
START_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0


def _gunicorn_options() -> list[str]:
    from gunicorn.config import KNOWN_SETTINGS

    # Recent gunicorn opens a control socket in the home directory; the tests need none.
    flags = {flag for setting in KNOWN_SETTINGS for flag in setting.cli or ()}
    return ["--no-control-socket"] if "--no-control-socket" in flags else []


def uvicorn(target: str, *extra: str) -> Callable[[int], list[str]]:
    return lambda port: [
        "-m",
        "uvicorn",
        target,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *extra,
    ]


def gunicorn(target: str) -> Callable[[int], list[str]]:
    return lambda port: [
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        *_gunicorn_options(),
        target,
    ]


def check_starlette(client: httpx.Client) -> None:
    # The host app's GZipMiddleware still compresses its own routes.
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == "Hello from Starlette"


def check_django(client: httpx.Client) -> None:
    # The project's CSRF protection still refuses an unsigned POST to its own view.
    assert client.post("/contact", data={"name": "ana"}).status_code == 403


@dataclass(frozen=True)
class Example:
    directory: str
    command: Callable[[int], list[str]]
    greeting: str
    stop: signal.Signals = signal.SIGTERM
    exit_codes: tuple[int, ...] = (0,)
    check: Callable[[httpx.Client], None] = field(default=lambda client: None)


# uvicorn re-raises the signal once its graceful shutdown (lifespan included) is over, so its
# exit status reports SIGTERM; the plugin's shutdown has run by then.
_UVICORN_SIGTERM = (0, -signal.SIGTERM)

EXAMPLE_SERVERS = {
    "starlette-uvicorn": Example(
        "starlette_app",
        uvicorn("app:app"),
        "Hello from Starlette",
        exit_codes=_UVICORN_SIGTERM,
        check=check_starlette,
    ),
    "fastapi-uvicorn": Example(
        "fastapi_app", uvicorn("app:app"), "Hello from FastAPI", exit_codes=_UVICORN_SIGTERM
    ),
    "flask-gunicorn": Example("flask_app", gunicorn("app:app"), "Hello from Flask"),
    "django-gunicorn": Example(
        "django_app", gunicorn("webhook_demo.wsgi"), "Hello from Django", check=check_django
    ),
    # Django has no ASGI lifespan, so its plugins shut down at interpreter exit, which uvicorn
    # reaches on SIGINT; on SIGTERM it re-raises the signal and the process ends without it.
    "django-uvicorn": Example(
        "django_app",
        uvicorn("webhook_demo.asgi:application", "--lifespan", "off"),
        "Hello from Django",
        stop=signal.SIGINT,
        check=check_django,
    ),
}


class Server:
    def __init__(self, example: Example, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        env = {**os.environ, "AAA_CONSUMER_SECRET": SECRET, "PYTHONUNBUFFERED": "1"}
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, *example.command(self.port)],
                cwd=EXAMPLES / example.directory,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited with {self.process.returncode}:\n{self.log}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        pytest.fail(f"server not ready within {START_TIMEOUT}s:\n{self.log}")

    def stop(self, how: signal.Signals) -> int:
        self.process.send_signal(how)
        try:
            return self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)
            pytest.fail(f"server ignored {how.name} for {STOP_TIMEOUT}s:\n{self.log}")


@pytest.fixture(params=list(EXAMPLE_SERVERS), ids=list(EXAMPLE_SERVERS))
def example(request):
    return EXAMPLE_SERVERS[request.param]


@pytest.fixture
def server(example, tmp_path):
    server = Server(example, tmp_path / "server.log")
    try:
        server.wait_ready()
        yield server
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(STOP_TIMEOUT)


def assert_crc_byte_exact(client: httpx.Client) -> None:
    expected = b'{"response_token":"' + crc_response_token("tok-1", SECRET).encode() + b'"}'
    # Ask for gzip as a browser would: X compares bytes, so none may come back encoded.
    with client.stream(
        "GET", PATH, params={"crc_token": "tok-1"}, headers={"Accept-Encoding": "gzip"}
    ) as response:
        raw = b"".join(response.iter_raw())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    encoding = response.headers.get("content-encoding", "identity")
    assert (gzip.decompress(raw) if encoding == "gzip" else raw) == expected


def test_example_over_http(example, server):
    with httpx.Client(base_url=server.url, timeout=5) as client:
        assert_crc_byte_exact(client)
        for body in BODIES:
            response = client.post(PATH, content=body, headers=dict(signed(body)))
            assert response.status_code == 200, server.log
        wrong = client.post(PATH, content=FOLLOW_BODY, headers=dict(signed(FOLLOW_BODY, "nope")))
        assert wrong.status_code == 403
        unsigned = client.post(
            PATH, content=FOLLOW_BODY, headers={"content-type": "application/json"}
        )
        assert unsigned.status_code == 401

        assert example.greeting in client.get("/").text
        assert client.get("/health").json() == {"status": "ok"}
        assert client.get(PATH + "/other").status_code == 404
        example.check(client)

    exit_code = server.stop(example.stop)
    log = server.log
    assert exit_code in example.exit_codes, log
    expected = [
        f"event {event.kind} for {event.for_user_id}: {event.dedupe_key}"
        for body in BODIES
        for event in decode_activity(body).events
    ]
    logged = [line.split(" INFO ", 1)[1] for line in log.splitlines() if " INFO event " in line]
    assert logged == expected, log
    assert log.count("receiver started") == 1, log
    assert log.count("receiver stopped") == 1, log
    assert log.index("receiver started") < log.index("receiver stopped")
    assert "Traceback" not in log, log
