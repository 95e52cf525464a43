"""A meeting's lifecycle on the in-memory unit of work: the tentative meeting decided at
the closing session is completed, scheduled, opened and closed for registration, held
and archived, each move announced with the meeting as it now stands."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pesnet.agenda.domain.commands import DecideNextMeeting, ReviseMeeting
from pesnet.agenda.service_layer import meetings
from pesnet.agenda.service_layer.seed import MEETING_ID
from pesnet.shared.errors import Conflict, InvalidInput
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.i18n import Localized
from tests.unit.agenda.fakes import NOW, FakeAgendaUnitOfWork, clock

ISTANBUL = Localized(ar="إسطنبول", en="Istanbul", fr="Istanbul")
DETAILS = {
    "start_date": date(2026, 3, 10),
    "end_date": date(2026, 3, 11),
    "city": ISTANBUL,
    "venue": Localized(ar="مقر إيشكور", en="İŞKUR headquarters", fr="Siège de l'İŞKUR"),
    "country": "TUR",
    "timezone": "Europe/Istanbul",
    "host_institution": "iskur",
    "delegation_quota": 2,
    "registration_closes_at": datetime(2026, 3, 1, tzinfo=UTC),
}


async def tentative_5th(uow: FakeAgendaUnitOfWork) -> str:
    meeting = await meetings.decide_next_meeting(
        DecideNextMeeting(MEETING_ID, "2026-03"), uow, clock=clock
    )
    uow.committed.clear()
    return meeting.id


def announced(uow: FakeAgendaUnitOfWork) -> list[MeetingScheduled]:
    return [e for e in uow.events(MeetingScheduled) if isinstance(e, MeetingScheduled)]


async def test_a_tentative_meeting_is_completed_then_opened_for_registration(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    meeting_id = await tentative_5th(seeded)

    completed = await meetings.revise_meeting(ReviseMeeting(meeting_id, DETAILS), seeded)
    assert (completed.status, completed.timezone, completed.tentative_month) == (
        "tentative",
        "Europe/Istanbul",
        None,
    )
    opened = await meetings.revise_meeting(
        ReviseMeeting(meeting_id, status="registration_open"), seeded, clock=clock
    )

    assert (opened.status, opened.registration_opens_at) == ("registration_open", NOW)
    first, second = announced(seeded)
    assert (first.status, first.host_institution, first.delegation_quota) == (
        "tentative",
        "iskur",
        2,
    )
    assert (second.status, second.registration_opens_at) == ("registration_open", NOW)


async def test_a_tentative_meeting_is_not_scheduled_before_it_is_complete(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    meeting_id = await tentative_5th(seeded)

    with pytest.raises(Conflict) as no_dates:
        await meetings.revise_meeting(ReviseMeeting(meeting_id, status="scheduled"), seeded)
    assert no_dates.value.field == "start_date"
    partial = {k: v for k, v in DETAILS.items() if k != "host_institution"}
    with pytest.raises(Conflict) as no_host:
        await meetings.revise_meeting(
            ReviseMeeting(meeting_id, partial, status="scheduled"), seeded
        )
    assert no_host.value.field == "host_institution"
    assert announced(seeded) == []


async def test_the_lifecycle_moves_forward_only(seeded: FakeAgendaUnitOfWork) -> None:
    meeting_id = await tentative_5th(seeded)
    await meetings.revise_meeting(ReviseMeeting(meeting_id, DETAILS, status="scheduled"), seeded)

    with pytest.raises(Conflict) as too_early:
        await meetings.revise_meeting(ReviseMeeting(meeting_id, status="held"), seeded, clock=clock)
    assert too_early.value.params == {"start_date": "2026-03-10"}

    def on_the_day() -> datetime:
        return datetime(2026, 3, 10, 6, 0, tzinfo=UTC)

    held = await meetings.revise_meeting(
        ReviseMeeting(meeting_id, status="held"), seeded, clock=on_the_day
    )
    assert held.status == "held"
    for refused in ("registration_open", "tentative"):
        with pytest.raises(Conflict):
            await meetings.revise_meeting(ReviseMeeting(meeting_id, status=refused), seeded)
    with pytest.raises(Conflict):
        await meetings.revise_meeting(ReviseMeeting(meeting_id, {"delegation_quota": 5}), seeded)
    archived = await meetings.revise_meeting(ReviseMeeting(meeting_id, status="archived"), seeded)
    assert [e.status for e in announced(seeded)] == ["scheduled", "held", "archived"]
    assert archived.status == "archived"


async def test_an_unknown_host_or_field_is_refused(seeded: FakeAgendaUnitOfWork) -> None:
    meeting_id = await tentative_5th(seeded)

    with pytest.raises(InvalidInput) as unknown_host:
        await meetings.revise_meeting(
            ReviseMeeting(meeting_id, {"host_institution": "nobody"}), seeded
        )
    assert unknown_host.value.field == "host_institution"
    with pytest.raises(InvalidInput) as not_here:
        await meetings.revise_meeting(ReviseMeeting(meeting_id, {"number": 9}), seeded)
    assert not_here.value.field == "number"


async def test_the_same_revision_twice_announces_once(seeded: FakeAgendaUnitOfWork) -> None:
    meeting_id = await tentative_5th(seeded)
    await meetings.revise_meeting(ReviseMeeting(meeting_id, DETAILS), seeded)
    await meetings.revise_meeting(ReviseMeeting(meeting_id, DETAILS), seeded)

    assert len(announced(seeded)) == 1
