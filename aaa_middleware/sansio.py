"""The receiver's decisions, with no I/O and no framework: request parts in, answers out.

An edge (ASGI, WSGI, a framework adapter) does three things with a `Receiver`:

1. ``receiver.start(method, query, headers)`` for a request on the webhook path. It returns a
   `Reply` to send (a CRC answer) or a `BodyReader`, or raises a `WebhookError` to answer with.
2. ``reader.feed(chunk)`` for each body chunk as it arrives: the HMAC and the size cap are
   applied while streaming, so an oversized body is refused before it is all in memory.
3. ``reader.finish()`` returns the authenticated, decoded `Delivery` (or raises).

Checks run in the order size → signature → content type → decode, so nothing is parsed before
it is authenticated. `Receiver.handle` is the same decision as one pure function of a whole
request, for tests and for callers that already hold the body.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import msgspec

from .errors import (
    BodyTooLarge,
    InvalidCRCToken,
    InvalidSignature,
    MalformedRequest,
    MethodNotAllowed,
    MissingSignature,
    UnsupportedMediaType,
    WebhookError,
)
from .events import decode_activity
from .settings import Settings
from .signing import SIGNATURE_HEADER, SecretRing, parse_signature, sign

if TYPE_CHECKING:
    import hmac

    from .events import Activity

__all__ = ["CRC_TOKEN_MAX_LENGTH", "BodyReader", "Delivery", "Receiver", "Reply", "Headers"]

Headers = tuple[tuple[bytes, bytes], ...]

# X's tokens are short opaque strings. Refusing anything a JSON body needs keeps the CRC answer
# from signing a forged delivery: the answer is the same HMAC, with the same key, as a POST's
# signature, so a token such as '{"for_user_id":…}' would otherwise mint a valid signature.
CRC_TOKEN_MAX_LENGTH = 255
_OPAQUE_TOKEN = re.compile(rf"[\x20\x21\x23-\x5a\x5e-\x7a\x7c\x7e]{{1,{CRC_TOKEN_MAX_LENGTH}}}")
_QUERY_MAX_LENGTH = 2048

_SIGNATURE_HEADER = SIGNATURE_HEADER.encode("ascii")
_JSON = b"application/json"
_ALLOW = b"GET, POST"


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer: status, headers (lower-case names) and body."""

    status: int
    headers: Headers
    body: bytes

    @property
    def status_line(self) -> str:
        """``"200 OK"``, as WSGI wants it."""
        return _STATUS_LINES.get(self.status) or f"{self.status} {HTTPStatus(self.status).phrase}"

    @classmethod
    def json(cls, status: int, body: bytes, *extra: tuple[bytes, bytes]) -> Reply:
        headers = ((b"content-type", _JSON), (b"content-length", str(len(body)).encode()), *extra)
        return cls(status, headers, body)

    @classmethod
    def for_error(cls, error: WebhookError) -> Reply:
        extra = ((b"allow", _ALLOW),) if isinstance(error, MethodNotAllowed) else ()
        return cls.json(error.status, _error_body(error.reason, error.detail), *extra)


class Delivery(msgspec.Struct, frozen=True, gc=False):
    """An authenticated, decoded delivery.

    :param activity: the decoded body, its events in order.
    :param secret_label: the label of the consumer secret that verified it.
    :param received_at: when it was verified, in seconds since the epoch.
    :param remote_addr: the peer address the edge saw, if any.
    :param settings: the settings of the receiver that accepted it, so a plugin serving several
        receivers can tell them apart (None only for a delivery built by hand).
    """

    activity: Activity
    secret_label: str
    received_at: float
    remote_addr: str | None = None
    settings: Settings | None = None


# X ignores the body of an acknowledgement; PEP 3333 still wants a content type.
ACCEPTED = Reply(
    200, ((b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"0")), b""
)
HANDLER_FAILED = Reply.json(500, b'{"error":"handler_failed"}')
NOT_FOUND = Reply.json(404, b'{"error":"not_found"}')
_STATUS_LINES = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}


