"""Instruction counts per request, as ratios to the floor: ``python -m benchmarks.instructions``.

Wall-clock ratios on a shared machine move by tens of percent from one run to the next (other
tenants, frequency changes). Counting the instructions one request executes, under valgrind's
callgrind, gives the same number every time for the same code and input, so it shows what a
change to the library really costs. It does not see cache misses or the garbage collector's
pauses, so it complements the timed tables rather than replacing them.

Each candidate of the ``hot_path``, ``asgi`` and ``wsgi`` groups runs in its own process under
callgrind twice, once for N deliveries and once for one (same set-up, same warm-up); the
difference divided by N - 1 is its cost per request. Needs ``valgrind`` on the PATH.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence

from . import micro, payloads

__all__ = ["main"]

GROUPS = ("hot_path", "asgi", "wsgi")
_COLLECTED = re.compile(rb"Collected : (\d+)")


def _child(group: str, kind: str, index: int, size: int, count: int) -> None:
    """Set up `group` on `size` deliveries, warm it up, then run candidate `index` on `count`
    of them: both runs of a candidate build the same pool, so only the requests differ."""
    event_loop = asyncio.new_event_loop()
    try:
        pool = payloads.pool(kind, size)
        candidate = micro.candidates(group, pool, event_loop)[index]
        warm = micro.candidates(group, payloads.pool(kind, 4, start=10**6), event_loop)[index]
        warm.sample(4)  # imports, caches and lazy start-up happen here, in both runs
        candidate.sample(count)
    finally:
        event_loop.close()


def _count(group: str, kind: str, index: int, size: int, count: int) -> int:
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, "-m", "benchmarks.instructions", "--child",
        group, kind, str(index), str(size), str(count),
    ]  # fmt: skip
    # A fixed hash seed: with a random one, dict and set layouts (and so the instructions spent
    # on them) vary from run to run by about as much as a couple of small requests cost.
    environ = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, check=True, env=environ)
    found = _COLLECTED.search(done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no count:\n{done.stderr.decode()[-2000:]}")
    return int(found.group(1))


def measure(group: str, kind: str, count: int) -> list[tuple[str, float]]:
    """(candidate name, instructions per request) for each candidate of `group`, floor first."""
    names = [
        c.name for c in micro.candidates(group, payloads.pool(kind, 8), asyncio.new_event_loop())
    ]
    results = []
    for index, name in enumerate(names):
        many, one = _count(group, kind, index, count, count), _count(group, kind, index, count, 1)
        per_request = (many - one) / (count - 1)
        results.append((name, per_request))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions")
    parser.add_argument("--group", action="append", choices=GROUPS, help="default: all three")
    parser.add_argument("--kind", action="append", choices=payloads.KINDS, help="default: mention")
    parser.add_argument("--count", type=int, default=101, help="deliveries per run (> 1)")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        group, kind, index, size, count = args.child
        _child(group, kind, int(index), int(size), int(count))
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    print(f"{'group':9} {'kind':8} {'candidate':38} {'instructions':>13} {'ratio':>6}")
    for group in args.group or GROUPS:
        for kind in args.kind or ["mention"]:
            results = measure(group, kind, args.count)
            floor = results[0][1]
            for name, per_request in results:
                print(
                    f"{group:9} {kind:8} {name:38} {per_request:13,.0f} {per_request / floor:6.2f}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
