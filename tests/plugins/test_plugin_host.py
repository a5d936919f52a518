from __future__ import annotations

import logging
import types

import pytest
from plugin_fakes import delivery, event, make_settings

from aaa_middleware.dispatch import Dispatcher
from aaa_middleware.hookspecs import hookimpl
from aaa_middleware.plugin_host import PluginError, PluginHost


def plugin_module(name: str, **functions: object) -> types.ModuleType:
    module = types.ModuleType(name)
    for attr, function in functions.items():
        setattr(module, attr, function)
    return module


def test_misspelt_hook_fails_loudly():
    class Typo:
        @hookimpl
        def aaa_folow(self, event):
            pass

    with pytest.raises(PluginError, match=r"'aaa_folow'.*did you mean 'aaa_follow'"):
        PluginHost(make_settings(), [Typo()])


def test_unknown_argument_fails_loudly():
    class BadArgs:
        @hookimpl
        def aaa_follow(self, event, tweet):
            pass

    with pytest.raises(PluginError, match="tweet"):
        PluginHost(make_settings(), [BadArgs()])


def test_wrappers_are_refused():
    class Wrapper:
        @hookimpl(wrapper=True)
        def aaa_follow(self, event):
            return (yield)

    with pytest.raises(PluginError, match="wrapper"):
        PluginHost(make_settings(), [Wrapper()])


def test_blocked_by_settings():
    host = PluginHost(make_settings(blocked_plugins=["Noisy"]), [Noisy()])
    assert host.list_plugins() == []


def test_blocked_by_environment():
    env = {"AAA_BLOCKED_PLUGINS": "other, Noisy"}
    host = PluginHost(make_settings(), [Noisy()], environ=env)
    assert [info.name for info in host.list_plugins()] == []
    assert PluginHost(make_settings(), [Noisy()], environ={}).list_plugins()[0].name == "Noisy"


class Noisy:
    @hookimpl
    def aaa_follow(self, event):
        pass

    @hookimpl
    def aaa_event(self):
        pass


def test_list_plugins_reports_code_plugins_and_their_hooks():
    host = PluginHost(make_settings(), [Noisy()])
    [info] = host.list_plugins()
    assert info.name == "Noisy"
    assert info.source == "code"
    assert info.distribution is None
    assert info.hooks == ("aaa_event", "aaa_follow")
    assert info.as_dict()["hooks"] == ["aaa_event", "aaa_follow"]


def test_module_plugins_are_named_after_the_module():
    module = plugin_module("my_plugin", aaa_event=hookimpl(lambda event: None))
    host = PluginHost(make_settings(), [module])
    assert host.list_plugins()[0].name == "my_plugin"


def test_two_instances_of_one_class_both_register():
    host = PluginHost(make_settings(), [Noisy(), Noisy()])
    assert len(host.list_plugins()) == 2
    assert len(host.impls("aaa_follow")) == 2


def test_plans_follow_registration_changes():
    host = PluginHost(make_settings())
    assert host.event_impls("follow") == ()
    host.register(Noisy())
    assert [i.hook for i in host.event_impls("follow")] == ["aaa_event", "aaa_follow"]
    host.unregister("Noisy")
    assert host.event_impls("follow") == ()


def test_entry_points_can_be_switched_off_by_environment():
    host = PluginHost(make_settings(load_entry_points=True), environ={"AAA_LOAD_ENTRY_POINTS": "0"})
    assert host.list_plugins() == []


def test_hook_names_are_every_spec():
    names = PluginHost(make_settings()).hook_names()
    assert {"aaa_event", "aaa_unknown", "aaa_rejected", "aaa_startup"} <= set(names)
    assert len(names) == 21


def test_call_order_respects_tryfirst_and_registration():
    order: list[str] = []

    def make(name: str, **opts: bool) -> object:
        return plugin_module(name, aaa_follow=hookimpl(**opts)(lambda: order.append(name)))

    plugins = [make("first", tryfirst=True), make("a"), make("b"), make("last", trylast=True)]
    Dispatcher(make_settings(), plugins=plugins).dispatch_sync(delivery(event("follow")))
    assert order == ["first", "b", "a", "last"]


def test_signatures_may_take_any_subset_in_any_order():
    seen: list[tuple[object, ...]] = []
    plugins = [
        plugin_module("none", aaa_follow=hookimpl(lambda: seen.append(()))),
        plugin_module("d", aaa_follow=hookimpl(lambda delivery: seen.append((delivery,)))),
        plugin_module("de", aaa_follow=hookimpl(lambda delivery, event: seen.append((1, 2)))),
    ]
    Dispatcher(make_settings(), plugins=plugins).dispatch_sync(delivery(event("follow")))
    assert len(seen) == 3


def test_trace_switch_logs_every_hook_call(caplog):
    settings = make_settings()
    dispatcher = Dispatcher(settings, plugins=[Noisy()], environ={"AAA_TRACE_PLUGINS": "1"})
    with caplog.at_level(logging.INFO, logger="aaa_middleware.plugins"):
        dispatcher.dispatch_sync(delivery(event("follow", "k1")))
    assert "call aaa_event of 'Noisy'" in caplog.text
    assert "call aaa_follow of 'Noisy'" in caplog.text
    assert "k1" not in caplog.text  # arguments only at DEBUG
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="aaa_middleware.plugins"):
        dispatcher.dispatch_sync(delivery(event("follow", "k2", raw=b'{"text":"secret dm"}')))
    assert "<follow k2>" in caplog.text
    assert "secret dm" not in caplog.text
    assert "s3cret" not in caplog.text


def test_trace_is_off_by_default(caplog):
    dispatcher = Dispatcher(make_settings(), plugins=[Noisy()], environ={})
    with caplog.at_level(logging.DEBUG, logger="aaa_middleware.plugins"):
        dispatcher.dispatch_sync(delivery(event("follow")))
    assert caplog.text == ""
