"""``python -m aaa_middleware.cli``: the same as the ``aaa-middleware`` command."""

from __future__ import annotations

from . import main

main()
