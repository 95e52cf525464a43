"""The purge of a meeting's personal data, as registration announced it."""

from __future__ import annotations

from pesnet.notifications.service_layer.unit_of_work import NotificationsUnitOfWork
from pesnet.shared.audit import AuditAction
from pesnet.shared.events.registration import PersonalDataPurged


async def personal_data_purged(
    event: PersonalDataPurged, uow: NotificationsUnitOfWork
) -> list[str]:
    """Forget who attended the meeting, the mails we wrote them about it (addresses,
    subjects, bodies, pending digests; what was still to send is not sent), the
    internal events about it we published, and people we know only from that meeting
    (returned). The delivery log keeps the facts (which kind of notice, in which
    language, sent when) without saying to whom."""

    async def work(uow: NotificationsUnitOfWork) -> list[str]:
        attendees = {p.address for p in await uow.participations.of_meeting(event.meeting_id)}
        await uow.participations.remove_meeting(event.meeting_id)
        for delivery in await uow.deliveries.of_meeting(event.meeting_id):
            delivery.purge()
            await uow.deliveries.save_purged(delivery)
        await uow.digests.forget_meeting(event.meeting_id)
        await uow.forget_published_events(event.meeting_id)
        forgotten = []
        for address in sorted(attendees):
            recipient = await uow.recipients.get(address)
            if (
                recipient is not None
                and recipient.known_only_from_registration
                and not await uow.participations.count_of(address)
            ):
                await uow.recipients.remove(address)
                forgotten.append(address)
        uow.audit(AuditAction.personal_data_erased, meeting_id=event.meeting_id)
        return forgotten

    return await uow.run(work)
