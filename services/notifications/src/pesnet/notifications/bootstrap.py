"""Wires the notifications service: runtime (database, broker, outbox, consumer), its
indexes and handlers, the delivery worker, partner webhooks, and the HTTP app."""

from __future__ import annotations

from fastapi import FastAPI

from pesnet.notifications.adapters.repository import INDEXES, Repository
from pesnet.notifications.adapters.smtp import SmtpSender
from pesnet.notifications.entrypoints.http import dev_router, router
from pesnet.notifications.entrypoints.messaging import register_handlers
from pesnet.notifications.service_layer.delivery import DeliveryWorker
from pesnet.notifications.service_layer.notify import Notifier
from pesnet.notifications.settings import Settings
from pesnet.notifications.webhooks import install_webhooks
from pesnet.shared.catalog_http import catalog_router
from pesnet.shared.http import create_app
from pesnet.shared.runtime import ServiceRuntime


def build_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = ServiceRuntime(settings, indexes=INDEXES)
    repo = Repository(runtime.db)
    notifier = Notifier(repo, settings)
    register_handlers(runtime.consumer, notifier)
    worker = DeliveryWorker(
        runtime.client,
        repo,
        runtime.outbox,
        SmtpSender(settings),
        settings,
        notifier.preferences_url,
    )
    runtime.background.extend(worker.run for _ in range(settings.worker_concurrency))
    # partner webhooks (WEBHOOKS.md): their own consumer queue, collections and worker
    routers = [router(), install_webhooks(runtime)]
    routers.append(catalog_router())  # the public event catalog and AsyncAPI, for partners
    if settings.dev_mode:
        routers.append(dev_router())
    app = create_app(runtime, title="OIC-PESNET notifications", routers=routers)
    app.state.repository = repo
    app.state.worker = worker
    return app
