"""Run every benchmark in one process and print the table: ``python -m benchmarks``.

``--quick`` runs a short version (a few seconds of timing, a 2 s load per server, 20,000
deliveries for memory); ``--json PATH`` also writes every sample and figure to PATH.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, TextIO

from . import micro, payloads
from .e2e import run_e2e
from .memory import run_memory

__all__ = ["Config", "main", "run"]

HOT_PATH_LIMIT = 1.3
EDGE_LIMIT = 1.3
E2E_LIMIT = 0.9


@dataclass(frozen=True, slots=True)
class Config:
    """How long and how much to measure."""

    repeats: int
    sample_ms: float
    pool: dict[str, int]
    e2e_duration: float
    e2e_rounds: int
    e2e_connections: int
    memory_deliveries: int
    memory_max_entries: int

    @classmethod
    def full(cls) -> Config:
        return cls(
            repeats=31,
            sample_ms=20.0,
            pool={"typing": 1000, "mention": 1000, "dm": 250},
            e2e_duration=10.0,
            e2e_rounds=3,
            e2e_connections=8,
            memory_deliveries=100_000,
            memory_max_entries=10_000,
        )

    @classmethod
    def quick(cls) -> Config:
        return cls(
            repeats=5,
            sample_ms=5.0,
            pool={"typing": 200, "mention": 200, "dm": 50},
            e2e_duration=2.0,
            e2e_rounds=1,
            e2e_connections=8,
            memory_deliveries=20_000,
            memory_max_entries=2_000,
        )


def machine() -> dict[str, Any]:
    """Where the numbers come from."""
    model = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 0
    packages = {}
    for name in ("aaa-middleware", "msgspec", "pydantic", "uvicorn", "pluggy"):
        try:
            packages[name] = version(name)
        except Exception:
            packages[name] = None
    return {
        "nproc": cpus,
        "cpu": model or platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "packages": packages,
        "loadavg_start": _loadavg(),
    }


def _loadavg() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def _label(kind: str, size: int) -> str:
    return f"{kind} {size / 1000:.1f} KB"


def _duration(ns: float) -> str:
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def _quartiles(values: Sequence[float]) -> str:
    return f"{values[0]:.2f}-{values[1]:.2f}"


def _micro_json(result: micro.GroupResult) -> dict[str, Any]:
    return {
        "group": result.group,
        "kind": result.kind,
        "size": result.size,
        "iterations": result.floor.iterations,
        "floor": result.floor.name,
        "candidates": [
            {
                "name": m.name,
                "median_ns": m.median_ns,
                "min_ns": m.min_ns,
                "ratio": result.ratio(m),
                "ratio_quartiles": list(result.ratio_spread(m)),
                "samples_ns": list(m.samples_ns),
            }
            for m in result.measurements
        ],
    }


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The project's targets, each with its measured value and whether it holds."""
    out: list[dict[str, Any]] = []

    def ratio_of(group: str, kind: str, name: str) -> float | None:
        for entry in results["micro"]:
            if entry["group"] == group and entry["kind"] == kind:
                for candidate in entry["candidates"]:
                    if candidate["name"] == name:
                        return float(candidate["ratio"])
        return None

    def add(name: str, value: float | None, limit: float, higher_is_better: bool) -> None:
        if value is None:
            return
        holds = value >= limit if higher_is_better else value <= limit
        bound = f">= {limit:.2f}" if higher_is_better else f"<= {limit:.2f}"
        out.append({"target": name, "value": value, "limit": bound, "holds": holds})

    add(
        "sans-IO hot path / floor, mention",
        ratio_of("hot_path", "mention", "Receiver + Dispatcher.dispatch_sync"),
        HOT_PATH_LIMIT,
        False,
    )
    for kind in payloads.KINDS:
        add(
            f"ASGIMiddleware / floor app, {kind}",
            ratio_of("asgi", kind, "ASGIMiddleware"),
            EDGE_LIMIT,
            False,
        )
    for kind in payloads.KINDS:
        add(
            f"WSGIMiddleware / floor app, {kind}",
            ratio_of("wsgi", kind, "WSGIMiddleware"),
            EDGE_LIMIT,
            False,
        )
    e2e = results.get("e2e") or {}
    middleware = e2e.get("apps", {}).get("middleware")
    if middleware is not None and "rps_ratio" in middleware:
        add("uvicorn req/s, middleware / bare", middleware["rps_ratio"], E2E_LIMIT, True)
    memory = results.get("memory")
    if memory is not None:
        out.append(
            {
                "target": f"memory growth/delivery, 2nd half of {memory['deliveries']:,}",
                "value": memory["growth_second_half_per_delivery"],
                "limit": "< 1 B",
                "holds": memory["flat"],
            }
        )
    return out


