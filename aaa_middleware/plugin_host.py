"""The plugin host: one `pluggy.PluginManager` per receiver, built on demand, never at import.

Besides loading plugins, the host turns each hook into a cached tuple of `Impl` (one per
implementation, in pluggy's call order) so the dispatcher can call every implementation on its
own and keep one failure from stopping the others, something ``pm.hook.<name>(...)`` cannot do.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib.metadata
import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pluggy

from . import hookspecs
from .errors import ConfigurationError
from .settings import Settings

__all__ = [
    "BLOCKED_ENV",
    "ENTRY_POINT_GROUP",
    "LOAD_ENTRY_POINTS_ENV",
    "TRACE_ENV",
    "Impl",
    "PluginError",
    "PluginHost",
    "PluginInfo",
]

ENTRY_POINT_GROUP = hookspecs.PROJECT_NAME
BLOCKED_ENV = "AAA_BLOCKED_PLUGINS"
LOAD_ENTRY_POINTS_ENV = "AAA_LOAD_ENTRY_POINTS"
TRACE_ENV = "AAA_TRACE_PLUGINS"

logger = logging.getLogger("aaa_middleware.plugins")

_EVENT_HOOK = "aaa_event"
_EVENT_ARGS = ("event", "delivery")
_FALSE = frozenset({"0", "false", "no", "off"})


class PluginError(ConfigurationError):
    """A plugin cannot be loaded or registered: a misspelt hook, a bad signature, an ImportError."""


class Impl:
    """One hook implementation, ready to call.

    For event hooks `takes_delivery` tells the dispatcher whether to call ``function(event)`` or
    ``function(event, delivery)``; any other signature was adapted to the second form, so the hot
    path never builds an argument list.
    """

    __slots__ = ("argnames", "function", "hook", "plugin_name", "takes_delivery")

    def __init__(self, hook: str, plugin_name: str, function: Callable[..., Any]) -> None:
        self.hook = hook
        self.plugin_name = plugin_name
        self.function = function
        self.argnames: tuple[str, ...] = ()
        self.takes_delivery = True

    def __repr__(self) -> str:
        return f"<Impl {self.hook} of {self.plugin_name!r}>"


@dataclasses.dataclass(frozen=True, slots=True)
class PluginInfo:
    """What `PluginHost.list_plugins` reports about one registered plugin.

    :param source: ``"entry point"`` or ``"code"`` (passed to the receiver directly).
    :param distribution: the distribution name for an entry point plugin.
    :param version: that distribution's version.
    :param hooks: the hooks the plugin implements, sorted.
    """

    name: str
    source: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {**dataclasses.asdict(self), "hooks": list(self.hooks)}


class _Manager(pluggy.PluginManager):
    """A PluginManager that tells its host when the set of implementations changes."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        super().__init__(hookspecs.PROJECT_NAME)
        self._on_change = on_change

    def register(self, plugin: object, name: str | None = None) -> str | None:
        registered = super().register(plugin, name)
        if registered is not None:
            self._on_change()
            _refuse_wrappers(self, plugin, registered)
        return registered

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any | None:
        removed = super().unregister(plugin, name)
        self._on_change()
        return removed


