"""Wires the notifications service: the runtime (database, broker, outbox, consumers),
its unit of work, indexes and handlers, the mail and webhook workers, and the HTTP app.
The only module that knows the concrete adapters."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from fastapi import APIRouter, FastAPI

from pesnet.notifications.adapters.maildir import read_mailbox
from pesnet.notifications.adapters.metrics import DeliveryMetrics
from pesnet.notifications.adapters.repository import INDEXES
from pesnet.notifications.adapters.sealing import SecretSealer
from pesnet.notifications.adapters.smtp import SmtpSender
from pesnet.notifications.adapters.unit_of_work import MongoNotificationsUnitOfWork
from pesnet.notifications.adapters.webhooks import WEBHOOK_INDEXES, WebhookSender, resolve_host
from pesnet.notifications.domain.model import Links
from pesnet.notifications.entrypoints import messaging, pages, webhooks
from pesnet.notifications.entrypoints.dependencies import Dependencies
from pesnet.notifications.entrypoints.http import dev_router, router
from pesnet.notifications.service_layer.delivery import DeliveryPolicy, run_worker
from pesnet.notifications.service_layer.notices import Mailing
from pesnet.notifications.service_layer.unit_of_work import NotificationsUnitOfWork, Wakeups
from pesnet.notifications.service_layer.webhook_subscriptions import Resolve, WebhookRules
from pesnet.notifications.service_layer.webhook_worker import WebhookPolicy, WebhookWorker
from pesnet.notifications.settings import Settings
from pesnet.notifications.webhook_settings import WebhookSettings
from pesnet.shared.catalog_http import catalog_router
from pesnet.shared.forms import HtmlFirst
from pesnet.shared.group_commit import GroupCommit
from pesnet.shared.http import create_app
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.settings import ServiceSettings

UnitOfWorkFactory = Callable[[], NotificationsUnitOfWork]
WEBHOOKS_CONSUMER = "webhooks"


def unit_of_work_factory(
    runtime: ServiceRuntime,
    mail_lease: timedelta = timedelta(seconds=60),
    webhook_settings: WebhookSettings | None = None,
    delivery_retention: timedelta = timedelta(days=30),
    wakeups: Wakeups | None = None,
) -> Callable[[], MongoNotificationsUnitOfWork]:
    webhook_lease = timedelta(seconds=(webhook_settings or WebhookSettings()).lease_seconds)
    metrics = DeliveryMetrics(runtime.metrics)

    def factory() -> MongoNotificationsUnitOfWork:
        return MongoNotificationsUnitOfWork(
            runtime.client,
            runtime.db,
            runtime.outbox,
            mail_lease=mail_lease,
            webhook_lease=webhook_lease,
            delivery_retention=delivery_retention,
            wakeups=wakeups,
            metrics=metrics,
        )

    return factory


def build_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    webhook_settings = WebhookSettings()
    # first: without its keys outside dev mode, the service refuses to start
    sealer = SecretSealer(webhook_settings.sealing_keys(dev_mode=settings.dev_mode))
    runtime = ServiceRuntime(settings, indexes=INDEXES)
    wakeups = Wakeups()
    uow = unit_of_work_factory(
        runtime,
        timedelta(seconds=settings.worker_lease_seconds),
        webhook_settings,
        timedelta(days=settings.delivery_retention_days),
        wakeups,
    )
    runtime.use_unit_of_work(uow)

    links = Links(
        (settings.link_key(),), settings.public_url, manage_keys=settings.manage_link_keys()
    )
    window = timedelta(seconds=settings.digest_window_seconds)
    mailing = Mailing(links, window)
    runtime.consumer.subscribe(messaging.subscriptions(mailing))
    policy = DeliveryPolicy(
        max_attempts=settings.max_attempts,
        retry_base=timedelta(seconds=settings.retry_base_seconds),
        retry_max=timedelta(seconds=settings.retry_max_seconds),
        digest_window=window,
        poll_seconds=settings.worker_poll_seconds,
        concurrency=settings.worker_concurrency,
    )
    sender = SmtpSender(settings)

    # the outcomes of the mails sent at the same time commit in one transaction
    sends = GroupCommit(runtime.client)

    def sending() -> NotificationsUnitOfWork:
        return uow().committing_with(sends)

    async def mail_worker() -> None:
        try:
            await run_worker(sending, sender, policy, links, wakeups.mail, wakeups.handed)
        finally:
            await sender.close()

    runtime.background.append(mail_worker)

    # partner webhooks (WEBHOOKS.md): their own consumer queue, collections and worker
    routers = [
        pages.router,
        router(),
        install_webhooks(runtime, webhook_settings, sealer, uow, wakeups.webhooks),
    ]
    routers.append(catalog_router())  # the public event catalog and AsyncAPI, for partners
    if settings.dev_mode:
        routers.append(dev_router())
    app = create_app(
        runtime, package="pesnet.notifications", title="OIC-PESNET notifications", routers=routers
    )
    app.state.dependencies = Dependencies(
        uow=uow,
        mailing=mailing,
        dev_mode=settings.dev_mode,
        dev_mailbox=settings.dev_mailbox,
        read_mailbox=read_mailbox,
        sealer=sealer,
        webhook_rules=webhook_rules(runtime, webhook_settings),
    )
    # the preferences link of a mail opens the preferences page in a browser
    app.add_middleware(HtmlFirst, paths=[r"/preferences"], suffix="/page")
    return app


def allow_loopback(runtime: ServiceRuntime, settings: WebhookSettings) -> bool:
    """PESNET_WEBHOOK_ALLOW_LOOPBACK counts in test mode only."""
    return settings.allow_loopback and runtime.settings.env == "test"


def webhook_rules(
    runtime: ServiceRuntime, settings: WebhookSettings, resolve: Resolve = resolve_host
) -> WebhookRules:
    return WebhookRules(
        public_types=runtime.catalog.public_types(),
        all_types=[spec.type for spec in runtime.catalog],
        rotation_grace=timedelta(seconds=settings.rotation_grace_seconds),
        allow_loopback=allow_loopback(runtime, settings),
        resolve=resolve,
    )


def install_webhooks(
    runtime: ServiceRuntime,
    settings: WebhookSettings,
    sealer: SecretSealer,
    uow: UnitOfWorkFactory,
    wake: asyncio.Event | None = None,
) -> APIRouter:
    """Partner webhooks on `runtime` (whose unit of work is set), and their router:

    - a consumer queue of its own, `<queue>.webhooks`, handling every public event type
      (so the service's main consumer may handle the same types for its own purposes);
    - its collections' indexes;
    - the webhook worker, a background loop of the runtime.
    """
    webhooks_consumer = runtime.add_consumer(WEBHOOKS_CONSUMER)
    webhooks_consumer.subscribe(messaging.webhook_subscriptions(runtime.catalog))
    runtime.add_indexes(WEBHOOK_INDEXES)
    policy = WebhookPolicy(
        retry=settings.retry_policy(),
        disable_after_failures=settings.disable_after_failures,
        concurrency=settings.concurrency,
        poll_seconds=settings.poll_seconds,
    )
    loopback = allow_loopback(runtime, settings)
    worker = WebhookWorker(
        uow,
        lambda: WebhookSender(settings.timeout_seconds, allow_loopback=loopback),
        sealer,
        policy,
        wake,
    )
    runtime.background.append(worker.run)
    return webhooks.router


def build_webhooks_app(
    settings: ServiceSettings, webhook_settings: WebhookSettings, resolve: Resolve = resolve_host
) -> FastAPI:
    """Only the partner webhooks of the service (their integration tests; `resolve`: the
    names their subscriptions may use, on a machine without DNS)."""
    sealer = SecretSealer(webhook_settings.sealing_keys(dev_mode=settings.dev_mode))
    runtime = ServiceRuntime(settings)
    wakeups = Wakeups()
    uow = unit_of_work_factory(runtime, webhook_settings=webhook_settings, wakeups=wakeups)
    runtime.use_unit_of_work(uow)
    router = install_webhooks(runtime, webhook_settings, sealer, uow, wakeups.webhooks)
    app = create_app(
        runtime,
        package="pesnet.notifications",
        title="notifications (partner webhooks)",
        routers=[router],
    )
    app.state.dependencies = Dependencies(
        uow=uow,
        mailing=Mailing(Links((b"unused",), ""), timedelta(0)),
        dev_mode=settings.dev_mode,
        dev_mailbox=None,
        read_mailbox=read_mailbox,
        sealer=sealer,
        webhook_rules=webhook_rules(runtime, webhook_settings, resolve),
    )
    return app
