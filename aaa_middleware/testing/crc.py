"""The challenge-response check, as X sends it: a token, a nonce, and the answer X expects."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from urllib.parse import urlencode

from ..signing import SIGNATURE_HEADER, crc_response_token, sign

__all__ = ["CRCRequest", "build_crc"]


@dataclass(frozen=True, slots=True)
class CRCRequest:
    """One CRC GET.

    :param token: the ``crc_token``, decoded (what the answer is computed over).
    :param nonce: the ``nonce`` X sends beside it.
    :param query: the raw query string, percent-encoded as on the wire.
    :param expected: the ``response_token`` a correct receiver answers with.
    :param signature: the ``x-twitter-webhooks-signature`` X puts on the GET (an HMAC of
        `query`), or None for an unsigned check.
    """

    token: str
    nonce: str
    query: str
    expected: str
    signature: str | None

    @property
    def headers(self) -> dict[str, str]:
        """The headers to send (the signature, when there is one)."""
        return {} if self.signature is None else {SIGNATURE_HEADER: self.signature}

    def url(self, base: str) -> str:
        """`base` (the webhook URL, without a query) with this check's query string."""
        return f"{base}{'&' if '?' in base else '?'}{self.query}"

    def expected_body(self) -> bytes:
        """The exact JSON a correct receiver answers with."""
        return b'{"response_token":"' + self.expected.encode("ascii") + b'"}'


def build_crc(
    secret: str | bytes,
    *,
    token: str | None = None,
    nonce: str | None = None,
    signed: bool = True,
) -> CRCRequest:
    """A CRC request for a receiver holding `secret`.

    The default token is 32 random bytes in standard base64, so its ``+``, ``/`` and ``=``
    are percent-encoded on the wire: a receiver must answer for the decoded token, and one
    that signs the raw query value gets it wrong, as X's would.

    :param signed: sign the GET as X's legacy documentation says X does (over the query).
    """
    if token is None:
        token = base64.b64encode(os.urandom(32)).decode("ascii")
    if nonce is None:
        nonce = os.urandom(12).hex()
    query = urlencode({"crc_token": token, "nonce": nonce})
    signature = sign(query.encode("ascii"), secret) if signed else None
    return CRCRequest(token, nonce, query, crc_response_token(token, secret), signature)
