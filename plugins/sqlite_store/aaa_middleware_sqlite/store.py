"""The SQLite event store: written by the plugin, read by whoever wants the events back.

One connection per store, shared by every thread behind a lock: SQLite serialises writers
anyway, and a single connection can be closed cleanly from whichever thread shuts down. WAL
journaling keeps other processes (a CLI reading the file) from blocking the receiver.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aaa_middleware.events import Event
    from aaa_middleware.sansio import Delivery

__all__ = ["EventStore", "StoredEvent"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    for_user_id TEXT,
    dedupe_key TEXT NOT NULL,
    received_at REAL NOT NULL,
    secret_label TEXT NOT NULL,
    raw TEXT NOT NULL
);
-- The dedupe key already names the subscribed user; for_user_id is part of the index too so
-- that a store fed by another dedupe scheme still keeps one row per user.
CREATE UNIQUE INDEX IF NOT EXISTS events_identity ON events (ifnull(for_user_id, ''), dedupe_key);
CREATE INDEX IF NOT EXISTS events_kind ON events (kind, received_at);
CREATE INDEX IF NOT EXISTS events_received_at ON events (received_at);
"""

_COLUMNS = "kind, for_user_id, dedupe_key, received_at, secret_label, raw"


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One stored event. `raw` is the event's exact JSON text, as X sent it."""

    kind: str
    for_user_id: str | None
    dedupe_key: str
    received_at: datetime
    secret_label: str
    raw: str

    def as_dict(self) -> dict[str, str | None]:
        """A stable JSON-able form; ``received_at`` is ISO-8601 in UTC."""
        return {
            "kind": self.kind,
            "for_user_id": self.for_user_id,
            "dedupe_key": self.dedupe_key,
            "received_at": self.received_at.isoformat(),
            "secret_label": self.secret_label,
            "raw": self.raw,
        }


class EventStore:
    """A SQLite file of received events.

    :param path: the database file.
    :param create: create the file (and its schema) if missing; with False a missing file is
        a `FileNotFoundError`, so a reader never leaves an empty database behind.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise FileNotFoundError(f"no event database at {os.fspath(path)!r}")
        self._lock = threading.Lock()
        # Autocommit: every statement below is one transaction, and no thread can leave a
        # transaction open for another one to trip over.
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)

    def add(self, event: Event, delivery: Delivery) -> bool:
        """Store `event`; false if an event with its dedupe key was already stored."""
        row = (
            event.kind,
            event.for_user_id,
            event.dedupe_key,
            delivery.received_at,
            delivery.secret_label,
            bytes(event.raw).decode("utf-8"),
        )
        with self._lock:
            cursor = self._db.execute(
                f"INSERT OR IGNORE INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", row
            )
        return cursor.rowcount == 1

    def query(
        self,
        kind: str | None = None,
        for_user_id: str | None = None,
        since: datetime | float | None = None,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        """Stored events, oldest first.

        :param kind: only this kind, e.g. ``"follow"``.
        :param for_user_id: only events delivered for this subscribed account.
        :param since: only events received at or after this time (an aware datetime, or
            seconds since the epoch).
        :param limit: only the most recent `limit` of them (still oldest first).
        """
        where: list[str] = []
        params: list[object] = []
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        if for_user_id is not None:
            where.append("for_user_id = ?")
            params.append(for_user_id)
        if since is not None:
            where.append("received_at >= ?")
            params.append(since.timestamp() if isinstance(since, datetime) else float(since))
        sql = f"SELECT {_COLUMNS} FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [
            StoredEvent(kind, user, key, datetime.fromtimestamp(at, UTC), label, raw)
            for kind, user, key, at, label, raw in reversed(rows)
        ]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> EventStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
