"""One consumer edge: every service says what it consumes in one table (payload class →
use case) built the same way, of catalogued payload classes, each class once; the
participant event types are listed once, in the catalog."""

from __future__ import annotations

import inspect
from datetime import timedelta
from importlib import import_module

import pytest

from pesnet.notifications.domain.model import Links
from pesnet.notifications.service_layer.notices import Mailing
from pesnet.shared.catalog import EventPayload
from pesnet.shared.events import CATALOG
from pesnet.shared.events.registration import PARTICIPANT_EVENTS, ParticipantEvent
from pesnet.shared.messaging import Subscriptions

SERVICES = ("registration", "agenda", "actionplan", "notifications", "identity")
# what each table is given by its bootstrap
TABLE_ARGUMENTS: dict[str, tuple[object, ...]] = {
    "registration": (3,),
    "notifications": (Mailing(Links((b"key",), "http://x"), timedelta(0)),),
}


def table_of(service: str) -> Subscriptions:
    module = import_module(f"pesnet.{service}.entrypoints.messaging")
    table = module.subscriptions(*TABLE_ARGUMENTS.get(service, ()))
    assert isinstance(table, Subscriptions)
    return table


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_declares_its_subscriptions_in_one_table_of_catalogued_payloads(
    service: str,
) -> None:
    table = table_of(service)
    payloads = table.payloads
    assert len(payloads) == len(set(payloads)), "a payload class in two rows"
    for payload in payloads:
        CATALOG.type_of(payload)  # raises for a class outside the catalog
    for row in table.rows:
        assert inspect.iscoroutinefunction(getattr(row.use_case, "func", row.use_case))


def test_what_each_service_consumes() -> None:
    consumed = {s: {CATALOG.type_of(p) for p in table_of(s).payloads} for s in SERVICES}
    participant_types = {CATALOG.type_of(p) for p in PARTICIPANT_EVENTS}
    assert consumed["registration"] == {"agenda.meeting.scheduled", "agenda.meeting.join_link_set"}
    institutions = {"registration.institution.registered", "registration.institution.renamed"}
    assert consumed["agenda"] == participant_types | institutions | {
        "registration.personal_data.purged"
    }
    assert "registration.institution.renamed" in consumed["actionplan"]
    assert participant_types <= consumed["notifications"]
    assert consumed["identity"] == set()


def test_the_participant_event_types_are_every_participant_event_of_the_catalog() -> None:
    catalogued = [spec.payload for spec in CATALOG if issubclass(spec.payload, ParticipantEvent)]
    assert sorted(p.__name__ for p in PARTICIPANT_EVENTS) == sorted(p.__name__ for p in catalogued)
    assert all(issubclass(p, EventPayload) for p in PARTICIPANT_EVENTS)


def test_the_webhook_table_takes_every_public_event_type_and_nothing_else() -> None:
    from pesnet.notifications.entrypoints.messaging import webhook_subscriptions

    table = webhook_subscriptions(CATALOG)
    assert {CATALOG.type_of(p) for p in table.payloads} == set(CATALOG.public_types())
