"""Every use case of the registration service, on the in-memory unit of work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import pytest

from pesnet.registration.domain.badges import BadgeKey
from pesnet.registration.domain.commands import (
    CheckIn,
    Confirm,
    Correct,
    Correction,
    NewFocalPoint,
    NewRegistration,
    OpenMeeting,
    PurgePersonalData,
    Register,
    Reject,
    Withdraw,
)
from pesnet.registration.domain.model import MeetingSource, Status
from pesnet.registration.service_layer import handlers
from pesnet.shared.catalog import EventPayload
from pesnet.shared.credentials import (
    ANONYMOUS,
    SECRETARIAT,
    Actor,
    ActorKind,
    StaffRole,
    TokenPrefix,
    account_actor,
    hash_secret_token,
)
from pesnet.shared.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.events.registration import (
    DelegationUpdated,
    ParticipantCheckedIn,
    ParticipantConfirmed,
    ParticipantRegistered,
    ParticipantRejected,
    ParticipantUpdated,
    ParticipantWaitlisted,
    ParticipantWithdrawn,
    PersonalDataPurged,
)
from pesnet.shared.i18n import Localized
from tests.unit.registration.fakes import FakeRegistrationUnitOfWork

E = TypeVar("E", bound=EventPayload)

BADGES = BadgeKey(b"test-badge-secret")
URL = "https://registration.example.org"
MOROCCO = Actor(ActorKind.focal_point, country="MAR", focal_point_id="f1")


def events(uow: FakeRegistrationUnitOfWork, kind: type[E]) -> list[E]:
    """The committed events of one kind, typed."""
    return [e for e in uow.events(kind) if isinstance(e, kind)]


TODAY = datetime.now(UTC).date()


def scheduled(meeting_id: str = "m1", **fields: Any) -> MeetingScheduled:
    """A meeting open for registration, held from today (so check-in is open too)."""
    values: dict[str, Any] = {
        "meeting_id": meeting_id,
        "number": 5,
        "title": Localized(ar="الاجتماع الخامس", en="5th Meeting", fr="5e réunion"),
        "timezone": "UTC",
        "status": "registration_open",
        "start_date": TODAY,
        "end_date": TODAY + timedelta(days=1),
        "delegation_quota": 2,
        **fields,
    }
    return MeetingScheduled(**values)


async def open_meeting(
    uow: FakeRegistrationUnitOfWork, meeting_id: str = "m1", **fields: Any
) -> None:
    command = OpenMeeting(scheduled(meeting_id, **fields), MeetingSource.agenda, datetime.now(UTC))
    assert await handlers.open_meeting(command, uow, default_quota=3)


def details(n: int = 0, **fields: Any) -> NewRegistration:
    body: dict[str, Any] = {
        "given_name": "فاطمة",
        "family_name": f"الزهراء{n}",
        "email": f"fatima{n}@example.org",
        "country": "MAR",
        "institution": "ANAPEC",
        "position": "مديرة",
        "role": "delegate",
        "language": "ar",
        **fields,
    }
    return NewRegistration.model_validate(body)


async def register(
    uow: FakeRegistrationUnitOfWork, n: int = 0, actor: Actor = ANONYMOUS, **fields: Any
) -> str:
    outcome = await handlers.register(
        Register("m1", details(n, **fields), actor), uow, public_url=URL
    )
    return outcome.registration.id


@pytest.fixture
async def uow() -> FakeRegistrationUnitOfWork:
    fake = FakeRegistrationUnitOfWork()
    await open_meeting(fake)
    return fake


# registering


async def test_an_arabic_registration_is_stored_and_announced_with_its_manage_link(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    outcome = await handlers.register(
        Register("m1", details(email="فاطمة@example.org"), ANONYMOUS), uow, public_url=URL + "/"
    )
    registration = outcome.registration
    assert registration.status is Status.registered
    assert outcome.manage_token.startswith("mt_")
    assert (
        outcome.manage_url == f"{URL}/registrations/{registration.id}?token={outcome.manage_token}"
    )
    [event] = events(uow, ParticipantRegistered)
    assert event.language == "ar"
    assert event.email == "فاطمة@example.org"
    assert event.manage_url == outcome.manage_url
    assert event.status is Status.registered
    [counts] = events(uow, DelegationUpdated)
    assert counts.by_status == {"registered": 1}
    stored = await uow.registrations.get(registration.id)
    assert stored is not None
    assert stored.manage_token_hash == hash_secret_token(outcome.manage_token)
    assert uow.committed[0].subject == f"registration/{registration.id}"


async def test_the_same_address_twice_in_a_meeting_is_a_conflict_naming_email(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    await register(uow, 1, email="Amina@example.org")
    with pytest.raises(Conflict) as caught:
        await register(uow, 2, email="AMINA@EXAMPLE.ORG")
    assert caught.value.field == "email"
    assert len(events(uow, ParticipantRegistered)) == 1


async def test_registration_is_refused_outside_the_window_and_for_unknown_meetings() -> None:
    uow = FakeRegistrationUnitOfWork()
    closed = datetime.now(UTC) - timedelta(days=1)
    await open_meeting(uow, "m1", registration_closes_at=closed)
    with pytest.raises(Conflict, match="registration closed at"):
        await register(uow)
    with pytest.raises(NotFound):
        await handlers.register(Register("nowhere", details(), ANONYMOUS), uow, public_url=URL)


async def test_a_focal_point_nominates_for_their_own_country_only(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    registration_id = await register(uow, 1, actor=MOROCCO)
    stored = await uow.registrations.get(registration_id)
    assert stored is not None
    assert (stored.nominated_by, stored.focal_point_id) == ("focal_point", "f1")
    with pytest.raises(Forbidden):
        await register(uow, 2, actor=MOROCCO, country="TUR")
    with pytest.raises(InvalidInput) as caught:
        await register(uow, 3, country=None)
    assert caught.value.field == "country"


async def test_reading_and_listing_follow_who_may_see_what(uow: FakeRegistrationUnitOfWork) -> None:
    moroccan = await register(uow, 1)
    turkish = await register(uow, 2, country="TUR")
    owner = Actor(ActorKind.registrant, registration_id=moroccan)
    assert (await handlers.read_registration(moroccan, owner, uow)).id == moroccan
    with pytest.raises(Forbidden):
        await handlers.read_registration(turkish, owner, uow)
    with pytest.raises(Unauthorized):
        await handlers.read_registration(moroccan, ANONYMOUS, uow)
    with pytest.raises(NotFound):
        await handlers.read_registration("missing", SECRETARIAT, uow)
    every = await handlers.list_registrations("m1", SECRETARIAT, uow, status=None, country=None)
    assert {r.id for r in every} == {moroccan, turkish}  # same millisecond: order is a tie
    mine = await handlers.list_registrations("m1", MOROCCO, uow, status=None, country=None)
    assert [r.id for r in mine] == [moroccan]
    with pytest.raises(Forbidden):
        await handlers.list_registrations("m1", MOROCCO, uow, status=None, country="TUR")
    with pytest.raises(Forbidden):
        await handlers.list_registrations("m1", owner, uow, status=None, country=None)


async def test_a_correction_is_saved_and_announced(uow: FakeRegistrationUnitOfWork) -> None:
    registration_id = await register(uow, 1)
    owner = Actor(ActorKind.registrant, registration_id=registration_id)
    correction = Correction.model_validate({"position": "مديرة عامة", "email": "new@example.org"})
    corrected = await handlers.correct(Correct(registration_id, correction, owner), uow)
    assert corrected.position == "مديرة عامة"
    [event] = events(uow, ParticipantUpdated)
    assert event.email == "new@example.org"
    with pytest.raises(InvalidInput) as caught:
        await handlers.correct(
            Correct(registration_id, Correction.model_validate({"email": None}), owner), uow
        )
    assert caught.value.field == "email"


# accreditation


async def test_confirming_within_the_quota_issues_a_badge(uow: FakeRegistrationUnitOfWork) -> None:
    registration_id = await register(uow, 1)
    outcome = await handlers.confirm(Confirm(registration_id, SECRETARIAT), uow, badges=BADGES)
    assert outcome.registration.status is Status.confirmed
    assert outcome.waitlist_reason is None
    [event] = events(uow, ParticipantConfirmed)
    assert event.badge_token == outcome.registration.badge_token(BADGES)
    assert event.confirmed_by == "secretariat"
    meeting = await uow.meetings.get("m1")
    assert meeting is not None
    assert meeting.confirmed_total == 1
    # confirming again changes nothing
    again = await handlers.confirm(Confirm(registration_id, SECRETARIAT), uow, badges=BADGES)
    assert again.registration.status is Status.confirmed
    assert len(events(uow, ParticipantConfirmed)) == 1


async def test_beyond_the_quota_a_registration_is_waitlisted_in_order(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    ids = [await register(uow, n) for n in range(4)]
    outcomes = [await handlers.confirm(Confirm(i, SECRETARIAT), uow, badges=BADGES) for i in ids]
    assert [o.registration.status for o in outcomes] == [
        Status.confirmed,
        Status.confirmed,
        Status.waitlisted,
        Status.waitlisted,
    ]
    assert outcomes[2].waitlist_reason == "the delegation's quota of 2 is reached"
    assert [o.waitlist_position for o in outcomes[2:]] == [1, 2]
    assert [e.waitlist_position for e in events(uow, ParticipantWaitlisted)] == [1, 2]


async def test_why_a_registration_waits_is_said_in_the_callers_language(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    from pesnet.registration.adapters.repository import outcome_document, outcome_of

    ids = [await register(uow, n) for n in range(3)]
    outcomes = [await handlers.confirm(Confirm(i, SECRETARIAT), uow, badges=BADGES) for i in ids]
    reason = outcomes[2].waitlist_reason
    assert reason is not None
    said = {lang: reason.get(lang, packages=("pesnet.registration",)) for lang in ("ar", "fr")}
    assert said == {
        "ar": "بلغ الوفد حصته البالغة 2",
        "fr": "le quota de 2 de la délégation est atteint",
    }
    # an idempotent replay keeps the message, not its English words
    replayed = outcome_of(outcome_document(outcomes[2]))
    assert isinstance(replayed, type(outcomes[2]))
    assert replayed.waitlist_reason is not None
    assert replayed.waitlist_reason.get("fr", packages=("pesnet.registration",)) == said["fr"]


async def test_the_meetings_capacity_bounds_every_delegation() -> None:
    uow = FakeRegistrationUnitOfWork()
    await open_meeting(uow, delegation_quota=5, capacity=1)
    first = await register(uow, 1)
    second = await register(uow, 2, country="TUR")
    await handlers.confirm(Confirm(first, SECRETARIAT), uow, badges=BADGES)
    outcome = await handlers.confirm(Confirm(second, SECRETARIAT), uow, badges=BADGES)
    assert outcome.waitlist_reason == "the meeting's capacity of 1 is reached"


async def test_a_rejection_is_saved_with_its_reason(uow: FakeRegistrationUnitOfWork) -> None:
    registration_id = await register(uow, 1)
    outcome = await handlers.reject(Reject(registration_id, SECRETARIAT, "duplicate"), uow)
    assert outcome.registration.status is Status.rejected
    [event] = events(uow, ParticipantRejected)
    assert event.reason == "duplicate"
    with pytest.raises(Conflict, match="cannot confirm a registration that is rejected"):
        await handlers.confirm(Confirm(registration_id, SECRETARIAT), uow, badges=BADGES)


async def test_a_withdrawal_frees_a_place_for_the_oldest_waitlisted(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    ids = [await register(uow, n) for n in range(4)]
    for i in ids:
        await handlers.confirm(Confirm(i, SECRETARIAT), uow, badges=BADGES)
    owner = Actor(ActorKind.registrant, registration_id=ids[0])
    outcome = await handlers.withdraw(Withdraw(ids[0], owner), uow, badges=BADGES)
    assert outcome.registration.status is Status.withdrawn
    assert outcome.registration.badge_token(BADGES) is None
    assert outcome.promoted_registration_id == ids[2]
    [withdrawn] = events(uow, ParticipantWithdrawn)
    assert withdrawn.withdrawn_by == "registrant"
    promoted = events(uow, ParticipantConfirmed)[-1]
    assert isinstance(promoted, ParticipantConfirmed)
    assert (promoted.registration_id, promoted.promoted_from_waitlist) == (ids[2], True)
    assert promoted.confirmed_by == "system"
    # the withdrawal and the promotion are one change to the public counts
    last = uow.committed[-1].payload
    assert isinstance(last, DelegationUpdated)
    assert last.by_status == {"confirmed": 2, "waitlisted": 1, "withdrawn": 1}
    withdrawal = [type(e.payload) for e in uow.committed[-3:]]
    assert withdrawal == [ParticipantWithdrawn, ParticipantConfirmed, DelegationUpdated]


async def test_a_focal_point_decides_for_their_country_only(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    turkish = await register(uow, 1, country="TUR")
    with pytest.raises(Forbidden):
        await handlers.confirm(Confirm(turkish, MOROCCO), uow, badges=BADGES)
    with pytest.raises(Unauthorized):
        await handlers.reject(Reject(turkish, ANONYMOUS), uow)


async def test_an_idempotency_key_replays_the_first_outcome(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    command = Register("m1", details(1), ANONYMOUS, idempotency_key="retry-1")
    first = await handlers.register(command, uow, public_url=URL)
    second = await handlers.register(command, uow, public_url=URL)
    assert second == first
    assert len(events(uow, ParticipantRegistered)) == 1
    with pytest.raises(InvalidInput) as caught:
        await handlers.register(
            Register("m1", details(2), ANONYMOUS, idempotency_key="retry-1"), uow, public_url=URL
        )
    assert caught.value.field == "Idempotency-Key"
    with pytest.raises(InvalidInput):
        await handlers.register(
            Register("m1", details(3), ANONYMOUS, idempotency_key="not ascii é"),
            uow,
            public_url=URL,
        )
    confirm = Confirm(first.registration.id, SECRETARIAT, idempotency_key="c-1")
    confirmed = await handlers.confirm(confirm, uow, badges=BADGES)
    assert await handlers.confirm(confirm, uow, badges=BADGES) == confirmed


# check-in and badges


async def test_check_in_by_badge_happens_once(uow: FakeRegistrationUnitOfWork) -> None:
    registration_id = await register(uow, 1)
    confirmed = await handlers.confirm(Confirm(registration_id, SECRETARIAT), uow, badges=BADGES)
    token = confirmed.registration.badge_token(BADGES)
    assert token is not None
    scan = CheckIn(SECRETARIAT, badge_token=token, meeting_id="m1")
    first = await handlers.check_in(scan, uow, badges=BADGES)
    assert not first.already
    assert first.meeting.timezone == "UTC"
    second = await handlers.check_in(
        CheckIn(SECRETARIAT, registration_id=registration_id), uow, badges=BADGES
    )
    assert second.already
    assert second.registration.checked_in_at == first.registration.checked_in_at
    assert len(events(uow, ParticipantCheckedIn)) == 1
    with pytest.raises(InvalidInput) as caught:
        await handlers.check_in(
            CheckIn(SECRETARIAT, badge_token=token + "x", meeting_id="m1"), uow, badges=BADGES
        )
    assert caught.value.field == "badge_token"
    with pytest.raises(Conflict, match="not m2"):
        await handlers.check_in(
            CheckIn(SECRETARIAT, badge_token=token, meeting_id="m2"), uow, badges=BADGES
        )
    with pytest.raises(Forbidden):
        await handlers.check_in(
            CheckIn(MOROCCO, registration_id=registration_id), uow, badges=BADGES
        )


async def test_the_check_in_list_has_the_confirmed_participants(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    confirmed = await register(uow, 1)
    await register(uow, 2)
    await handlers.confirm(Confirm(confirmed, SECRETARIAT), uow, badges=BADGES)
    meeting, participants = await handlers.check_in_list("m1", uow)
    assert meeting.id == "m1"
    assert [p.id for p in participants] == [confirmed]


class Renderer:
    def badge_png(self, **fields: Any) -> bytes:
        self.fields = fields
        return b"badge"

    def qr_png(self, data: str) -> bytes:
        return data.encode()


async def test_a_badge_is_drawn_for_a_confirmed_registration_only(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    registration_id = await register(uow, 1)
    renderer = Renderer()
    with pytest.raises(Conflict, match="not confirmed"):
        await handlers.badge_png(
            registration_id, SECRETARIAT, uow, badges=BADGES, renderer=renderer
        )
    confirmed = await handlers.confirm(Confirm(registration_id, SECRETARIAT), uow, badges=BADGES)
    png = await handlers.badge_png(registration_id, MOROCCO, uow, badges=BADGES, renderer=renderer)
    assert png == b"badge"
    assert renderer.fields["full_name"] == "فاطمة الزهراء1"
    assert renderer.fields["delegation"].en == "Morocco"
    assert renderer.fields["role"].ar == "مندوب"
    qr = await handlers.badge_qr_png(
        registration_id, SECRETARIAT, uow, badges=BADGES, renderer=renderer
    )
    assert qr.decode() == confirmed.registration.badge_token(BADGES)


# meetings


async def test_the_agenda_announcement_wins_over_the_seed() -> None:
    uow = FakeRegistrationUnitOfWork()
    now = datetime.now(UTC)
    seed = OpenMeeting(scheduled(delegation_quota=None), MeetingSource.seed, now)
    assert await handlers.open_meeting(seed, uow, default_quota=3)
    meeting = await uow.meetings.get("m1")
    assert meeting is not None
    assert meeting.delegation_quota == 3  # the service's default
    assert not await handlers.open_meeting(seed, uow, default_quota=3)
    announced = OpenMeeting(scheduled(delegation_quota=1), MeetingSource.agenda, now)
    assert await handlers.open_meeting(announced, uow, default_quota=3)
    older = OpenMeeting(scheduled(delegation_quota=9), MeetingSource.agenda, now - timedelta(1))
    assert not await handlers.open_meeting(older, uow, default_quota=3)
    meeting = await uow.meetings.get("m1")
    assert meeting is not None
    assert (meeting.delegation_quota, meeting.source) == (1, MeetingSource.agenda)
    with pytest.raises(InvalidInput, match="Mars"):
        await handlers.open_meeting(
            OpenMeeting(scheduled("m2", timezone="Mars/Olympus_Mons"), MeetingSource.agenda, now),
            uow,
            default_quota=3,
        )


# delegations and privacy


async def test_the_public_summary_lists_delegations_that_count_anyone(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    await register(uow, 1)
    await register(uow, 2, country=None, role="observer", institution="SESRIC")
    meeting, found = await handlers.delegations("m1", uow)
    assert meeting.delegation_quota == 2
    assert {(d.country, d.institution) for d in found} == {("MAR", None), (None, "SESRIC")}
    with pytest.raises(NotFound):
        await handlers.delegations("nowhere", uow)


async def test_a_purge_erases_personal_data_long_enough_after_the_meeting(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    outcome = await handlers.register(
        Register("m1", details(1), ANONYMOUS, idempotency_key="k"), uow, public_url=URL
    )
    await held_long_ago(uow)
    with pytest.raises(Conflict, match="from 2034-02-27"):
        await handlers.purge_personal_data(PurgePersonalData("m1", 3650), uow)
    assert await handlers.purge_personal_data(PurgePersonalData("m1", 30), uow) == 1
    [event] = events(uow, PersonalDataPurged)
    assert event.registrations == 1
    purged = await uow.registrations.get(outcome.registration.id)
    assert purged is not None
    assert (purged.given_name, purged.email, purged.manage_token_hash) == (None, None, None)
    assert await uow.replays.get("register|m1|anonymous:|k") is None
    assert uow.forgotten_meetings == ["m1"]  # its published participant events
    assert await handlers.purge_personal_data(PurgePersonalData("m1", 30), uow) == 0


async def test_a_purged_confirmed_registration_has_no_badge_and_says_why(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    registration_id = await register(uow, 1)
    await handlers.confirm(Confirm(registration_id, SECRETARIAT), uow, badges=BADGES)
    await held_long_ago(uow)
    await handlers.purge_personal_data(PurgePersonalData("m1", 30), uow)

    with pytest.raises(Conflict) as refused:
        await handlers.badge(registration_id, SECRETARIAT, uow, badges=BADGES)

    assert "purged" in refused.value.text
    assert "not confirmed" not in refused.value.text


async def held_long_ago(uow: FakeRegistrationUnitOfWork) -> None:
    """The agenda announces m1 held and archived (its dates: 29 Feb - 1 Mar 2024)."""
    announcement = scheduled(
        status="archived", start_date=date(2024, 2, 29), end_date=date(2024, 3, 1)
    )
    later = datetime.now(UTC) + timedelta(seconds=1)
    assert await handlers.open_meeting(
        OpenMeeting(announcement, MeetingSource.agenda, later), uow, default_quota=3
    )


async def test_a_purged_meeting_is_closed_even_to_an_old_idempotency_key(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    first = Register("m1", details(1), ANONYMOUS, idempotency_key="k")
    await handlers.register(first, uow, public_url=URL)
    await held_long_ago(uow)
    await handlers.purge_personal_data(PurgePersonalData("m1", 30), uow)

    with pytest.raises(Conflict) as closed:
        await handlers.register(first, uow, public_url=URL)

    assert "purged" in closed.value.text
    assert len(await uow.registrations.of_meeting("m1")) == 1


async def test_a_held_meeting_takes_no_registration(uow: FakeRegistrationUnitOfWork) -> None:
    await held_long_ago(uow)
    with pytest.raises(Conflict) as held:
        await register(uow, 1)
    assert held.value.params == {"meeting": "m1"}
    assert "has been held" in held.value.text


async def test_a_meeting_not_yet_opened_takes_no_registration_nor_nomination() -> None:
    uow = FakeRegistrationUnitOfWork()
    await open_meeting(uow, status="scheduled")
    for actor in (ANONYMOUS, MOROCCO):
        with pytest.raises(Conflict, match="has not opened registration"):
            await register(uow, 1, actor=actor)


async def test_check_in_happens_on_the_meetings_days_only() -> None:
    uow = FakeRegistrationUnitOfWork()
    in_2027 = TODAY + timedelta(days=400)
    await open_meeting(uow, start_date=in_2027, end_date=in_2027 + timedelta(days=1))
    registration_id = await register(uow, 1)
    confirmed = await handlers.confirm(Confirm(registration_id, SECRETARIAT), uow, badges=BADGES)
    token = confirmed.registration.badge_token(BADGES)
    assert token is not None

    with pytest.raises(Conflict) as not_today:
        await handlers.check_in(CheckIn(SECRETARIAT, badge_token=token), uow, badges=BADGES)

    assert not_today.value.params["start"] == in_2027.isoformat()
    assert events(uow, ParticipantCheckedIn) == []


async def test_a_waitlisted_registration_reads_its_place(uow: FakeRegistrationUnitOfWork) -> None:
    ids = [await register(uow, n) for n in range(5)]
    for registration_id in ids:
        await handlers.confirm(Confirm(registration_id, SECRETARIAT), uow, badges=BADGES)

    places = [(await handlers.read_registration_with_place(i, SECRETARIAT, uow))[1] for i in ids]

    assert places[:2] == [None, None]
    assert sorted(p or 0 for p in places[2:]) == [1, 2, 3]
    first = await uow.registrations.oldest_waitlisted("m1", "MAR")
    assert first is not None
    assert places[ids.index(first.id)] == 1


# focal points and tokens


async def test_focal_point_tokens_are_issued_resolved_and_revoked() -> None:
    uow = FakeRegistrationUnitOfWork()
    tokens = handlers.RegistrationTokens(lambda: uow)
    focal_point, token = await handlers.issue_focal_point(
        NewFocalPoint(country="MAR", name="ANAPEC"), uow
    )
    assert token.startswith("fp_")
    actor = await tokens.actor_for(TokenPrefix.focal_point, hash_secret_token(token))
    assert actor == Actor(
        ActorKind.focal_point,
        country="MAR",
        focal_point_id=focal_point.id,
        roles=frozenset({StaffRole.focal_point}),
    )
    assert [f.id for f in await handlers.focal_points("MAR", uow)] == [focal_point.id]
    assert await handlers.focal_points("TUR", uow) == []
    await handlers.revoke_focal_point(focal_point.id, uow)
    assert await tokens.actor_for(TokenPrefix.focal_point, hash_secret_token(token)) is None
    with pytest.raises(NotFound):
        await handlers.revoke_focal_point(focal_point.id, uow)


async def test_a_manage_token_stands_for_its_registrant(uow: FakeRegistrationUnitOfWork) -> None:
    outcome = await handlers.register(Register("m1", details(1), ANONYMOUS), uow, public_url=URL)
    tokens = handlers.RegistrationTokens(lambda: uow)
    actor = await tokens.actor_for(TokenPrefix.manage, hash_secret_token(outcome.manage_token))
    assert actor == Actor(ActorKind.registrant, registration_id=outcome.registration.id)
    assert await tokens.actor_for(TokenPrefix.manage, hash_secret_token("mt_unknown")) is None


# accounts, roles and the audit trail

OFFICER = account_actor("acc_officer", "amina", frozenset({StaffRole.accreditation_officer}))
CLERK = account_actor("acc_clerk", "omar", frozenset({StaffRole.check_in_clerk}))
EDITOR = account_actor("acc_editor", "sara", frozenset({StaffRole.programme_editor}))
MOROCCAN_ACCOUNT = account_actor(
    "acc_fp", "karim", frozenset({StaffRole.focal_point}), country="MAR"
)


async def test_an_accreditation_officer_decides_and_the_audit_trail_names_them(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    first, second = await register(uow, 1), await register(uow, 2, country="TUR")
    outcome = await handlers.confirm(Confirm(first, OFFICER), uow, badges=BADGES)
    assert outcome.registration.status is Status.confirmed
    assert events(uow, ParticipantConfirmed)[0].confirmed_by == "secretariat"
    await handlers.reject(Reject(second, OFFICER, "late"), uow)
    confirmed, rejected = uow.audited[-2:]
    assert (confirmed.actor, confirmed.action) == (
        "acc_officer",
        "participant.confirmed",
    )
    assert (confirmed.meeting_id, confirmed.subject) == ("m1", first)
    assert confirmed.roles == ("accreditation_officer",)
    assert (rejected.action, rejected.subject) == ("participant.rejected", second)
    listed = await handlers.list_registrations("m1", OFFICER, uow, status=None, country=None)
    assert {r.id for r in listed} == {first, second}


async def test_roles_without_the_right_are_refused_before_any_registration_is_read(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    registration_id = await register(uow, 1)
    for actor in (CLERK, EDITOR):
        with pytest.raises(Forbidden):
            await handlers.confirm(Confirm("missing", actor), uow, badges=BADGES)
        with pytest.raises(Forbidden):
            await handlers.withdraw(Withdraw(registration_id, actor), uow, badges=BADGES)
        with pytest.raises(Forbidden):
            await handlers.list_registrations("m1", actor, uow, status=None, country=None)
    with pytest.raises(Forbidden):
        await handlers.read_registration("missing", EDITOR, uow)
    with pytest.raises(Forbidden):
        await handlers.check_in(
            CheckIn(OFFICER, registration_id=registration_id), uow, badges=BADGES
        )
    assert uow.audited[-1].action == "participant.registered"


async def test_the_desk_clerk_reads_and_checks_in_and_is_audited(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    registration_id = await register(uow, 1)
    await handlers.confirm(Confirm(registration_id, SECRETARIAT), uow, badges=BADGES)
    assert (await handlers.read_registration(registration_id, CLERK, uow)).id == registration_id
    outcome = await handlers.check_in(
        CheckIn(CLERK, registration_id=registration_id), uow, badges=BADGES
    )
    assert not outcome.already
    entry = uow.audited[-1]
    assert (entry.actor, entry.action) == ("acc_clerk", "participant.checked_in")
    # a second scan changes nothing and records nothing
    await handlers.check_in(CheckIn(CLERK, registration_id=registration_id), uow, badges=BADGES)
    assert uow.audited[-1] is entry


async def test_a_focal_points_account_keeps_to_its_country(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    moroccan, turkish = await register(uow, 1), await register(uow, 2, country="TUR")
    mine = await handlers.list_registrations("m1", MOROCCAN_ACCOUNT, uow, status=None, country=None)
    assert [r.id for r in mine] == [moroccan]
    await handlers.confirm(Confirm(moroccan, MOROCCAN_ACCOUNT), uow, badges=BADGES)
    with pytest.raises(Forbidden):
        await handlers.confirm(Confirm(turkish, MOROCCAN_ACCOUNT), uow, badges=BADGES)
    with pytest.raises(Forbidden):
        await handlers.read_registration(turkish, MOROCCAN_ACCOUNT, uow)
    assert uow.audited[-1].actor == "acc_fp"


async def test_purges_exports_and_focal_point_tokens_are_audited() -> None:
    uow = FakeRegistrationUnitOfWork()
    await open_meeting(uow, start_date=date(2020, 1, 1), end_date=date(2020, 1, 2))
    await handlers.check_in_list("m1", uow, export=True)
    focal_point, _ = await handlers.issue_focal_point(
        NewFocalPoint(country="MAR", name="ANAPEC"), uow
    )
    await handlers.revoke_focal_point(focal_point.id, uow)
    await handlers.purge_personal_data(PurgePersonalData("m1", 30), uow)
    actions = [(e.action, e.meeting_id, e.subject) for e in uow.audited]
    assert actions[-4:] == [
        ("check_ins.exported", "m1", None),
        ("focal_point.issued", None, focal_point.id),
        ("focal_point.revoked", None, focal_point.id),
        ("personal_data.purged", "m1", None),
    ]
