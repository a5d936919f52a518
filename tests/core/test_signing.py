"""Known vectors and properties of the CRC answer and the delivery signature.

Vectors V1–V6 are public: V1 from nyaruka/courier's handler tests, V2–V4 from
machinat/sociably's Receiver tests, V5–V6 from xdevplatform/autohook's signature tests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given, strategies as st

from aaa_middleware.errors import ConfigurationError, InvalidSignature
from aaa_middleware.signing import SecretRing, crc_response_token, parse_signature, sign

V4_BODY = (
    b'{"for_user_id":"930524282358325248","tweet_delete_events":[{"status":'
    b'{"id":"1045405559317569537","user_id":"930524282358325248"},"timestamp_ms":"1432228155593"}]}'
)


def test_crc_vector_v1_uses_the_decoded_token():
    assert crc_response_token("test token", "apiSecret") == (
        "sha256=O5hJl2njQRIa4vsumZ+3oom9ECR5m3aQLRZkPoYelp0="
    )


def test_crc_vector_v1_negative_undecoded_token_differs():
    assert crc_response_token("test+token", "apiSecret") == (
        "sha256=aZsERH/55H/ZLoXk9bhjkBrnWu486pbZrcQX2q1rnGw="
    )


def test_crc_vector_v2():
    assert crc_response_token("__TOKEN_FROM_TWITTER__", "__APP_SECRET__") == (
        "sha256=rPq0FJoFEukzQI8G52D6xjiQ4BGXK4EuZWYZCWMMlsQ="
    )


@pytest.mark.parametrize(
    ("secret", "message", "expected"),
    [
        pytest.param(
            "__APP_SECRET__",
            b"crc_token=__TOKEN_FROM_TWITTER__&nonce=__NONCE__",
            "sha256=bsQqpx1cyheVTwyNGGPmTeY+SLC8YZIwOfr5Kcb2fQE=",
            id="V3-get",
        ),
        pytest.param(
            "__APP_SECRET__",
            V4_BODY,
            "sha256=fN0FZVManGRnnMhAWWT/UI58TXGACAt7RY5H2/akMa4=",
            id="V4",
        ),
        pytest.param(
            "test",
            b"test=1&other_test=2",
            "sha256=25Cu3iwbbiqBTwQRzcKJZwisjf736V2Q8UaTlkfLSoc=",
            id="V5",
        ),
        pytest.param(
            "test",
            b'{"test_number":1,"test_string":"two"}',
            "sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI=",
            id="V6",
        ),
    ],
)
def test_signature_vectors(secret, message, expected):
    assert sign(message, secret) == expected
    ring = SecretRing({"primary": secret})
    assert ring.match(message, parse_signature(expected.encode())) == "primary"


def test_v4_tampered_body_does_not_verify():
    ring = SecretRing({"p": "__APP_SECRET__"})
    digest = parse_signature(b"sha256=fN0FZVManGRnnMhAWWT/UI58TXGACAt7RY5H2/akMa4=")
    assert ring.match(V4_BODY.replace(b"1432228155593", b"1432228155594"), digest) is None


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(b"sha1=fN0FZVManGRnnMhAWWT/UI58TXGACAt7RY5H2/akMa4=", id="wrong-prefix"),
        pytest.param(b"fN0FZVManGRnnMhAWWT/UI58TXGACAt7RY5H2/akMa4=", id="no-prefix"),
        pytest.param(
            b"sha256=" + hmac.new(b"__APP_SECRET__", V4_BODY, hashlib.sha256).hexdigest().encode(),
            id="hex-instead-of-base64",
        ),
        pytest.param(
            b"sha256="
            + base64.b64encode(
                hmac.new(b"__APP_SECRET__", V4_BODY, hashlib.sha256).hexdigest().encode()
            ),
            id="base64-of-hex",
        ),
        pytest.param(b"sha256=fN0FZVManGRnnMhAWWT/UI58TXGACAt7RY5H2/akMa4", id="unpadded"),
        pytest.param(b"sha256=fN0FZVManGRnnMhAWWT/UI58TXGACAt7RY5H2/akM!4=", id="not-base64"),
        pytest.param(b"", id="empty"),
    ],
)
def test_malformed_signatures_are_refused(header):
    with pytest.raises(InvalidSignature):
        parse_signature(header)


def test_prefix_case_and_surrounding_space_are_tolerated():
    digest = parse_signature(b"  SHA256=fN0FZVManGRnnMhAWWT/UI58TXGACAt7RY5H2/akMa4= ")
    assert SecretRing({"p": "__APP_SECRET__"}).match(V4_BODY, digest) == "p"


def test_rotation_any_secret_verifies_and_reports_its_label():
    ring = SecretRing({"old": "old-secret", "new": "new-secret"})
    body = b'{"for_user_id":"1"}'
    assert ring.match(body, parse_signature(sign(body, "new-secret").encode())) == "new"
    assert ring.match(body, parse_signature(sign(body, "old-secret").encode())) == "old"
    assert ring.match(body, parse_signature(sign(body, "retired").encode())) is None
    assert ring.primary == ("old", b"old-secret")


def test_an_empty_ring_cannot_be_built():
    with pytest.raises(ConfigurationError):
        SecretRing({})


@given(body=st.binary(max_size=4096), secret=st.text(min_size=1, max_size=64))
def test_sign_then_verify_holds_for_any_body_and_secret(body, secret):
    ring = SecretRing({"only": secret})
    assert ring.match(body, parse_signature(sign(body, secret).encode())) == "only"


@given(
    chunks=st.lists(st.binary(max_size=512), max_size=8),
    secrets=st.lists(st.text(min_size=1, max_size=16), min_size=1, max_size=3),
    pick=st.integers(min_value=0),
)
def test_streamed_hmac_equals_one_shot(chunks, secrets, pick):
    ring = SecretRing({str(i): s for i, s in enumerate(secrets)})
    chosen = pick % len(secrets)
    body = b"".join(chunks)
    digest = parse_signature(sign(body, secrets[chosen]).encode())
    macs = ring.streaming()
    for chunk in chunks:
        for mac in macs:
            mac.update(chunk)
    assert ring.match_streamed(macs, digest) == ring.match(body, digest)
    assert secrets[int(ring.match(body, digest))] == secrets[chosen]


@given(header=st.binary(max_size=128))
def test_arbitrary_header_bytes_raise_only_invalid_signature(header):
    try:
        digest = parse_signature(header)
    except InvalidSignature:
        return
    assert len(digest) == 32
