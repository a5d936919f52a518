"""``aaa-middleware crc``: X's challenge-response check, with the diagnosis X never gives."""

from __future__ import annotations

import http.client
import json
import ssl
import sys
from pathlib import Path

import click

from ..testing.crc import build_crc
from ..testing.transport import url_request
from ._config import (
    EXIT_FAILED,
    ConfigError,
    Unreachable,
    config_option,
    read_fields,
    settings_from,
)
from ._diagnose import CRC_TIME_LIMIT, Finding, diagnose
from .send import LOCAL_BASE

__all__ = ["crc"]

_MARKS = {"ok": ("ok", "green"), "note": ("note", "yellow"), "fail": ("FAIL", "red")}


@click.command()
@click.option(
    "--url",
    envvar="AAA_URL",
    help="The webhook URL.  [default: http://127.0.0.1:8000 + the configured path; env: AAA_URL]",
)
@click.option(
    "--unsigned",
    is_flag=True,
    help="Do not sign the GET. X's legacy documentation says it signs CRC requests over the "
    "query string; its current one does not say.",
)
@click.option(
    "--secret-label",
    metavar="LABEL",
    help="Check against the configured secret of this label instead of the first one.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(CRC_TIME_LIMIT),
    default=10.0,
    show_default=True,
    help="Seconds to wait for the answer (X itself waits 3).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@config_option
def crc(
    url: str | None,
    unsigned: bool,
    secret_label: str | None,
    timeout: float,
    as_json: bool,
    config_path: Path | None,
) -> None:
    """Run X's challenge-response check against a receiver, and explain the answer.

    Sends what X sends (a GET with a crc_token and a nonce, signed over the query string)
    and checks the answer as X does: status 200, JSON, the right response_token, within
    3 seconds. A wrong answer is explained: a hex digest instead of base64, a wrong secret,
    a text/plain answer, a gzip mismatch, a redirect, an error status.

    Plain http:// and explicit ports are fine for local development: they get a note, since
    X registers only HTTPS URLs on the default port, and never fail the check.

    Exits 0 when X would accept the answer, 1 when it would mark the webhook invalid, and 3
    when nothing answers at the URL.
    """
    settings = settings_from(read_fields(config_path))
    secrets = dict(settings.consumer_secrets)
    label = secret_label if secret_label is not None else next(iter(secrets))
    if label not in secrets:
        raise ConfigError(
            f"no configured secret is labelled {label!r}; labels: {', '.join(secrets)}"
        )
    # The checked secret goes first: it is the one the answer must be made with.
    secrets = {label: secrets.pop(label), **secrets}
    target = url or LOCAL_BASE + settings.path
    request = build_crc(secrets[label], signed=not unsigned)
    headers = {**request.headers, "accept-encoding": "gzip", "user-agent": "aaa-middleware crc"}
    status: int | None = None
    try:
        response = url_request(request.url(target), "GET", headers=headers, timeout=timeout)
    except TimeoutError:
        findings = [Finding("fail", f"no answer within {timeout:g} s: X gives up after 3 s")]
    except ssl.SSLError as exc:
        findings = [
            Finding("fail", f"TLS failed ({exc}): an SSL error marks the webhook invalid at once")
        ]
    except http.client.HTTPException as exc:
        findings = [Finding("fail", f"the answer is not valid HTTP ({type(exc).__name__}: {exc})")]
    except OSError as exc:
        raise Unreachable(f"nothing answered at {target}: {exc.strerror or exc}") from None
    else:
        status = response.status
        findings = diagnose(
            request, target, status, response.headers, response.body, response.elapsed, secrets
        )
    accepted = not any(finding.level == "fail" for finding in findings)
    if as_json:
        report = {
            "url": target,
            "accepted": accepted,
            "status": status,
            "findings": [{"level": f.level, "message": f.message} for f in findings],
        }
        click.echo(json.dumps(report))
    else:
        click.echo(f"CRC check of {target}")
        for finding in findings:
            mark, colour = _MARKS[finding.level]
            click.echo(f"  {click.style(mark.ljust(4), fg=colour, bold=True)}  {finding.message}")
        verdict = "X would accept this answer." if accepted else "X would mark the webhook invalid."
        click.echo(click.style(verdict, bold=True))
    if not accepted:
        sys.exit(EXIT_FAILED)
