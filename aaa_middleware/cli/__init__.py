"""The ``aaa-middleware`` command: run a receiver, and play X against any receiver."""

from __future__ import annotations

import click

from .. import __version__
from .crc import crc
from .events import events
from .plugins import plugins
from .send import send
from .serve import serve

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="aaa-middleware")
def cli() -> None:
    """Receive X (Twitter) account-activity webhooks, and test any receiver of them.

    \b
      serve    run a standalone receiver (events kept in ./aaa_events.db)
      send     post realistic, signed deliveries of any kind, as X does
      crc      run X's challenge-response check and explain what is wrong
      events   list what the event store holds
      plugins  list the installed plugins and the hooks they implement

    Settings come from, in order of precedence: options, AAA_* environment variables
    (e.g. AAA_CONSUMER_SECRET=current,previous), then a TOML file (--config or AAA_CONFIG).
    The consumer secret is never taken from the command line, where other users can see it.

    \b
    Exit codes:
      0  success
      1  the receiver answered wrongly (send: a delivery not answered 200;
         crc: an answer that makes X mark the webhook invalid), or serve
         could not start (a port in use)
      2  usage or configuration error (e.g. no consumer secret)
      3  nothing answered at the URL (connection refused, unknown host)
    """


cli.add_command(serve)
cli.add_command(send)
cli.add_command(crc)
cli.add_command(events)
cli.add_command(plugins)


def main() -> None:
    """The console script's entry point."""
    cli(prog_name="aaa-middleware")
