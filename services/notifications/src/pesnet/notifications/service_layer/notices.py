"""From an event to deliveries: each use case runs in the handled event's transaction,
keeps the projections up to date (`recipients`), asks the domain for the notices the
event causes (`domain/notices.py`), renders each one (`templates`) and stores it as a
delivery that the delivery worker (`delivery.py`) sends. Exactly one delivery per
(event, recipient, channel), however often the event arrives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pesnet.notifications.domain.deliveries import (
    INVALID_ADDRESS,
    WITHDRAWN,
    Delivery,
    Digest,
    Mail,
)
from pesnet.notifications.domain.model import (
    PREFERENCES_LINK,
    Links,
    Notice,
    suppressed,
    valid_address,
)
from pesnet.notifications.domain.notices import (
    Person,
    announcement_notice,
    chairmanship_notice,
    cooperation_notice,
    programme_notice,
    progress_notice,
    registration_notice,
    reminder_notice,
    rescheduled_notice,
    session_changed_notice,
)
from pesnet.notifications.domain.recipients import ATTENDING, Participation, Recipient
from pesnet.notifications.service_layer.recipients import (
    cause_of,
    remember_contact,
    remember_participant,
)
from pesnet.notifications.service_layer.unit_of_work import NotificationsUnitOfWork
from pesnet.notifications.templates import render
from pesnet.shared.envelope import utcnow
from pesnet.shared.events.actionplan import CooperationProposed, ProgressReviewed, ReminderDue
from pesnet.shared.events.agenda import (
    ChairmanshipTransferred,
    MeetingRescheduled,
    ReleaseNoticesPrepared,
    SessionChangeNoticesPrepared,
)
from pesnet.shared.events.common import ParticipantStatus
from pesnet.shared.events.registration import (
    AnnouncementMade,
    ParticipantEvent,
    ParticipantUpdated,
    ParticipantWithdrawn,
)
from pesnet.shared.logging import get_logger
from pesnet.shared.tracing import current_context

log = get_logger(__name__)

# registrations whose person hears no more of the meeting's programme
GONE = (ParticipantStatus.withdrawn, ParticipantStatus.rejected)


@dataclass(frozen=True)
class Mailing:
    """What writing a mail needs besides the event: the signed links, the digest
    window of programme notices, and the clock."""

    links: Links
    digest_window: timedelta
    clock: Callable[[], datetime] = field(default=utcnow)


async def participant_changed(
    event: ParticipantEvent, uow: NotificationsUnitOfWork, mailing: Mailing
) -> Delivery | None:
    """A registration changed: remember it, and tell the person (a correction of their
    details is not news to them)."""

    async def work(uow: NotificationsUnitOfWork) -> Delivery | None:
        recipient = await remember_participant(event, uow)
        if isinstance(event, ParticipantUpdated):
            return None
        if isinstance(event, ParticipantWithdrawn):
            await _drop_pending(uow, recipient, event.meeting_id)
        meeting = await uow.meetings.recent(event.meeting_id)
        notice = registration_notice(event, meeting, recipient.mail_language)
        return await record(uow, mailing, notice, recipient)

    return await uow.run(work)


async def programme_released(
    event: ReleaseNoticesPrepared, uow: NotificationsUnitOfWork, mailing: Mailing
) -> list[Delivery]:
    """Everyone attending gets 'new version'; those whose session changed get 'your
    session changed' instead."""

    async def work(uow: NotificationsUnitOfWork) -> list[Delivery]:
        meeting = await uow.meetings.recent(event.meeting_id)
        affected = {a.registration_id: a.session_ids for a in event.affected}
        attending = await uow.participations.of_meeting(event.meeting_id, ATTENDING)
        speakers = [
            p for p in await uow.participations.with_ids(list(affected)) if p.status not in GONE
        ]
        people = {p.registration_id: p for p in [*attending, *speakers]}
        deliveries = []
        for registration_id, participation in sorted(people.items()):
            sessions = affected.get(registration_id)
            if sessions is not None:
                # agenda tells us who speaks or moderates where: keep it in the projection
                participation.takes_part_in(sessions)
                await uow.participations.save(participation)
            recipient = await uow.recipients.get(participation.address)
            if recipient is None:
                continue
            person = _person(recipient, participation)
            notice = programme_notice(event, meeting, person, sessions)
            deliveries.append(await record(uow, mailing, notice, recipient))
        return deliveries

    return await uow.run(work)


