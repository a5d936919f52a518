"""``aaa-middleware events``: what the SQLite event store holds."""

from __future__ import annotations

import importlib.metadata
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import click

from ..events import KINDS
from ..plugin_host import ENTRY_POINT_GROUP
from ._config import SQLITE_PLUGIN, ConfigError, config_option, event_db_path, read_fields

__all__ = ["events"]


class StoredEvent(Protocol):
    """What this command reads of one stored event."""

    @property
    def kind(self) -> str: ...
    @property
    def for_user_id(self) -> str | None: ...
    @property
    def dedupe_key(self) -> str: ...
    @property
    def received_at(self) -> datetime: ...
    def as_dict(self) -> dict[str, str | None]: ...


class EventReader(Protocol):
    """The reading side of the sqlite plugin's ``EventStore``."""

    def query(
        self,
        kind: str | None = None,
        for_user_id: str | None = None,
        since: datetime | float | None = None,
        limit: int | None = None,
    ) -> list[StoredEvent]: ...

    def close(self) -> None: ...


_AGO = re.compile(r"(\d+)\s*([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class Since(click.ParamType[datetime]):
    """A moment: ISO-8601 (UTC unless it has an offset), or a duration ago such as 15m or 2h."""

    name = "WHEN"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        ago = _AGO.fullmatch(text)
        if ago is not None:
            amount, unit = int(ago.group(1)), ago.group(2)
            return datetime.now(UTC) - timedelta(**{_UNITS[unit]: amount})
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is neither ISO-8601 nor a duration like 15m, 2h or 7d", param, ctx)
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@click.command()
@click.option(
    "--kind", "kinds", type=click.Choice(KINDS), multiple=True, help="Only this kind (repeatable)."
)
@click.option(
    "--user", "for_user_id", metavar="ID", help="Only events for this subscribed account."
)
@click.option(
    "--since", type=Since(), help="Only events received since then: 2024-06-10T16:00, 15m, 2h, 7d."
)
@click.option(
    "--limit", type=click.IntRange(1), default=50, show_default=True, help="The latest N events."
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The event database.  [default: the configured one, else ./aaa_events.db]",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON array of objects instead of a table."
)
@config_option
def events(
    kinds: tuple[str, ...],
    for_user_id: str | None,
    since: datetime | None,
    limit: int,
    db: Path | None,
    as_json: bool,
    config_path: Path | None,
) -> None:
    """List the events the receiver stored, oldest first.

    Reads the SQLite file that `aaa-middleware serve` (through the sqlite plugin) writes to.
    With --json, each event is an object with kind, for_user_id, dedupe_key, received_at
    (ISO-8601, UTC), secret_label and raw (the event's JSON, exactly as X sent it).
    """
    path = event_db_path(read_fields(config_path), db)
    store = _open_store(path)
    found: list[StoredEvent] = []
    try:
        for kind in kinds or (None,):
            found += store.query(kind=kind, for_user_id=for_user_id, since=since, limit=limit)
    finally:
        store.close()
    found.sort(key=lambda event: event.received_at)
    found = found[-limit:]
    if as_json:
        click.echo(json.dumps([event.as_dict() for event in found], ensure_ascii=False))
        return
    if not found:
        click.echo("no events", err=True)
        return
    click.echo(_table(found))


def _table(rows: list[StoredEvent]) -> str:
    header = ("RECEIVED (UTC)", "KIND", "FOR USER", "DEDUPE KEY")
    cells = [
        (
            event.received_at.strftime("%Y-%m-%d %H:%M:%S"),
            event.kind,
            event.for_user_id or "-",
            event.dedupe_key,
        )
        for event in rows
    ]
    widths = [max(len(row[i]) for row in (header, *cells)) for i in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  "
        + row[-1]
        for row in (header, *cells)
    ]
    return "\n".join(lines)


def _open_store(path: Path) -> EventReader:
    # The store is a plugin, installed as its own distribution: found the way the receiver
    # finds it, through its entry point, rather than imported as if it were part of this one.
    found = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP, name=SQLITE_PLUGIN)
    if not found:
        raise ConfigError(
            "the event store plugin is not installed: pip install aaa-middleware-sqlite "
            "(./plugins/sqlite_store in a checkout)"
        )
    plugin = next(iter(found)).load()
    try:
        reader: EventReader = plugin.EventStore(path, create=False)
    except FileNotFoundError:
        raise ConfigError(
            f"no event database at {str(path)!r}: start `aaa-middleware serve` in that "
            "directory first, or pass --db"
        ) from None
    return reader
