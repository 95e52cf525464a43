"""The projections notifications keeps from other services' events: who the people
are (recipients), which registrations they hold (participations), what the meetings
are. Run inside the handled event's transaction, by the notices use cases."""

from __future__ import annotations

from dataclasses import replace

from pesnet.notifications.domain.notices import Meeting, participant_name
from pesnet.notifications.domain.recipients import Participation, Recipient
from pesnet.notifications.service_layer.unit_of_work import NotificationsUnitOfWork
from pesnet.shared.envelope import CloudEvent
from pesnet.shared.events.agenda import MeetingJoinLinkSet, MeetingScheduled
from pesnet.shared.events.common import Contact
from pesnet.shared.events.registration import ParticipantEvent

REGISTRATION = "registration"
ACTIONPLAN = "actionplan"


def cause_of(uow: NotificationsUnitOfWork) -> CloudEvent:
    if uow.cause is None:
        raise RuntimeError("this use case handles an event: run it in a consumer")
    return uow.cause


async def remember(
    uow: NotificationsUnitOfWork,
    email: str,
    *,
    name: str,
    language: str,
    role: str,
    source: str,
    institution: str | None = None,
) -> Recipient:
    return await uow.recipients.heard_of(
        email,
        name=name,
        language=language,
        role=role,
        source=source,
        institution=institution,
        seen_at=cause_of(uow).time,
    )


async def remember_participant(event: ParticipantEvent, uow: NotificationsUnitOfWork) -> Recipient:
    """The registration as it stands after the event (its `status`), unless a newer
    state arrived first; and the person behind it."""
    recipient = Recipient.first_heard(event.email)
    await uow.participations.record(
        Participation(
            event.registration_id,
            recipient.address,
            event.meeting_id,
            event.role,
            event.status,
            as_of=cause_of(uow).time,
            attendance=event.attendance,
        )
    )
    return await remember(
        uow,
        event.email,
        name=participant_name(event),
        language=event.language,
        role=event.role,
        source=REGISTRATION,
        institution=event.institution,
    )


async def remember_contact(
    contact: Contact, role: str, uow: NotificationsUnitOfWork, institution: str | None = None
) -> Recipient:
    """A focal point or contact named by an action-plan event."""
    return await remember(
        uow,
        contact.email,
        name=contact.name,
        language=contact.language,
        role=role,
        source=ACTIONPLAN,
        institution=institution,
    )


async def meeting_scheduled(event: MeetingScheduled, uow: NotificationsUnitOfWork) -> Meeting:
    async def work(uow: NotificationsUnitOfWork) -> Meeting:
        known = await uow.meetings.get(event.meeting_id)
        meeting = Meeting(
            meeting_id=event.meeting_id,
            timezone=event.timezone,
            title=event.title,
            city=event.city,
            venue=event.venue,
            start_date=event.start_date,
            end_date=event.end_date,
            attendance_mode=event.attendance_mode,
            join_url=known.join_url,  # set apart (`join_link_set`)
        )
        await uow.meetings.save(meeting)
        return meeting

    return await uow.run(work)


async def join_link_set(event: MeetingJoinLinkSet, uow: NotificationsUnitOfWork) -> None:
    """An online or hybrid meeting's join link, for its participants' mails."""

    async def work(uow: NotificationsUnitOfWork) -> None:
        meeting = await uow.meetings.get(event.meeting_id)
        await uow.meetings.save(
            replace(meeting, attendance_mode=event.attendance_mode, join_url=event.join_url)
        )

    await uow.run(work)
