"""`RecordingPlugin`: a plugin that remembers what the receiver handed to plugins."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..hookspecs import hookimpl

if TYPE_CHECKING:
    from ..events import Event
    from ..sansio import Delivery

__all__ = ["HookFailure", "RecordingPlugin", "Rejection"]


@dataclass(frozen=True, slots=True)
class HookFailure:
    """An event hook implementation that raised (what `aaa_error` reported)."""

    event: Event
    plugin_name: str
    exception: BaseException


@dataclass(frozen=True, slots=True)
class Rejection:
    """A request the receiver refused (what `aaa_rejected` reported)."""

    reason: str
    status: int


class RecordingPlugin:
    """Register it beside the plugin under test, then assert on what it saw.

    ``events`` holds every event dispatched (duplicates never reach plugins, so they are not
    here), in order; ``failures`` the hook implementations that raised; ``rejections`` the
    refused requests. Safe to read from the test while the receiver dispatches on other
    threads; `wait_for` covers the ``background`` delivery policy, where the answer comes
    before the hooks run.
    """

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.deliveries: list[Delivery] = []
        self.failures: list[HookFailure] = []
        self.rejections: list[Rejection] = []
        self.startups = 0
        self.shutdowns = 0
        self._changed = threading.Condition()

    @hookimpl
    def aaa_startup(self) -> None:
        with self._changed:
            self.startups += 1

    @hookimpl
    def aaa_shutdown(self) -> None:
        with self._changed:
            self.shutdowns += 1

    # Last, so that the events recorded are the ones every other plugin has seen.
    @hookimpl(trylast=True)
    def aaa_event(self, event: Event, delivery: Delivery) -> None:
        with self._changed:
            self.events.append(event)
            if not self.deliveries or self.deliveries[-1] is not delivery:
                self.deliveries.append(delivery)
            self._changed.notify_all()

    @hookimpl
    def aaa_error(self, event: Event, plugin_name: str, exception: BaseException) -> None:
        with self._changed:
            self.failures.append(HookFailure(event, plugin_name, exception))
            self._changed.notify_all()

    @hookimpl
    def aaa_rejected(self, reason: str, status: int) -> None:
        with self._changed:
            self.rejections.append(Rejection(reason, status))
            self._changed.notify_all()

    @property
    def kinds(self) -> list[str]:
        """The kinds of the recorded events, in order."""
        with self._changed:
            return [event.kind for event in self.events]

    @property
    def last(self) -> Event:
        """The latest event; fails the test if there is none."""
        with self._changed:
            if not self.events:
                raise AssertionError("no event reached the plugins")
            return self.events[-1]

    def of_kind(self, kind: str) -> list[Event]:
        """The recorded events of one kind."""
        with self._changed:
            return [event for event in self.events if event.kind == kind]

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[Event]:
        """Wait until at least `count` events were recorded; fails the test after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.events) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} event(s) within {timeout}s, got {len(self.events)}"
                    )
                self._changed.wait(remaining)
            return list(self.events)

    def clear(self) -> None:
        """Forget everything recorded so far."""
        with self._changed:
            self.events.clear()
            self.deliveries.clear()
            self.failures.clear()
            self.rejections.clear()
