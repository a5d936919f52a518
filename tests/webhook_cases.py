"""Requests that exercise every row of the error vocabulary, shared by the edge tests.

Each case is one request and the status the receiver must answer, so the sans-IO core, the
ASGI edge, the WSGI edge and the real servers are all held to the same table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aaa_middleware.signing import sign

SECRET = "s3cr3t-consumer-key"
OTHER_SECRET = "an0ther-secret"
PATH = "/webhooks/x"
MAX_BODY = 4096

FOLLOW_BODY = (
    b'{"for_user_id":"2244994945","follow_events":[{"type":"follow",'
    b'"created_timestamp":"1517588749178","target":{"id":"2244994945","id_str":"2244994945",'
    b'"screen_name":"XDevelopers"},"source":{"id":"3001969357","id_str":"3001969357",'
    b'"screen_name":"furiouscamper"}}]}'
)

UNFOLLOW_BODY = FOLLOW_BODY.replace(b'"type":"follow"', b'"type":"unfollow"')


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    status: int
    query: bytes = b""
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""
    reason: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def signed(body: bytes, secret: str = SECRET, content_type: bytes = b"application/json"):
    return (
        (b"content-type", content_type),
        (b"x-twitter-webhooks-signature", sign(body, secret).encode()),
    )


CASES = [
    Case("crc", "GET", 200, query=b"crc_token=abc123-_=&nonce=n1"),
    Case("crc-missing-token", "GET", 400, query=b"nonce=1", reason="invalid_crc_token"),
    Case(
        "crc-json-token",
        "GET",
        400,
        query=b"crc_token=%7B%22a%22%3A1%7D",
        reason="invalid_crc_token",
    ),
    Case("crc-control-char", "GET", 400, query=b"crc_token=a%0Ab", reason="invalid_crc_token"),
    Case("crc-too-long", "GET", 400, query=b"crc_token=" + b"a" * 256, reason="invalid_crc_token"),
    Case(
        "crc-two-tokens", "GET", 400, query=b"crc_token=a&crc_token=b", reason="invalid_crc_token"
    ),
    Case(
        "crc-bad-get-signature",
        "GET",
        403,
        query=b"crc_token=abc",
        headers=((b"x-twitter-webhooks-signature", sign(b"crc_token=abc", OTHER_SECRET).encode()),),
        reason="invalid_signature",
    ),
    Case("delivery", "POST", 200, headers=signed(FOLLOW_BODY), body=FOLLOW_BODY),
    Case(
        "delivery-charset",
        "POST",
        200,
        headers=signed(UNFOLLOW_BODY, content_type=b"Application/JSON; charset=UTF-8"),
        body=UNFOLLOW_BODY,
    ),
    Case(
        "missing-signature",
        "POST",
        401,
        headers=((b"content-type", b"application/json"),),
        body=FOLLOW_BODY,
        reason="missing_signature",
    ),
    Case(
        "malformed-signature",
        "POST",
        403,
        headers=(
            (b"content-type", b"application/json"),
            (b"x-twitter-webhooks-signature", b"sha256=nope"),
        ),
        body=FOLLOW_BODY,
        reason="invalid_signature",
    ),
    Case(
        "wrong-secret",
        "POST",
        403,
        headers=signed(FOLLOW_BODY, OTHER_SECRET),
        body=FOLLOW_BODY,
        reason="invalid_signature",
    ),
    Case(
        "tampered-body",
        "POST",
        403,
        headers=signed(FOLLOW_BODY),
        body=FOLLOW_BODY.replace(b"follow", b"folloW", 1),
        reason="invalid_signature",
    ),
    Case(
        "too-large",
        "POST",
        413,
        headers=signed(b"{}" + b" " * MAX_BODY),
        body=b"{}" + b" " * MAX_BODY,
        reason="body_too_large",
    ),
    Case(
        "not-json-content-type",
        "POST",
        415,
        headers=signed(FOLLOW_BODY, content_type=b"text/plain"),
        body=FOLLOW_BODY,
        reason="unsupported_media_type",
    ),
    Case(
        "not-an-object",
        "POST",
        400,
        headers=signed(b"[1, 2]"),
        body=b"[1, 2]",
        reason="invalid_payload",
    ),
    Case(
        "not-json", "POST", 400, headers=signed(b"{nope"), body=b"{nope", reason="invalid_payload"
    ),
    Case(
        "wrong-field-type",
        "POST",
        400,
        headers=signed(b'{"for_user_id":"1","tweet_delete_events":[{"status":{"id":5}}]}'),
        body=b'{"for_user_id":"1","tweet_delete_events":[{"status":{"id":5}}]}',
        reason="invalid_payload",
    ),
    Case(
        "unknown-key",
        "POST",
        200,
        headers=signed(b'{"for_user_id":"1","spaces_events":[{}]}'),
        body=b'{"for_user_id":"1","spaces_events":[{}]}',
    ),
    Case("put", "PUT", 405, reason="method_not_allowed", extra={"allow": "GET, POST"}),
    Case("delete", "DELETE", 405, reason="method_not_allowed", extra={"allow": "GET, POST"}),
]


def case_ids() -> list[str]:
    return [case.name for case in CASES]
