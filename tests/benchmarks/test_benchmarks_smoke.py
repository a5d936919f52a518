"""The benchmark code runs and reports well-formed results, on tiny counts.

Nothing here asserts how fast anything is: only that every benchmark measures what it says
(each candidate answers 200, dedupe never short-circuits) and that its output is complete.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import math
import shutil
import sys
from pathlib import Path

import pytest

from aaa_middleware import decode_activity
from aaa_middleware.signing import SecretRing, parse_signature

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the benchmarks package lives beside the library, not in it
    sys.path.insert(0, str(ROOT))

payloads = importlib.import_module("benchmarks.payloads")
micro = importlib.import_module("benchmarks.micro")
memory = importlib.import_module("benchmarks.memory")
e2e = importlib.import_module("benchmarks.e2e")
run = importlib.import_module("benchmarks.run")
timing = importlib.import_module("benchmarks.timing")

TINY = run.Config(
    repeats=2,
    sample_ms=0.2,
    pool={"typing": 4, "mention": 4, "dm": 3},
    e2e_duration=1.0,
    e2e_rounds=1,
    e2e_connections=2,
    memory_deliveries=300,
    memory_max_entries=100,
)


@pytest.mark.parametrize(
    ("kind", "low", "high"), [("typing", 400, 700), ("mention", 2000, 3000), ("dm", 25_000, 35_000)]
)
def test_deliveries_have_their_size_and_are_deterministic(kind, low, high):
    first = payloads.body(kind, 7)
    assert low <= len(first) <= high
    assert payloads.body(kind, 7) == first
    assert len(payloads.body(kind, 8)) == len(first)
    assert first.isascii()  # non-ASCII characters are \u escapes
    assert b"/" not in first.replace(b"\\/", b"")  # and every "/" is escaped
    assert (b"\\/" in first) == (kind != "typing")  # typing deliveries hold no URL


@pytest.mark.parametrize("kind", payloads.KINDS)
def test_each_serial_is_a_distinct_signed_event(kind):
    pool = payloads.pool(kind, 3)
    keys = set()
    ring = SecretRing({"default": payloads.SECRET})
    for item in pool:
        assert ring.match(item.body, parse_signature(item.signature)) == "default"
        (event,) = decode_activity(item.body).events
        keys.add(event.dedupe_key)
    assert len(keys) == 3


def test_lua_script_quotes_any_body():
    delivery = payloads.Signed(b'{"a":[[1]],"b":"]=]"}', b"sha256=x")
    script = e2e.lua_script(delivery)
    assert "[==[" + delivery.body.decode() + "]==]" in script


def test_interleave_reports_every_sample():
    calls = []

    def sampler(name):
        def sample(n):
            calls.append(name)
            return 10 * n

        return sample

    candidates = [timing.Candidate(name, sampler(name)) for name in "abc"]
    measurements = timing.interleave(candidates, iterations=4, repeats=3, warmup=1)
    assert [m.name for m in measurements] == ["a", "b", "c"]
    assert all(m.samples_ns == (10.0, 10.0, 10.0) for m in measurements)
    assert len(calls) == 12
    assert calls[3:6] == ["b", "c", "a"]  # the order rotates each round


@pytest.mark.parametrize("group", micro.GROUPS)
@pytest.mark.parametrize("kind", ["typing", "dm"])
def test_each_group_measures_well_formed_ratios(group, kind):
    event_loop = asyncio.new_event_loop()
    try:
        result = micro.run_group(
            group,
            kind,
            payloads.pool(kind, 3),
            repeats=2,
            sample_ns=100_000,
            event_loop=event_loop,
        )
    finally:
        event_loop.close()
    assert result.group == group
    assert result.kind == kind
    assert len(result.measurements) >= 2
    assert result.ratio(result.floor) == 1.0
    for measurement in result.measurements:
        assert 1 <= measurement.iterations <= 3 or group in ("verify", "decode")
        assert len(measurement.samples_ns) == 2
        assert all(math.isfinite(s) and s > 0 for s in measurement.samples_ns)


def test_memory_run_reports_both_halves():
    result = memory.run_memory(300, max_entries=100)
    assert result["deliveries"] == 300
    assert result["store_entries_at_end"] == 100
    assert len(result["traced_bytes"]) == 3
    assert result["growth_first_half_bytes"] + result["growth_second_half_bytes"] == (
        result["traced_bytes"][2] - result["traced_bytes"][0]
    )
    assert isinstance(result["flat"], bool)
    with pytest.raises(ValueError, match="twice"):
        memory.run_memory(100, max_entries=100)


def test_missing_wrk_is_reported_not_raised():
    result = e2e.run_e2e(duration=1, rounds=1, wrk="no-such-wrk-binary")
    assert "wrk not found" in result["skipped"]


def test_run_writes_json_and_prints_the_table(tmp_path, capsys):
    results = run.run(TINY, groups=("verify", "hot_path"), e2e=True, wrk="no-such-wrk-binary")
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results))
    loaded = json.loads(path.read_text())
    assert [(e["group"], e["kind"]) for e in loaded["micro"]] == [
        (group, kind) for group in ("verify", "hot_path") for kind in payloads.KINDS
    ]
    assert loaded["machine"]["nproc"] >= 1
    assert "skipped" in loaded["e2e"]
    names = [target["target"] for target in loaded["targets"]]
    assert names[0].startswith("sans-IO hot path")
    assert names[-1].startswith("memory")
    assert all(isinstance(target["holds"], bool) for target in loaded["targets"])
    run.print_report(loaded)
    out = capsys.readouterr().out
    assert "Receiver + Dispatcher.dispatch_sync" in out
    assert "Targets" in out


def test_command_line_quick_json(tmp_path, capsys):
    path = tmp_path / "quick.json"
    code = run.main(
        ["--quick", "--no-e2e", "--no-memory", "--group", "verify", "--json", str(path)]
    )
    assert code == 0
    results = json.loads(path.read_text())
    assert {e["group"] for e in results["micro"]} == {"verify"}
    assert results["e2e"] is None
    assert "parse_signature + SecretRing.match" in capsys.readouterr().out


@pytest.mark.server
@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_end_to_end_under_uvicorn():
    result = e2e.run_e2e(duration=1, rounds=1, connections=2, names=("bare", "middleware"))
    assert set(result["apps"]) == {"bare", "middleware"}
    for values in result["apps"].values():
        assert values["requests"] > 0
        assert values["errors"] == 0
        assert values["p50_ms"] <= values["p99_ms"]
    assert result["apps"]["bare"]["rps_ratio"] == 1.0


instructions = importlib.import_module("benchmarks.instructions")


@pytest.mark.parametrize("group", instructions.GROUPS)
def test_instruction_count_children_run_every_candidate(group):
    event_loop = asyncio.new_event_loop()
    try:
        count = len(micro.candidates(group, payloads.pool("typing", 4), event_loop))
    finally:
        event_loop.close()
    for index in range(count):
        instructions._child(group, "typing", index, 4, 3)  # raises if a candidate misbehaves


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_instruction_counts_grow_with_the_requests():
    one = instructions._count("hot_path", "typing", 0, 12, 1)
    twelve = instructions._count("hot_path", "typing", 0, 12, 12)
    assert one > 0
    # Eleven more requests of ~100,000 instructions each; the runs differ in nothing else.
    assert 500_000 < twelve - one < 50_000_000
