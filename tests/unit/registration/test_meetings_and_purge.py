"""Meetings as registration applies them, the public counts, and the purge of a meeting's personal data, on the in-memory unit of work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from pesnet.registration.domain.commands import (
    Confirm,
    NominateFocalPoint,
    OpenMeeting,
    PurgePersonalData,
    Register,
)
from pesnet.registration.domain.meeting import MeetingSource
from pesnet.registration.service_layer import (
    accreditation,
    check_in,
    focal_points,
    meetings,
    purge,
    registering,
)
from pesnet.shared.credentials import (
    ANONYMOUS,
    SECRETARIAT,
)
from pesnet.shared.errors import Conflict, InvalidInput, NotFound
from pesnet.shared.events.registration import (
    PersonalDataPurged,
)
from tests.unit.registration.fakes import FakeRegistrationUnitOfWork
from tests.unit.registration.scenario import (
    BADGES,
    URL,
    details,
    events,
    held_long_ago,
    open_meeting,
    register,
    scheduled,
)


async def test_the_agenda_announcement_wins_over_the_seed() -> None:
    uow = FakeRegistrationUnitOfWork()
    now = datetime.now(UTC)
    seed = OpenMeeting(scheduled(delegation_quota=None), MeetingSource.seed, now)
    assert await meetings.open_meeting(seed, uow, default_quota=3)
    meeting = await uow.meetings.get("m1")
    assert meeting is not None
    assert meeting.delegation_quota == 3  # the service's default
    assert not await meetings.open_meeting(seed, uow, default_quota=3)
    announced = OpenMeeting(scheduled(delegation_quota=1), MeetingSource.agenda, now)
    assert await meetings.open_meeting(announced, uow, default_quota=3)
    older = OpenMeeting(scheduled(delegation_quota=9), MeetingSource.agenda, now - timedelta(1))
    assert not await meetings.open_meeting(older, uow, default_quota=3)
    meeting = await uow.meetings.get("m1")
    assert meeting is not None
    assert (meeting.delegation_quota, meeting.source) == (1, MeetingSource.agenda)
    with pytest.raises(InvalidInput, match="Mars"):
        await meetings.open_meeting(
            OpenMeeting(scheduled("m2", timezone="Mars/Olympus_Mons"), MeetingSource.agenda, now),
            uow,
            default_quota=3,
        )


async def test_the_public_summary_lists_delegations_that_count_anyone(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    await register(uow, 1)
    await register(uow, 2, country=None, role="observer", institution="SESRIC")
    meeting, found = await meetings.delegations("m1", uow)
    assert meeting.delegation_quota == 2
    assert {(d.country, d.institution) for d in found} == {("MAR", None), (None, "SESRIC")}
    with pytest.raises(NotFound):
        await meetings.delegations("nowhere", uow)


async def test_a_purge_erases_personal_data_long_enough_after_the_meeting(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    outcome = await registering.register(
        Register("m1", details(1), ANONYMOUS, idempotency_key="k"), uow, public_url=URL
    )
    await held_long_ago(uow)
    with pytest.raises(Conflict, match="from 2034-02-27"):
        await purge.purge_personal_data(PurgePersonalData("m1", 3650), uow)
    assert await purge.purge_personal_data(PurgePersonalData("m1", 30), uow) == 1
    [event] = events(uow, PersonalDataPurged)
    assert event.registrations == 1
    purged = await uow.registrations.get(outcome.registration.id)
    assert purged is not None
    assert (purged.given_name, purged.email, purged.manage_token_hash) == (None, None, None)
    assert await uow.replays.get("register|m1|anonymous:|k") is None
    assert uow.forgotten_meetings == ["m1"]  # its published participant events
    assert await purge.purge_personal_data(PurgePersonalData("m1", 30), uow) == 0


async def test_a_purged_confirmed_registration_has_no_badge_and_says_why(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    registration_id = await register(uow, 1)
    await accreditation.confirm(Confirm(registration_id, SECRETARIAT), uow, badges=BADGES)
    await held_long_ago(uow)
    await purge.purge_personal_data(PurgePersonalData("m1", 30), uow)

    with pytest.raises(Conflict) as refused:
        await check_in.badge(registration_id, SECRETARIAT, uow, badges=BADGES)

    assert "purged" in refused.value.text
    assert "not confirmed" not in refused.value.text


async def test_a_purged_meeting_is_closed_even_to_an_old_idempotency_key(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    first = Register("m1", details(1), ANONYMOUS, idempotency_key="k")
    await registering.register(first, uow, public_url=URL)
    await held_long_ago(uow)
    await purge.purge_personal_data(PurgePersonalData("m1", 30), uow)

    with pytest.raises(Conflict) as closed:
        await registering.register(first, uow, public_url=URL)

    assert "purged" in closed.value.text
    assert len(await uow.registrations.of_meeting("m1")) == 1


async def test_purges_exports_and_focal_point_tokens_are_audited() -> None:
    uow = FakeRegistrationUnitOfWork()
    await open_meeting(uow, start_date=date(2020, 1, 1), end_date=date(2020, 1, 2))
    await check_in.check_in_list("m1", uow, export=True)
    focal_point, _ = await focal_points.issue_focal_point(
        NominateFocalPoint(country="MAR", name="ANAPEC"), uow
    )
    await focal_points.revoke_focal_point(focal_point.id, uow)
    await purge.purge_personal_data(PurgePersonalData("m1", 30), uow)
    actions = [(e.action, e.meeting_id, e.subject) for e in uow.audited]
    # the export is audited explicitly (no event records it), the rest from their events
    assert actions[-4:] == [
        ("check_ins.exported", "m1", None),
        ("focal_point.nominated", None, focal_point.id),
        ("focal_point.withdrawn", None, focal_point.id),
        ("personal_data.purged", "m1", "m1"),
    ]
