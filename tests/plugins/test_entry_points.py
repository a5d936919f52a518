"""Entry-point discovery with a real, separately built distribution."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from plugin_fakes import delivery, event, make_settings

from aaa_middleware.dispatch import Dispatcher
from aaa_middleware.plugin_host import PluginError, PluginHost

SAMPLE_DIST = Path(__file__).resolve().parents[1] / "sample_plugin_dist"
SAMPLE_MODULE = "aaa_middleware_sample_plugin"


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample distribution, installed into a directory of its own (not the venv)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", target,
         SAMPLE_DIST],
        check=True,
        timeout=300,
    )  # fmt: skip
    return target


@pytest.fixture
def sample_installed(sample_site: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(sample_site))
    yield
    module = sys.modules.pop(SAMPLE_MODULE, None)
    if module is not None:
        module.seen.clear()


def test_installed_distribution_is_loaded_and_called(sample_installed):
    dispatcher = Dispatcher(make_settings(load_entry_points=True), environ={})
    info = {plugin.name: plugin for plugin in dispatcher.host.list_plugins()}["sample"]
    assert info.source == "entry point"
    assert (info.distribution, info.version) == ("aaa-middleware-sample-plugin", "0.3.1")
    assert info.hooks == ("aaa_event", "aaa_follow")

    assert dispatcher.dispatch_sync(delivery(event("follow", "f1"), label="prod")).ok
    assert sys.modules[SAMPLE_MODULE].seen == ["f1", ("follow", "prod")]


@pytest.mark.parametrize("how", ["settings", "environment"])
def test_blocking_the_distribution_by_name(sample_installed, how):
    if how == "settings":
        dispatcher = Dispatcher(make_settings(load_entry_points=True, blocked_plugins=["sample"]))
    else:
        settings = make_settings(load_entry_points=True)
        dispatcher = Dispatcher(settings, environ={"AAA_BLOCKED_PLUGINS": "sample"})
    assert "sample" not in [plugin.name for plugin in dispatcher.host.list_plugins()]
    assert dispatcher.dispatch_sync(delivery(event("follow"))).ok
    assert SAMPLE_MODULE not in sys.modules  # blocked before it was even imported


def test_not_installed_means_not_loaded():
    host = PluginHost(make_settings(load_entry_points=True), environ={})
    assert "sample" not in [plugin.name for plugin in host.list_plugins()]


def test_first_party_plugins_come_from_their_own_distributions():
    host = PluginHost(make_settings(load_entry_points=True), environ={})
    origins = {p.name: (p.source, p.distribution) for p in host.list_plugins()}
    assert origins["logging"] == ("entry point", "aaa-middleware-logging")
    assert origins["sqlite"] == ("entry point", "aaa-middleware-sqlite")


def test_a_plugin_that_fails_to_import_is_named(tmp_path, monkeypatch):
    dist_info = tmp_path / "broken_plugin-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n"
    )
    (dist_info / "entry_points.txt").write_text("[aaa_middleware]\nbroken = broken_plugin\n")
    (tmp_path / "broken_plugin.py").write_text("raise ImportError('missing dependency')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError, match=r"'broken'.*broken-plugin.*missing dependency"):
        PluginHost(make_settings(load_entry_points=True), environ={})
    sys.modules.pop("broken_plugin", None)
