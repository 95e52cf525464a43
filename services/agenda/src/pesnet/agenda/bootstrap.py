"""Wires the agenda service: runtime (database, broker, outbox, consumer), its
indexes and handlers, and the HTTP app."""

from __future__ import annotations

from fastapi import FastAPI

from pesnet.agenda.settings import Settings
from pesnet.shared.http import create_app
from pesnet.shared.runtime import ServiceRuntime


def build_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = ServiceRuntime(settings)
    return create_app(runtime, title="OIC-PESNET agenda", routers=[])
