"""In-process benchmarks: each group compares the library with the floor, per delivery size.

Groups (the first candidate of each is its floor, which every ratio is relative to):

``verify``
    ``parse_signature`` + ``SecretRing.match`` against base64-decoding the header, one
    ``hmac.digest`` and ``hmac.compare_digest``.
``decode``
    ``decode_activity`` against untyped ``msgspec.json.decode``, ``json.loads`` and the
    equivalent pydantic v2 model's ``model_validate_json``.
``hot_path``
    The whole sans-IO path: ``Receiver.start`` + ``feed`` + ``finish`` and
    ``Dispatcher.dispatch_sync`` to one no-op plugin, with dedupe on, against the floor
    (the HMAC check and ``decode_activity``). ``receiver only`` is the same without the
    dispatch, to show where the difference lies.
``asgi`` / ``wsgi``
    One request through `ASGIMiddleware` / `WSGIMiddleware` (same plugin, dedupe on), called
    in-process, against a hand-written app doing only the floor work (`benchmarks.apps`).

Wherever dedupe is on, every operation of a sample gets a delivery of its own (distinct event
ids, from `payloads.pool`), and the keys are released between samples, outside the timing:
dedupe claims every event and never short-circuits one.
"""

from __future__ import annotations

import asyncio
import io
import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from time import perf_counter_ns
from typing import Any

import msgspec

from aaa_middleware import ASGIMiddleware, Dispatcher, Receiver, WSGIMiddleware, decode_activity
from aaa_middleware.dedupe import MemoryDedupeStore
from aaa_middleware.sansio import BodyReader, Headers
from aaa_middleware.signing import SecretRing, parse_signature

from . import apps, payloads
from .payloads import SECRET, Signed
from .timing import Candidate, Measurement, Sampler, calibrate, interleave, loop

__all__ = ["GROUPS", "GroupResult", "candidates", "iteration_limit", "run_group"]

GROUPS: tuple[str, ...] = ("verify", "decode", "hot_path", "asgi", "wsgi")

# Headers as X sends them (a captured delivery: Content-Type exactly "application/json", Zipkin
# and Finagle headers), so the header scans see a realistic list.
_EXTRA_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"host", b"hooks.example.org"),
    (b"finagle-ctx-com.twitter.finagle.deadline", b"1718127184000000000 1718127185000000000"),
    (b"finagle-ctx-com.twitter.finagle.retries", b"0"),
    (b"finagle-http-retryable-request", b""),
    (b"x-b3-traceid", b"4bf92f3577b34da6"),
    (b"x-b3-spanid", b"00f067aa0ba902b7"),
    (b"x-b3-parentspanid", b"5c7a1d2e3f405162"),
    (b"x-b3-sampled", b"0"),
    (b"x-b3-flags", b"0"),
    (b"x-forwarded-for", b"199.16.157.173"),
)


@dataclass(frozen=True, slots=True)
class GroupResult:
    """The measurements of one group for one delivery kind; the first is the floor."""

    group: str
    kind: str
    size: int
    measurements: list[Measurement]

    @property
    def floor(self) -> Measurement:
        return self.measurements[0]

    def ratio(self, measurement: Measurement) -> float:
        """The candidate's median over the floor's median."""
        return measurement.median_ns / self.floor.median_ns

    def ratio_spread(self, measurement: Measurement) -> tuple[float, float]:
        """The quartiles of the per-round ratios (each sample over the floor's of its round):
        how far one round's comparison can be trusted on this machine."""
        paired = [
            ours / floor
            for ours, floor in zip(measurement.samples_ns, self.floor.samples_ns, strict=True)
        ]
        if len(paired) < 2:
            return paired[0], paired[0]
        low, _, high = statistics.quantiles(paired, n=4)
        return low, high


def _headers(delivery: Signed) -> tuple[tuple[bytes, bytes], ...]:
    return (
        *_EXTRA_HEADERS,
        (b"content-type", b"application/json"),
        (b"content-length", str(len(delivery.body)).encode()),
        (payloads.SIGNATURE_HEADER.encode(), delivery.signature),
    )


def _dedupe_keys(pool: Sequence[Signed]) -> list[str]:
    return [event.dedupe_key for item in pool for event in decode_activity(item.body).events]


def _releasing(store: MemoryDedupeStore, keys: Sequence[str], sample: Sampler) -> Sampler:
    """`sample`, after forgetting every key it may have claimed (not timed)."""

    def run(n: int) -> int:
        for key in keys:
            store.release(key)
        return sample(n)

    return run


