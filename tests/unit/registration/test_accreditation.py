"""Accreditation: quota, waitlist, promotion, rejection, withdrawal, and who may decide, on the in-memory unit of work."""

from __future__ import annotations

import pytest

from pesnet.registration.domain.access import Status
from pesnet.registration.domain.commands import (
    CheckIn,
    Confirm,
    Reject,
    Withdraw,
)
from pesnet.registration.service_layer import (
    accreditation,
    check_in,
    registering,
)
from pesnet.shared.credentials import (
    ANONYMOUS,
    SECRETARIAT,
    Actor,
    ActorKind,
)
from pesnet.shared.errors import Conflict, Forbidden, Unauthorized
from pesnet.shared.events.registration import (
    DelegationUpdated,
    ParticipantConfirmed,
    ParticipantRejected,
    ParticipantWaitlisted,
    ParticipantWithdrawn,
)
from tests.unit.registration.fakes import FakeRegistrationUnitOfWork
from tests.unit.registration.scenario import (
    BADGES,
    CLERK,
    EDITOR,
    MOROCCAN_ACCOUNT,
    MOROCCO,
    OFFICER,
    events,
    open_meeting,
    register,
)


async def test_confirming_within_the_quota_issues_a_badge(uow: FakeRegistrationUnitOfWork) -> None:
    registration_id = await register(uow, 1)
    outcome = await accreditation.confirm(Confirm(registration_id, SECRETARIAT), uow, badges=BADGES)
    assert outcome.registration.status is Status.confirmed
    assert outcome.waitlist_reason is None
    [event] = events(uow, ParticipantConfirmed)
    assert event.badge_token == outcome.registration.badge_token(BADGES)
    assert event.confirmed_by == "secretariat"
    meeting = await uow.meetings.get("m1")
    assert meeting is not None
    assert meeting.confirmed_total == 1
    # confirming again changes nothing
    again = await accreditation.confirm(Confirm(registration_id, SECRETARIAT), uow, badges=BADGES)
    assert again.registration.status is Status.confirmed
    assert len(events(uow, ParticipantConfirmed)) == 1


async def test_beyond_the_quota_a_registration_is_waitlisted_in_order(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    ids = [await register(uow, n) for n in range(4)]
    outcomes = [
        await accreditation.confirm(Confirm(i, SECRETARIAT), uow, badges=BADGES) for i in ids
    ]
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
    from pesnet.registration.adapters.registrations import outcome_document, outcome_of

    ids = [await register(uow, n) for n in range(3)]
    outcomes = [
        await accreditation.confirm(Confirm(i, SECRETARIAT), uow, badges=BADGES) for i in ids
    ]
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
    await accreditation.confirm(Confirm(first, SECRETARIAT), uow, badges=BADGES)
    outcome = await accreditation.confirm(Confirm(second, SECRETARIAT), uow, badges=BADGES)
    assert outcome.waitlist_reason == "the meeting's capacity of 1 is reached"


async def test_a_rejection_is_saved_with_its_reason(uow: FakeRegistrationUnitOfWork) -> None:
    registration_id = await register(uow, 1)
    outcome = await accreditation.reject(Reject(registration_id, SECRETARIAT, "duplicate"), uow)
    assert outcome.registration.status is Status.rejected
    [event] = events(uow, ParticipantRejected)
    assert event.reason == "duplicate"
    with pytest.raises(Conflict, match="cannot confirm a registration that is rejected"):
        await accreditation.confirm(Confirm(registration_id, SECRETARIAT), uow, badges=BADGES)


async def test_a_withdrawal_frees_a_place_for_the_oldest_waitlisted(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    ids = [await register(uow, n) for n in range(4)]
    for i in ids:
        await accreditation.confirm(Confirm(i, SECRETARIAT), uow, badges=BADGES)
    owner = Actor(ActorKind.registrant, registration_id=ids[0])
    outcome = await accreditation.withdraw(Withdraw(ids[0], owner), uow, badges=BADGES)
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
        await accreditation.confirm(Confirm(turkish, MOROCCO), uow, badges=BADGES)
    with pytest.raises(Unauthorized):
        await accreditation.reject(Reject(turkish, ANONYMOUS), uow)


async def test_a_waitlisted_registration_reads_its_place(uow: FakeRegistrationUnitOfWork) -> None:
    ids = [await register(uow, n) for n in range(5)]
    for registration_id in ids:
        await accreditation.confirm(Confirm(registration_id, SECRETARIAT), uow, badges=BADGES)

    places = [(await registering.read_registration_with_place(i, SECRETARIAT, uow))[1] for i in ids]

    assert places[:2] == [None, None]
    assert sorted(p or 0 for p in places[2:]) == [1, 2, 3]
    first = await uow.registrations.oldest_waitlisted("m1", "MAR")
    assert first is not None
    assert places[ids.index(first.id)] == 1


async def test_an_accreditation_officer_decides_and_the_audit_trail_names_them(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    first, second = await register(uow, 1), await register(uow, 2, country="TUR")
    outcome = await accreditation.confirm(Confirm(first, OFFICER), uow, badges=BADGES)
    assert outcome.registration.status is Status.confirmed
    assert events(uow, ParticipantConfirmed)[0].confirmed_by == "secretariat"
    await accreditation.reject(Reject(second, OFFICER, "late"), uow)
    # each event audited: the confirmation (and its delegation's counts), the rejection
    confirmed, rejected = (e for e in uow.audited[-4:] if e.action.startswith("participant."))
    assert (confirmed.actor, confirmed.action) == (
        "acc_officer",
        "participant.confirmed",
    )
    assert (confirmed.meeting_id, confirmed.subject) == ("m1", first)
    assert confirmed.roles == ("accreditation_officer",)
    assert (rejected.action, rejected.subject) == ("participant.rejected", second)
    listed = await registering.list_registrations("m1", OFFICER, uow, status=None, country=None)
    assert {r.id for r in listed} == {first, second}


async def test_roles_without_the_right_are_refused_before_any_registration_is_read(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    registration_id = await register(uow, 1)
    for actor in (CLERK, EDITOR):
        with pytest.raises(Forbidden):
            await accreditation.confirm(Confirm("missing", actor), uow, badges=BADGES)
        with pytest.raises(Forbidden):
            await accreditation.withdraw(Withdraw(registration_id, actor), uow, badges=BADGES)
        with pytest.raises(Forbidden):
            await registering.list_registrations("m1", actor, uow, status=None, country=None)
    with pytest.raises(Forbidden):
        await registering.read_registration("missing", EDITOR, uow)
    with pytest.raises(Forbidden):
        await check_in.check_in(
            CheckIn(OFFICER, registration_id=registration_id), uow, badges=BADGES
        )
    # nothing changed: the last entries are still the registration's
    assert [e.action for e in uow.audited[-2:]] == ["participant.registered", "delegation.updated"]


async def test_a_focal_points_account_keeps_to_its_country(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    moroccan, turkish = await register(uow, 1), await register(uow, 2, country="TUR")
    mine = await registering.list_registrations(
        "m1", MOROCCAN_ACCOUNT, uow, status=None, country=None
    )
    assert [r.id for r in mine] == [moroccan]
    await accreditation.confirm(Confirm(moroccan, MOROCCAN_ACCOUNT), uow, badges=BADGES)
    with pytest.raises(Forbidden):
        await accreditation.confirm(Confirm(turkish, MOROCCAN_ACCOUNT), uow, badges=BADGES)
    with pytest.raises(Forbidden):
        await registering.read_registration(turkish, MOROCCAN_ACCOUNT, uow)
    assert uow.audited[-1].actor == "acc_fp"
