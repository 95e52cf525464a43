"""Online and hybrid meetings: the mode is public, the join link is not (an internal
event for the services that tell participants; never in the public view of a meeting)."""

from __future__ import annotations

from datetime import date

import pytest

from pesnet.agenda.domain.commands import ReviseMeeting, ScheduleMeeting
from pesnet.agenda.domain.meeting import Meeting
from pesnet.agenda.entrypoints.http import meeting_json
from pesnet.agenda.service_layer import meetings
from pesnet.shared.errors import InvalidInput
from pesnet.shared.events.agenda import MeetingJoinLinkSet, MeetingScheduled
from pesnet.shared.i18n import Localized
from tests.unit.agenda.fakes import FakeAgendaUnitOfWork, clock

LINK = "https://meet.example.org/pesnet-nfp-2026"


def online_meeting() -> Meeting:
    return Meeting(
        id="nfp-2026",
        number=77,
        title=Localized(ar="اجتماع جهات الاتصال", en="NFP meeting", fr="Réunion des PFN"),
        timezone="Europe/Istanbul",
        start_date=date(2026, 11, 17),
        end_date=date(2026, 11, 17),
        attendance_mode="online",
        join_url=LINK,
    )


async def test_an_online_meetings_link_travels_internally_only(
    uow: FakeAgendaUnitOfWork,
) -> None:
    meeting = await meetings.schedule_meeting(ScheduleMeeting(online_meeting()), uow, clock=clock)

    (scheduled,) = uow.events(MeetingScheduled)
    assert isinstance(scheduled, MeetingScheduled)
    assert scheduled.attendance_mode == "online"
    assert LINK not in scheduled.model_dump_json()  # the public event has no link
    (link,) = uow.events(MeetingJoinLinkSet)
    assert isinstance(link, MeetingJoinLinkSet)
    assert link.join_url == LINK
    assert "join_url" not in meeting_json(meeting)  # nor the public view

    # the mode changes to hybrid: announced again; an unchanged link is not
    await meetings.revise_meeting(
        ReviseMeeting("nfp-2026", {"attendance_mode": "hybrid"}), uow, clock=clock
    )
    assert [e.attendance_mode for e in uow.events(MeetingJoinLinkSet)] == ["online", "hybrid"]  # type: ignore[attr-defined]
    await meetings.revise_meeting(ReviseMeeting("nfp-2026", {"capacity": 90}), uow, clock=clock)
    assert len(uow.events(MeetingJoinLinkSet)) == 2


async def test_a_join_link_is_an_https_address(uow: FakeAgendaUnitOfWork) -> None:
    await meetings.schedule_meeting(ScheduleMeeting(online_meeting()), uow, clock=clock)
    with pytest.raises(InvalidInput) as refused:
        await meetings.revise_meeting(
            ReviseMeeting("nfp-2026", {"join_url": "http://meet.example.org/x"}), uow, clock=clock
        )
    assert refused.value.field == "join_url"
