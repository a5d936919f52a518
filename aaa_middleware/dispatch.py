"""From an authenticated delivery to the plugins: dedupe, call every implementation, report.

For each event, in order: drop it if the subscribed account caused it (``ignore_self``), claim
its ``dedupe_key`` (drop it if already claimed), call every `aaa_event` implementation and then
every implementation of the kind's hook, each on its own so that one failure never stops the
others, report each failure to `aaa_error` and the log, and release the key if anything failed
so that X's retry runs the event again.

Plain-function implementations run inline; the coroutines one event's implementations return
are awaited together. `Dispatcher.dispatch` is for the ASGI edge, `Dispatcher.dispatch_sync`
for the WSGI edge, which runs coroutines on a private loop per thread only when there are some.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from .background import (
    BackgroundTasks,
    BackgroundThreads,
    Failures,
    Pending,
    ThreadLoops,
    await_all,
    await_logged,
    close_unawaited,
)
from .dedupe import (
    AsyncDedupeStore,
    AsyncOutageTolerantStore,
    DedupeStore,
    MemoryDedupeStore,
    OutageTolerantStore,
)
from .plugin_host import Impl, PluginError, PluginHost

if TYPE_CHECKING:
    from .errors import WebhookError
    from .events import Event
    from .sansio import Delivery
    from .settings import Settings

__all__ = ["DispatchResult", "Dispatcher"]

logger = logging.getLogger("aaa_middleware.dispatch")


class DispatchResult(NamedTuple):
    """What happened to the events of one delivery.

    :param dispatched: events whose hooks ran (failed ones included).
    :param duplicates: events skipped because their dedupe key was already claimed.
    :param ignored_self: events skipped because the subscribed account caused them.
    :param failed: dispatched events of which at least one implementation raised.
    """

    dispatched: int = 0
    duplicates: int = 0
    ignored_self: int = 0
    failed: int = 0

    @property
    def ok(self) -> bool:
        """True when no implementation failed: the delivery can be acknowledged."""
        return self.failed == 0


class Dispatcher:
    """Runs the plugins of one receiver. Build it once, with the receiver.

    :param settings: ``dedupe``, ``dedupe_ttl``, ``dedupe_max_entries``, ``ignore_self``,
        ``drain_timeout`` and the plugin loading fields are used.
    :param plugins: plugin objects registered in code, besides the entry points.
    :param dedupe_store: a `DedupeStore` or `AsyncDedupeStore` shared by several processes;
        by default an in-memory store. Unused when ``settings.dedupe`` is false.
    :param environ: where the plugin host reads its environment variables (for tests).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        plugins: Iterable[object] = (),
        dedupe_store: DedupeStore | AsyncDedupeStore | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.host = PluginHost(settings, plugins, environ=environ)
        store: DedupeStore | AsyncDedupeStore
        if dedupe_store is None:
            store = MemoryDedupeStore(settings.dedupe_max_entries)
        elif _is_async(dedupe_store):
            store = AsyncOutageTolerantStore(dedupe_store)
        else:
            store = OutageTolerantStore(dedupe_store)  # type: ignore[arg-type]  # not async
        self._store = store if settings.dedupe and not _is_async(store) else None
        self._astore = store if settings.dedupe and _is_async(store) else None
        self._ttl = settings.dedupe_ttl
        self._ignore_self = settings.ignore_self
        self._loops = ThreadLoops()
        self._tasks = BackgroundTasks()
        self._threads = BackgroundThreads()
        self._started = False
        self._start_lock = threading.Lock()
        self._astarting: asyncio.Future[None] | None = None

    @property
    def dedupe_store(self) -> DedupeStore | AsyncDedupeStore | None:
        return self._store if self._store is not None else self._astore

    # -- dispatch ---------------------------------------------------------------------------

    async def dispatch(self, delivery: Delivery) -> DispatchResult:
        """Dispatch every event of `delivery`, awaiting async implementations (ASGI edge)."""
        if not self._started:
            await self.astartup()
        store, astore, ttl, plan = self._store, self._astore, self._ttl, self.host.event_impls
        dispatched = duplicates = ignored = failed = 0
        for event in delivery.activity.events:
            if self._ignore_self and _caused_by_account(event):
                ignored += 1
                continue
            key = ""  # read only with a store: building a dedupe key is not free
            if store is not None:
                key = event.dedupe_key
                if not store.claim(key, ttl):
                    duplicates += 1
                    continue
            elif astore is not None:
                key = event.dedupe_key
                if not await astore.claim(key, ttl):
                    duplicates += 1
                    continue
            dispatched += 1
            if not (impls := plan(event.kind)):
                continue
            ok = False
            try:
                failures, pending = self._start(impls, event, delivery)
                if pending is not None or failures is not None:
                    failures = await self._complete(event, delivery, failures, pending)
                ok = failures is None
            finally:
                if not ok:  # failed, or cancelled half-way: let the retry run it again
                    failed += 1
                    if store is not None:
                        store.release(key)
                    elif astore is not None:
                        await astore.release(key)
        return DispatchResult(dispatched, duplicates, ignored, failed)

    def dispatch_sync(self, delivery: Delivery) -> DispatchResult:
        """Dispatch every event of `delivery`, running async implementations to completion on
        this thread's private event loop (WSGI edge). Must not be called from a running loop."""
        if not self._started:
            self.startup()
        store, astore, ttl, plan = self._store, self._astore, self._ttl, self.host.event_impls
        run = self._loops.run
        dispatched = duplicates = ignored = failed = 0
        for event in delivery.activity.events:
            if self._ignore_self and _caused_by_account(event):
                ignored += 1
                continue
            key = ""
            if store is not None:
                key = event.dedupe_key
                if not store.claim(key, ttl):
                    duplicates += 1
                    continue
            elif astore is not None:
                key = event.dedupe_key
                if not run(astore.claim(key, ttl)):
                    duplicates += 1
                    continue
            dispatched += 1
            if not (impls := plan(event.kind)):
                continue
            ok = False
            pending = None
            try:
                failures, pending = self._start(impls, event, delivery)
                if pending is not None:
                    failures = run(self._complete(event, delivery, failures, pending))
                elif failures is not None and (reports := self._report(event, delivery, failures)):
                    run(await_logged(reports))
                ok = failures is None
            finally:
                if not ok:
                    failed += 1
                    close_unawaited(pending)
                    if store is not None:
                        store.release(key)
                    elif astore is not None:
                        run(astore.release(key))
        return DispatchResult(dispatched, duplicates, ignored, failed)

    def _start(
        self, impls: tuple[Impl, ...], event: Event, delivery: Delivery
    ) -> tuple[Failures | None, Pending | None]:
        # The hot path: no allocation unless an implementation fails or returns an awaitable.
        failures: Failures | None = None
        pending: Pending | None = None
        for impl in impls:
            try:
                if impl.takes_delivery:
                    result = impl.function(event, delivery)
                else:
                    result = impl.function(event)
            except Exception as exc:
                failures = failures or []
                failures.append((impl, exc))
                continue
            if result is not None and inspect.isawaitable(result):
                pending = pending or []
                pending.append((impl, result))
        return failures, pending

    async def _complete(
        self,
        event: Event,
        delivery: Delivery,
        failures: Failures | None,
        pending: Pending | None,
    ) -> Failures | None:
        """Await the event's coroutines, then report every failure; returns the failures."""
        if pending is not None:
            failures = await await_all(pending, failures)
        if failures is not None and (reports := self._report(event, delivery, failures)):
            await await_logged(reports)
        return failures

    def _report(self, event: Event, delivery: Delivery, failures: Failures) -> Pending | None:
        pending: Pending = []
        handlers = self.host.impls("aaa_error")
        for impl, exc in failures:
            name = impl.plugin_name
            logger.error("%s of plugin %r failed on %s", impl.hook, name, event.dedupe_key,
                         exc_info=exc)  # fmt: skip
            kwargs = {"event": event, "plugin_name": name, "exception": exc, "delivery": delivery}
            pending += _call_each(handlers, kwargs)
        return pending or None

    # -- refusals and lifecycle -------------------------------------------------------------

    def rejected(self, error: WebhookError, remote_addr: str | None) -> None:
        """Tell `aaa_rejected` about a refused request. Never raises; async implementations are
        scheduled on the running loop (or run on this thread's loop under WSGI)."""
        try:
            kwargs = {"reason": error.reason, "status": error.status, "remote_addr": remote_addr}
            pending = _call_each(self.host.impls("aaa_rejected"), kwargs)
            if not pending:
                return
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                self._loops.run(await_logged(pending))
            else:
                self._tasks.spawn(await_logged(pending), name="aaa_rejected")
        except Exception:
            logger.exception("reporting a rejected request failed")

    def startup(self) -> None:
        """Run `aaa_startup` once (again after `shutdown`); concurrent first deliveries wait."""
        with self._start_lock:
            if self._started:
                return
            self._run_sync("aaa_startup")
            self._started = True

    async def astartup(self) -> None:
        """`startup`, awaiting async implementations on the running loop."""
        if self._started:
            return
        loop = asyncio.get_running_loop()
        if self._astarting is None or self._astarting.get_loop() is not loop:
            self._astarting = loop.create_task(self._arun("aaa_startup"))
        starting = self._astarting
        try:
            await asyncio.shield(starting)
        finally:
            if starting.done() and self._astarting is starting:
                self._astarting = None  # after a failure, the next delivery tries again
        self._started = True

    def shutdown(self) -> None:
        """Run `aaa_shutdown`, then close the dedupe store if it has ``close()``. Call `drain`
        first under the background policy."""
        with self._start_lock:
            self._started = False
            self._run_sync("aaa_shutdown")
            close = getattr(self.dedupe_store, "close", None)
            if close is not None:
                _guarded(close)

    async def ashutdown(self) -> None:
        """`shutdown`, awaiting async implementations and the store's ``aclose()``, if any.
        Call `adrain` first."""
        self._started = False
        await self._arun("aaa_shutdown")
        aclose = getattr(self.dedupe_store, "aclose", None)
        if aclose is not None:
            try:
                await aclose()
            except Exception:
                logger.exception("closing the dedupe store failed")

    def _run_sync(self, hook: str) -> None:
        failures: Failures = []
        if pending := _call_each(self.host.impls(hook), {"settings": self.settings}, failures):
            more = self._loops.run(await_all(pending))
            failures += more or ()
        _lifecycle_outcome(hook, failures)

    async def _arun(self, hook: str) -> None:
        failures: Failures = []
        if pending := _call_each(self.host.impls(hook), {"settings": self.settings}, failures):
            failures += await await_all(pending) or ()
        _lifecycle_outcome(hook, failures)

    # -- background policy ------------------------------------------------------------------

    def spawn(self, delivery: Delivery) -> None:
        """Dispatch `delivery` in a task of the running loop, after the response (ASGI)."""
        self._tasks.spawn(self._background(delivery), name="aaa_middleware dispatch")

    def submit(self, delivery: Delivery) -> None:
        """Dispatch `delivery` on the background thread pool, after the response (WSGI)."""
        self._threads.submit(self._background_sync, delivery)

    async def adrain(self, timeout: float | None = None) -> int:
        """Wait for this loop's background dispatches, up to `timeout` (default: the
        ``drain_timeout`` setting); cancel and log the rest. Returns how many were abandoned."""
        return await self._tasks.drain(self.settings.drain_timeout if timeout is None else timeout)

    def drain(self, timeout: float | None = None) -> int:
        """Wait for the thread pool's dispatches, up to `timeout` (default: the
        ``drain_timeout`` setting); log the rest. Returns how many were abandoned."""
        return self._threads.drain(self.settings.drain_timeout if timeout is None else timeout)

    @property
    def in_flight(self) -> int:
        """Background dispatches not finished yet (tasks and thread-pool work)."""
        return len(self._tasks) + len(self._threads)

    async def _background(self, delivery: Delivery) -> None:
        _log_background(await self.dispatch(delivery))

    def _background_sync(self, delivery: Delivery) -> None:
        _log_background(self.dispatch_sync(delivery))