def print_report(results: dict[str, Any], out: TextIO | None = None) -> None:
    """Print the human-readable table of `results` (as built by `run`), to stdout by default."""
    out = sys.stdout if out is None else out
    m = results["machine"]
    config = results["config"]
    print(
        f"aaa_middleware benchmarks: {m['nproc']} CPUs ({m['cpu']}), {m['implementation']} "
        f"{m['python']}, load average at start {m['loadavg_start']}",
        file=out,
    )
    if results["micro"]:
        print(
            f"\nIn-process: medians of {config['repeats']} interleaved samples of "
            f"~{config['sample_ms']:g} ms; ratio = median / the floor's median (first row of "
            "each block);\nquartiles = 25th-75th percentile of the per-round ratios (each sample "
            "over the floor's sample of the same round).\n",
            file=out,
        )
        header = (
            f"{'group':<9} {'delivery':<15} {'candidate':<38} {'median':>10} {'ratio':>6} "
            f"{'quartiles':>11}"
        )
        print(header, file=out)
        print("-" * len(header), file=out)
        for entry in results["micro"]:
            label = _label(entry["kind"], entry["size"])
            for index, candidate in enumerate(entry["candidates"]):
                group = entry["group"] if index == 0 else ""
                name = candidate["name"] + (" [floor]" if index == 0 else "")
                line = (
                    f"{group:<9} {label if index == 0 else '':<15} {name:<38} "
                    f"{_duration(candidate['median_ns']):>10} {candidate['ratio']:>6.2f} "
                    f"{_quartiles(candidate['ratio_quartiles']) if index else '':>11}"
                )
                print(line.rstrip(), file=out)
    e2e = results.get("e2e")
    if e2e is not None:
        if "skipped" in e2e:
            print(f"\nEnd to end: skipped: {e2e['skipped']}", file=out)
        else:
            print(
                f"\nEnd to end: {e2e['server']} ({e2e['http']}, {e2e['loop']}) on 127.0.0.1; "
                f"wrk, 1 thread, {e2e['connections']} connections, median of {e2e['rounds']} "
                f"interleaved {e2e['duration_s']:g} s runs; {_label(e2e['kind'], e2e['size'])} "
                f"delivery; dedupe {e2e['dedupe']}.\n",
                file=out,
            )
            header = f"{'app':<11} {'req/s':>9} {'ratio':>6} {'p50':>9} {'p99':>9} {'errors':>7}"
            print(header, file=out)
            print("-" * len(header), file=out)
            for name, values in e2e["apps"].items():
                print(
                    f"{name:<11} {values['rps']:>9.0f} {values.get('rps_ratio', 0):>6.2f} "
                    f"{values['p50_ms']:>6.2f} ms {values['p99_ms']:>6.2f} ms "
                    f"{values['errors']:>7}",
                    file=out,
                )
    memory = results.get("memory")
    if memory is not None:
        rss = memory["rss_bytes"]
        rss_text = (
            " -> ".join(f"{value / 2**20:.1f}" for value in rss) + " MiB"
            if None not in rss
            else "n/a"
        )
        print(
            f"\nMemory: {memory['deliveries']:,} distinct {_label(memory['kind'], memory['size'])}"
            f" deliveries through the hot path, dedupe on (store bound "
            f"{memory['dedupe_max_entries']:,}).\n"
            f"  tracemalloc growth: first half {memory['growth_first_half_bytes'] / 1024:+.1f} "
            f"KiB, second half {memory['growth_second_half_bytes'] / 1024:+.1f} KiB "
            f"({memory['growth_second_half_per_delivery']:.3f} B/delivery)"
            f" -> {'flat' if memory['flat'] else 'GROWING'}\n"
            f"  RSS start -> half -> end: {rss_text}; peak RSS of the process "
            f"{memory['peak_rss_bytes'] / 2**20:.1f} MiB",
            file=out,
        )
    if results["targets"]:
        print("\nTargets (ratios from this run):\n", file=out)
        header = f"{'target':<42} {'measured':>9} {'limit':>15}  holds"
        print(header, file=out)
        print("-" * len(header), file=out)
        for target in results["targets"]:
            print(
                f"{target['target']:<42} {target['value']:>9.2f} {target['limit']:>15}  "
                f"{'yes' if target['holds'] else 'NO'}",
                file=out,
            )


