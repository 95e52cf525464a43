"""Wires the registration service: runtime (database, broker, outbox, consumer), its
unit of work, indexes and handlers, and the HTTP app. The only module that knows
the concrete adapters."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from pesnet.registration.adapters.backfill import fill_in_old_registrations
from pesnet.registration.adapters.badge_sheet import BadgeRenderer
from pesnet.registration.adapters.certificate import PillowCertificateRenderer
from pesnet.registration.adapters.collections import INDEXES
from pesnet.registration.adapters.unit_of_work import MongoRegistrationUnitOfWork
from pesnet.registration.domain.badges import BadgeKey
from pesnet.registration.domain.certificates import CertificateKey
from pesnet.registration.entrypoints import (
    attendance,
    certificates,
    http,
    messaging,
    pages,
    participants,
)
from pesnet.registration.entrypoints.dependencies import Consultation, Dependencies
from pesnet.registration.service_layer.focal_points import RegistrationTokens
from pesnet.registration.settings import Settings
from pesnet.shared.delegation_links import DelegationLinks
from pesnet.shared.forms import HtmlFirst
from pesnet.shared.http import create_app
from pesnet.shared.manage_links import ManageLinks
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.staff_sign_in import IdentitySignIn


def consultation(settings: Settings) -> Consultation | None:
    keys, page = settings.delegation_link_keys(), settings.consultation_page()
    if not (keys and page):
        return None
    lifetime = timedelta(days=settings.delegation_link_days)
    return Consultation(DelegationLinks(keys, lifetime=lifetime), page)


def build_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = ServiceRuntime(settings, indexes=INDEXES)

    def unit_of_work() -> MongoRegistrationUnitOfWork:
        return MongoRegistrationUnitOfWork(runtime.client, runtime.db, runtime.outbox)

    runtime.use_unit_of_work(unit_of_work)

    async def fill_in_old_registrations_once() -> None:
        # registrations stored before short codes and name keys existed (idempotent)
        await fill_in_old_registrations(runtime.db)

    runtime.on_start.append(fill_in_old_registrations_once)
    deps = Dependencies(
        unit_of_work=unit_of_work,
        badges=BadgeKey(settings.badge_key()),
        manage_links=ManageLinks(settings.manage_link_keys()),
        renderer=BadgeRenderer(),
        public_url=settings.public_base_url(),
        default_quota=settings.default_delegation_quota,
        certificates=CertificateKey(settings.badge_key()),
        certificate_renderer=PillowCertificateRenderer(),
        consultation=consultation(settings),
    )
    runtime.consumer.subscribe(messaging.subscriptions(deps.default_quota))
    routers = [
        pages.router,
        http.router,
        participants.router,
        http.public,
        http.secretariat,
        certificates.router,
        attendance.router,
    ]
    if settings.dev_mode:
        routers.append(http.dev)
    app = create_app(
        runtime,
        package="pesnet.registration",
        title="OIC-PESNET registration",
        description="Registrations, accreditation, quotas, badges and check-in of OIC-PESNET meetings.",
        routers=routers,
    )
    app.state.dependencies = deps
    app.state.staff_sign_in = IdentitySignIn(settings.identity_base_url())
    app.state.token_store = RegistrationTokens(unit_of_work, deps.manage_links)
    # pages: the form, the manage page (the manage link opens it in a browser), the
    # desk and the console, and their script
    app.state.pages = pages.PageSettings(
        agenda_url=settings.agenda_base_url(),
        secure_cookies=not settings.dev_mode,
    )
    static = resources.files("pesnet.registration").joinpath("static")
    app.mount(pages.ASSETS, StaticFiles(directory=str(static)), name="registration-assets")
    app.add_middleware(HtmlFirst, paths=[r"/registrations/[A-Za-z0-9_-]{1,64}"], suffix="/manage")
    return app
