"""Wires the agenda service: runtime (database, broker, outbox, consumer), its
indexes and handlers, and the HTTP app."""

from __future__ import annotations

from fastapi import FastAPI

from pesnet.agenda.adapters.repository import INDEXES, AgendaRepository
from pesnet.agenda.entrypoints import dev, http, messaging
from pesnet.agenda.service_layer.agenda import Agenda
from pesnet.agenda.settings import Settings
from pesnet.shared.http import create_app
from pesnet.shared.runtime import ServiceRuntime

DESCRIPTION = """Meetings of the OIC-PESNET, their trilingual programme (a draft the
secretariat edits, published as immutable versions with a changelog), and the
network's chairmanship. See services/agenda/README.md."""


def build_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = ServiceRuntime(settings, indexes=INDEXES)
    agenda = Agenda(runtime.client, AgendaRepository(runtime.db), runtime.outbox)
    messaging.register_handlers(runtime, agenda)
    routers = [http.router]
    if settings.dev_mode:
        routers.append(dev.router)
    app = create_app(runtime, title="OIC-PESNET agenda", description=DESCRIPTION, routers=routers)
    app.state.agenda = agenda
    return app