class PluginHost:
    """Loads and registers the plugins of one receiver.

    :param settings: ``blocked_plugins`` and ``load_entry_points`` are honoured, and so are the
        environment variables ``AAA_BLOCKED_PLUGINS`` (comma-separated names, added to the
        settings' list) and ``AAA_LOAD_ENTRY_POINTS=0`` (skip discovery).
    :param plugins: plugin objects (modules, instances) registered in code, after entry points.
    :param environ: where to read those variables (``os.environ`` by default).

    ``AAA_TRACE_PLUGINS=1`` logs every hook call on the ``aaa_middleware.plugins`` logger: hook
    and plugin at INFO, and a summary of the arguments when DEBUG is enabled.

    :raises PluginError: if a plugin cannot be imported or implements a hook that does not exist.
    """

    def __init__(
        self,
        settings: Settings,
        plugins: Iterable[object] = (),
        *,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self.settings = settings
        self.trace = _enabled(env.get(TRACE_ENV), default=False)
        self._plans: dict[str, tuple[Impl, ...]] = {}
        self._kind_plans: dict[str, tuple[Impl, ...]] = {}
        self._origins: dict[str, tuple[str, str]] = {}
        self.manager: pluggy.PluginManager = _Manager(self._forget_plans)
        self.manager.add_hookspecs(hookspecs)
        blocked = [*settings.blocked_plugins, *env.get(BLOCKED_ENV, "").split(",")]
        for name in filter(None, (name.strip() for name in blocked)):
            self.manager.set_blocked(name)
        if settings.load_entry_points and _enabled(env.get(LOAD_ENTRY_POINTS_ENV), default=True):
            self._load_entry_points()
        for plugin in plugins:
            self.register(plugin, check=False)
        self.check()

    def register(
        self, plugin: object, name: str | None = None, *, check: bool = True
    ) -> str | None:
        """Register a plugin object; returns its name, or None if that name is blocked."""
        if name is None:
            name = getattr(plugin, "__name__", None) or type(plugin).__name__
            if self.manager.has_plugin(name):
                name = None  # two instances of one class: let pluggy name the second uniquely
        try:
            registered = self.manager.register(plugin, name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"cannot register plugin {name or plugin!r}: {exc}") from exc
        if check:
            self.check()
        return registered

    def unregister(self, name: str) -> None:
        """Remove the plugin registered under `name`."""
        self.manager.unregister(name=name)

    def check(self) -> None:
        """Fail loudly on an implementation whose hook does not exist, e.g. a misspelt name."""
        try:
            self.manager.check_pending()
        except pluggy.PluginValidationError:
            for name, caller in vars(self.manager.hook).items():
                unknown = [i for i in caller.get_hookimpls() if not i.optionalhook]
                if name.startswith("_") or caller.has_spec() or not unknown:
                    continue
                impl = unknown[0]
                hint = difflib.get_close_matches(name, self.hook_names(), n=1)
                raise PluginError(
                    f"plugin {impl.plugin_name!r} implements {name!r}, which is not an "
                    f"aaa_middleware hook" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                ) from None
            raise

    def hook_names(self) -> list[str]:
        """Every hook a plugin may implement, sorted."""
        return sorted(
            name
            for name, caller in vars(self.manager.hook).items()
            if not name.startswith("_") and caller.has_spec()
        )

    def list_plugins(self) -> list[PluginInfo]:
        """The registered plugins in registration order, with their origin and hooks."""
        out = []
        for name, plugin in self.manager.list_name_plugin():
            if plugin is None:  # a blocked name
                continue
            callers = self.manager.get_hookcallers(plugin) or []
            distribution, version = self._origins.get(name, (None, None))
            out.append(
                PluginInfo(
                    name=name,
                    source="entry point" if distribution else "code",
                    distribution=distribution,
                    version=version,
                    hooks=tuple(sorted(caller.name for caller in callers)),
                )
            )
        return out

    def impls(self, hook: str) -> tuple[Impl, ...]:
        """The implementations of `hook` in call order (cached until a plugin (un)registers)."""
        plan = self._plans.get(hook)
        if plan is None:
            plan = self._plans[hook] = self._build(hook)
        return plan

    def event_impls(self, kind: str) -> tuple[Impl, ...]:
        """What runs for an event of `kind`: every `aaa_event` implementation, then the kind's."""
        plan = self._kind_plans.get(kind)
        if plan is None:
            plan = self._kind_plans[kind] = self.impls(_EVENT_HOOK) + self.impls("aaa_" + kind)
        return plan

    def _forget_plans(self) -> None:
        self._plans.clear()
        self._kind_plans.clear()

    def _build(self, hook: str) -> tuple[Impl, ...]:
        caller: pluggy.HookCaller | None = getattr(self.manager.hook, hook, None)
        if caller is None or caller.spec is None:
            return ()
        event_hook = tuple(caller.spec.argnames) == _EVENT_ARGS
        plan = []
        # pluggy keeps implementations in reverse call order (tryfirst last).
        for hookimpl in reversed(caller.get_hookimpls()):
            impl = Impl(hook, hookimpl.plugin_name, hookimpl.function)
            impl.argnames = tuple(hookimpl.argnames)
            if event_hook and impl.argnames == ("event",):
                impl.takes_delivery = False
            elif event_hook and impl.argnames != _EVENT_ARGS:
                impl.function = _adapt(hookimpl.function, impl.argnames)
            if self.trace:
                impl.function = _traced(impl, impl.function)
            plan.append(impl)
        return tuple(plan)

    def _load_entry_points(self) -> None:
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if self.manager.has_plugin(ep.name) or self.manager.is_blocked(ep.name):
                continue
            dist = ep.dist
            origin = (dist.name, dist.version) if dist is not None else (ep.value, "")
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginError(
                    f"cannot load plugin {ep.name!r} ({ep.value}) from {origin[0]}: {exc!r}"
                ) from exc
            self.register(plugin, ep.name, check=False)
            self._origins[ep.name] = origin


def _enabled(value: str | None, *, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() not in _FALSE


def _refuse_wrappers(manager: pluggy.PluginManager, plugin: object, name: str) -> None:
    for caller in manager.get_hookcallers(plugin) or []:
        for hookimpl in caller.get_hookimpls():
            if hookimpl.plugin is plugin and (hookimpl.wrapper or hookimpl.hookwrapper):
                manager.unregister(plugin)
                raise pluggy.PluginValidationError(
                    plugin,
                    f"{caller.name} of plugin {name!r} is a wrapper; aaa_middleware calls "
                    "every implementation on its own, so wrappers are not supported",
                )


def _adapt(function: Callable[..., Any], argnames: Sequence[str]) -> Callable[..., Any]:
    # Uncommon signatures are adapted once here, so the hot path knows only two call forms.
    if tuple(argnames) == ("delivery", "event"):
        return lambda event, delivery: function(delivery, event)
    if tuple(argnames) == ("delivery",):
        return lambda event, delivery: function(delivery)
    return lambda event, delivery: function()


def _traced(impl: Impl, function: Callable[..., Any]) -> Callable[..., Any]:
    def traced(*args: object) -> object:
        if logger.isEnabledFor(logging.DEBUG):
            summary = ", ".join(_describe(arg) for arg in args)
            logger.debug("call %s of %r (%s)", impl.hook, impl.plugin_name, summary)
        else:
            logger.info("call %s of %r", impl.hook, impl.plugin_name)
        return function(*args)

    return traced


def _describe(value: object) -> str:
    # Never the body or a secret: events and deliveries are summarised by their identifiers.
    kind = getattr(value, "kind", None)
    if isinstance(kind, str):
        return f"<{kind} {getattr(value, 'dedupe_key', '?')}>"
    label = getattr(value, "secret_label", None)
    if isinstance(label, str):
        return f"<delivery secret={label!r} remote={getattr(value, 'remote_addr', None)!r}>"
    return repr(value) if isinstance(value, str | int | type(None)) else f"<{type(value).__name__}>"
