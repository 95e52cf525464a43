"""What notifications consumes, payload class → use case: every event a person must
hear about (each use case records the mail it writes), the meetings and purges that
keep its projection of recipients, and, on a queue of their own, every public event
for the partners' webhooks."""

from __future__ import annotations

from functools import partial

from pesnet.notifications.domain.model import MissingData
from pesnet.notifications.service_layer import notices, purge, recipients
from pesnet.notifications.service_layer.notices import Mailing
from pesnet.notifications.service_layer.webhook_subscriptions import fan_out, subscribed
from pesnet.shared.catalog import EventCatalog
from pesnet.shared.events.actionplan import CooperationProposed, ProgressReviewed, ReminderDue
from pesnet.shared.events.agenda import (
    ChairmanshipTransferred,
    MeetingJoinLinkSet,
    MeetingRescheduled,
    MeetingScheduled,
    ReleaseNoticesPrepared,
    SessionChangeNoticesPrepared,
)
from pesnet.shared.events.registration import (
    PARTICIPANT_EVENTS,
    AnnouncementMade,
    PersonalDataPurged,
)
from pesnet.shared.messaging import Subscriptions, on


def subscriptions(mailing: Mailing) -> Subscriptions:
    """`mailing`: what writing a mail needs besides the event (links, digest window)."""

    return Subscriptions(
        # one registration's events in order, different registrations side by side (the
        # meeting it reads is written by MeetingScheduled, which every event waits for)
        on(
            PARTICIPANT_EVENTS,
            partial(notices.participant_changed, mailing=mailing),
            by_subject=True,
        ),
        on(ReleaseNoticesPrepared, partial(notices.programme_released, mailing=mailing)),
        on(SessionChangeNoticesPrepared, partial(notices.session_changed, mailing=mailing)),
        on(ChairmanshipTransferred, partial(notices.chairmanship_transferred, mailing=mailing)),
        on(MeetingRescheduled, partial(notices.meeting_rescheduled, mailing=mailing)),
        on(ReminderDue, partial(notices.reminder_due, mailing=mailing)),
        on(AnnouncementMade, partial(notices.announcement_made, mailing=mailing)),
        on(ProgressReviewed, partial(notices.progress_reviewed, mailing=mailing)),
        on(CooperationProposed, partial(notices.cooperation_proposed, mailing=mailing)),
        on(MeetingScheduled, recipients.meeting_scheduled),
        on(MeetingJoinLinkSet, recipients.join_link_set),
        on(PersonalDataPurged, purge.personal_data_purged),
        # an event lacking what a template needs is dead-lettered with the reason,
        # rather than sent as a mail with holes in it
        unprocessable=(MissingData,),
    )


def webhook_subscriptions(catalog: EventCatalog) -> Subscriptions:
    """The webhook consumer's table: every public event type, fanned out to the
    deliveries of the partners subscribed to it (each event on its own: it reads only
    the subscriptions)."""
    public = tuple(catalog.get(t).payload for t in catalog.public_types())
    return Subscriptions(on(public, fan_out, by_subject=True, wanted=subscribed))
