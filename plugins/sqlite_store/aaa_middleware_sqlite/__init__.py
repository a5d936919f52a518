"""Keep every event aaa_middleware receives in a SQLite database.

Installed, the plugin does nothing until its settings section names a file::

    [aaa_middleware.plugins.sqlite]
    path = "events.db"

(``plugin_config={"sqlite": {"path": "events.db"}}`` in code). Without it no file is created.
Each event is stored once: a retried or replayed copy with the same dedupe key is ignored.
Read the events back with `EventStore`.

The store belongs to the process: the receiver that started last decides which file is
written, and its shutdown closes it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from aaa_middleware.errors import ConfigurationError
from aaa_middleware.hookspecs import hookimpl

from .store import EventStore, StoredEvent

if TYPE_CHECKING:
    from aaa_middleware.events import Event
    from aaa_middleware.sansio import Delivery
    from aaa_middleware.settings import Settings

__all__ = ["PLUGIN_NAME", "EventStore", "StoredEvent", "aaa_event", "aaa_shutdown", "aaa_startup"]

#: The entry-point name, and so the name of the settings section and of the plugin to block.
PLUGIN_NAME = "sqlite"

_lock = threading.Lock()
_store: EventStore | None = None


@hookimpl
def aaa_startup(settings: Settings) -> None:
    global _store
    config = settings.plugin_settings(PLUGIN_NAME)
    if config is None:
        return
    path = config.get("path")
    if not isinstance(path, str) or not path:
        raise ConfigurationError(f"plugin_config.{PLUGIN_NAME} needs a 'path' to the database")
    store = EventStore(path)
    with _lock:
        previous, _store = _store, store
    if previous is not None:
        previous.close()


@hookimpl
def aaa_event(event: Event, delivery: Delivery) -> None:
    store = _store
    if store is not None:
        store.add(event, delivery)


@hookimpl
def aaa_shutdown() -> None:
    global _store
    with _lock:
        store, _store = _store, None
    if store is not None:
        store.close()
