"""A meeting's dates change only with what depends on them: the registration window
closes before the meeting ends, a meeting taking registrations does not move into the
past, the draft programme moves with the days (a session the new days leave out is
refused), and the confirmed participants are told what changed from what to what,
with the meeting's new calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from pesnet.agenda.domain.commands import ReviseMeeting
from pesnet.agenda.domain.participants import Participant
from pesnet.agenda.domain.programme import Draft, Session
from pesnet.agenda.service_layer import meetings
from pesnet.shared.errors import Conflict, InvalidInput
from pesnet.shared.events.agenda import MeetingRescheduled
from pesnet.shared.events.common import ParticipantStatus
from pesnet.shared.i18n import Language, Localized
from tests.unit.agenda.fakes import NOW, FakeAgendaUnitOfWork, FakeCalendar, clock
from tests.unit.agenda.test_lifecycle import DETAILS, tentative_5th


async def open_5th(uow: FakeAgendaUnitOfWork) -> str:
    meeting_id = await tentative_5th(uow)
    await meetings.revise_meeting(
        ReviseMeeting(meeting_id, DETAILS, status="registration_open"), uow, clock=clock
    )
    uow.committed.clear()
    return meeting_id


async def test_registration_closes_before_the_meeting_ends(seeded: FakeAgendaUnitOfWork) -> None:
    meeting_id = await open_5th(seeded)
    with pytest.raises(InvalidInput) as refused:
        await meetings.revise_meeting(
            ReviseMeeting(
                meeting_id, {"start_date": date(2026, 2, 20), "end_date": date(2026, 2, 21)}
            ),
            seeded,
            clock=clock,
        )
    assert refused.value.field == "registration_closes_at"
    moved = await meetings.revise_meeting(
        ReviseMeeting(
            meeting_id,
            {
                "start_date": date(2026, 2, 20),
                "end_date": date(2026, 2, 21),
                "registration_closes_at": datetime(2026, 2, 15, tzinfo=UTC),
            },
        ),
        seeded,
        clock=clock,
    )
    assert moved.start_date == date(2026, 2, 20)


async def test_a_meeting_taking_registrations_does_not_move_into_the_past(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    meeting_id = await open_5th(seeded)
    past = {"start_date": date(2024, 1, 10), "end_date": date(2024, 1, 11)}
    assert NOW.date() > past["start_date"]
    with pytest.raises(Conflict) as refused:
        await meetings.revise_meeting(ReviseMeeting(meeting_id, past), seeded, clock=clock)
    assert refused.value.field == "start_date"


async def test_the_draft_moves_with_the_days_and_confirmed_people_are_told(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    meeting_id = await open_5th(seeded)
    panel = Session(
        id="panel", day=date(2026, 3, 11), start=time(10), end=time(11), kind="panel",
        title=Localized(ar="ندوة", en="Panel", fr="Panel"),
    )  # fmt: skip
    await seeded.drafts.save(Draft(meeting_id=meeting_id, sessions=(panel,)))
    await seeded.participants.save(
        Participant(
            registration_id="reg-1", meeting_id=meeting_id, email="amina@example.org",
            given_name="Amina", family_name="Demo", language="ar", role="delegate",
            status=ParticipantStatus.confirmed, as_of=NOW,
        )
    )  # fmt: skip
    shorter = {"start_date": date(2026, 3, 17), "end_date": date(2026, 3, 17)}
    with pytest.raises(InvalidInput) as refused:
        await meetings.revise_meeting(ReviseMeeting(meeting_id, shorter), seeded, clock=clock)
    assert (refused.value.field, refused.value.params["session"]) == ("end_date", "panel")

    later = {"start_date": date(2026, 3, 17), "end_date": date(2026, 3, 18)}
    await meetings.revise_meeting(
        ReviseMeeting(meeting_id, later), seeded, calendar=FakeCalendar(), clock=clock
    )

    assert [s.day for s in (await seeded.drafts.get(meeting_id)).sessions] == [date(2026, 3, 18)]
    told = [e for e in seeded.events(MeetingRescheduled) if isinstance(e, MeetingRescheduled)]
    assert len(told) == 1
    assert told[0].affected_registration_ids == ["reg-1"]
    assert [(c.field, c.was.en, c.now.en) for c in told[0].changes] == [
        ("start_date", "10 March 2026", "17 March 2026"),
        ("end_date", "11 March 2026", "18 March 2026"),
    ]
    assert told[0].changes[0].now.ar is not None
    assert "مارس" in told[0].changes[0].now.ar
    assert told[0].ics_by_language[Language.ar] == f"meeting {meeting_id} 2026-03-17–2026-03-18 ar"