class Receiver:
    """Decides every request on one webhook path, for one configuration. Build it once."""

    __slots__ = ("_decode", "_max_body", "_secrets", "path", "settings")

    def __init__(
        self,
        settings: Settings,
        *,
        decode: Callable[[bytes | bytearray | memoryview], Activity] = decode_activity,
    ) -> None:
        self.settings = settings
        self.path = settings.path
        self._secrets = SecretRing(settings.consumer_secrets)
        self._max_body = settings.max_body_size
        self._decode = decode

    @property
    def secrets(self) -> SecretRing:
        return self._secrets

    def start(
        self,
        method: str,
        query: bytes,
        headers: Iterable[tuple[bytes, bytes]],
        remote_addr: str | None = None,
    ) -> Reply | BodyReader:
        """Decide what a request on the webhook path needs, from its head alone.

        Header names must be lower-case, as ASGI gives them (`handle` accepts any case).
        """
        if method == "POST":
            content_length, content_type, signature = _pick_headers(headers)
            if content_length is not None:
                if not content_length.isdigit():
                    raise MalformedRequest("invalid content-length")
                # Bounding the digits first: int() of thousands of digits raises (and is slow).
                if len(content_length) > 18 or int(content_length) > self._max_body:
                    raise BodyTooLarge(f"body is larger than {self._max_body} bytes")
            if signature is None:
                raise MissingSignature()
            return BodyReader(self, parse_signature(signature), content_type, remote_addr)
        if method == "GET":
            return self.crc(query, _pick_headers(headers)[2])
        raise MethodNotAllowed()

    def crc(self, query: bytes, signature: bytes | None = None) -> Reply:
        """Answer X's challenge-response check for a GET's raw query string."""
        if len(query) > _QUERY_MAX_LENGTH:
            raise InvalidCRCToken("query string too long")
        try:
            pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=32)
        except ValueError:
            raise InvalidCRCToken("too many query parameters") from None
        tokens = [value for name, value in pairs if name == b"crc_token"]
        if len(tokens) != 1:
            raise InvalidCRCToken("expected exactly one crc_token")
        # parse_qsl has already turned '+' into a space and undone %-escapes, as X expects.
        token = tokens[0].decode("latin-1")
        if not _OPAQUE_TOKEN.fullmatch(token):
            raise InvalidCRCToken("crc_token is not an opaque token")
        if signature is None:
            key = self._secrets.primary[1]
        else:
            # X signs its CRC GETs over the raw query string; when it does, the secret that
            # verifies the GET is the one X holds, so that one answers.
            label = self._secrets.match(query, parse_signature(signature))
            if label is None:
                raise InvalidSignature("CRC request signature matches no configured secret")
            key = self._secrets.key(label)
        body = b'{"response_token":"' + sign(tokens[0], key).encode() + b'"}'
        return Reply.json(200, body)

    def handle(
        self,
        method: str,
        path: str,
        query: bytes,
        headers: Iterable[tuple[bytes, bytes]],
        body: bytes,
        remote_addr: str | None = None,
    ) -> Reply | Delivery | None:
        """The whole decision for a complete request: None when `path` is not the webhook's,
        a `Reply` to send (CRC answers and every refusal), or the `Delivery` to dispatch."""
        if path != self.path:
            return None
        headers = [(name.lower(), value) for name, value in headers]
        try:
            outcome = self.start(method, query, headers, remote_addr)
            if isinstance(outcome, Reply):
                return outcome
            outcome.feed(body)
            return outcome.finish()
        except WebhookError as error:
            return Reply.for_error(error)


class BodyReader:
    """Takes a delivery's body chunk by chunk, then authenticates and decodes it."""

    __slots__ = (
        "_buffer",
        "_content_type",
        "_digest",
        "_first",
        "_macs",
        "_receiver",
        "_remote_addr",
        "_size",
    )

    def __init__(
        self,
        receiver: Receiver,
        digest: bytes,
        content_type: bytes | None,
        remote_addr: str | None,
    ) -> None:
        self._receiver = receiver
        self._digest = digest
        self._content_type = content_type
        self._remote_addr = remote_addr
        self._size = 0
        # Most bodies arrive in one chunk: keep it as is and sign it in one call at the end.
        # Only a second chunk starts the incremental HMACs and the one growing buffer.
        self._first: bytes | None = None
        self._buffer: bytearray | None = None
        self._macs: list[hmac.HMAC] | None = None

    def feed(self, chunk: bytes) -> None:
        """Add the next body chunk; raises BodyTooLarge as soon as the cap is passed."""
        if not chunk:
            return
        self._size += len(chunk)
        if self._size > self._receiver._max_body:
            raise BodyTooLarge(f"body is larger than {self._receiver._max_body} bytes")
        if self._first is None:
            self._first = chunk
            return
        if self._macs is None:
            self._macs = self._receiver._secrets.streaming()
            for mac in self._macs:
                mac.update(self._first)
            self._buffer = bytearray(self._first)
        for mac in self._macs:
            mac.update(chunk)
        self._buffer += chunk  # type: ignore[operator]  # set together with _macs

    def finish(self) -> Delivery:
        """Verify, check the content type and decode; the body must be complete."""
        secrets = self._receiver._secrets
        if self._macs is not None:
            body: bytes | bytearray = self._buffer  # type: ignore[assignment]  # set with _macs
            label = secrets.match_streamed(self._macs, self._digest)
        else:
            body = self._first or b""
            label = secrets.match(body, self._digest)
        if label is None:
            raise InvalidSignature("signature matches no configured consumer secret")
        if not _is_json(self._content_type):
            raise UnsupportedMediaType("deliveries must be application/json")
        activity = self._receiver._decode(body)
        return Delivery(activity, label, time.time(), self._remote_addr, self._receiver.settings)


def _pick_headers(
    headers: Iterable[tuple[bytes, bytes]],
) -> tuple[bytes | None, bytes | None, bytes | None]:
    # Names are lower-case here (ASGI guarantees it, the other edges build them so): X sends a
    # dozen headers, and lower-casing each on every request is measurable.
    content_length = content_type = signature = None
    for name, value in headers:
        if name == b"content-length":
            content_length = value.strip()
        elif name == b"content-type":
            content_type = value
        elif name == _SIGNATURE_HEADER:
            if signature is not None and signature != value:
                raise InvalidSignature("conflicting signature headers")
            signature = value
    return content_length, content_type, signature


def _is_json(content_type: bytes | None) -> bool:
    if content_type == _JSON:  # what X sends
        return True
    if content_type is None:
        return False
    return content_type.split(b";", 1)[0].strip().lower() == _JSON


def _error_body(reason: str, detail: str) -> bytes:
    return msgspec.json.encode({"error": reason, "detail": detail})
