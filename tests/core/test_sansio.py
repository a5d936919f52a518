"""The sans-IO receiver: every decision, from request parts alone."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings as hsettings, strategies as st
from webhook_cases import CASES, FOLLOW_BODY, MAX_BODY, PATH, SECRET, case_ids, signed

from aaa_middleware.errors import ConfigurationError, WebhookError
from aaa_middleware.sansio import BodyReader, Delivery, Receiver, Reply
from aaa_middleware.settings import Settings
from aaa_middleware.signing import sign


@pytest.fixture
def receiver():
    return Receiver(Settings.build(consumer_secrets=SECRET, path=PATH, max_body_size=MAX_BODY))


@pytest.mark.parametrize("case", CASES, ids=case_ids())
def test_error_vocabulary(receiver, case):
    outcome = receiver.handle(case.method, PATH, case.query, case.headers, case.body)
    if isinstance(outcome, Delivery):
        assert case.status == 200
        return
    assert isinstance(outcome, Reply)
    assert outcome.status == case.status
    headers = dict(outcome.headers)
    if case.reason is not None:
        assert headers[b"content-type"] == b"application/json"
        assert msgspec.json.decode(outcome.body)["error"] == case.reason
    for name, value in case.extra.items():
        assert headers[name.encode()] == value.encode()


def test_other_paths_are_not_ours(receiver):
    assert receiver.handle("POST", "/webhooks/x/other", b"", (), b"") is None
    assert receiver.handle("GET", "/webhooks/", b"crc_token=a", (), b"") is None


def test_crc_v1_decodes_plus_as_space():
    receiver = Receiver(Settings.build(consumer_secrets="apiSecret"))
    reply = receiver.crc(b"crc_token=test+token")
    assert reply.body == b'{"response_token":"sha256=O5hJl2njQRIa4vsumZ+3oom9ECR5m3aQLRZkPoYelp0="}'
    assert dict(reply.headers)[b"content-type"] == b"application/json"
    assert b"content-encoding" not in dict(reply.headers)


def test_crc_v2_body_is_byte_exact():
    receiver = Receiver(Settings.build(consumer_secrets="__APP_SECRET__"))
    reply = receiver.crc(b"crc_token=__TOKEN_FROM_TWITTER__&nonce=__NONCE__")
    assert reply.status == 200
    assert reply.body == (
        b'{"response_token":"sha256=rPq0FJoFEukzQI8G52D6xjiQ4BGXK4EuZWYZCWMMlsQ="}'
    )


def test_signed_crc_is_answered_by_the_secret_that_signed_it():
    # V3: X's signature over the GET's raw query, with the second of two configured secrets.
    receiver = Receiver(
        Settings.build(consumer_secrets={"old": "retired", "new": "__APP_SECRET__"})
    )
    query = b"crc_token=__TOKEN_FROM_TWITTER__&nonce=__NONCE__"
    signature = (
        b"x-twitter-webhooks-signature",
        b"sha256=bsQqpx1cyheVTwyNGGPmTeY+SLC8YZIwOfr5Kcb2fQE=",
    )
    reply = receiver.start("GET", query, [signature])
    assert isinstance(reply, Reply)
    assert b"rPq0FJoFEukzQI8G52D6xjiQ4BGXK4EuZWYZCWMMlsQ=" in reply.body
    # Unsigned, the first configured secret answers.
    unsigned = receiver.start("GET", query, [])
    assert isinstance(unsigned, Reply)
    assert unsigned.body == msgspec.json.encode(
        {"response_token": sign(b"__TOKEN_FROM_TWITTER__", "retired")}
    )


@pytest.mark.parametrize(
    "token",
    [
        b"%7B%22for_user_id%22%3A%221%22%7D",
        b"a%22b",
        b"a%5Cb",
        b"%5B1%5D",
        b"a%00b",
        b"",
        b"%E2%82%AC",
    ],
)
def test_crc_refuses_what_could_sign_a_body(receiver, token):
    with pytest.raises(WebhookError) as info:
        receiver.crc(b"crc_token=" + token)
    assert info.value.status == 400


def test_delivery_carries_the_matching_secret_label():
    receiver = Receiver(Settings.build(consumer_secrets={"staging": "s1", "production": "s2"}))
    outcome = receiver.handle(
        "POST", "/webhooks/x", b"", signed(FOLLOW_BODY, "s2"), FOLLOW_BODY, "10.0.0.1"
    )
    assert isinstance(outcome, Delivery)
    assert outcome.secret_label == "production"
    assert outcome.remote_addr == "10.0.0.1"
    assert [event.kind for event in outcome.activity.events] == ["follow"]


@pytest.mark.parametrize("size", [1, 7, 64, 1000])
def test_chunked_body_verifies_like_a_whole_one(receiver, size):
    reader = receiver.start("POST", b"", signed(FOLLOW_BODY))
    assert isinstance(reader, BodyReader)
    for start in range(0, len(FOLLOW_BODY), size):
        reader.feed(FOLLOW_BODY[start : start + size])
    delivery = reader.finish()
    assert delivery.activity.for_user_id == "2244994945"


def test_cap_is_enforced_while_streaming_without_content_length(receiver):
    reader = receiver.start("POST", b"", signed(b"x"))
    assert isinstance(reader, BodyReader)
    reader.feed(b"x" * MAX_BODY)
    with pytest.raises(WebhookError) as info:
        reader.feed(b"x")
    assert info.value.status == 413


def test_content_length_is_checked_before_the_signature(receiver):
    with pytest.raises(WebhookError) as info:
        receiver.start("POST", b"", [(b"content-length", str(MAX_BODY + 1).encode())])
    assert info.value.status == 413
    with pytest.raises(WebhookError) as info:
        receiver.start("POST", b"", [(b"content-length", b"12abc")])
    assert info.value.status == 400
    with pytest.raises(WebhookError) as info:  # more digits than int() will parse
        receiver.start("POST", b"", [(b"content-length", b"9" * 5000)])
    assert info.value.status == 413


def test_conflicting_signature_headers_are_refused(receiver):
    headers = [
        (b"x-twitter-webhooks-signature", sign(FOLLOW_BODY, SECRET).encode()),
        (b"x-twitter-webhooks-signature", sign(b"other", SECRET).encode()),
    ]
    with pytest.raises(WebhookError) as info:
        receiver.start("POST", b"", headers)
    assert info.value.status == 403


def test_header_names_are_case_insensitive(receiver):
    headers = [(name.title(), value) for name, value in signed(FOLLOW_BODY)]
    assert isinstance(receiver.handle("POST", PATH, b"", headers, FOLLOW_BODY), Delivery)


def test_no_secret_refuses_to_construct():
    with pytest.raises(ConfigurationError):
        Settings.build(consumer_secrets=[])
    with pytest.raises(ConfigurationError):
        Settings.build(consumer_secrets={"x": ""})


_header = st.tuples(
    st.sampled_from(
        [b"content-length", b"content-type", b"x-twitter-webhooks-signature", b"x-other"]
    )
    | st.binary(max_size=16),
    st.binary(max_size=64)
    | st.text(alphabet="0123456789", min_size=1, max_size=6000).map(str.encode),
)


@hsettings(max_examples=300)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "HEAD"]) | st.text(max_size=8),
    query=st.binary(max_size=300),
    headers=st.lists(_header, max_size=6),
    body=st.binary(max_size=600),
)
def test_arbitrary_input_raises_only_the_core_error(method, query, headers, body):
    receiver = Receiver(Settings.build(consumer_secrets=SECRET, max_body_size=512))
    status = 200
    try:
        outcome = receiver.start(method, query, headers)
        if isinstance(outcome, BodyReader):
            outcome.feed(body)
            outcome.finish()
    except WebhookError as error:
        status = error.status
    assert 200 <= status < 500
    reply = receiver.handle(method, receiver.path, query, headers, body)
    assert reply is not None
    if isinstance(reply, Reply):
        assert 200 <= reply.status < 500


@hsettings(max_examples=200)
@given(body=st.binary(max_size=600))
def test_authenticated_arbitrary_bodies_decode_or_raise_the_core_error(body):
    receiver = Receiver(Settings.build(consumer_secrets=SECRET))
    outcome = receiver.handle("POST", receiver.path, b"", signed(body), body)
    assert isinstance(outcome, Delivery) or outcome.status in (400,)


def test_the_package_exports_what_it_lists():
    import aaa_middleware

    for name in aaa_middleware.__all__:
        assert getattr(aaa_middleware, name) is not None
    assert set(aaa_middleware.__all__) - {"__version__"} == set(aaa_middleware._EXPORTS)
    with pytest.raises(AttributeError):
        aaa_middleware.NotAThing  # noqa: B018
