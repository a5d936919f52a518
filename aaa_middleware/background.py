"""Awaiting what async implementations return, with or without an event loop, now or later.

`await_all` awaits one event's coroutines together and collects their failures. `ThreadLoops`
lets the WSGI path do that: each thread gets one private event loop, created the first time it
is needed and reused after, so a delivery whose implementations are all plain functions never
pays for a loop.

`BackgroundTasks` (asyncio) and `BackgroundThreads` (a small thread pool) hold the dispatches
of the ``background`` delivery policy: strong references until each finishes, and a bounded
drain at shutdown that reports what it had to abandon.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import logging
import threading
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

if TYPE_CHECKING:
    from .plugin_host import Impl

__all__ = [
    "BackgroundTasks",
    "BackgroundThreads",
    "Failures",
    "Pending",
    "ThreadLoops",
    "await_all",
    "await_logged",
    "close_unawaited",
]

T = TypeVar("T")
Failures: TypeAlias = "list[tuple[Impl, BaseException]]"
Pending: TypeAlias = "list[tuple[Impl, Awaitable[object]]]"

logger = logging.getLogger("aaa_middleware.dispatch")

# After the drain timeout, cancelled tasks get this long to run their cleanup before the loop
# moves on; a task that ignores cancellation is not waited for any longer.
_CANCEL_GRACE = 1.0


async def await_all(pending: Pending, failures: Failures | None = None) -> Failures | None:
    """Await the implementations' awaitables concurrently; returns `failures` plus theirs.

    A cancellation of the caller propagates; an implementation that raised CancelledError on its
    own (a timeout inside it, say) failed like any other.
    """
    if len(pending) == 1:  # the common case: no gather, no extra task
        outcomes: list[object] = []
        try:
            outcomes.append(await pending[0][1])
        except (Exception, asyncio.CancelledError) as exc:
            outcomes.append(exc)
    else:
        outcomes = await asyncio.gather(*(aw for _, aw in pending), return_exceptions=True)
    for (impl, _), outcome in zip(pending, outcomes, strict=True):
        if isinstance(outcome, asyncio.CancelledError) and _being_cancelled():
            raise outcome
        if isinstance(outcome, Exception | asyncio.CancelledError):
            failures = failures or []
            failures.append((impl, outcome))
        elif isinstance(outcome, BaseException):
            raise outcome
    return failures


async def await_logged(pending: Pending) -> None:
    """Await the awaitables; failures are only logged (error, lifecycle and refusal hooks)."""
    for impl, exc in await await_all(pending) or ():
        logger.error("%s of plugin %r failed", impl.hook, impl.plugin_name, exc_info=exc)


def close_unawaited(pending: Pending | None) -> None:
    """Close the coroutines that never started (their loop refused them), so none warns."""
    for _, awaitable in pending or ():
        if (
            inspect.iscoroutine(awaitable)
            and inspect.getcoroutinestate(awaitable) == "CORO_CREATED"
        ):
            awaitable.close()


def _being_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class _LoopOwner:
    """Lives in a thread's local storage; when the thread ends it is collected, closing the loop."""

    __slots__ = ("__weakref__", "loop")

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        weakref.finalize(self, self.loop.close)


class ThreadLoops:
    """One private event loop per thread, for running coroutines to completion from sync code."""

    def __init__(self) -> None:
        self._local = threading.local()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` to completion on this thread's loop.

        :raises RuntimeError: if this thread is already running an event loop: async code must
            ``await`` instead of blocking the loop it runs on.
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            coro.close()
            raise RuntimeError("cannot block on async hooks inside a running event loop: await")
        owner: _LoopOwner | None = getattr(self._local, "owner", None)
        if owner is None or owner.loop.is_closed():
            owner = self._local.owner = _LoopOwner()
        return owner.loop.run_until_complete(coro)


class BackgroundTasks:
    """asyncio tasks nobody awaits, kept alive until they finish and drained at shutdown."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        # The loop keeps only weak references to tasks: without this set, a running dispatch
        # could be garbage-collected half-way.
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            logger.error("background task %s failed", task.get_name(), exc_info=exc)

    async def drain(self, timeout: float) -> int:
        """Wait up to `timeout` seconds for this loop's tasks; cancel the rest.

        :returns: how many were abandoned (cancelled unfinished).
        """
        loop = asyncio.get_running_loop()
        mine = {task for task in self._tasks if task.get_loop() is loop}
        if not mine:
            return 0
        _, pending = await asyncio.wait(mine, timeout=timeout)
        for task in pending:
            logger.warning("abandoning background task %s after %.1fs", task.get_name(), timeout)
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=_CANCEL_GRACE)
        return len(pending)


class BackgroundThreads:
    """A small thread pool for the WSGI side of the background policy, started on first use."""

    def __init__(self, max_workers: int = 4) -> None:
        self.max_workers = max_workers
        self._lock = threading.Lock()
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._futures: set[concurrent.futures.Future[Any]] = set()

    def __len__(self) -> int:
        return len(self._futures)

    def submit(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        with self._lock:
            if self._executor is None:
                self._executor = concurrent.futures.ThreadPoolExecutor(
                    self.max_workers, thread_name_prefix="aaa-dispatch"
                )
            future = self._executor.submit(fn, *args)
            self._futures.add(future)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, future: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._futures.discard(future)
        if not future.cancelled() and (exc := future.exception()) is not None:
            logger.error("background dispatch failed", exc_info=exc)

    def drain(self, timeout: float) -> int:
        """Wait up to `timeout` seconds for submitted work, then stop the pool.

        Work not yet started is dropped. Work still running cannot be interrupted: it goes on
        in its thread, and the interpreter waits for it at exit.

        :returns: how many submissions were abandoned.
        """
        with self._lock:
            executor, self._executor = self._executor, None
            futures = set(self._futures)
        if executor is None:
            return 0
        _, pending = concurrent.futures.wait(futures, timeout=timeout)
        executor.shutdown(wait=False, cancel_futures=True)
        if pending:
            logger.warning(
                "abandoning %d background dispatch(es) after %.1fs", len(pending), timeout
            )
        return len(pending)
