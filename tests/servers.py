"""Real HTTP servers on 127.0.0.1 for the tests: uvicorn for ASGI apps, waitress for WSGI."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def uvicorn_server(app, *, lifespan: str = "on") -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a thread; yields its base URL, stops it on exit."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan=lifespan, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        assert not thread.is_alive(), "uvicorn did not stop"


@contextlib.contextmanager
def waitress_server(app) -> Iterator[str]:
    """Serve a WSGI app with waitress in a thread; yields its base URL, stops it on exit."""
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    port = server.socket.getsockname()[1]  # type: ignore[union-attr]
    stopping = threading.Event()

    def run() -> None:
        try:
            server.run()
        except OSError:
            # Closing the sockets from this thread races the loop's select(); once we are
            # stopping, a closed descriptor there is expected, not a failure.
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stopping.set()
        # Let in-flight requests finish before the sockets they answer on go away.
        server.task_dispatcher.shutdown(cancel_pending=False, timeout=10)
        server.close()
        for channel in list(server._map.values()):  # type: ignore[attr-defined]
            channel.close()
        thread.join(10)
        assert not thread.is_alive(), "waitress did not stop"
