"""The registration domain's rules, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pesnet.registration.domain.access import Action, Status
from pesnet.registration.domain.badges import BadgeKey
from pesnet.registration.domain.delegation import Delegation, delegation_key
from pesnet.registration.domain.meeting import Meeting, MeetingSource, Places, RegistrationWindow
from pesnet.registration.domain.names import clean_text, normalize_country
from pesnet.registration.domain.registration import Details, Registration
from pesnet.shared.credentials import Actor, ActorKind
from pesnet.shared.errors import Conflict, Forbidden, InvalidInput
from pesnet.shared.events.common import Role
from pesnet.shared.i18n import Language, Localized
from pesnet.shared.translation import translate

PACKAGE = "pesnet.registration"

NOW = datetime(2026, 5, 1, tzinfo=UTC)
KEY = BadgeKey(b"test-badge-secret")


def registration(status: Status = Status.registered, **fields: object) -> Registration:
    values: dict[str, object] = {
        "id": "r1",
        "meeting_id": "m1",
        "role": Role.delegate,
        "language": Language.en,
        "status": status,
        "country": "MAR",
        "given_name": "Amina",
        "family_name": "Benali",
        "email": "amina@example.org",
        "institution": "ANAPEC",
        "position": "Director",
        "registered_at": NOW,
        "updated_at": NOW,
        **fields,
    }
    return Registration(**values)  # type: ignore[arg-type]


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
    subject = registration(Status(status))
    if allowed:
        subject.check_transition(Action(action))
    else:
        with pytest.raises(Conflict, match=f"cannot .* that is {status}"):
            subject.check_transition(Action(action))


def test_clean_text_normalizes_and_refuses_what_a_name_cannot_contain() -> None:
    assert clean_text("  Rene\u0301 ", "given_name") == "René"
    # Persian names use the zero-width non-joiner; it stays
    assert clean_text("\u0645\u06cc\u200c\u0631\u0632\u0627", "given_name") == "می‌رزا"
    for bad in ("", "   ", "a\u0000b", "a\nb", "\u202ename", "a\u2066b"):
        with pytest.raises(InvalidInput) as caught:
            clean_text(bad, "given_name")
        assert caught.value.field == "given_name"
    with pytest.raises(InvalidInput, match="at most 200"):
        clean_text("x" * 201, "family_name")
    assert clean_text("x" * 200, "family_name") == "x" * 200
    assert clean_text("line one\nline two", "notes", multiline=True) == "line one\nline two"


def test_one_mailbox_is_one_email_key_whatever_its_spelling() -> None:
    def key(email: str) -> str:
        return registration(email=email).email_key

    assert key("Amina@Example.ORG") == key("amina@example.org")
    assert key("ren\u00e9@example.org") == key(
        "RENE\u0301@example.org".replace("E\u0301", "e\u0301")
    )
    assert key("Straße@example.de") == key("STRASSE@example.de")
    # internationalized addresses are addresses too
    assert key("فاطمة@example.org") == "فاطمة@example.org"
    # a purged registration keeps a key of its own, so the unique rule still holds
    assert key("") == "purged:r1"


def test_country_must_be_a_member_state() -> None:
    assert normalize_country("mar") == "MAR"
    for code in ("FRA", "XXX", "MA", ""):
        with pytest.raises(InvalidInput) as caught:
            normalize_country(code)
        assert caught.value.field == "country"


def refused(window: RegistrationWindow, now: datetime) -> str:
    refusal = window.refusal(now)
    return "" if refusal is None else refusal[0].format(meeting="m1", **refusal[1])


def test_registration_window() -> None:
    now = NOW
    assert RegistrationWindow(None, None).refusal(now) is None
    assert "opens at" in refused(RegistrationWindow(now + timedelta(hours=1), None), now)
    assert "closed at" in refused(RegistrationWindow(None, now), now)
    assert "tentative" in refused(RegistrationWindow(None, None, "tentative"), now)


def test_registration_is_open_only_while_the_secretariat_keeps_it_open_before_the_end() -> None:
    now = NOW
    for status in ("scheduled", "registration_closed"):
        assert "not opened" in refused(RegistrationWindow(None, None, status), now)
    for status in ("held", "archived"):
        assert "held" in refused(RegistrationWindow(None, None, status), now)
    ended = RegistrationWindow(None, None, "registration_open", last_day_ends_at=now)
    assert "held" in refused(ended, now)
    purged = RegistrationWindow(None, None, "registration_open", purged=True)
    assert "purged" in refused(purged, now)


def test_places_quota_then_capacity() -> None:
    assert Places(2, 3, 10, None).available()
    assert not Places(3, 3, 10, None).available()
    assert "quota of 3" in Places(3, 3, 10, None).why_not()
    assert not Places(0, 3, 50, 50).available()
    assert "capacity of 50" in Places(0, 3, 50, 50).why_not()
    assert Places(10, None, 10, None).available()  # an OIC institution: no quota


def test_who_may_read_and_act_on_a_registration() -> None:
    secretariat = Actor(ActorKind.secretariat)
    morocco = Actor(ActorKind.focal_point, country="MAR")
    owner = Actor(ActorKind.registrant, registration_id="r1")
    turkish = registration(country="TUR")
    moroccan = registration(country="MAR")
    for action in Action:
        turkish.authorize(secretariat, action)
    moroccan.authorize(morocco, Action.confirm)
    with pytest.raises(Forbidden, match="focal point of MAR") as refused:
        turkish.authorize(morocco, Action.confirm)
    # an error tells nothing of someone else's registration, not even its country
    assert "TUR" not in refused.value.text
    with pytest.raises(Forbidden) as refused:
        turkish.check_readable_by(morocco)
    assert "TUR" not in refused.value.text
    with pytest.raises(Forbidden):
        moroccan.authorize(morocco, Action.check_in)
    moroccan.authorize(owner, Action.withdraw)
    moroccan.authorize(owner, Action.correct)
    with pytest.raises(Forbidden):
        moroccan.authorize(owner, Action.confirm)
    with pytest.raises(Forbidden):
        registration(id="r2").authorize(owner, Action.withdraw)
    assert registration(country=None).readable_by(owner)
    assert not registration(id="r2").readable_by(owner)
    assert registration(id="r2").readable_by(morocco)
    assert not registration(id="r2", country=None).readable_by(morocco)
    assert not moroccan.readable_by(Actor(ActorKind.anonymous))


def test_badge_tokens_are_signed_and_unguessable() -> None:
    key = BadgeKey(b"s3cret")
    token = key.token_for("abc", "nonce1")
    assert key.read(token) == ("abc", "nonce1")
    assert BadgeKey(b"other").read(token) is None
    # another registration's id in a genuine token's frame is not genuine
    assert key.read(token.replace(".abc.", ".abd.")) is None
    for junk in ("", "b1", "b1.a.b", "x1.abc.n.sig", token + "x"):
        assert key.read(junk) is None


def test_a_confirmation_issues_a_new_badge_and_a_withdrawal_revokes_it() -> None:
    key = BadgeKey(b"s3cret")
    subject = registration()
    assert subject.badge_token(key) is None
    subject.confirm(at=NOW, by="secretariat", promoted=False, badges=KEY)
    first = subject.badge_token(key)
    assert first is not None
    nonce = key.read(first)
    assert nonce is not None
    subject.check_badge("m1", nonce[1])
    with pytest.raises(Conflict, match="not m2"):
        subject.check_badge("m2", nonce[1])
    subject.confirm(at=NOW, by="secretariat", promoted=False, badges=KEY)
    assert subject.badge_token(key) != first
    with pytest.raises(Conflict, match="no longer valid"):
        subject.check_badge("m1", nonce[1])
    subject.withdraw(at=NOW, by=Actor(ActorKind.registrant, registration_id="r1"))
    assert subject.badge_token(key) is None


def test_check_in_happens_once() -> None:
    subject = registration(Status.confirmed)
    assert subject.check_in(at=NOW)
    assert not subject.check_in(at=NOW.replace(hour=9))
    assert subject.checked_in_at == NOW


def test_a_new_registration_keeps_no_manage_token_only_its_links_version() -> None:
    subject = Registration.new(
        id="r1",
        meeting_id="m1",
        actor=Actor(ActorKind.anonymous),
        at=NOW,
        details=Details(
            role=Role.delegate,
            language=Language.ar,
            country="MAR",
            given_name="فاطمة",
            family_name="الزهراء",
            email="fatima@example.org",
            institution="ANAPEC",
            position="مديرة",
        ),
        public_url="https://registration.example.org",
    )
    assert subject.manage_token_hash is None
    assert subject.manage_link_version == 1
    subject.rotate_manage_link(at=NOW)
    assert subject.manage_link_version == 2
    subject.purge(at=NOW)
    assert subject.manage_link_version is None
    assert subject.nominated_by == "registrant"
    assert subject.status is Status.registered


def test_a_correction_cannot_move_an_institution_registration_to_another_delegation() -> None:
    subject = registration(country=None, role=Role.observer, institution="SESRIC")
    with pytest.raises(InvalidInput) as caught:
        subject.correct({"institution": "ICDT"}, at=NOW)
    assert caught.value.field == "institution"
    registration().correct({"institution": "ANAPEC Rabat"}, at=NOW)


def test_a_purge_erases_the_personal_data_and_keeps_the_rest() -> None:
    subject = registration(Status.confirmed, badge_nonce="n")
    subject.purge(at=NOW)
    assert (subject.given_name, subject.email, subject.badge_nonce) == (None, None, None)
    assert subject.status is Status.confirmed
    assert subject.country == "MAR"
    with pytest.raises(Conflict, match="purged"):
        subject.check_not_purged()


def test_delegation_counts_follow_status_changes() -> None:
    delegation = Delegation(meeting_id="m1", key="MAR", country="MAR")
    subject = registration()
    assert delegation.count(subject, None) == 0
    subject.confirm(at=NOW, by="secretariat", promoted=False, badges=KEY)
    assert delegation.count(subject, Status.registered) == 1
    assert (delegation.confirmed, delegation.quota_used) == (1, 1)
    assert delegation.counted_statuses == {"confirmed": 1}
    assert delegation.counted_roles == {"delegate": 1}
    speaker = registration(id="r2", role=Role.speaker)
    delegation.count(speaker, None)
    speaker.confirm(at=NOW, by="secretariat", promoted=False, badges=KEY)
    delegation.count(speaker, Status.registered)
    # a speaker takes a place of the meeting, not of the delegation's quota
    assert (delegation.confirmed, delegation.quota_used) == (2, 1)


def test_the_agenda_announcement_is_the_authority_over_the_seed() -> None:
    title = Localized(ar="اجتماع", en="Meeting", fr="Réunion")
    seeded = Meeting(id="m1", title=title, source=MeetingSource.seed)
    assert seeded.takes_announcement(MeetingSource.agenda, NOW)
    assert not seeded.takes_announcement(MeetingSource.seed, NOW)
    announced = Meeting(id="m1", title=title, announced_at=NOW)
    assert not announced.takes_announcement(MeetingSource.agenda, NOW - timedelta(hours=1))
    assert announced.takes_announcement(MeetingSource.agenda, NOW + timedelta(hours=1))
    with pytest.raises(InvalidInput, match="Mars"):
        Meeting(id="m2", title=title, timezone="Mars/Olympus_Mons")


def test_a_meeting_can_be_purged_only_long_enough_after_it_ended() -> None:
    title = Localized(ar="اجتماع", en="Meeting", fr="Réunion")
    meeting = Meeting(id="m1", title=title, end_date=NOW.date())
    with pytest.raises(Conflict, match="from 2026-05-31"):
        meeting.check_purgeable(NOW.date(), 30)
    meeting.check_purgeable(NOW.date() + timedelta(days=30), 30)
    with pytest.raises(Conflict, match="no end date"):
        Meeting(id="m2", title=title).check_purgeable(NOW.date(), 0)


def test_a_member_states_delegation_is_its_country_others_are_grouped_by_institution() -> None:
    assert delegation_key("MAR", "ANAPEC") == "MAR"
    # the same institution written with other case or spacing is one delegation
    assert delegation_key(None, "  Islamic  Development Bank ") == delegation_key(
        None, "islamic development bank"
    )
    assert delegation_key(None, "SESRIC") != delegation_key(None, "ICDT")
    # picked from the reference, the institution is one delegation in every language
    assert delegation_key(None, "مركز أنقرة", "sesric") == delegation_key(None, "SESRIC", "sesric")


def test_a_closed_window_says_when_as_its_reader_reads_it() -> None:
    opens = RegistrationWindow(
        datetime(2024, 2, 20, 8, 0, tzinfo=UTC), None, timezone="Africa/Casablanca"
    )
    refusal = opens.refusal(datetime(2024, 2, 1, tzinfo=UTC))
    assert refusal is not None
    message, params = refusal
    said = {
        lang: translate(message, lang, {"meeting": "m1", **params}, packages=(PACKAGE,))
        for lang in ("ar", "en", "fr")
    }
    assert all("2024-02-20" not in text for text in said.values())
    assert "20 فبراير 2024" in said["ar"]
    assert "توقيت المغرب" in said["ar"]
    assert "20 February 2024, 09:00 (Morocco Time)" in said["en"]
    assert "20 février 2024" in said["fr"]
