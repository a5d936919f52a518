"""Memory over many deliveries through the sans-IO hot path, dedupe on.

Every delivery has its own event id, so each one adds a key to the dedupe store; the store is
bounded (``dedupe_max_entries``), so once it is full each claim evicts the oldest key. Memory
should therefore grow while the store fills and then stay flat: the second half of the run
is compared with the first. The store's bound is set well below the number of deliveries so
that the run reaches that steady state.

Python-level allocations are followed with `tracemalloc` (which slows the run down; no timing
is taken from it), the process's resident set with ``/proc/self/status`` and ``getrusage``.
"""

from __future__ import annotations

import gc
import resource
import sys
import time
import tracemalloc
from typing import Any

from aaa_middleware import Dispatcher, Receiver
from aaa_middleware.dedupe import MemoryDedupeStore
from aaa_middleware.sansio import BodyReader

from . import apps, payloads
from .micro import _headers

__all__ = ["FLAT_BYTES_PER_DELIVERY", "run_memory"]

#: Second-half growth below this many bytes per delivery counts as flat.
FLAT_BYTES_PER_DELIVERY = 1.0


def _rss_bytes() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Kilobytes on Linux, bytes on macOS.
    return peak if sys.platform == "darwin" else peak * 1024


def run_memory(
    deliveries: int = 100_000, *, kind: str = "mention", max_entries: int = 10_000
) -> dict[str, Any]:
    """Send `deliveries` distinct deliveries of `kind` through the hot path, dedupe on."""
    if deliveries < 2 * max_entries:
        raise ValueError("run at least twice as many deliveries as the store holds")
    settings = apps.settings(dedupe=True, dedupe_max_entries=max_entries)
    receiver = Receiver(settings)
    dispatcher = Dispatcher(settings, plugins=[apps.NoOpPlugin()])
    dispatcher.startup()
    store = dispatcher.dedupe_store
    half = deliveries // 2

    def deliver(serial: int) -> None:
        delivery = payloads.signed(kind, serial)
        reader = receiver.start("POST", b"", _headers(delivery))
        if not isinstance(reader, BodyReader):
            raise AssertionError(f"a POST was answered without reading its body: {reader}")
        reader.feed(delivery.body)
        result = dispatcher.dispatch_sync(reader.finish())
        if result.dispatched != 1:
            raise AssertionError(f"delivery {serial} was not dispatched: {result}")

    # Import-time and first-call allocations (caches, interned strings) happen before tracing.
    deliver(deliveries)
    gc.collect()
    rss = [_rss_bytes()]
    tracemalloc.start()
    started = time.perf_counter()
    try:
        traced = [tracemalloc.get_traced_memory()[0]]
        for serial in range(deliveries):
            deliver(serial)
            if serial + 1 in (half, deliveries):
                gc.collect()
                traced.append(tracemalloc.get_traced_memory()[0])
                rss.append(_rss_bytes())
        peak_traced = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    first, second = traced[1] - traced[0], traced[2] - traced[1]
    second_half = deliveries - half
    return {
        "kind": kind,
        "size": len(payloads.body(kind)),
        "deliveries": deliveries,
        "dedupe_max_entries": max_entries,
        "store_entries_at_end": len(store) if isinstance(store, MemoryDedupeStore) else None,
        "traced_bytes": traced,
        "growth_first_half_bytes": first,
        "growth_second_half_bytes": second,
        "growth_second_half_per_delivery": second / second_half,
        "peak_traced_bytes": peak_traced,
        "rss_bytes": rss,
        "peak_rss_bytes": _peak_rss_bytes(),
        "seconds": elapsed,
        "flat": second / second_half < FLAT_BYTES_PER_DELIVERY,
    }