def _memory_store(dispatcher: Dispatcher) -> MemoryDedupeStore:
    store = dispatcher.dedupe_store
    if not isinstance(store, MemoryDedupeStore):
        raise TypeError("the benchmarks expect the in-memory dedupe store")
    return store


# -- verify -----------------------------------------------------------------------------------


def _verify(pool: Sequence[Signed]) -> list[Candidate]:
    body, signature = pool[0].body, pool[0].signature
    key = SECRET.encode()
    ring = SecretRing({"default": SECRET})
    check = apps.check_signature
    if not check(body, signature, key) or ring.match(body, parse_signature(signature)) is None:
        raise AssertionError("the benchmark delivery does not verify")
    return [
        Candidate("hmac.digest + compare_digest", loop(lambda: check(body, signature, key))),
        Candidate(
            "parse_signature + SecretRing.match",
            loop(lambda: ring.match(body, parse_signature(signature))),
        ),
    ]


# -- decode -----------------------------------------------------------------------------------


def _decode(pool: Sequence[Signed]) -> list[Candidate]:
    from .pydantic_models import Envelope  # pydantic is only needed for this group

    body = pool[0].body
    untyped = msgspec.json.Decoder()
    validate = Envelope.model_validate_json
    loads = json.loads
    return [
        Candidate("msgspec.json.decode (untyped)", loop(lambda: untyped.decode(body))),
        Candidate("decode_activity", loop(lambda: decode_activity(body))),
        Candidate("json.loads", loop(lambda: loads(body))),
        Candidate("pydantic model_validate_json", loop(lambda: validate(body))),
    ]


# -- the sans-IO hot path ---------------------------------------------------------------------


def _floor_path(pool: Sequence[Signed]) -> Sampler:
    key = SECRET.encode()
    check = apps.check_signature
    items = [(item.body, item.signature) for item in pool]

    def sample(n: int) -> int:
        start = perf_counter_ns()
        for body, signature in items[:n]:
            if check(body, signature, key):
                decode_activity(body)
        return perf_counter_ns() - start

    return sample


def _hot_path(pool: Sequence[Signed]) -> list[Candidate]:
    settings = apps.settings(dedupe=True)
    receiver = Receiver(settings)
    dispatcher = Dispatcher(settings, plugins=[apps.NoOpPlugin()])
    dispatcher.startup()
    store = _memory_store(dispatcher)
    requests = [(_headers(item), item.body) for item in pool]
    # A POST always gets a BodyReader (a Reply is only ever a CRC answer).
    start: Callable[[str, bytes, Headers], BodyReader] = receiver.start  # type: ignore[assignment]
    dispatch = dispatcher.dispatch_sync

    def full(n: int) -> int:
        begin = perf_counter_ns()
        for headers, body in requests[:n]:
            reader = start("POST", b"", headers)
            reader.feed(body)
            dispatch(reader.finish())
        return perf_counter_ns() - begin

    def receive_only(n: int) -> int:
        begin = perf_counter_ns()
        for headers, body in requests[:n]:
            reader = start("POST", b"", headers)
            reader.feed(body)
            reader.finish()
        return perf_counter_ns() - begin

    reader = start("POST", b"", requests[0][0])
    reader.feed(requests[0][1])
    if dispatch(reader.finish()).dispatched != 1:
        raise AssertionError("the no-op plugin did not receive the event")
    keys = _dedupe_keys(pool)
    return [
        Candidate("HMAC check + decode_activity", _floor_path(pool)),
        Candidate("Receiver + Dispatcher.dispatch_sync", _releasing(store, keys, full)),
        Candidate("receiver only (no dispatch)", receive_only),
    ]


# -- ASGI -------------------------------------------------------------------------------------


class _Exchange:
    """The receive/send pair of an in-process ASGI call; `message` is what receive returns."""

    __slots__ = ("message", "status")

    def __init__(self) -> None:
        self.message: dict[str, Any] = {}
        self.status = 0

    async def receive(self) -> dict[str, Any]:
        return self.message

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]


def _asgi_sampler(
    app: Callable[..., Any],
    requests: Sequence[tuple[dict[str, Any], dict[str, Any]]],
    event_loop: asyncio.AbstractEventLoop,
) -> Sampler:
    exchange = _Exchange()
    receive, send = exchange.receive, exchange.send

    async def run(n: int) -> int:
        start = perf_counter_ns()
        for scope, message in requests[:n]:
            exchange.message = message
            await app(scope, receive, send)
        elapsed = perf_counter_ns() - start
        if exchange.status != 200:
            raise AssertionError(f"the app answered {exchange.status}")
        return elapsed

    return lambda n: event_loop.run_until_complete(run(n))


