"""The registration domain's rules, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pesnet.registration.domain.badges import (
    hash_secret_token,
    issue_badge_token,
    new_secret_token,
    read_badge_token,
)
from pesnet.registration.domain.model import (
    Actor,
    Places,
    RegistrationWindow,
    check_transition,
    clean_text,
    delegation_key,
    email_key,
    normalize_country,
)
from pesnet.shared.errors import Conflict, Forbidden, InvalidInput


@pytest.mark.parametrize(
    ("action", "status", "allowed"),
    [
        ("confirm", "registered", True),
        ("confirm", "waitlisted", True),
        ("confirm", "confirmed", True),  # harmless repeat
        ("confirm", "withdrawn", False),
        ("confirm", "rejected", False),
        ("reject", "registered", True),
        ("reject", "waitlisted", True),
        ("reject", "confirmed", False),
        ("withdraw", "confirmed", True),
        ("withdraw", "withdrawn", False),
        ("withdraw", "rejected", False),
        ("check_in", "confirmed", True),
        ("check_in", "registered", False),
        ("check_in", "waitlisted", False),
        ("correct", "withdrawn", False),
    ],
)
def test_state_machine(action: str, status: str, allowed: bool) -> None:
    if allowed:
        check_transition(action, status)  # type: ignore[arg-type]
    else:
        with pytest.raises(Conflict, match=f"cannot .* that is {status}"):
            check_transition(action, status)  # type: ignore[arg-type]


def test_clean_text_normalizes_and_refuses_what_a_name_cannot_contain() -> None:
    assert clean_text("  Rene\u0301 ", "given_name") == "René"
    # Persian names use the zero-width non-joiner; it stays
    assert clean_text("\u0645\u06cc\u200c\u0631\u0632\u0627", "given_name") == "می‌رزا"
    for bad in ("", "   ", "a\u0000b", "a\nb", "\u202ename", "a\u200bb"):
        with pytest.raises(InvalidInput) as caught:
            clean_text(bad, "given_name")
        assert caught.value.field == "given_name"
    with pytest.raises(InvalidInput, match="at most 200"):
        clean_text("x" * 201, "family_name")
    assert clean_text("x" * 200, "family_name") == "x" * 200
    assert clean_text("line one\nline two", "notes", multiline=True) == "line one\nline two"


def test_email_key_is_case_and_unicode_insensitive() -> None:
    assert email_key("Amina@Example.ORG") == email_key("amina@example.org")
    assert email_key("ren\u00e9@example.org") == email_key(
        "RENE\u0301@example.org".replace("E\u0301", "e\u0301")
    )
    assert email_key("Straße@example.de") == email_key("STRASSE@example.de")


def test_country_must_be_a_member_state() -> None:
    assert normalize_country("mar") == "MAR"
    for code in ("FRA", "XXX", "MA", ""):
        with pytest.raises(InvalidInput) as caught:
            normalize_country(code)
        assert caught.value.field == "country"


def test_registration_window() -> None:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    assert RegistrationWindow(None, None).refusal(now) is None
    assert "opens at" in (RegistrationWindow(now + timedelta(hours=1), None).refusal(now) or "")
    assert "closed at" in (RegistrationWindow(None, now).refusal(now) or "")
    assert "tentative" in (RegistrationWindow(None, None, "tentative").refusal(now) or "")


def test_places_quota_then_capacity() -> None:
    assert Places(2, 3, 10, None).available()
    assert not Places(3, 3, 10, None).available()
    assert "quota of 3" in Places(3, 3, 10, None).why_not()
    assert not Places(0, 3, 50, 50).available()
    assert "capacity of 50" in Places(0, 3, 50, 50).why_not()
    assert Places(10, None, 10, None).available()  # an OIC institution: no quota


def test_actor_object_level_checks() -> None:
    secretariat = Actor("secretariat")
    morocco = Actor("focal_point", country="MAR")
    owner = Actor("registrant", registration_id="r1")
    for action in ("confirm", "reject", "withdraw", "check_in", "correct"):
        secretariat.check_action(action, "r1", "TUR")
    morocco.check_action("confirm", "r1", "MAR")
    with pytest.raises(Forbidden, match="focal point of MAR"):
        morocco.check_action("confirm", "r1", "TUR")
    with pytest.raises(Forbidden):
        morocco.check_action("check_in", "r1", "MAR")
    owner.check_action("withdraw", "r1", "MAR")
    owner.check_action("correct", "r1", "MAR")
    with pytest.raises(Forbidden):
        owner.check_action("confirm", "r1", "MAR")
    with pytest.raises(Forbidden):
        owner.check_action("withdraw", "r2", "MAR")
    assert owner.may_read("r1", None)
    assert not owner.may_read("r2", "MAR")
    assert morocco.may_read("r2", "MAR")
    assert not morocco.may_read("r2", None)
    assert not Actor("anonymous").may_read("r1", "MAR")


def test_badge_tokens_are_signed_and_unguessable() -> None:
    secret = b"s3cret"
    token, nonce = issue_badge_token(secret, "abc")
    assert read_badge_token(secret, token) == ("abc", nonce)
    assert read_badge_token(b"other", token) is None
    # another registration's id in a genuine token's frame is not genuine
    assert read_badge_token(secret, token.replace(".abc.", ".abd.")) is None
    for junk in ("", "b1", "b1.a.b", "x1.abc.n.sig", token + "x"):
        assert read_badge_token(secret, junk) is None
    assert issue_badge_token(secret, "abc")[0] != token  # a fresh nonce each time


def test_secret_tokens_are_stored_as_digests() -> None:
    token = new_secret_token("mt")
    assert token.startswith("mt_")
    assert len(token) > 40
    assert hash_secret_token(token) != token
    assert hash_secret_token(token) == hash_secret_token(token)


def test_a_member_states_delegation_is_its_country_others_are_grouped_by_institution() -> None:
    assert delegation_key("MAR", "ANAPEC") == "MAR"
    # the same institution written with other case or spacing is one delegation
    assert delegation_key(None, "  Islamic  Development Bank ") == delegation_key(
        None, "islamic development bank"
    )
    assert delegation_key(None, "SESRIC") != delegation_key(None, "ICDT")
