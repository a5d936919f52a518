"""Configuration for every command, from one place: options, then environment, then TOML.

The same `Settings` fields as the library, read with the library's own readers, so a
deployment configured for the middleware runs the CLI unchanged. The consumer secret is
read from the environment or the file only: a command line is visible to every user of the
machine (``ps``), and ends up in shell history.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import ConfigurationError
from ..settings import ENV_PREFIX, Settings, env_fields, toml_fields

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_DB",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_UNREACHABLE",
    "EXIT_USAGE",
    "SQLITE_PLUGIN",
    "ConfigError",
    "Unreachable",
    "config_option",
    "event_db_path",
    "read_fields",
    "settings_from",
]

EXIT_OK = 0
#: The receiver answered, wrongly: a delivery not acknowledged, a CRC X would not accept.
EXIT_FAILED = 1
#: Bad usage or configuration (click uses 2 for usage errors too).
EXIT_USAGE = 2
#: Nothing answered at the URL: refused, timed out, unknown host.
EXIT_UNREACHABLE = 3

CONFIG_ENV = "AAA_CONFIG"
#: Where `serve` keeps events unless told otherwise, and where `events` looks for them.
DEFAULT_DB = "aaa_events.db"
SQLITE_PLUGIN = "sqlite"

_NO_SECRET = (
    f"no consumer secret configured: set {ENV_PREFIX}CONSUMER_SECRET (several, comma-separated, "
    "to rotate) or consumer_secret in the --config file"
)

F = TypeVar("F", bound=Callable[..., Any])


class ConfigError(click.ClickException):
    """A configuration problem, reported on one line with exit code 2."""

    exit_code = EXIT_USAGE


class Unreachable(click.ClickException):
    """The URL did not answer at all, reported on one line with exit code 3."""

    exit_code = EXIT_UNREACHABLE


def config_option(function: F) -> F:
    """The ``--config`` option every command takes."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        envvar=CONFIG_ENV,
        help="TOML settings file: the fields at top level or under [aaa_middleware].  "
        f"[env: {CONFIG_ENV}]",
    )(function)


def read_fields(
    config_path: Path | None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The settings fields from the TOML file, overridden by ``AAA_*`` variables."""
    fields: dict[str, Any] = {}
    try:
        if config_path is not None:
            fields.update(toml_fields(config_path))
    except ConfigurationError as exc:
        raise ConfigError(str(exc)) from None
    fields.update(env_fields(os.environ if environ is None else environ))
    return fields


def settings_from(
    fields: Mapping[str, Any], *, require_secret: bool = True, **options: Any
) -> Settings:
    """Build `Settings` from `read_fields` output and the command's options (None: not given).

    :param require_secret: False for commands that never verify anything (listing plugins):
        they get a placeholder secret instead of an error.
    """
    merged = {**fields, **{name: value for name, value in options.items() if value is not None}}
    if not merged.get("consumer_secrets"):
        if require_secret:
            raise ConfigError(_NO_SECRET)
        merged["consumer_secrets"] = "unused-placeholder"
    try:
        return Settings.build(**merged)
    except ConfigurationError as exc:
        raise ConfigError(str(exc)) from None


def event_db_path(fields: Mapping[str, Any], db: Path | None) -> Path:
    """The event database: ``--db``, else the sqlite plugin's configured path, else the default."""
    if db is not None:
        return db
    section = (fields.get("plugin_config") or {}).get(SQLITE_PLUGIN) or {}
    path = section.get("path") if isinstance(section, Mapping) else None
    return Path(path) if isinstance(path, str) and path else Path(DEFAULT_DB)
