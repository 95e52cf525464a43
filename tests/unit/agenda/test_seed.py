"""The development seed on the in-memory unit of work: what it creates, and that a
second run changes nothing."""

from __future__ import annotations

from pesnet.agenda.domain.commands import SeedAgenda
from pesnet.agenda.service_layer.seed import MEETING_ID, seed_agenda
from pesnet.shared.events.agenda import ChairmanshipTransferred, MeetingScheduled
from tests.unit.agenda.fakes import NOW, FakeAgendaUnitOfWork, clock


async def test_the_seed_creates_the_4th_meeting_its_draft_and_the_chair_history(
    uow: FakeAgendaUnitOfWork,
) -> None:
    done = await seed_agenda(SeedAgenda(), uow, clock=clock)

    assert done == {
        "meeting": "scheduled",
        "draft": "16 sessions",
        "chair_history": "recorded",
        "handover": "recorded",
    }
    meeting = await uow.meetings.get(MEETING_ID)
    assert meeting is not None
    assert (meeting.number, len(meeting.people), meeting.registration_opens_at) == (4, 15, NOW)
    assert len((await uow.drafts.get(MEETING_ID)).sessions) == 16
    current = (await uow.chairmanship.get()).current
    assert current is not None
    assert current.holder.institution == "anapec"
    assert [type(e) for e in uow.events()] == [MeetingScheduled, ChairmanshipTransferred]


async def test_a_second_seed_changes_nothing(uow: FakeAgendaUnitOfWork) -> None:
    await seed_agenda(SeedAgenda(), uow, clock=clock)
    before = (uow.meetings.items.copy(), uow.drafts.items.copy(), uow.chairmanship.state)

    again = await seed_agenda(SeedAgenda(), uow, clock=clock)

    assert again == {
        "meeting": "exists",
        "draft": "exists",
        "chair_history": "exists",
        "handover": "exists",
    }
    assert (uow.meetings.items, uow.drafts.items, uow.chairmanship.state) == before
    assert len(uow.events()) == 2


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
