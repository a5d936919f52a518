"""Running the real ``aaa-middleware`` command: subprocesses, a served receiver, a fake one."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

COMMAND = (sys.executable, "-m", "aaa_middleware.cli")
SECRET = "cli-test-secret"
TIMEOUT = 30.0
_ANNOUNCE = re.compile(r"listening on (http://\S+?);")


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a CLI subprocess: this one's, minus any AAA_* setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AAA_")}
    env["AAA_CONSUMER_SECRET"] = SECRET
    env.update(extra)
    return env


def run_cli(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``aaa-middleware ARGS`` to completion."""
    return subprocess.run(
        [*COMMAND, *args],
        cwd=cwd,
        env=dict(env if env is not None else cli_env()),
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def start_cli(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    """Start ``aaa-middleware ARGS`` without waiting for it."""
    return subprocess.Popen(
        [*COMMAND, *args],
        cwd=cwd,
        env=dict(env if env is not None else cli_env()),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class Served:
    """A running ``aaa-middleware serve``; `stop` signals it and returns its exit status."""

    def __init__(self, process: subprocess.Popen[str], url: str, lines: list[str]) -> None:
        self.process = process
        self.url = url
        self.lines = lines

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"serve did not stop on signal {sig}:\n{self.log}") from None


@contextlib.contextmanager
def served(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> Iterator[Served]:
    """``aaa-middleware serve --port 0 ARGS`` in `cwd`, once its start-up line names the URL."""
    process = subprocess.Popen(
        [*COMMAND, "serve", "--port", "0", "--no-access-log", *args],
        cwd=cwd,
        env=dict(env if env is not None else cli_env()),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    lines: list[str] = []
    match = None
    # readline() blocks; the deadline is enforced by killing the process from a timer.
    killer = threading.Timer(TIMEOUT, process.kill)
    killer.start()
    try:
        while match is None:
            line = process.stderr.readline()
            if not line:
                process.wait(TIMEOUT)
                raise AssertionError(f"serve exited with {process.returncode}:\n{''.join(lines)}")
            lines.append(line)
            match = _ANNOUNCE.search(line)
    finally:
        killer.cancel()
    # Keep reading stderr so that the server never blocks on a full pipe.
    stream = process.stderr
    drain = threading.Thread(target=lambda: lines.extend(stream), daemon=True)
    drain.start()
    try:
        yield Served(process, match.group(1), lines)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(TIMEOUT)
        drain.join(TIMEOUT)
        stream.close()


def run_all(
    commands: Sequence[Sequence[str]], cwd: Path, env: Mapping[str, str]
) -> list[subprocess.CompletedProcess[str]]:
    """Run several CLI commands at once (each is a process start-up: parallel saves seconds)."""
    started = [(command, start_cli(*command, cwd=cwd, env=env)) for command in commands]
    done = []
    for command, process in started:
        out, err = process.communicate(timeout=TIMEOUT)
        done.append(subprocess.CompletedProcess(list(command), process.returncode, out, err))
    return done


def uvicorn_in_thread(app: Callable[..., object]) -> contextlib.AbstractContextManager[str]:
    """Serve an ASGI app on a free port in a thread; yields its base URL."""

    @contextlib.contextmanager
    def serving() -> Iterator[str]:
        import uvicorn

        config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="error")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + TIMEOUT
        while not server.started:
            assert thread.is_alive(), "uvicorn did not start"
            assert time.monotonic() < deadline, "uvicorn did not start in time"
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(TIMEOUT)

    return serving()
