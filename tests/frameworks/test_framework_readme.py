"""The README's framework snippets are the examples' code, which the example tests serve."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def framework_snippets() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- frameworks:start -->", 1)[1].split("<!-- frameworks:end -->")[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_every_snippet_is_in_an_example():
    examples = {
        path: path.read_text(encoding="utf-8") for path in (ROOT / "examples").rglob("*.py")
    }
    snippets = framework_snippets()
    assert len(snippets) >= 4
    for snippet in snippets:
        assert any(snippet in source for source in examples.values()), snippet
