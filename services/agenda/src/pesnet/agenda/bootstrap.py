"""Wires the agenda service: runtime (database, broker, outbox, consumer), its unit of
work, indexes and handlers, and the HTTP app. The only module that knows adapters."""

from __future__ import annotations

from fastapi import FastAPI

from pesnet.agenda.adapters.pdf import PillowDocuments
from pesnet.agenda.adapters.render import ProgrammeRenderer
from pesnet.agenda.adapters.repository import INDEXES
from pesnet.agenda.adapters.unit_of_work import MongoAgendaUnitOfWork
from pesnet.agenda.entrypoints import (
    communique,
    communique_pages,
    dev,
    http,
    messaging,
    pages,
    programme_pages,
)
from pesnet.agenda.entrypoints.dependencies import AgendaDependencies
from pesnet.agenda.settings import Settings
from pesnet.shared.http import create_app
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.staff_pages import audit_pages
from pesnet.shared.staff_sign_in import IdentitySignIn
from pesnet.shared.web import serve_static

DESCRIPTION = """Meetings of the OIC-PESNET, their trilingual programme (a draft the
secretariat edits, published as immutable versions with a changelog), and the
network's chairmanship. See services/agenda/README.md."""


def build_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = ServiceRuntime(settings, indexes=INDEXES)

    def unit_of_work() -> MongoAgendaUnitOfWork:
        return MongoAgendaUnitOfWork(runtime.client, runtime.db, runtime.outbox)

    runtime.use_unit_of_work(unit_of_work)
    runtime.consumer.subscribe(messaging.subscriptions())
    routers = [
        http.router,
        pages.router,
        programme_pages.router,
        audit_pages(pages.staff, pages.audit_names),
        pages.sign_in.router,
        communique.router,
        communique_pages.router,
    ]
    if settings.dev_mode:
        routers.append(dev.router)
    app = create_app(
        runtime,
        package="pesnet.agenda",
        title="OIC-PESNET agenda",
        description=DESCRIPTION,
        routers=routers,
    )
    serve_static(app, "pesnet.agenda", "/static/agenda")  # the HTML programme's stylesheet
    app.state.staff_sign_in = IdentitySignIn(settings.identity_base_url())
    app.state.agenda = AgendaDependencies(
        unit_of_work=unit_of_work, renderer=ProgrammeRenderer(), documents=PillowDocuments()
    )
    return app