def _asgi(pool: Sequence[Signed], event_loop: asyncio.AbstractEventLoop) -> list[Candidate]:
    middleware = ASGIMiddleware(settings=apps.settings(dedupe=True), plugins=[apps.NoOpPlugin()])
    requests = [
        (
            {
                "type": "http",
                "asgi": {"version": "3.0", "spec_version": "2.4"},
                "http_version": "1.1",
                "method": "POST",
                "scheme": "https",
                "path": apps.PATH,
                "raw_path": apps.PATH.encode(),
                "query_string": b"",
                "root_path": "",
                "headers": list(_headers(item)),
                "client": ("199.16.157.173", 42316),
                "server": ("127.0.0.1", 8000),
                "state": {},
            },
            {"type": "http.request", "body": item.body, "more_body": False},
        )
        for item in pool
    ]
    store = _memory_store(middleware.dispatcher)
    keys = _dedupe_keys(pool)
    floor = _asgi_sampler(apps.floor_asgi(), requests, event_loop)
    ours = _asgi_sampler(middleware, requests, event_loop)
    return [
        Candidate("hand-written ASGI floor app", floor),
        Candidate("ASGIMiddleware", _releasing(store, keys, ours)),
    ]


# -- WSGI -------------------------------------------------------------------------------------


def _wsgi_sampler(app: Callable[..., Any], environs: Sequence[dict[str, Any]]) -> Sampler:
    status = ""

    def start_response(line: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
        nonlocal status
        status = line

    def sample(n: int) -> int:
        chosen = environs[:n]
        for environ in chosen:
            environ["wsgi.input"].seek(0)
        start = perf_counter_ns()
        for environ in chosen:
            for _ in app(environ, start_response):
                pass
        elapsed = perf_counter_ns() - start
        if not status.startswith("200"):
            raise AssertionError(f"the app answered {status!r}")
        return elapsed

    return sample


def _wsgi(pool: Sequence[Signed]) -> list[Candidate]:
    middleware = WSGIMiddleware(settings=apps.settings(dedupe=True), plugins=[apps.NoOpPlugin()])
    middleware.start()
    environs = []
    for item in pool:
        environ = {
            "REQUEST_METHOD": "POST",
            "SCRIPT_NAME": "",
            "PATH_INFO": apps.PATH,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "199.16.157.173",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(item.body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(item.body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in _headers(item):
            if name not in (b"content-type", b"content-length"):
                key = "HTTP_" + name.decode().upper().replace("-", "_")
                environ[key] = value.decode("latin-1")
        environs.append(environ)
    store = _memory_store(middleware.dispatcher)
    keys = _dedupe_keys(pool)
    return [
        Candidate("hand-written WSGI floor app", _wsgi_sampler(apps.floor_wsgi(), environs)),
        Candidate("WSGIMiddleware", _releasing(store, keys, _wsgi_sampler(middleware, environs))),
    ]


# -- running ----------------------------------------------------------------------------------


def candidates(
    group: str,
    pool: Sequence[Signed],
    event_loop: asyncio.AbstractEventLoop | None = None,
) -> list[Candidate]:
    """The candidates of `group` on `pool`, the floor first. ``asgi`` needs `event_loop`."""
    if group == "verify":
        return _verify(pool)
    if group == "decode":
        return _decode(pool)
    if group == "hot_path":
        return _hot_path(pool)
    if group == "asgi":
        if event_loop is None:
            raise ValueError("the asgi group needs an event loop")
        return _asgi(pool, event_loop)
    if group == "wsgi":
        return _wsgi(pool)
    raise ValueError(f"unknown group {group!r}")


def iteration_limit(group: str, pool: Sequence[Signed]) -> int:
    """Operations per sample at most: one delivery each where dedupe is on."""
    return len(pool) if group in ("hot_path", "asgi", "wsgi") else 10_000_000


def run_group(
    group: str,
    kind: str,
    pool: Sequence[Signed],
    *,
    repeats: int,
    sample_ns: int,
    event_loop: asyncio.AbstractEventLoop | None = None,
) -> GroupResult:
    """Measure `group` on deliveries of `kind`; `pool` bounds the iterations per sample."""
    chosen = candidates(group, pool, event_loop)
    limit = iteration_limit(group, pool)
    # Calibrated on the slowest candidate, so that no sample is far shorter than `sample_ns`.
    iterations = min(calibrate(candidate.sample, sample_ns, limit) for candidate in chosen)
    measurements = interleave(chosen, iterations, repeats)
    return GroupResult(group, kind, len(pool[0].body), measurements)
