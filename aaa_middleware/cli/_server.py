"""uvicorn's server, made to announce where it listens and to exit 0 after a signal."""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Generator
from types import FrameType

import uvicorn

__all__ = ["ReceiverServer"]


class ReceiverServer(uvicorn.Server):
    """A uvicorn server that calls `announce(host, port)` once it listens.

    uvicorn re-raises SIGINT/SIGTERM once it has shut down, so that the process dies of the
    signal as if uvicorn were not there. A receiver that finished its deliveries and shut down
    cleanly says so with status 0 instead: supervisors and scripts read a death by signal as
    a crash.
    """

    def __init__(self, config: uvicorn.Config, announce: Callable[[str, int], None]) -> None:
        super().__init__(config)
        self._announce = announce

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            # With --port 0 only the bound socket knows the port.
            address = self.servers[0].sockets[0].getsockname()
            self._announce(str(address[0]), int(address[1]))

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # signal handlers can only be installed from the main thread
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self._stop) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, sig: int, frame: FrameType | None) -> None:
        # A second Ctrl-C gives up on the deliveries in flight, as it does under uvicorn.
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        self.should_exit = True
