"""Event handlers, registered by payload class: thin, each runs inside the inbox
transaction with a unit of work joined to it and hands the event to a use case."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pesnet.notifications.domain.model import MissingData
from pesnet.notifications.service_layer import notices, purge, recipients
from pesnet.notifications.service_layer.notices import Mailing
from pesnet.notifications.service_layer.unit_of_work import NotificationsUnitOfWork
from pesnet.notifications.service_layer.webhook_subscriptions import fan_out
from pesnet.shared.catalog import EventPayload
from pesnet.shared.events.actionplan import CooperationProposed, ProgressReviewed, ReminderDue
from pesnet.shared.events.agenda import (
    ChairmanshipTransferred,
    MeetingScheduled,
    ReleaseNoticesPrepared,
    SessionChangeNoticesPrepared,
)
from pesnet.shared.events.registration import (
    ParticipantCheckedIn,
    ParticipantConfirmed,
    ParticipantEvent,
    ParticipantRegistered,
    ParticipantRejected,
    ParticipantUpdated,
    ParticipantWaitlisted,
    ParticipantWithdrawn,
    PersonalDataPurged,
)
from pesnet.shared.messaging import EventConsumer, Unprocessable


@contextmanager
def _dead_letter_without_template_data() -> Iterator[None]:
    """An event lacking what a template needs is dead-lettered with the reason, rather
    than sent as a mail with holes in it."""
    try:
        yield
    except MissingData as exc:
        raise Unprocessable(str(exc)) from exc


def register_handlers(consumer: EventConsumer, mailing: Mailing) -> None:
    @consumer.on(
        ParticipantRegistered,
        ParticipantUpdated,
        ParticipantConfirmed,
        ParticipantWaitlisted,
        ParticipantRejected,
        ParticipantWithdrawn,
        ParticipantCheckedIn,
        # one registration's events in order, different registrations side by side (the
        # meeting it reads is written by MeetingScheduled, which every event waits for)
        by_subject=True,
    )
    async def participant_changed(event: ParticipantEvent, uow: NotificationsUnitOfWork) -> None:
        with _dead_letter_without_template_data():
            await notices.participant_changed(event, uow, mailing)

    @consumer.on(ReleaseNoticesPrepared)
    async def programme_released(
        event: ReleaseNoticesPrepared, uow: NotificationsUnitOfWork
    ) -> None:
        with _dead_letter_without_template_data():
            await notices.programme_released(event, uow, mailing)

    @consumer.on(SessionChangeNoticesPrepared)
    async def session_changed(
        event: SessionChangeNoticesPrepared, uow: NotificationsUnitOfWork
    ) -> None:
        with _dead_letter_without_template_data():
            await notices.session_changed(event, uow, mailing)

    @consumer.on(ChairmanshipTransferred)
    async def chairmanship_transferred(
        event: ChairmanshipTransferred, uow: NotificationsUnitOfWork
    ) -> None:
        with _dead_letter_without_template_data():
            await notices.chairmanship_transferred(event, uow, mailing)

    @consumer.on(ReminderDue)
    async def reminder_due(event: ReminderDue, uow: NotificationsUnitOfWork) -> None:
        with _dead_letter_without_template_data():
            await notices.reminder_due(event, uow, mailing)

    @consumer.on(ProgressReviewed)
    async def progress_reviewed(event: ProgressReviewed, uow: NotificationsUnitOfWork) -> None:
        with _dead_letter_without_template_data():
            await notices.progress_reviewed(event, uow, mailing)

    @consumer.on(CooperationProposed)
    async def cooperation_proposed(
        event: CooperationProposed, uow: NotificationsUnitOfWork
    ) -> None:
        with _dead_letter_without_template_data():
            await notices.cooperation_proposed(event, uow, mailing)

    @consumer.on(MeetingScheduled)
    async def meeting_scheduled(event: MeetingScheduled, uow: NotificationsUnitOfWork) -> None:
        await recipients.meeting_scheduled(event, uow)

    @consumer.on(PersonalDataPurged)
    async def personal_data_purged(event: PersonalDataPurged, uow: NotificationsUnitOfWork) -> None:
        await purge.personal_data_purged(event, uow)


def register_webhook_handlers(consumer: EventConsumer) -> None:
    """The webhook consumer: every public event type, fanned out to deliveries."""
    public = [consumer.catalog.get(t).payload for t in consumer.catalog.public_types()]

    # each event on its own: it reads only the subscriptions
    @consumer.on(*public, by_subject=True)
    async def queue_deliveries(event: EventPayload, uow: NotificationsUnitOfWork) -> None:
        await fan_out(event, uow)
