"""Judging a CRC answer the way X does, and naming the classic mistake behind a wrong one.

Pure functions of the request sent and the answer received, so every explanation can be
tested without a server.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import hmac
import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from ..signing import sign
from ..testing.crc import CRCRequest

__all__ = ["CRC_TIME_LIMIT", "Finding", "diagnose"]

#: X's limit for a CRC answer, in seconds.
CRC_TIME_LIMIT = 3.0

Level = Literal["ok", "note", "fail"]
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True, slots=True)
class Finding:
    """One observation about the answer; any ``fail`` means X would not accept it."""

    level: Level
    message: str


def diagnose(
    request: CRCRequest,
    url: str,
    status: int,
    headers: Mapping[str, str],
    raw_body: bytes,
    elapsed: float,
    secrets: Mapping[str, str],
) -> list[Finding]:
    """Everything worth saying about one answer, most important first.

    :param headers: the answer's headers, names in lower case.
    :param raw_body: the body exactly as received, before any content decoding.
    :param secrets: the configured secrets, label → secret; the first is the one expected.
    """
    findings = _latency(elapsed)
    if 300 <= status < 400:
        findings.insert(0, _redirect(url, status, headers.get("location")))
    elif status != 200:
        findings.insert(0, _refused(status, raw_body))
    else:
        findings[:0] = _answer(request, headers, raw_body, secrets)
    return findings + _url_notes(url)


def _latency(elapsed: float) -> list[Finding]:
    took = f"{elapsed * 1000:.0f} ms" if elapsed < 1 else f"{elapsed:.2f} s"
    if elapsed > CRC_TIME_LIMIT:
        return [Finding("fail", f"answered in {took}: X gives up after {CRC_TIME_LIMIT:.0f} s")]
    if elapsed > CRC_TIME_LIMIT / 3:
        return [Finding("note", f"answered in {took}: close to X's {CRC_TIME_LIMIT:.0f} s limit")]
    return [Finding("ok", f"answered in {took} (X allows {CRC_TIME_LIMIT:.0f} s)")]


def _redirect(url: str, status: int, location: str | None) -> Finding:
    message = (
        f"answered {status}, a redirect{f' to {location}' if location else ''}: X does not follow "
        "redirects, and a 3xx marks the webhook invalid at once. Register the final URL"
    )
    if location:
        here, there = urlsplit(url), urlsplit(location)
        if there.scheme == "https" and here.scheme == "http":
            message += " (the https:// one)"
        elif here.path.rstrip("/") == there.path.rstrip("/") and here.path != there.path:
            message += " (it differs only by a trailing slash)"
    return Finding("fail", message + ".")


def _refused(status: int, raw_body: bytes) -> Finding:
    reason = _error_reason(raw_body)
    seen = f"answered {status}" + (f" ({reason})" if reason else "")
    if reason == "invalid_signature":
        why = (
            "the receiver refused X's signature on the CRC request: it holds a different "
            "consumer secret than the one configured here, so it would refuse X's deliveries too"
        )
    elif status == 404:
        why = "nothing answers at this path: check the path, and any prefix it is mounted under"
    elif status == 405:
        why = (
            "the path does not answer GET: the CRC is a GET, deliveries are POSTs, and both "
            "must reach the receiver"
        )
    elif status in (401, 407):
        why = "X sends no credentials: exempt the webhook path from authentication"
    elif status >= 500:
        why = (
            "the receiver failed: see its logs (a consumer secret missing from its "
            "environment is the usual cause)"
        )
    else:
        why = "X expects 200 with the response_token"
    return Finding(
        "fail", f"{seen}: {why}. A CRC without a 200 leads X to mark the webhook invalid."
    )


def _answer(
    request: CRCRequest,
    headers: Mapping[str, str],
    raw_body: bytes,
    secrets: Mapping[str, str],
) -> list[Finding]:
    findings: list[Finding] = []
    body, encoding = _decode_content(headers, raw_body)
    if isinstance(encoding, Finding):
        return [encoding]
    if encoding is not None:
        findings.append(
            Finding(
                "note",
                f"the answer is {encoding}-compressed, and says so: acceptable, but an "
                "uncompressed answer is what X's samples send",
            )
        )
    content_type = headers.get("content-type", "")
    if content_type.split(";", 1)[0].strip().lower() == "application/json":
        findings.append(Finding("ok", "Content-Type: application/json"))
    else:
        findings.append(
            Finding(
                "fail",
                f"Content-Type is {content_type or 'missing'}: X documents the answer as JSON and "
                "every official sample sends application/json; what X does with another type "
                "is undocumented, so send that header",
            )
        )
    try:
        data = json.loads(body)
    except ValueError:
        preview = body[:60].decode("utf-8", "replace")
        return [*findings, Finding("fail", f"the body is not JSON: {preview!r}")]
    token = data.get("response_token") if isinstance(data, dict) else None
    if not isinstance(token, str):
        return [
            *findings,
            Finding(
                "fail", 'no response_token in the answer: X expects {"response_token": "sha256=…"}'
            ),
        ]
    if hmac.compare_digest(token.encode(), request.expected.encode()):
        findings.insert(0, Finding("ok", "response_token is correct"))
    else:
        findings.insert(0, Finding("fail", _wrong_token(request, token, secrets)))
    return findings


def _decode_content(
    headers: Mapping[str, str], raw_body: bytes
) -> tuple[bytes, str | None | Finding]:
    """The body after content decoding, and the encoding used (or the mismatch found)."""
    declared = headers.get("content-encoding", "").strip().lower()
    if declared in ("", "identity"):
        if raw_body[:2] == b"\x1f\x8b":
            return raw_body, Finding(
                "fail",
                "the body is gzip-compressed but no Content-Encoding says so: X treats a gzip "
                "mismatch as invalid at once. Answer uncompressed, or declare it",
            )
        return raw_body, None
    try:
        if declared in ("gzip", "x-gzip"):
            return gzip.decompress(raw_body), "gzip"
        if declared == "deflate":
            return zlib.decompress(raw_body), "deflate"
    except (OSError, EOFError, zlib.error):
        return raw_body, Finding(
            "fail",
            f"Content-Encoding says {declared} but the body is not {declared}: X treats this "
            "mismatch as invalid at once. Usually one layer sets the header and another "
            "undoes the compression; answer the CRC uncompressed",
        )
    return raw_body, Finding(
        "fail",
        f"Content-Encoding: {declared} is not one X is known to accept (nor asked for): "
        "answer the CRC uncompressed",
    )


def _wrong_token(request: CRCRequest, token: str, secrets: Mapping[str, str]) -> str:
    digest_text = token.removeprefix("sha256=")
    if token == digest_text and "sha256=" + token == request.expected:
        return "response_token lacks the 'sha256=' prefix; the digest itself is right"
    keys = {label: secret.encode() for label, secret in secrets.items()}
    message = request.token.encode()
    hex_digests = {hmac.new(key, message, hashlib.sha256).hexdigest() for key in keys.values()}
    hex_text = digest_text if _HEX_DIGEST.fullmatch(digest_text) else _b64_of_hex(digest_text)
    if hex_text is not None:
        mistake = "is a hex digest" if hex_text is digest_text else "is base64 of a hex digest"
        also = (
            "" if hex_text.lower() in hex_digests else " (and not made with the configured secret)"
        )
        return (
            f"response_token {mistake}{also}: X wants 'sha256=' + standard base64 of the raw "
            "32-byte HMAC-SHA256 (in Python, base64.b64encode(hmac.new(secret, token, "
            "hashlib.sha256).digest()), not .hexdigest())"
        )
    for label, key in keys.items():
        raw = hmac.new(key, message, hashlib.sha256).digest()
        urlsafe = base64.urlsafe_b64encode(raw).decode()
        if digest_text == urlsafe and urlsafe != base64.b64encode(raw).decode():
            return (
                "response_token uses URL-safe base64 (- and _): X wants standard base64 (+ and /)"
            )
        if token == sign(message, key) and label != next(iter(keys)):
            return (
                f"response_token was made with the secret labelled {label!r} here, not the "
                "first one: the receiver and this configuration list the secrets in different "
                "orders; the first is the one X holds now"
            )
    as_in_url = next(
        (
            part[len("crc_token=") :]
            for part in request.query.split("&")
            if part.startswith("crc_token=")
        ),
        "",
    )
    for key in keys.values():
        if as_in_url != request.token and token == sign(as_in_url.encode(), key):
            return (
                "response_token was computed over the crc_token as it appears in the URL: "
                "URL-decode it first (a token's +, / and = arrive percent-encoded)"
            )
        if token == sign(request.query.encode(), key):
            return "response_token signs the whole query string; it must sign the crc_token alone"
    if not _is_sha256_b64(digest_text):
        return "response_token is not 'sha256=' followed by base64 of a 32-byte HMAC-SHA256"
    return (
        "response_token is a well-formed HMAC, but not of this token with the configured "
        "secret: the receiver holds another secret. It must be the app's consumer secret (API "
        "key secret), not an access token secret or a bearer token, and the one configured here"
    )


def _b64_of_hex(text: str) -> str | None:
    try:
        decoded = base64.b64decode(text, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded if _HEX_DIGEST.fullmatch(decoded) else None


def _is_sha256_b64(text: str) -> bool:
    try:
        return len(base64.b64decode(text, validate=True)) == hashlib.sha256().digest_size
    except (binascii.Error, ValueError):
        return False


def _error_reason(raw_body: bytes) -> str | None:
    try:
        data = json.loads(raw_body)
    except ValueError:
        return None
    reason = data.get("error") if isinstance(data, dict) else None
    return reason if isinstance(reason, str) else None


def _url_notes(url: str) -> list[Finding]:
    parts = urlsplit(url)
    notes = []
    if parts.scheme != "https":
        notes.append(
            Finding("note", "http:// is fine for local development; X registers https:// URLs only")
        )
    if parts.port is not None:
        notes.append(
            Finding(
                "note",
                f"port {parts.port} is fine for local development; X refuses URLs with a port, "
                "so serve it behind HTTPS on the default port (443)",
            )
        )
    return notes
