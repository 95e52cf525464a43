"""The development seed on the in-memory unit of work: what it creates, and that a
second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pesnet.agenda.domain.commands import PublishProgramme, SeedAgenda
from pesnet.agenda.service_layer import releases
from pesnet.agenda.service_layer.seed import DEMO_MEETING_ID, MEETING_ID, seed_agenda
from pesnet.shared.catalog import PublicPayload
from pesnet.shared.errors import Conflict
from pesnet.shared.events.agenda import (
    ChairmanshipTransferred,
    CommuniqueAdopted,
    CommuniquePublished,
    MeetingScheduled,
)
from tests.unit.agenda.fakes import NOW, FakeAgendaUnitOfWork, FakeCalendar, clock


async def test_the_seed_creates_the_4th_meeting_held_its_draft_and_the_chair_history(
    uow: FakeAgendaUnitOfWork,
) -> None:
    done = await seed_agenda(SeedAgenda(), uow, clock=clock)

    assert done == {
        "meeting": "scheduled",
        "draft": "16 sessions",
        "demo_meeting": "scheduled",
        "demo_draft": "16 sessions",
        "chair_history": "recorded",
        "handover": "recorded",
        "communique": "published",
    }
    meeting = await uow.meetings.get(MEETING_ID)
    assert meeting is not None
    assert (meeting.number, len(meeting.people), meeting.status) == (4, 15, "held")
    assert meeting.registration_opens_at is None
    assert len((await uow.drafts.get(MEETING_ID)).sessions) == 16
    current = (await uow.chairmanship.get()).current
    assert current is not None
    assert current.holder.institution == "anapec"
    # what the other services hear of (the drafts and the history are recorded too)
    assert [type(e) for e in uow.events() if isinstance(e, PublicPayload)] == [
        MeetingScheduled,
        MeetingScheduled,
        ChairmanshipTransferred,
        CommuniqueAdopted,
        CommuniquePublished,
    ]


async def test_the_seed_opens_a_demonstration_meeting_a_few_weeks_ahead(
    uow: FakeAgendaUnitOfWork,
) -> None:
    await seed_agenda(SeedAgenda(), uow, clock=clock)

    demo = await uow.meetings.get(DEMO_MEETING_ID)
    assert demo is not None
    assert demo.demonstration
    assert demo.status == "registration_open"
    assert demo.registration_opens_at == NOW
    assert demo.start_date == NOW.date() + timedelta(weeks=4)
    assert (demo.delegation_quota, len(demo.people)) == (3, 15)
    assert not demo.title.missing()
    assert "emonstration" in (demo.title.en or "")
    sessions = (await uow.drafts.get(DEMO_MEETING_ID)).sessions
    assert {s.day for s in sessions} == {demo.start_date, demo.end_date}


async def test_a_second_seed_changes_nothing(uow: FakeAgendaUnitOfWork) -> None:
    await seed_agenda(SeedAgenda(), uow, clock=clock)
    before = (uow.meetings.items.copy(), uow.drafts.items.copy(), uow.chairmanship.state)
    events_before = len(uow.events())

    again = await seed_agenda(SeedAgenda(), uow, clock=clock)

    assert again == {
        "meeting": "exists",
        "draft": "exists",
        "demo_meeting": "exists",
        "demo_draft": "exists",
        "chair_history": "exists",
        "handover": "exists",
        "communique": "exists",
    }
    assert (uow.meetings.items, uow.drafts.items, uow.chairmanship.state) == before
    assert len(uow.events()) == events_before


async def test_the_seed_puts_back_programme_people_that_are_missing(
    uow: FakeAgendaUnitOfWork,
) -> None:
    await seed_agenda(SeedAgenda(), uow, clock=clock)
    meeting = uow.meetings.items[MEETING_ID]
    people = dict(meeting.people)
    del people["dur"]
    uow.meetings.items[MEETING_ID] = meeting.model_copy(update={"people": people})

    await seed_agenda(SeedAgenda(), uow, clock=clock)

    assert "dur" in uow.meetings.items[MEETING_ID].people


async def test_the_held_4th_meetings_programme_is_published_as_history_once(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    published = await releases.publish_as_held(
        PublishProgramme(MEETING_ID), seeded, calendar=FakeCalendar(), clock=clock
    )
    assert published is not None
    assert (published.release.version, len(published.release.sessions)) == (1, 16)
    again = await releases.publish_as_held(
        PublishProgramme(MEETING_ID), seeded, calendar=FakeCalendar(), clock=clock
    )
    assert again is None
    with pytest.raises(Conflict):
        await releases.publish_as_held(
            PublishProgramme(DEMO_MEETING_ID), seeded, calendar=FakeCalendar(), clock=clock
        )