def _call_each(
    impls: tuple[Impl, ...], kwargs: Mapping[str, Any], failures: Failures | None = None
) -> Pending:
    """Call every implementation, logging failures (and collecting them into `failures`, when
    given); returns the awaitables they gave back."""
    pending: Pending = []
    for impl in impls:
        try:
            result = impl.function(*[kwargs[name] for name in impl.argnames])
        except Exception as exc:
            if failures is None:
                logger.exception("%s of plugin %r failed", impl.hook, impl.plugin_name)
            else:
                failures.append((impl, exc))
            continue
        if result is not None and inspect.isawaitable(result):
            pending.append((impl, result))
    return pending


def _lifecycle_outcome(hook: str, failures: Failures) -> None:
    """Log each failed start-up or shutdown implementation; a failed start-up is fatal.

    A plugin that could not start (an unusable database path, a service that is down) would
    otherwise let deliveries be acknowledged while it silently does nothing with them.
    """
    for impl, exc in failures:
        logger.error("%s of plugin %r failed", impl.hook, impl.plugin_name, exc_info=exc)
    if failures and hook == "aaa_startup":
        names = ", ".join(f"{impl.plugin_name!r} ({exc})" for impl, exc in failures)
        raise PluginError(f"plugin start-up failed: {names}") from failures[0][1]


def _caused_by_account(event: Event) -> bool:
    actor = event.actor_id
    return actor is not None and actor == event.for_user_id


def _guarded(close: Callable[[], object]) -> None:
    try:
        close()
    except Exception:
        logger.exception("closing the dedupe store failed")


def _is_async(store: DedupeStore | AsyncDedupeStore) -> TypeGuard[AsyncDedupeStore]:
    return inspect.iscoroutinefunction(store.claim)


def _log_background(result: DispatchResult) -> None:
    # The delivery was acknowledged already: X will not retry, so this log is the only trace.
    if not result.ok:
        logger.error(
            "background dispatch: %d of %d event(s) failed", result.failed, result.dispatched
        )
