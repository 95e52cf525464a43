"""Wires the registration service: runtime (database, broker, outbox, consumer), its
indexes and handlers, and the HTTP app."""

from __future__ import annotations

from fastapi import FastAPI

from pesnet.registration.adapters.repository import INDEXES
from pesnet.registration.entrypoints import http
from pesnet.registration.entrypoints.messaging import register_handlers
from pesnet.registration.service_layer.services import RegistrationService
from pesnet.registration.settings import Settings
from pesnet.shared.http import create_app
from pesnet.shared.runtime import ServiceRuntime


def build_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = ServiceRuntime(settings, indexes=INDEXES)
    service = RegistrationService(
        runtime.client,
        runtime.db,
        runtime.outbox,
        badge_secret=settings.badge_key(),
        public_url=settings.public_base_url(),
        default_quota=settings.default_delegation_quota,
    )
    register_handlers(runtime, service)
    routers = [http.router, http.public, http.secretariat]
    if settings.dev_mode:
        routers.append(http.dev)
    app = create_app(
        runtime,
        title="OIC-PESNET registration",
        description="Registrations, accreditation, quotas, badges and check-in of OIC-PESNET meetings.",
        routers=routers,
    )
    app.state.registration = service
    return app
