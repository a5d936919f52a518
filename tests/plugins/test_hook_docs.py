"""Every hook is tested (``test_hook_<name>``) and documented in the README."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest
from plugin_fakes import make_settings

from aaa_middleware.plugin_host import PluginHost

ROOT = Path(__file__).resolve().parents[2]


def hook_signatures() -> dict[str, str]:
    host = PluginHost(make_settings())
    manager = host.manager
    out = {}
    for name in host.hook_names():
        spec = getattr(manager.hook, name).spec
        out[name] = f"{name}({', '.join(spec.argnames)})"
    return out


@functools.cache
def functions_under_tests() -> frozenset[str]:
    names = set()
    for path in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(node.name)
    return frozenset(names)


@pytest.mark.parametrize("hook", sorted(hook_signatures()))
def test_every_hook_has_a_test(hook):
    assert f"test_hook_{hook}" in functions_under_tests()


@pytest.mark.parametrize(("hook", "signature"), sorted(hook_signatures().items()))
def test_every_hook_is_in_the_readme(hook, signature):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- plugins:start -->")[1].split("<!-- plugins:end -->")[0]
    entries = [line for line in section.splitlines() if line.lstrip().startswith(("-", "#"))]
    assert any(f"`{signature}`" in line for line in entries), f"README lacks {signature}"
