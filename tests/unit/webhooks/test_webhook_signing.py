"""Standard Webhooks signatures: what we send verifies, tampering does not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pesnet.notifications.domain.signing import (
    InvalidSignature,
    new_secret,
    sign,
    signature_headers,
    verify_signature,
)

# The reference vector published with the Standard Webhooks specification's libraries.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

Headers = dict[str, str]
Tamper = Callable[[Headers, bytes], tuple[Headers, bytes]]

BODY = b'{"id":"e1","type":"agenda.meeting.scheduled","data":{"meeting_id":"pesnet-5"}}'


def test_signature_matches_the_specification_vector() -> None:
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE
    headers = {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": str(SPEC_TIMESTAMP),
        "webhook-signature": SPEC_SIGNATURE,
    }
    verify_signature(SPEC_SECRET, headers, SPEC_BODY, now=SPEC_TIMESTAMP + 10)


def test_headers_we_send_verify_with_the_secret() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    headers = signature_headers([secret], "e1", BODY, timestamp=1_700_000_000)
    assert headers["webhook-id"] == "e1"
    assert headers["webhook-timestamp"] == "1700000000"
    assert headers["webhook-signature"].startswith("v1,")
    verify_signature(secret, headers, BODY, now=1_700_000_100)


def test_header_names_are_case_insensitive() -> None:
    secret = new_secret()
    headers = signature_headers([secret], "e1", BODY, timestamp=1_700_000_000)
    verify_signature(secret, {k.title(): v for k, v in headers.items()}, BODY, now=1_700_000_000)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda h, b: (h, b + b" "), "no signature matches"),
        (lambda h, b: ({**h, "webhook-id": "e2"}, b), "no signature matches"),
        (lambda h, b: ({**h, "webhook-timestamp": "1700000001"}, b), "no signature matches"),
        (lambda h, b: ({**h, "webhook-timestamp": "soon"}, b), "not an integer"),
        (lambda h, b: ({k: v for k, v in h.items() if k != "webhook-signature"}, b), "missing"),
    ],
)
def test_tampered_requests_are_refused(change: Tamper, reason: str) -> None:
    secret = new_secret()
    headers = signature_headers([secret], "e1", BODY, timestamp=1_700_000_000)
    tampered_headers, tampered_body = change(headers, BODY)
    with pytest.raises(InvalidSignature, match=reason):
        verify_signature(secret, tampered_headers, tampered_body, now=1_700_000_000)


def test_another_secret_does_not_verify() -> None:
    headers = signature_headers([new_secret()], "e1", BODY, timestamp=1_700_000_000)
    with pytest.raises(InvalidSignature):
        verify_signature(new_secret(), headers, BODY, now=1_700_000_000)


def test_old_timestamps_are_refused_outside_the_tolerance() -> None:
    secret = new_secret()
    headers = signature_headers([secret], "e1", BODY, timestamp=1_700_000_000)
    verify_signature(secret, headers, BODY, tolerance=300, now=1_700_000_300)
    with pytest.raises(InvalidSignature, match="tolerance"):
        verify_signature(secret, headers, BODY, tolerance=300, now=1_700_000_301)
    with pytest.raises(InvalidSignature, match="tolerance"):
        verify_signature(secret, headers, BODY, tolerance=300, now=1_699_999_699)


def test_during_a_rotation_both_secrets_verify() -> None:
    old, new = new_secret(), new_secret()
    headers = signature_headers([new, old], "e1", BODY, timestamp=1_700_000_000)
    assert len(headers["webhook-signature"].split(" ")) == 2
    verify_signature(old, headers, BODY, now=1_700_000_000)
    verify_signature(new, headers, BODY, now=1_700_000_000)


def test_a_malformed_secret_is_reported() -> None:
    with pytest.raises(ValueError, match="whsec_"):
        sign("whsec_not base64!", "e1", 1, BODY)


def test_the_verification_snippet_in_the_partner_documentation_works() -> None:
    """WEBHOOKS.md gives partners a verification function to copy: it must accept what
    we send and refuse a tampered body."""
    doc = (Path(__file__).parents[3] / "services/notifications/WEBHOOKS.md").read_text()
    snippet = doc.split("## Verifying in Python", 1)[1].split("```python\n", 1)[1].split("```")[0]
    namespace: dict[str, Any] = {}
    exec(snippet, namespace)  # noqa: S102 - our own documentation, the point of the test
    partner_verify = namespace["verify_signature"]
    secret = new_secret()
    headers = signature_headers([secret], "e1", BODY)
    partner_verify(secret, headers, BODY)
    with pytest.raises(namespace["InvalidSignature"]):
        partner_verify(secret, headers, BODY + b"x")
    with pytest.raises(namespace["InvalidSignature"]):
        partner_verify(new_secret(), headers, BODY)
