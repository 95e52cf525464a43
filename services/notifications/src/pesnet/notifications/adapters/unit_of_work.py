"""The MongoDB unit of work of notifications: its repositories on one transaction."""

from __future__ import annotations

from datetime import timedelta

from pymongo.errors import PyMongoError

from pesnet.notifications.adapters.meetings import MongoMeetings
from pesnet.notifications.adapters.metrics import DeliveryMetrics
from pesnet.notifications.adapters.repository import (
    DEFAULT_RETENTION,
    MongoDeliveries,
    MongoDigests,
    MongoParticipations,
    MongoRecipients,
)
from pesnet.notifications.adapters.webhooks import MongoSubscriptions, MongoWebhookDeliveries
from pesnet.notifications.service_layer.unit_of_work import NotificationsUnitOfWork, Wakeups
from pesnet.shared.mongo import Client, Database, DbSession
from pesnet.shared.outbox import Outbox
from pesnet.shared.unit_of_work import MongoUnitOfWork


class MongoNotificationsUnitOfWork(MongoUnitOfWork, NotificationsUnitOfWork):
    store_errors = (PyMongoError,)

    def __init__(
        self,
        client: Client,
        db: Database,
        outbox: Outbox,
        *,
        mail_lease: timedelta,
        webhook_lease: timedelta,
        delivery_retention: timedelta = DEFAULT_RETENTION,
        wakeups: Wakeups | None = None,
        metrics: DeliveryMetrics | None = None,
    ) -> None:
        super().__init__(client, db, outbox)
        self.mail_lease = mail_lease
        self.webhook_lease = webhook_lease
        self.delivery_retention = delivery_retention
        self.wakeups = wakeups
        self.metrics = metrics
        self.bind(None)

    def bind(self, session: DbSession | None) -> None:
        self.recipients = MongoRecipients(self.db, session)
        self.participations = MongoParticipations(self.db, session)
        self.meetings = MongoMeetings(self.db, session)
        wakeups = self.wakeups
        self.deliveries = MongoDeliveries(
            self.db,
            session,
            self.mail_lease,
            self.delivery_retention,
            on_due=wakeups.mail.set if wakeups else None,
            handed=wakeups.handed if wakeups else None,
            on_outcome=self.metrics.mail if self.metrics else None,
        )
        self.digests = MongoDigests(self.db, session, self.mail_lease)
        self.subscriptions = MongoSubscriptions(self.db, session)
        self.webhook_deliveries = MongoWebhookDeliveries(
            self.db,
            session,
            self.webhook_lease,
            on_queued=wakeups.webhooks.set if wakeups else None,
            on_attempt=self.metrics.webhook if self.metrics else None,
        )
