"""Receive X (Twitter) account-activity webhooks inside any ASGI or WSGI app."""

from __future__ import annotations

__version__ = "0.1.0"