async def session_changed(
    event: SessionChangeNoticesPrepared, uow: NotificationsUnitOfWork, mailing: Mailing
) -> list[Delivery]:
    async def work(uow: NotificationsUnitOfWork) -> list[Delivery]:
        meeting = await uow.meetings.recent(event.meeting_id)
        deliveries = []
        for participation in await uow.participations.with_ids(event.affected_registration_ids):
            if participation.status in GONE:
                continue  # who withdrew (or was refused) hears no more of the programme
            recipient = await _recipient_of(uow, participation)
            if recipient is None:
                continue
            person = _person(recipient, participation)
            notice = session_changed_notice(event, meeting, person)
            deliveries.append(await record(uow, mailing, notice, recipient))
        return deliveries

    return await uow.run(work)


async def meeting_rescheduled(
    event: MeetingRescheduled, uow: NotificationsUnitOfWork, mailing: Mailing
) -> list[Delivery]:
    """Each confirmed person of a meeting that moved hears what changed, in their
    language, with the new calendar (critical: an opt-out does not stop it)."""

    async def work(uow: NotificationsUnitOfWork) -> list[Delivery]:
        meeting = await uow.meetings.recent(event.meeting_id)
        deliveries = []
        for participation in await uow.participations.with_ids(event.affected_registration_ids):
            if participation.status in GONE:
                continue
            recipient = await _recipient_of(uow, participation)
            if recipient is None:
                continue
            person = _person(recipient, participation)
            notice = rescheduled_notice(event, meeting, person)
            deliveries.append(await record(uow, mailing, notice, recipient))
        return deliveries

    return await uow.run(work)


async def announcement_made(
    event: AnnouncementMade, uow: NotificationsUnitOfWork, mailing: Mailing
) -> list[Delivery]:
    """The secretariat's announcement: each person it names, once, in their language
    (a person registered twice under one address hears it once)."""

    async def work(uow: NotificationsUnitOfWork) -> list[Delivery]:
        meeting = await uow.meetings.recent(event.meeting_id)
        deliveries: dict[str, Delivery] = {}
        for participation in await uow.participations.with_ids(event.registration_ids):
            if participation.status in GONE or participation.address in deliveries:
                continue
            recipient = await _recipient_of(uow, participation)
            if recipient is None:
                continue
            person = _person(recipient, participation)
            notice = announcement_notice(event, meeting, person)
            deliveries[participation.address] = await record(uow, mailing, notice, recipient)
        return list(deliveries.values())

    return await uow.run(work)


async def chairmanship_transferred(
    event: ChairmanshipTransferred, uow: NotificationsUnitOfWork, mailing: Mailing
) -> list[Delivery]:
    """Network news: every person the network knows of (opt-out-able)."""

    async def work(uow: NotificationsUnitOfWork) -> list[Delivery]:
        today = mailing.clock().date()
        return [
            await record(
                uow, mailing, chairmanship_notice(event, recipient.person(), today), recipient
            )
            for recipient in await uow.recipients.everyone()
        ]

    return await uow.run(work)


async def reminder_due(
    event: ReminderDue, uow: NotificationsUnitOfWork, mailing: Mailing
) -> list[Delivery]:
    async def work(uow: NotificationsUnitOfWork) -> list[Delivery]:
        deliveries = []
        for contact in event.recipients:
            recipient = await remember_contact(contact, "focal_point", uow)
            notice = reminder_notice(event, recipient.person(contact.registration_id))
            deliveries.append(await record(uow, mailing, notice, recipient))
        return deliveries

    return await uow.run(work)


