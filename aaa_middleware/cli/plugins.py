"""``aaa-middleware plugins``: what the receiver would load, and what each plugin implements."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import ConfigurationError
from ..plugin_host import ENTRY_POINT_GROUP, PluginHost, PluginInfo
from ._config import ConfigError, config_option, read_fields, settings_from

__all__ = ["describe", "plugins"]


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead.")
@config_option
def plugins(as_json: bool, config_path: Path | None) -> None:
    """List the installed plugins: where each comes from and which hooks it implements.

    Plugins are distributions registered under the "aaa_middleware" entry-point group;
    plugins blocked by the configuration (blocked_plugins, AAA_BLOCKED_PLUGINS) are left out.
    """
    settings = settings_from(read_fields(config_path), require_secret=False)
    try:
        host = PluginHost(settings)
    except ConfigurationError as exc:  # a plugin that cannot be imported or registered
        raise ConfigError(str(exc)) from None
    found = host.list_plugins()
    if as_json:
        click.echo(json.dumps([info.as_dict() for info in found]))
        return
    if not settings.load_entry_points:
        click.echo("Plugin discovery is off (load_entry_points = false): no plugin is loaded.")
        return
    if not found:
        click.echo(
            f"No plugins installed. A plugin is a distribution with an entry point in the "
            f'"{ENTRY_POINT_GROUP}" group.'
        )
        return
    for line in describe(found):
        click.echo(line)
    if settings.blocked_plugins:
        click.echo(f"blocked: {', '.join(settings.blocked_plugins)}")


def describe(found: list[PluginInfo]) -> list[str]:
    """Two lines per plugin: its name and origin, then its hooks."""
    width = max((len(info.name) for info in found), default=0)
    lines = []
    for info in found:
        if info.distribution:
            origin = f"{info.distribution} {info.version} (entry point)"
        else:
            origin = "registered in code"
        hooks = (
            ", ".join(info.hooks) if info.hooks else "none (it implements no aaa_middleware hook)"
        )
        lines += [f"{info.name.ljust(width)}  {origin}", f"{''.ljust(width)}  hooks: {hooks}"]
    return lines
