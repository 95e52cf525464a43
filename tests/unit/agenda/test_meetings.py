"""Meeting use cases on the in-memory unit of work: scheduling, the people and
institutions of a programme, and the next-meeting decision."""

from __future__ import annotations

from datetime import date

import pytest

from pesnet.agenda.domain.commands import (
    DecideNextMeeting,
    PutInstitution,
    PutPerson,
    ScheduleMeeting,
)
from pesnet.agenda.domain.meeting import Institution, Meeting, Person
from pesnet.agenda.service_layer import meetings
from pesnet.agenda.service_layer.seed import MEETING_ID
from pesnet.shared.catalog import PublicPayload
from pesnet.shared.errors import Conflict, InvalidInput, NotFound
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.i18n import Localized
from tests.unit.agenda.fakes import NOW, FakeAgendaUnitOfWork, clock

WORKSHOP = Meeting(
    id="workshop-1",
    number=41,
    title=Localized(ar="ورشة", en="Workshop", fr="Atelier"),
    timezone="Africa/Casablanca",
    start_date=date(2024, 3, 20),
    end_date=date(2024, 3, 21),
    country="MAR",
)


async def test_scheduling_a_meeting_saves_it_and_announces_it(uow: FakeAgendaUnitOfWork) -> None:
    meeting = await meetings.schedule_meeting(ScheduleMeeting(WORKSHOP), uow, clock=clock)

    assert await uow.meetings.get("workshop-1") == meeting
    [event] = uow.events(MeetingScheduled)
    assert isinstance(event, MeetingScheduled)
    assert (event.meeting_id, event.number, event.registration_opens_at) == ("workshop-1", 41, None)


async def test_a_meeting_scheduled_with_registration_open_opens_it_now(
    uow: FakeAgendaUnitOfWork,
) -> None:
    open_now = WORKSHOP.model_copy(update={"registration_open": True})
    meeting = await meetings.schedule_meeting(ScheduleMeeting(open_now), uow, clock=clock)

    assert meeting.registration_opens_at == NOW
    [event] = uow.events(MeetingScheduled)
    assert isinstance(event, MeetingScheduled)
    assert event.registration_opens_at == NOW


async def test_a_second_meeting_with_the_same_id_or_number_is_a_conflict(
    uow: FakeAgendaUnitOfWork,
) -> None:
    await meetings.schedule_meeting(ScheduleMeeting(WORKSHOP), uow, clock=clock)
    same_number = WORKSHOP.model_copy(update={"id": "workshop-2"})

    with pytest.raises(Conflict) as same_id:
        await meetings.schedule_meeting(ScheduleMeeting(WORKSHOP), uow, clock=clock)
    with pytest.raises(Conflict) as numbered:
        await meetings.schedule_meeting(ScheduleMeeting(same_number), uow, clock=clock)

    assert (same_id.value.field, numbered.value.field) == ("id", "number")
    assert len(uow.events(MeetingScheduled)) == 1


async def test_an_invalid_meeting_is_refused_before_anything_is_written(
    uow: FakeAgendaUnitOfWork,
) -> None:
    outside_oic = WORKSHOP.model_copy(update={"country": "FRA"})
    with pytest.raises(InvalidInput) as refused:
        await meetings.schedule_meeting(ScheduleMeeting(outside_oic), uow, clock=clock)
    assert refused.value.field == "country"
    assert await uow.meetings.all() == []
    assert uow.commits == 0


async def test_a_programme_person_and_institution_are_added_to_the_meeting(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    institution = Institution(id="ilo", name=Localized(ar="م", en="ILO", fr="OIT"))
    person = Person(
        id="guest",
        name=Localized(ar="ضيف", en="Guest", fr="Invité"),
        email="guest@example.org",
        institution="ilo",
    )

    await meetings.put_institution(PutInstitution(MEETING_ID, institution), seeded)
    meeting = await meetings.put_person(PutPerson(MEETING_ID, person), seeded)

    assert meeting.people["guest"] == person
    stored = await seeded.meetings.get(MEETING_ID)
    assert stored is not None
    assert (stored.institutions["ilo"], stored.people["guest"]) == (institution, person)
    assert [e.action for e in seeded.audited[-2:]] == ["institution.put", "person.put"]
    assert not [e for e in seeded.events() if isinstance(e, PublicPayload)]


async def test_a_person_of_an_unknown_institution_or_meeting_is_refused(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    person = Person(
        id="guest", name=Localized(en="Guest"), email="g@example.org", institution="nowhere"
    )
    with pytest.raises(InvalidInput) as unknown_institution:
        await meetings.put_person(PutPerson(MEETING_ID, person), seeded)
    with pytest.raises(NotFound):
        await meetings.put_person(PutPerson("pesnet-99", person), seeded)
    assert unknown_institution.value.field == "institution"


async def test_the_next_meeting_is_scheduled_tentatively_once(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    decide = DecideNextMeeting(MEETING_ID, "2025-11", city=Localized(ar="ب", en="B", fr="B"))

    following = await meetings.decide_next_meeting(decide, seeded, clock=clock)
    again = await meetings.decide_next_meeting(decide, seeded, clock=clock)

    assert (following.id, following.number, following.status) == ("pesnet-5", 5, "tentative")
    assert following.title.en is not None
    assert following.title.en.startswith("5th Meeting")
    assert following.timezone == "UTC"  # until its venue is decided
    assert again == following
    [event] = seeded.events(MeetingScheduled)
    assert isinstance(event, MeetingScheduled)
    assert (event.meeting_id, event.tentative_month) == ("pesnet-5", "2025-11")
    current = await seeded.meetings.get(MEETING_ID)
    assert current is not None
    assert current.next_meeting is not None
    assert current.next_meeting.decided_at == NOW


async def test_a_different_next_meeting_decision_is_a_conflict(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await meetings.decide_next_meeting(
        DecideNextMeeting(MEETING_ID, "2025-11"), seeded, clock=clock
    )
    with pytest.raises(Conflict):
        await meetings.decide_next_meeting(
            DecideNextMeeting(MEETING_ID, "2026-01"), seeded, clock=clock
        )
    with pytest.raises(InvalidInput) as before_the_end:
        await meetings.decide_next_meeting(
            DecideNextMeeting(MEETING_ID, "2024-02"), seeded, clock=clock
        )
    assert before_the_end.value.field == "tentative_month"
    assert len(seeded.events(MeetingScheduled)) == 1


async def test_meetings_are_read_with_their_latest_programme_version(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await meetings.schedule_meeting(ScheduleMeeting(WORKSHOP), seeded, clock=clock)

    found = await meetings.get_meeting(MEETING_ID, seeded)

    assert (found.meeting.id, found.programme_version) == (MEETING_ID, None)
    assert [m.number for m in await meetings.list_meetings(seeded)] == [
        0,
        4,
        41,
    ]  # the demonstration meeting first
    with pytest.raises(NotFound):
        await meetings.get_meeting("pesnet-99", seeded)