async def progress_reviewed(
    event: ProgressReviewed, uow: NotificationsUnitOfWork, mailing: Mailing
) -> Delivery:
    async def work(uow: NotificationsUnitOfWork) -> Delivery:
        recipient = await remember_contact(event.reporter, "focal_point", uow)
        notice = progress_notice(event, recipient.person(event.reporter.registration_id))
        return await record(uow, mailing, notice, recipient)

    return await uow.run(work)


async def cooperation_proposed(
    event: CooperationProposed, uow: NotificationsUnitOfWork, mailing: Mailing
) -> list[Delivery]:
    async def work(uow: NotificationsUnitOfWork) -> list[Delivery]:
        deliveries = []
        for party in event.parties:
            for contact in party.contacts:
                recipient = await remember_contact(contact, "contact", uow, party.institution)
                person = recipient.person(contact.registration_id)
                notice = cooperation_notice(event, person, party.institution, party.side)
                deliveries.append(await record(uow, mailing, notice, recipient))
        return deliveries

    return await uow.run(work)


async def _drop_pending(
    uow: NotificationsUnitOfWork, recipient: Recipient, meeting_id: str
) -> None:
    """Someone who withdrew hears nothing more of the programme of the meeting they
    left: its notices still waiting for their digest are never sent (the mails about
    the registration itself still go, in order)."""
    for delivery in await uow.deliveries.pending_of(recipient.address, meeting_id):
        if delivery.digest_key is None:
            continue
        delivery.drop(WITHDRAWN)
        await uow.deliveries.save_purged(delivery)
        log.info("delivery dropped: registration withdrawn", delivery_id=delivery.id)


def _person(recipient: Recipient, participation: Participation) -> Person:
    """The person a mail about their meeting goes to, confirmed for it or not."""
    attending = participation.status in ATTENDING
    return recipient.person(
        participation.registration_id, attending=attending, attendance=participation.attendance
    )


async def _recipient_of(
    uow: NotificationsUnitOfWork, participation: Participation
) -> Recipient | None:
    return await uow.recipients.get(participation.address)


async def record(
    uow: NotificationsUnitOfWork, mailing: Mailing, notice: Notice, recipient: Recipient
) -> Delivery:
    """The notice as a delivery of the handled event: failed at once for an address
    that is not one, suppressed for who opted out, else rendered and due (or held for
    its digest)."""
    cause = cause_of(uow)
    now = mailing.clock()
    delivery = Delivery.of_notice(
        notice,
        event_id=cause.id,
        event_type=cause.type,
        correlation_id=cause.correlationid,
        event_time=cause.time,
        now=now,
    )
    delivery.trace_context = current_context() or None
    if not valid_address(notice.recipient):
        delivery.undeliverable(INVALID_ADDRESS, now)
        if await uow.deliveries.add(delivery):
            log.warning("delivery failed: invalid address", delivery_id=delivery.id)
            uow.emit(delivery.failed_event(INVALID_ADDRESS, permanent=True))
        return delivery
    if suppressed(notice.kind, recipient.opted_out):
        delivery.suppress()
        await uow.deliveries.add(delivery)
        return delivery
    rendered = render(
        notice.kind,
        notice.language,
        notice.context,
        # the links act for their recipient: signed in when the mail is sent, never stored
        preferences_url=PREFERENCES_LINK,
    )
    mail = Mail(rendered.language, rendered.subject, rendered.text, rendered.html)
    delivery.write(notice, mail, now)
    if await uow.deliveries.add(delivery) and delivery.digest_key is not None:
        await _hold_for_digest(uow, mailing, delivery, now)
    return delivery


async def _hold_for_digest(
    uow: NotificationsUnitOfWork, mailing: Mailing, delivery: Delivery, now: datetime
) -> None:
    """The write (not only the read) makes a concurrent digest send conflict and retry."""
    assert delivery.digest_key is not None
    digest = await uow.digests.get(delivery.digest_key) or Digest(
        delivery.digest_key, delivery.recipient, delivery.meeting_id
    )
    digest.recipient, digest.meeting_id = delivery.recipient, delivery.meeting_id
    digest.hold(now, mailing.digest_window)
    await uow.digests.save(digest)
