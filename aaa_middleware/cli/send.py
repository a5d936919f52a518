"""``aaa-middleware send``: post signed deliveries at a receiver, as X does, and time them."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import click

from ..events import KINDS
from ..testing.payloads import build_delivery
from ._config import (
    EXIT_FAILED,
    EXIT_UNREACHABLE,
    ConfigError,
    config_option,
    read_fields,
    settings_from,
)
from ._sending import Report, send_all

__all__ = ["LOCAL_BASE", "send"]

#: Where the quickstart's `aaa-middleware serve` listens.
LOCAL_BASE = "http://127.0.0.1:8000"


@click.command()
@click.argument("kinds", metavar="[KIND]...", nargs=-1, type=click.Choice([*KINDS, "all"]))
@click.option(
    "--url",
    envvar="AAA_URL",
    help="The webhook URL.  [default: http://127.0.0.1:8000 + the configured path; env: AAA_URL]",
)
@click.option(
    "--file",
    "body_file",
    type=click.File("rb"),
    help="Send this body exactly as it is instead of building one ('-' reads stdin).",
)
@click.option(
    "-n",
    "--count",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Deliveries of each kind.",
)
@click.option(
    "-c",
    "--concurrency",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Deliveries in flight at once.",
)
@click.option("--for-user", "for_user_id", metavar="ID", help="The subscribed account's id.")
@click.option(
    "-s",
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Set a field of the event: a dotted path and a JSON value or plain text, e.g. "
    "--set source.screen_name=ana or --set event_type=post.create (repeatable).",
)
@click.option(
    "--same-ids",
    is_flag=True,
    help="Send the same event every time, as X's retries do: the receiver must dispatch it once.",
)
@click.option(
    "--secret-label",
    metavar="LABEL",
    help="Sign with the configured secret of this label instead of the first one.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds to wait for each answer.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@config_option
def send(
    kinds: tuple[str, ...],
    url: str | None,
    body_file: IO[bytes] | None,
    count: int,
    concurrency: int,
    for_user_id: str | None,
    assignments: tuple[str, ...],
    same_ids: bool,
    secret_label: str | None,
    timeout: float,
    as_json: bool,
    config_path: Path | None,
) -> None:
    """Post deliveries of each KIND ("all": every kind), signed with the consumer secret.

    Each delivery is a realistic event of its kind, shaped and escaped as X sends it, with
    fresh ids so that the receiver's dedupe does not drop repeats (unless --same-ids). The
    summary counts each answer's status and gives the latency percentiles.

    Exits 1 if any delivery was not answered 200, 3 if none was answered at all.
    """
    if bool(kinds) == (body_file is not None):
        raise click.UsageError("give KINDs to build deliveries, or --file, but not both")
    if body_file is not None and (assignments or for_user_id or same_ids):
        raise click.UsageError("--set, --for-user and --same-ids apply to built deliveries only")
    settings = settings_from(read_fields(config_path))
    secrets = settings.consumer_secrets
    label = secret_label if secret_label is not None else next(iter(secrets))
    if label not in secrets:
        raise ConfigError(
            f"no configured secret is labelled {label!r}; labels: {', '.join(secrets)}"
        )
    target = url or LOCAL_BASE + settings.path
    plan: list[tuple[str, Callable[[], bytes]]]
    if body_file is not None:
        fixed = body_file.read()
        plan = [("file", lambda: fixed)]
        describe = f"{{noun}} of {getattr(body_file, 'name', '-')}"
    else:
        overrides = parse_assignments(assignments)
        if for_user_id is not None:
            overrides["for_user_id"] = for_user_id
        chosen = KINDS if "all" in kinds else tuple(dict.fromkeys(kinds))
        plan = [(kind, _builder(kind, not same_ids, overrides)) for kind in chosen]
        describe = (
            f"{chosen[0]} {{noun}}" if len(chosen) == 1 else f"{{noun}} of {len(chosen)} kinds"
        )
    report = Report(describe)
    deliveries = [step for _ in range(count) for step in plan]
    asyncio.run(send_all(report, target, deliveries, secrets[label], concurrency, timeout))
    if as_json:
        click.echo(json.dumps(report.as_dict(target)))
    else:
        click.echo(report.summary(target))
    if report.answered == 0:
        sys.exit(EXIT_UNREACHABLE)
    if report.failed:
        sys.exit(EXIT_FAILED)


def parse_assignments(assignments: tuple[str, ...]) -> dict[str, Any]:
    """``a.b=1`` → ``{"a": {"b": 1}}``: the value as JSON if it parses, else as text."""
    overrides: dict[str, Any] = {}
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        if not sep or not name:
            raise click.BadParameter(
                f"expected FIELD=VALUE, got {assignment!r}", param_hint="--set"
            )
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text  # plain text needs no JSON quotes: --set text=hello
        *parents, leaf = name.split(".")
        if not parents and leaf == "unique":
            raise click.BadParameter("use --same-ids", param_hint="--set")
        node = overrides
        for parent in parents:
            node = node.setdefault(parent, {})
            if not isinstance(node, dict):
                raise click.BadParameter(f"{name!r} goes through a value", param_hint="--set")
        node[leaf] = value
    return overrides


def _builder(kind: str, unique: bool, overrides: dict[str, Any]) -> Callable[[], bytes]:
    return lambda: build_delivery(kind, unique=unique, **overrides)