def run(
    config: Config,
    *,
    groups: Sequence[str] = micro.GROUPS,
    e2e: bool = True,
    memory: bool = True,
    wrk: str = "wrk",
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the selected benchmarks; returns the JSON-ready results."""

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    results: dict[str, Any] = {
        "machine": machine(),
        "config": {
            "repeats": config.repeats,
            "sample_ms": config.sample_ms,
            "pool": config.pool,
            "gc": "enabled (see benchmarks/timing.py)",
        },
        "micro": [],
        "e2e": None,
        "memory": None,
    }
    started = time.perf_counter()
    # Memory first: the peak RSS it reports is then not the timing pools'.
    if memory:
        say(f"memory: {config.memory_deliveries:,} deliveries under tracemalloc")
        results["memory"] = run_memory(
            config.memory_deliveries, max_entries=config.memory_max_entries
        )
    if groups:
        event_loop = asyncio.new_event_loop()
        try:
            for kind in payloads.KINDS:
                pool = payloads.pool(kind, config.pool[kind])
                for group in groups:
                    say(f"{group}: {kind}")
                    result = micro.run_group(
                        group,
                        kind,
                        pool,
                        repeats=config.repeats,
                        sample_ns=int(config.sample_ms * 1e6),
                        event_loop=event_loop,
                    )
                    results["micro"].append(_micro_json(result))
        finally:
            event_loop.close()
        order = {group: index for index, group in enumerate(micro.GROUPS)}
        results["micro"].sort(key=lambda e: (order[e["group"]], payloads.KINDS.index(e["kind"])))
    if e2e:
        say(f"end to end: {config.e2e_rounds} x {config.e2e_duration:g} s per server")
        results["e2e"] = run_e2e(
            duration=config.e2e_duration,
            rounds=config.e2e_rounds,
            connections=config.e2e_connections,
            wrk=wrk,
        )
        if "skipped" in results["e2e"]:
            say(f"end to end skipped: {results['e2e']['skipped']}")
    results["targets"] = targets(results)
    results["machine"]["loadavg_end"] = _loadavg()
    results["seconds"] = time.perf_counter() - started
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Benchmark aaa_middleware against the floor."
    )
    parser.add_argument("--quick", action="store_true", help="a short run (about a minute)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write results here")
    parser.add_argument(
        "--group",
        action="append",
        choices=micro.GROUPS,
        help="in-process group(s) to run (default: all)",
    )
    parser.add_argument("--no-micro", action="store_true", help="skip the in-process groups")
    parser.add_argument("--no-e2e", action="store_true", help="skip the uvicorn + wrk runs")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory run")
    parser.add_argument("--wrk", default="wrk", help="the wrk executable (default: wrk)")
    args = parser.parse_args(argv)

    config = Config.quick() if args.quick else Config.full()
    results = run(
        config,
        groups=() if args.no_micro else (args.group or micro.GROUPS),
        e2e=not args.no_e2e,
        memory=not args.no_memory,
        wrk=args.wrk,
        progress=lambda message: print(f"... {message}", file=sys.stderr, flush=True),
    )
    print_report(results)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"\nresults written to {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
