"""What every edge (ASGI, WSGI, the framework adapters) is built from."""

from __future__ import annotations

import atexit
import weakref
from collections.abc import Sequence
from typing import Protocol

from .dedupe import AsyncDedupeStore, DedupeStore
from .dispatch import Dispatcher
from .sansio import Receiver
from .settings import Settings

__all__ = ["Edge", "close_at_exit"]


class Edge:
    """One receiver's state: its settings, the sans-IO `Receiver` and the plugins' `Dispatcher`."""

    def __init__(
        self,
        settings: Settings,
        plugins: Sequence[object],
        dedupe_store: DedupeStore | AsyncDedupeStore | None = None,
    ) -> None:
        self.settings = settings
        self.receiver = Receiver(settings)
        self.dispatcher = Dispatcher(settings, plugins=plugins, dedupe_store=dedupe_store)
        self._background = settings.delivery == "background"


class _Closable(Protocol):
    def close(self) -> None: ...


def close_at_exit(edge: _Closable) -> None:
    """Call ``edge.close()`` at interpreter exit, for edges whose server has no shutdown phase
    to tell them about; a weak reference, so an edge that is gone is not kept alive for it."""
    atexit.register(_close, weakref.ref(edge))


def _close(ref: weakref.ReferenceType[_Closable]) -> None:
    edge = ref()
    if edge is not None:
        edge.close()
