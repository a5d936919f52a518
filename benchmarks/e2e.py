"""End to end: uvicorn on 127.0.0.1, one worker per app, loaded by wrk.

Three servers run side by side, each a subprocess serving one app of `benchmarks.apps`:
``bare`` (reads the body, answers 200), ``floor`` (the hand-written HMAC check and decode) and
``middleware`` (`ASGIMiddleware` with one no-op plugin). wrk POSTs the same signed delivery
over and over; its Lua script reports throughput and latency percentiles as one JSON line.

Dedupe is off in the middleware for this run: with one body repeated, every request after
the first would be a duplicate, which is still verified and decoded but skips the dispatch.

Rounds are interleaved (bare, floor, middleware, then the next round in a rotated order) and
each figure is the median over rounds, so a burst of load elsewhere on the machine is shared.
"""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import apps, payloads

__all__ = ["APPS", "WrkRun", "run_e2e"]

ROOT = Path(__file__).resolve().parent.parent

#: Served app name → (factory in benchmarks.apps, uvicorn --lifespan).
APPS: dict[str, tuple[str, str]] = {
    "bare": ("bare_app", "off"),
    "floor": ("floor_app", "off"),
    "middleware": ("middleware_app", "on"),
}

_MARK = "WRK_JSON "
_LUA = """\
wrk.method = "POST"
wrk.path = "{path}"
wrk.body = [{level}[{body}]{level}]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Twitter-Webhooks-Signature"] = "{signature}"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{mark}{{"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"status_errors":%d,"timeouts":%d,' ..
    '"p50_us":%.0f,"p90_us":%.0f,"p99_us":%.0f,"max_us":%.0f,"mean_us":%.1f}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
"""


@dataclass(frozen=True, slots=True)
class WrkRun:
    """One wrk run against one server."""

    app: str
    requests: int
    duration_s: float
    p50_us: float
    p90_us: float
    p99_us: float
    errors: int
    raw: dict[str, Any] = field(repr=False)

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s


def lua_script(delivery: payloads.Signed, path: str = apps.PATH) -> str:
    """The wrk script that POSTs `delivery` and prints its summary as one JSON line."""
    text = delivery.body.decode("ascii")
    level = "="
    while f"]{level}]" in text:
        level += "="
    return _LUA.format(
        path=path,
        level=level,
        body=text,
        signature=delivery.signature.decode("ascii"),
        mark=_MARK,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"uvicorn did not listen on port {port} within {timeout:.0f}s")


@contextlib.contextmanager
def _server(name: str) -> Iterator[int]:
    """Serve app `name` with uvicorn in a subprocess; yields its port."""
    factory, lifespan = APPS[name]
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        f"benchmarks.apps:{factory}",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--lifespan",
        lifespan,
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
    try:
        _wait_listening(port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _check(port: int, delivery: payloads.Signed) -> None:
    """One request before the load: the server must answer the signed delivery with 200."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "POST",
            apps.PATH,
            body=delivery.body,
            headers={
                "Content-Type": "application/json",
                payloads.SIGNATURE_HEADER: delivery.signature.decode("ascii"),
            },
        )
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"the server answered {response.status} to a signed delivery")


def _wrk(wrk: str, script: Path, port: int, app: str, duration: float, connections: int) -> WrkRun:
    command = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}{apps.PATH}",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    lines = [line for line in output.splitlines() if line.startswith(_MARK)]
    if not lines:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    raw = json.loads(lines[-1][len(_MARK) :])
    errors = sum(raw[name] for name in raw if name.endswith("_errors") or name == "timeouts")
    return WrkRun(
        app=app,
        requests=raw["requests"],
        duration_s=raw["duration_us"] / 1e6,
        p50_us=raw["p50_us"],
        p90_us=raw["p90_us"],
        p99_us=raw["p99_us"],
        errors=errors,
        raw=raw,
    )


def _server_stack() -> dict[str, str]:
    def has(module: str) -> bool:
        return importlib.util.find_spec(module) is not None

    import uvicorn

    return {
        "server": f"uvicorn {uvicorn.__version__}, 1 worker",
        # What uvicorn's "auto" picks: httptools and uvloop when they are installed.
        "http": "httptools" if has("httptools") else "h11",
        "loop": "uvloop" if has("uvloop") else "asyncio",
    }


def run_e2e(
    *,
    duration: float,
    rounds: int,
    connections: int = 8,
    kind: str = "mention",
    wrk: str = "wrk",
    names: Sequence[str] = tuple(APPS),
) -> dict[str, Any]:
    """Load every app in `names` for `rounds` interleaved runs of `duration` seconds each.

    Returns a JSON-ready summary; ``{"skipped": reason}`` when wrk cannot be found.
    """
    wrk_path = shutil.which(wrk)
    if wrk_path is None:
        return {
            "skipped": f"wrk not found ({wrk!r}): install it (e.g. apt-get install wrk) to run "
            "the end-to-end benchmark"
        }
    delivery = payloads.signed(kind)
    runs: list[WrkRun] = []
    with tempfile.TemporaryDirectory(prefix="aaa-bench-") as tmp, contextlib.ExitStack() as stack:
        script = Path(tmp, "post.lua")
        script.write_text(lua_script(delivery), encoding="ascii")
        ports = {name: stack.enter_context(_server(name)) for name in names}
        for name, port in ports.items():
            _check(port, delivery)
            _wrk(wrk_path, script, port, name, 1, connections)  # warm-up, discarded
        order = list(names)
        for round_ in range(rounds):
            for offset in range(len(order)):
                name = order[(round_ + offset) % len(order)]
                runs.append(_wrk(wrk_path, script, ports[name], name, duration, connections))
    summary: dict[str, Any] = {
        "kind": kind,
        "size": len(delivery.body),
        "duration_s": duration,
        "rounds": rounds,
        "connections": connections,
        "wrk_threads": 1,
        "dedupe": "off in the middleware (one body is repeated; see benchmarks/e2e.py)",
        **_server_stack(),
        "apps": {},
    }
    for name in names:
        mine = [run for run in runs if run.app == name]
        summary["apps"][name] = {
            "rps": statistics.median(run.rps for run in mine),
            "p50_ms": statistics.median(run.p50_us for run in mine) / 1000,
            "p99_ms": statistics.median(run.p99_us for run in mine) / 1000,
            "errors": sum(run.errors for run in mine),
            "requests": sum(run.requests for run in mine),
            "runs": [run.raw for run in mine],
        }
    if "bare" in summary["apps"]:
        bare = summary["apps"]["bare"]["rps"]
        for values in summary["apps"].values():
            values["rps_ratio"] = values["rps"] / bare
    return summary
