"""``aaa-middleware serve``: the standalone receiver, on uvicorn."""

from __future__ import annotations

import logging
import math
import sys
from pathlib import Path

import click

from ..asgi import ASGIMiddleware
from ..errors import ConfigurationError
from ..plugin_host import PluginInfo
from ._config import (
    EXIT_FAILED,
    SQLITE_PLUGIN,
    ConfigError,
    config_option,
    event_db_path,
    read_fields,
    settings_from,
)

__all__ = ["serve"]

_LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on; 0 picks a free one (the start-up line says which).",
)
@click.option("--path", help="The webhook path.  [default: /webhooks/x]")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file to keep events in.  [default: ./aaa_events.db]",
)
@click.option("--no-db", is_flag=True, help="Keep no events (the sqlite plugin stays off).")
@click.option(
    "--delivery",
    type=click.Choice(["after_dispatch", "background"]),
    help="Answer once the plugins ran (X retries failures), or at once (background).  "
    "[default: after_dispatch]",
)
@click.option("--max-body-size", type=click.IntRange(1), help="Largest body accepted, in bytes.")
@click.option(
    "--drain-timeout",
    type=click.FloatRange(0),
    help="Seconds shutdown waits for deliveries in flight.  [default: 10]",
)
@click.option(
    "--ignore-self/--no-ignore-self",
    default=None,
    help="Drop events the subscribed account caused itself.",
)
@click.option(
    "--block-plugin",
    "blocked",
    multiple=True,
    metavar="NAME",
    help="Do not load this installed plugin (repeatable).",
)
@click.option("--log-level", type=click.Choice(_LOG_LEVELS), default="info", show_default=True)
@click.option("--access-log/--no-access-log", default=True, show_default=True)
@config_option
def serve(
    host: str,
    port: int,
    path: str | None,
    db: Path | None,
    no_db: bool,
    delivery: str | None,
    max_body_size: int | None,
    drain_timeout: float | None,
    ignore_self: bool | None,
    blocked: tuple[str, ...],
    log_level: str,
    access_log: bool,
    config_path: Path | None,
) -> None:
    """Run a standalone receiver.

    It answers X's CRC checks and verified deliveries at the webhook path (404 anywhere
    else), runs the installed plugins, and keeps every event in a SQLite file that
    `aaa-middleware events` reads.

    On SIGINT or SIGTERM it stops accepting connections, finishes the deliveries in flight,
    lets the plugins shut down, and exits 0.
    """
    # Imported here: the other commands, and --help, have no use for a server.
    import uvicorn

    from ._server import ReceiverServer

    fields = read_fields(config_path)
    plugin_config = {**(fields.get("plugin_config") or {})}
    if no_db:
        plugin_config.pop(SQLITE_PLUGIN, None)
    else:
        store_file = event_db_path(fields, db).absolute()
        if not store_file.parent.is_dir():
            # Checked here: the store opens at start-up, where a failure is only logged.
            raise ConfigError(f"cannot keep events in {str(store_file)!r}: no such directory")
        plugin_config[SQLITE_PLUGIN] = {
            **(plugin_config.get(SQLITE_PLUGIN) or {}),
            "path": str(store_file),
        }
    blocked_plugins = (*(fields.get("blocked_plugins") or ()), *blocked) or None
    settings = settings_from(
        fields,
        path=path,
        delivery=delivery,
        max_body_size=max_body_size,
        drain_timeout=drain_timeout,
        ignore_self=ignore_self,
        blocked_plugins=blocked_plugins,
        plugin_config=plugin_config,
    )
    try:
        app = ASGIMiddleware(settings=settings)
    except ConfigurationError as exc:  # a plugin that cannot be loaded, among others
        raise ConfigError(str(exc)) from None
    _route_library_logs(log_level)

    active = app.dispatcher.host.list_plugins()
    store_path = None if no_db else plugin_config[SQLITE_PLUGIN]["path"]

    def announce(bound_host: str, bound_port: int) -> None:
        url = f"http://{_url_host(bound_host)}:{bound_port}{settings.path}"
        click.echo(
            f"aaa-middleware: listening on {url}; {_describe_plugins(active, store_path)}",
            err=True,
        )

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="on",
        log_level=log_level,
        access_log=access_log,
        timeout_graceful_shutdown=math.ceil(settings.drain_timeout),
    )
    server = ReceiverServer(config, announce)
    try:
        server.run()
    except SystemExit as exc:
        # uvicorn exits with a status of its own choosing when it cannot start (a port in
        # use, say), after logging why; the command's status for that is 1.
        if exc.code not in (0, None):
            sys.exit(EXIT_FAILED)
        raise
    if not server.started:
        sys.exit(EXIT_FAILED)


def _route_library_logs(level: str) -> None:
    # uvicorn configures its own loggers only; the receiver's and the plugins' logs (refused
    # requests, failing hooks, structured event lines) go to stderr beside them.
    logger = logging.getLogger("aaa_middleware")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-9s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(level.upper())


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _describe_plugins(active: list[PluginInfo], store_path: str | None) -> str:
    names = [info.name for info in active]
    described = [
        f"{name} ({store_path})" if name == SQLITE_PLUGIN and store_path else name for name in names
    ]
    text = "plugins: " + (", ".join(described) if described else "none")
    if store_path is None:
        return text + "; no event store (--no-db)"
    if SQLITE_PLUGIN not in names:
        return text + "; no event store: the sqlite plugin (aaa-middleware-sqlite) is not loaded"
    return text
