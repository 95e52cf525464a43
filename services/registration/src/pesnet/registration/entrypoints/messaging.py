"""What registration consumes, payload class → use case: the agenda's
`MeetingScheduled` opens (or updates) a meeting for registration."""

from __future__ import annotations

from functools import partial

from pesnet.registration.domain.commands import OpenMeeting
from pesnet.registration.domain.meeting import MeetingSource
from pesnet.registration.service_layer import meetings
from pesnet.shared.envelope import CloudEvent
from pesnet.shared.errors import InvalidInput
from pesnet.shared.events.agenda import MeetingJoinLinkSet, MeetingScheduled
from pesnet.shared.messaging import Subscriptions, on


def subscriptions(default_quota: int | None) -> Subscriptions:
    """`default_quota`: the per-country quota of a meeting announced without one."""
    return Subscriptions(
        on(
            MeetingScheduled,
            partial(meetings.open_meeting, default_quota=default_quota),
            command=announced_meeting,
        ),
        on(MeetingJoinLinkSet, meetings.set_join_link),
        # a value the meeting cannot take (an unknown time zone): the announcement
        # can never be applied
        unprocessable=(InvalidInput,),
    )


def announced_meeting(event: MeetingScheduled, envelope: CloudEvent) -> OpenMeeting:
    return OpenMeeting(event, MeetingSource.agenda, envelope.time)
