"""Run one benchmark candidate in a loop, for a profiler to watch.

``python -m benchmarks.profile GROUP KIND [--candidate INDEX] [--seconds S]`` repeats the
candidate's samples for S seconds and nothing else, so a sampling profiler sees only it::

    py-spy record -r 1000 -o hot_path.svg -- python -m benchmarks.profile hot_path mention
    pyinstrument -m benchmarks.profile asgi typing --candidate 1

Candidate 0 is the group's floor; the others are numbered as in the table.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence

from . import micro, payloads


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile")
    parser.add_argument("group", choices=micro.GROUPS)
    parser.add_argument("kind", choices=payloads.KINDS)
    parser.add_argument("--candidate", type=int, default=1, help="index in the group (0: floor)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pool", type=int, default=500, help="distinct deliveries to cycle")
    args = parser.parse_args(argv)

    event_loop = asyncio.new_event_loop()
    pool = payloads.pool(args.kind, args.pool)
    chosen = micro.candidates(args.group, pool, event_loop)
    if not 0 <= args.candidate < len(chosen):
        parser.error(f"{args.group} has candidates 0 to {len(chosen) - 1}")
    candidate = chosen[args.candidate]
    n = min(micro.iteration_limit(args.group, pool), 200)
    operations = 0
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        candidate.sample(n)
        operations += n
    event_loop.close()
    print(f"{candidate.name}: {operations:,} operations on {args.kind}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
