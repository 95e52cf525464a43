"""Wires the actionplan service: the runtime (database, broker, outbox, consumer) with
its unit of work, indexes and handlers, the reminder scheduler, and the HTTP app.
The only module that knows the concrete adapters."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from pesnet.actionplan.adapters.report import JinjaReportRenderer
from pesnet.actionplan.adapters.repository import INDEXES
from pesnet.actionplan.adapters.unit_of_work import MongoActionPlanUnitOfWork
from pesnet.actionplan.entrypoints import consultation, decisions, dev, http, messaging, pages
from pesnet.actionplan.entrypoints.dependencies import Dependencies
from pesnet.actionplan.service_layer.evidence_retention import EvidenceSweeper
from pesnet.actionplan.service_layer.focal_points import FocalPointTokens
from pesnet.actionplan.service_layer.reminders import ReminderScheduler
from pesnet.actionplan.settings import Settings
from pesnet.shared.delegation_links import DelegationLinks
from pesnet.shared.http import create_app
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.staff_sign_in import IdentitySignIn
from pesnet.shared.web import serve_static


def build_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = ServiceRuntime(settings, indexes=INDEXES)

    def unit_of_work() -> MongoActionPlanUnitOfWork:
        return MongoActionPlanUnitOfWork(runtime.client, runtime.db, runtime.outbox)

    runtime.use_unit_of_work(unit_of_work)
    runtime.consumer.subscribe(messaging.subscriptions())
    scheduler = ReminderScheduler(
        unit_of_work,
        interval_seconds=settings.reminder_interval_seconds,
        horizon_days=settings.reminder_horizon_days,
    )
    if settings.reminders_enabled:
        runtime.background.append(scheduler.run)
    sweeper = EvidenceSweeper(
        unit_of_work,
        retention_days=settings.evidence_retention_days,
        interval_seconds=settings.evidence_sweep_interval_seconds,
    )
    runtime.background.append(sweeper.run)
    routers: list[APIRouter] = [
        http.router,
        http.cooperation_router,
        consultation.router,
        pages.router,
        decisions.router,
    ]
    if settings.dev_mode:
        routers.append(dev.router)
    app = create_app(
        runtime,
        package="pesnet.actionplan",
        title="OIC-PESNET actionplan",
        description="Action plans, results framework, monitoring and evaluation, needs and cooperation.",
        routers=routers,
    )
    serve_static(app, "pesnet.actionplan", "/static/actionplan")  # the HTML report's stylesheet
    app.state.dependencies = Dependencies(
        unit_of_work=unit_of_work, renderer=JinjaReportRenderer(), scheduler=scheduler
    )
    app.state.token_store = FocalPointTokens(unit_of_work)
    app.state.pages = pages.PageSettings(
        secure_cookies=not settings.dev_mode,
        delegation_links=(
            DelegationLinks(keys) if (keys := settings.delegation_link_keys()) else None
        ),
    )
    app.state.staff_sign_in = IdentitySignIn(settings.identity_base_url())
    return app
