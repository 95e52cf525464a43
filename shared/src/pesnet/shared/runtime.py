"""The pieces every service runs, wired once: MongoDB client and indexes, the
broker and its topology, the outbox and its relay, the inbox-backed consumer,
and any background loops of the service. A service's `bootstrap` builds one of
these and registers its handlers and indexes on it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC
from typing import Any

from faststream import AckPolicy
from faststream.rabbit import Channel

from pesnet.shared.account_names import AccountNames, account_names_subscriptions
from pesnet.shared.account_status import DisabledAccounts, account_status_subscriptions
from pesnet.shared.audit import AUDIT_INDEXES
from pesnet.shared.audit_chain import AuditChain
from pesnet.shared.catalog import EventCatalog
from pesnet.shared.envelope import utcnow
from pesnet.shared.events import CATALOG
from pesnet.shared.failover import make_broker
from pesnet.shared.inbox import INBOX_INDEXES, Inbox
from pesnet.shared.intake import guarded, undecoded
from pesnet.shared.logging import get_logger
from pesnet.shared.messaging import EventConsumer, EventPublisher, UnitOfWorkFactory
from pesnet.shared.metrics import Metrics
from pesnet.shared.mongo import (
    Client,
    Database,
    IndexSpec,
    SharedCollections,
    ensure_indexes,
    make_client,
)
from pesnet.shared.outbox import OUTBOX, OUTBOX_INDEXES, Outbox, OutboxRelay
from pesnet.shared.settings import ServiceSettings
from pesnet.shared.topology import consumer_queue, declare_consumer, declare_core
from pesnet.shared.tracing import configure_tracing

log = get_logger(__name__)

BackgroundLoop = Callable[[], Awaitable[None]]


class ServiceRuntime:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        catalog: EventCatalog = CATALOG,
        indexes: Iterable[IndexSpec] = (),
        queue_name: str | None = None,
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self.indexes = [*OUTBOX_INDEXES, *INBOX_INDEXES, *AUDIT_INDEXES, *indexes]
        self.client: Client = make_client(settings.mongo_url())
        self.db: Database = SharedCollections(self.client, settings.database)
        # what operators watch (`GET /metrics`) and the traces' exporters (`OTEL_*`)
        self.metrics = Metrics(settings.service_name)
        self.metrics.refreshers.append(self._measure_outbox)
        configure_tracing(settings.service_name)
        # The prefetch bounds the unacknowledged messages per consumer, which is also how
        # many handlers may run at once (each delivery is handled in its own task; the
        # consumer's lanes and barriers decide which wait).
        # one broker node, or several (`failover`: RABBITMQ_URL may list a cluster's nodes)
        self.broker = make_broker(
            settings.amqp_url(),
            graceful_timeout=10.0,
            logger=None,
            default_channel=Channel(prefetch_count=settings.prefetch),
        )
        self.outbox = Outbox(self.db, catalog, source=f"/pesnet/{settings.service_name}")
        self.publisher = EventPublisher(self.broker, self.metrics)
        self.relay = OutboxRelay(
            self.db,
            self.publisher.publish_outbox_entry,
            poll_seconds=settings.outbox_poll_seconds,
            lease_seconds=settings.outbox_lease_seconds,
            outbox=self.outbox,
        )
        self.outbox.listeners.append(self.relay.wake)
        self.inbox = Inbox(self.db)
        self.unit_of_work: UnitOfWorkFactory | None = None
        self.consumer = self._new_consumer(queue_name or settings.queue)
        self.consumers = [self.consumer]
        # accounts identity disabled: their access tokens are refused here too
        self.disabled_accounts = DisabledAccounts(self.db)
        account_status = account_status_subscriptions(catalog, self.disabled_accounts)
        if account_status is not None:
            self.consumer.subscribe(account_status)
        # the names accounts are shown by (the audit pages' "who")
        self.account_names = AccountNames(self.db)
        account_names = account_names_subscriptions(catalog, self.account_names)
        if account_names is not None:
            self.consumer.subscribe(account_names)
        self.background: list[BackgroundLoop] = [self.relay.run]
        self.on_start: list[Callable[[], Awaitable[None]]] = []
        self._tasks: list[asyncio.Task[Any]] = []
        self.started = False

    def _new_consumer(self, name: str) -> EventConsumer:
        return EventConsumer(
            name,
            self.catalog,
            self.client,
            self.inbox,
            self.broker,
            delivery_limit=self.settings.delivery_limit,
            unit_of_work=self.unit_of_work,
            metrics=self.metrics,
        )

    def add_consumer(self, purpose: str) -> EventConsumer:
        """A second queue for the same service, `<queue>.<purpose>`, for a concern that
        consumes event types the main consumer handles too (e.g. partner webhooks)."""
        consumer = self._new_consumer(f"{self.consumer.name}.{purpose}")
        self.consumers.append(consumer)
        return consumer

    def use_unit_of_work(self, factory: UnitOfWorkFactory) -> None:
        """The service's unit of work: the use cases of its subscription table get one
        joined to the inbox transaction."""
        self.unit_of_work = factory
        for consumer in self.consumers:
            consumer.unit_of_work = factory

    def add_indexes(self, specs: Iterable[IndexSpec]) -> None:
        self.indexes.extend(specs)

    async def start(self) -> None:
        await ensure_indexes(self.db, self.indexes)
        await AuditChain(self.db).ensure()
        await self.broker.connect()
        await declare_core(
            self.broker,
            self.catalog.public_types(),
            unrouted_ttl_seconds=self.settings.unrouted_ttl_seconds,
            unrouted_max_length=self.settings.unrouted_max_length,
        )
        for consumer in self.consumers:
            if not consumer.handlers:
                continue
            # a channel of its own: its delivery tags count this queue's deliveries only,
            # which is how the consumer knows their order (`EventConsumer.on_message`)
            channel = Channel(prefetch_count=self.settings.prefetch)
            await declare_consumer(self.broker, consumer.name, consumer.event_types, channel)
            # raw bytes in: a body FastStream cannot decode must reach our dead-lettering
            subscriber = self.broker.subscriber(
                consumer_queue(consumer.name),
                ack_policy=AckPolicy.MANUAL,
                decoder=undecoded,
                channel=channel,
            )
            subscriber(guarded(consumer, max_bytes=self.settings.max_message_bytes))
        await self.broker.start()
        for hook in self.on_start:
            await hook()
        self._tasks = [asyncio.create_task(self._guard(loop)) for loop in self.background]
        self.started = True
        log.info(
            "service started",
            database=self.settings.database,
            queues={c.name: c.event_types for c in self.consumers if c.handlers},
        )

    async def _guard(self, loop: BackgroundLoop) -> None:
        """Keep a background loop alive: log and restart it if it ever crashes."""
        while True:
            try:
                await loop()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception(
                    "background loop crashed; restarting",
                    loop=getattr(loop, "__qualname__", str(loop)),
                )
                await asyncio.sleep(1.0)

    async def stop(self) -> None:
        """Stop consuming first (in-flight handlers finish), then the loops, then the
        connections. Bounded: a dead database or broker must not hang a shutdown."""
        self.started = False
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.broker.stop(), timeout=15)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError, Exception):
                await asyncio.wait_for(task, timeout=5)
        self._tasks = []
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.client.close(), timeout=5)

    async def _measure_outbox(self) -> None:
        """The outbox's backlog and the age of its oldest unpublished entry, read when
        `/metrics` is scraped (the pending index answers both)."""
        outbox = self.db[OUTBOX]
        pending = {"published_at": None}
        backlog = await outbox.count_documents(pending)
        oldest = await outbox.find_one(pending, {"created_at": 1}, sort=[("order", 1)])
        self.metrics.outbox_backlog.set(backlog)
        created = oldest.get("created_at") if oldest else None
        age = (utcnow() - created.replace(tzinfo=UTC)).total_seconds() if created else 0.0
        self.metrics.outbox_oldest_age.set(max(age, 0.0))

    async def health(self) -> dict[str, bool]:
        broker_ok = self.started and await self.broker.ping(timeout=2.0)
        try:
            await asyncio.wait_for(self.db.command("ping"), timeout=2.0)
            db_ok = True
        except Exception:
            db_ok = False
        return {"broker": bool(broker_ok), "database": db_ok}
