"""The platform's event catalog: one module per producing service, gathered here.

Each module defines its payload models and an `EVENTS` tuple of specs. Adding an
event means adding a model and a spec in the producer's module; `make schemas`
regenerates the JSON Schemas and the AsyncAPI document from this catalog.
"""

from __future__ import annotations

from pesnet.shared.catalog import EventCatalog
from pesnet.shared.events import actionplan, agenda, identity, notifications, registration


def build_catalog() -> EventCatalog:
    return EventCatalog(
        [
            *registration.EVENTS,
            *agenda.EVENTS,
            *actionplan.EVENTS,
            *notifications.EVENTS,
            *identity.EVENTS,
        ]
    )


CATALOG = build_catalog()
