"""Posting many signed deliveries concurrently, and the report of how they were answered."""

from __future__ import annotations

import asyncio
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import click

from ..signing import SIGNATURE_HEADER, sign

__all__ = ["Report", "percentile", "send_all"]

_POINTS = (("p50", 50), ("p90", 90), ("p99", 99), ("max", 100))


@dataclass
class Report:
    """How the deliveries of one run were answered.

    :param describe: what was sent, around ``{noun}`` ("delivery" or "deliveries"):
        ``"follow {noun}"``, ``"{noun} of 16 kinds"``.
    """

    describe: str
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    reasons: dict[int, str] = field(default_factory=dict)
    failed_kinds: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    kinds_sent: set[str] = field(default_factory=set)
    elapsed: float = 0.0

    @property
    def sent(self) -> int:
        return self.answered + sum(self.errors.values())

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    @property
    def failed(self) -> int:
        """Deliveries not acknowledged: answered with anything but 200, or not answered."""
        return self.sent - self.statuses[200]

    def answer(self, kind: str, status: int, body: bytes, latency: float) -> None:
        self.kinds_sent.add(kind)
        self.statuses[status] += 1
        self.latencies.append(latency)
        if status != 200:
            self.failed_kinds[kind] += 1
            self.reasons.setdefault(status, _reason(body))

    def no_answer(self, kind: str, error: str) -> None:
        self.kinds_sent.add(kind)
        self.errors[error] += 1
        self.failed_kinds[kind] += 1

    def percentiles(self) -> dict[str, float]:
        """p50, p90, p99 and max of the answers' latencies, in seconds."""
        return {name: percentile(self.latencies, q) for name, q in _POINTS}

    def as_dict(self, url: str) -> dict[str, Any]:
        return {
            "url": url,
            "sent": self.sent,
            "ok": self.statuses[200],
            "statuses": {str(status): n for status, n in sorted(self.statuses.items())},
            "errors": dict(sorted(self.errors.items())),
            "failed_kinds": dict(sorted(self.failed_kinds.items())),
            "latency_ms": {name: round(s * 1000, 3) for name, s in self.percentiles().items()},
            "elapsed_s": round(self.elapsed, 3),
        }

    def summary(self, url: str) -> str:
        rate = self.sent / self.elapsed if self.elapsed > 0 else 0.0
        what = self.describe.format(noun="delivery" if self.sent == 1 else "deliveries")
        lines = [f"sent {self.sent} {what} to {url} in {self.elapsed:.2f} s ({rate:.0f}/s)"]
        for status, n in sorted(self.statuses.items()):
            reason = self.reasons.get(status)
            lines.append(f"  {status}  {n}" + (f"  {reason}" if reason else ""))
        for error, n in sorted(self.errors.items()):
            lines.append(f"  {error}  {n}  (no answer)")
        if self.failed_kinds and len(self.failed_kinds) < len(self.kinds_sent):
            lines.append("  not acknowledged: " + ", ".join(sorted(self.failed_kinds)))
        if self.latencies:
            points = self.percentiles().items()
            lines.append("latency  " + "  ".join(f"{name} {s * 1000:.1f} ms" for name, s in points))
        return "\n".join(lines)


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank `q`-th percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


async def send_all(
    report: Report,
    url: str,
    deliveries: Sequence[tuple[str, Callable[[], bytes]]],
    secret: str,
    concurrency: int,
    timeout: float,
) -> None:
    """POST each delivery (a kind and a body builder), `concurrency` at a time, into `report`."""
    import httpx  # only this command needs an HTTP client with connection pooling

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    pending = iter(deliveries)
    started = time.perf_counter()
    # A progress bar only helps someone watching: not for one delivery, not in a log file.
    hidden = len(deliveries) == 1 or not sys.stderr.isatty()
    with click.progressbar(
        length=len(deliveries), label="sending", file=sys.stderr, hidden=hidden
    ) as bar:
        async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:

            async def worker() -> None:
                # The workers share one iterator: each takes the next delivery when it is free.
                for kind, build in pending:
                    body = build()
                    headers = {
                        "content-type": "application/json",
                        SIGNATURE_HEADER: sign(body, secret),
                    }
                    sent_at = time.perf_counter()
                    try:
                        response = await client.post(url, content=body, headers=headers)
                    except httpx.TransportError as exc:
                        report.no_answer(kind, type(exc).__name__)
                    else:
                        latency = time.perf_counter() - sent_at
                        report.answer(kind, response.status_code, response.content, latency)
                    bar.update(1)

            await asyncio.gather(*(worker() for _ in range(min(concurrency, len(deliveries)))))
    report.elapsed = time.perf_counter() - started


def _reason(body: bytes) -> str:
    # The receiver's refusals carry {"error": reason, "detail": …}: show what explains them.
    try:
        data = json.loads(body)
    except ValueError:
        return body[:80].decode("utf-8", "replace").strip()
    if isinstance(data, dict) and "error" in data:
        detail = data.get("detail")
        return f"{data['error']}: {detail}" if detail else str(data["error"])
    return ""
