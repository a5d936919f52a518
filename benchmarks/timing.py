"""Interleaved timing: every candidate of a group is sampled in turn, repeat after repeat.

A noisy machine (other processes, frequency scaling, a neighbour's test run) slows whatever runs
at that moment. Taking one sample of each candidate per round, rotating which one goes first,
spreads that noise over all of them alike; the median of each candidate's samples then drops
most of what is left, and the ratio of two medians from the same rounds compares like with like.

The garbage collector stays enabled. The candidates allocate very different numbers of
container objects (``json.loads`` builds a dict per JSON object, msgspec's structs are not
tracked), and the collections that triggers are part of what each one costs in a server.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

__all__ = ["Candidate", "Measurement", "calibrate", "interleave"]

#: Runs `n` operations and returns the nanoseconds they took (set-up excluded).
Sampler = Callable[[int], int]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One way of doing a group's operation.

    :param name: how it is reported.
    :param sample: runs `n` operations and returns the elapsed nanoseconds, measured with
        `time.perf_counter_ns` around the operations only.
    """

    name: str
    sample: Sampler


@dataclass(frozen=True, slots=True)
class Measurement:
    """The samples of one candidate, in nanoseconds per operation."""

    name: str
    iterations: int
    samples_ns: tuple[float, ...] = field(repr=False)

    @property
    def median_ns(self) -> float:
        return statistics.median(self.samples_ns)

    @property
    def min_ns(self) -> float:
        return min(self.samples_ns)


def loop(operation: Callable[[], object]) -> Sampler:
    """A sampler that calls `operation` `n` times."""

    def sample(n: int) -> int:
        start = time.perf_counter_ns()
        for _ in range(n):
            operation()
        return time.perf_counter_ns() - start

    return sample


def calibrate(sample: Sampler, target_ns: int, limit: int) -> int:
    """How many operations take about `target_ns` (at least 1, at most `limit`)."""
    n = 1
    while True:
        elapsed = sample(n)
        if elapsed >= target_ns or n >= limit:
            break
        # Grow geometrically, aiming a little past the target to need few rounds.
        n = min(limit, max(n * 2, int(n * 1.2 * target_ns / max(elapsed, 1))))
    return min(limit, max(1, int(n * target_ns / max(elapsed, 1))))


def interleave(
    candidates: Sequence[Candidate], iterations: int, repeats: int, warmup: int = 1
) -> list[Measurement]:
    """Sample every candidate `repeats` times, one of each per round, rotating the order.

    Each sample runs `iterations` operations; `warmup` rounds run first and are discarded.
    """
    if not candidates:
        return []
    count = len(candidates)
    samples: list[list[float]] = [[] for _ in candidates]
    for round_ in range(warmup + repeats):
        for offset in range(count):
            index = (round_ + offset) % count
            elapsed = candidates[index].sample(iterations)
            if round_ >= warmup:
                samples[index].append(elapsed / iterations)
    return [
        Measurement(candidate.name, iterations, tuple(values))
        for candidate, values in zip(candidates, samples, strict=True)
    ]
