"""The error vocabulary: every way the receiver refuses a request, with its HTTP status.

Each refusal is a `WebhookError` carrying the status to answer and a stable, machine-readable
`reason`. The edges turn one into a response without knowing which case it is, so a new case
never needs edge code, and nothing unauthenticated can surface as a 500.
"""

from __future__ import annotations

__all__ = [
    "BodyTooLarge",
    "ConfigurationError",
    "InvalidCRCToken",
    "InvalidSignature",
    "MalformedRequest",
    "MethodNotAllowed",
    "MissingSignature",
    "PayloadError",
    "UnsupportedMediaType",
    "WebhookError",
]


class ConfigurationError(ValueError):
    """The configuration cannot be served safely; raised when the receiver is built."""


class WebhookError(Exception):
    """A request the receiver refuses.

    :param detail: a human-readable explanation. It must never contain a secret or the body:
        it is sent to the client and may be logged.
    """

    status: int = 400
    reason: str = "bad_request"

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail if detail is not None else self.__class__.__doc__ or self.reason
        super().__init__(self.detail)


class MalformedRequest(WebhookError):
    """The request is not well-formed HTTP for this endpoint."""

    status = 400
    reason = "malformed_request"


class InvalidCRCToken(WebhookError):
    """The CRC request has no crc_token, or one that is not an opaque token."""

    status = 400
    reason = "invalid_crc_token"


class MissingSignature(WebhookError):
    """The request carries no x-twitter-webhooks-signature header."""

    status = 401
    reason = "missing_signature"


class InvalidSignature(WebhookError):
    """The signature is malformed or matches none of the configured consumer secrets."""

    status = 403
    reason = "invalid_signature"


class MethodNotAllowed(WebhookError):
    """The webhook path answers GET (CRC) and POST (deliveries) only."""

    status = 405
    reason = "method_not_allowed"


class BodyTooLarge(WebhookError):
    """The body is larger than the configured cap."""

    status = 413
    reason = "body_too_large"


class UnsupportedMediaType(WebhookError):
    """An authenticated delivery must be application/json."""

    status = 415
    reason = "unsupported_media_type"


class PayloadError(WebhookError):
    """An authenticated delivery is not a JSON object, or a known field has the wrong type."""

    status = 400
    reason = "invalid_payload"
