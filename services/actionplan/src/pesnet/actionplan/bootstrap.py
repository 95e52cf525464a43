"""Wires the actionplan service: runtime (database, broker, outbox, consumer), its
indexes, the reminder scheduler and the HTTP app."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from pesnet.actionplan.adapters.repository import INDEXES
from pesnet.actionplan.entrypoints import dev, http, messaging
from pesnet.actionplan.service_layer.reminders import ReminderScheduler
from pesnet.actionplan.service_layer.services import ActionPlanService
from pesnet.actionplan.settings import Settings
from pesnet.shared.http import create_app
from pesnet.shared.runtime import ServiceRuntime


def build_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = ServiceRuntime(settings, indexes=INDEXES)
    service = ActionPlanService(runtime)
    messaging.register(runtime, service.repo)
    scheduler = ReminderScheduler(
        service,
        interval_seconds=settings.reminder_interval_seconds,
        horizon_days=settings.reminder_horizon_days,
    )
    if settings.reminders_enabled:
        runtime.background.append(scheduler.run)
    routers: list[APIRouter] = [http.router, http.cooperation]
    if settings.dev_mode:
        routers.append(dev.router)
    app = create_app(
        runtime,
        title="OIC-PESNET actionplan",
        description="Action plans, results framework, monitoring and evaluation, needs and cooperation.",
        routers=routers,
    )
    app.state.service = service
    app.state.scheduler = scheduler
    return app
