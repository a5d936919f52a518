"""Keep every event aaa_middleware receives in a SQLite database.

Installed, the plugin does nothing until its settings section names a file::

    [aaa_middleware.plugins.sqlite]
    path = "events.db"

(``plugin_config={"sqlite": {"path": "events.db"}}`` in code). Without it no file is created.
Each event is stored once: a retried or replayed copy with the same dedupe key is ignored.
Read the events back with `EventStore`.

Several receivers in one process may each name their own file (or share one): every event
goes to the file of the receiver that accepted it.
"""

from __future__ import annotations

import os
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
# One open store per file, shared by the receivers that name it; and which file each receiver
# (by the identity of its settings object, which lives as long as the receiver) writes to.
_files: dict[str, tuple[EventStore, int]] = {}
_receivers: dict[int, tuple[Settings, EventStore]] = {}


def _path(settings: Settings) -> str | None:
    config = settings.plugin_settings(PLUGIN_NAME)
    if config is None:
        return None
    path = config.get("path")
    if not isinstance(path, str) or not path:
        raise ConfigurationError(f"plugin_config.{PLUGIN_NAME} needs a 'path' to the database")
    return os.path.abspath(path)


@hookimpl
def aaa_startup(settings: Settings) -> None:
    path = _path(settings)
    if path is None:
        return
    with _lock:
        if id(settings) in _receivers:
            return
        store, users = _files.get(path) or (EventStore(path), 0)
        _files[path] = (store, users + 1)
        _receivers[id(settings)] = (settings, store)


@hookimpl
def aaa_event(event: Event, delivery: Delivery) -> None:
    if delivery.settings is not None:
        entry = _receivers.get(id(delivery.settings))
        if entry is not None:
            entry[1].add(event, delivery)
    elif len(_files) == 1:  # a delivery built by hand: the only open file, if there is one
        next(iter(_files.values()))[0].add(event, delivery)


@hookimpl
def aaa_shutdown(settings: Settings) -> None:
    path = _path(settings)
    with _lock:
        if _receivers.pop(id(settings), None) is None or path is None:
            return
        store, users = _files[path]
        if users > 1:
            _files[path] = (store, users - 1)
            return
        del _files[path]
    store.close()
