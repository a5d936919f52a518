"""HMAC-SHA256 as X uses it: the CRC answer and the delivery signature.

Both are ``"sha256=" + base64(HMAC-SHA256(consumer secret, message))``: for a CRC the message is
the URL-decoded ``crc_token``, for a delivery the raw body bytes exactly as received (X escapes
``/`` and non-ASCII characters, so any re-serialisation would change them).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

from .errors import ConfigurationError, InvalidSignature

__all__ = ["SIGNATURE_HEADER", "SecretRing", "crc_response_token", "parse_signature", "sign"]

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
_PREFIX = b"sha256="
_DIGEST_SIZE = hashlib.sha256().digest_size
_ENCODED_SIZE = len(base64.b64encode(bytes(_DIGEST_SIZE)))
_HEADER_SIZE = len(_PREFIX) + _ENCODED_SIZE


def sign(message: bytes | bytearray | memoryview, secret: str | bytes) -> str:
    """The signature header value X sends for `message` (what the testing kit signs with)."""
    key = secret.encode() if isinstance(secret, str) else secret
    return "sha256=" + base64.b64encode(hmac.digest(key, message, "sha256")).decode("ascii")


def crc_response_token(crc_token: str, secret: str | bytes) -> str:
    """The ``response_token`` that answers a CRC for the already URL-decoded `crc_token`."""
    return sign(crc_token.encode("utf-8"), secret)


def parse_signature(header: bytes) -> bytes:
    """The 32-byte digest in a signature header, or InvalidSignature if it is not well-formed.

    Only canonical base64 is accepted: a hex digest (a classic mistake) or base64 of one has the
    wrong length and is refused here, before any secret is touched.
    """
    value = header if len(header) == _HEADER_SIZE else header.strip()
    if len(value) != _HEADER_SIZE or value[: len(_PREFIX)].lower() != _PREFIX:
        raise InvalidSignature("malformed signature: expected 'sha256=' and base64 of 32 bytes")
    try:
        digest = binascii.a2b_base64(value[len(_PREFIX) :], strict_mode=True)
    except binascii.Error:
        raise InvalidSignature("malformed signature: not base64") from None
    if len(digest) != _DIGEST_SIZE:
        raise InvalidSignature("malformed signature: wrong digest length")
    return digest


class SecretRing:
    """The configured consumer secrets, in order, each with a label.

    Every secret verifies deliveries, so a rotation can add the new secret before X starts
    using it and drop the old one afterwards.
    """

    __slots__ = ("_keys", "_labels", "_macs")

    def __init__(self, secrets: Mapping[str, str]) -> None:
        if not secrets:
            raise ConfigurationError("at least one consumer secret is required")
        self._labels = tuple(secrets)
        self._keys = tuple(secret.encode("utf-8") for secret in secrets.values())
        # Keyed once here; streaming requests copy these instead of re-deriving the pads.
        self._macs = tuple(hmac.new(key, digestmod="sha256") for key in self._keys)

    @property
    def labels(self) -> tuple[str, ...]:
        return self._labels

    @property
    def primary(self) -> tuple[str, bytes]:
        """The label and key that answer a CRC X did not sign."""
        return self._labels[0], self._keys[0]

    def key(self, label: str) -> bytes:
        return self._keys[self._labels.index(label)]

    def match(self, message: bytes | bytearray | memoryview, digest: bytes) -> str | None:
        """The label of the secret whose HMAC of `message` is `digest`, or None.

        Every secret is compared, in constant time, whether or not an earlier one matched.
        """
        if len(self._keys) == 1:  # the usual case, without the loop
            if hmac.compare_digest(hmac.digest(self._keys[0], message, "sha256"), digest):
                return self._labels[0]
            return None
        found: str | None = None
        for label, key in zip(self._labels, self._keys, strict=True):
            if hmac.compare_digest(hmac.digest(key, message, "sha256"), digest) and found is None:
                found = label
        return found

    def streaming(self) -> list[hmac.HMAC]:
        """Fresh HMAC states, one per secret, for a body that arrives in several chunks."""
        return [mac.copy() for mac in self._macs]

    def match_streamed(self, macs: list[hmac.HMAC], digest: bytes) -> str | None:
        """Like `match`, for states built by `streaming` and fed every chunk."""
        found: str | None = None
        for label, mac in zip(self._labels, macs, strict=True):
            if hmac.compare_digest(mac.digest(), digest) and found is None:
                found = label
        return found
