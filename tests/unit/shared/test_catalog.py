from __future__ import annotations

import json

import pytest

from pesnet.shared.catalog import (
    EventCatalog,
    EventPayload,
    EventSpec,
    InvalidEvent,
    PublicPayload,
    UnknownEventType,
)
from pesnet.shared.events import CATALOG
from pesnet.shared.events.registration import ParticipantRegistered


class Ping(EventPayload):
    n: int


class NotInCatalog(EventPayload):
    n: int


catalog = EventCatalog([EventSpec("unit.ping.sent", Ping, "test")])


def test_envelope_is_a_cloudevent_with_correlation_and_schema() -> None:
    event = catalog.envelope(Ping(n=1), source="/pesnet/unit", subject="p-1")
    body = json.loads(event.to_json())
    assert body["specversion"] == "1.0"
    assert body["type"] == "unit.ping.sent"
    assert body["source"] == "/pesnet/unit"
    assert body["subject"] == "p-1"
    assert body["dataschema"] == "urn:pesnet:schema:unit.ping.sent:v1"
    assert body["datacontenttype"] == "application/json"
    # a new event starts its own correlation
    assert body["correlationid"] == body["id"]
    assert body["data"] == {"n": 1}


def test_follow_up_event_keeps_correlation_and_names_its_cause() -> None:
    first = catalog.envelope(Ping(n=1), source="/a")
    second = catalog.envelope(
        Ping(n=2), source="/b", correlation_id=first.correlationid, causation_id=first.id
    )
    assert second.correlationid == first.id
    assert second.causationid == first.id
    assert second.id != first.id


def test_publishing_a_payload_outside_the_catalog_is_an_error() -> None:
    with pytest.raises(UnknownEventType):
        catalog.envelope(NotInCatalog(n=1), source="/a")


def test_parse_round_trips_and_tolerates_unknown_fields() -> None:
    event = catalog.envelope(Ping(n=7), source="/a")
    raw = json.loads(event.to_json())
    raw["data"]["added_in_a_later_version"] = True
    parsed, payload = catalog.parse(json.dumps(raw).encode())
    assert parsed.id == event.id
    assert payload == Ping(n=7)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\xff not json", "envelope"),
        (b"[]", "envelope"),
        (b'{"specversion": "1.0", "id": "x"}', "source: Field required"),
    ],
)
def test_parse_names_what_is_wrong(body: bytes, message: str) -> None:
    with pytest.raises(InvalidEvent, match=message):
        catalog.parse(body)


def test_public_events_must_use_public_payloads() -> None:
    with pytest.raises(TypeError):
        EventSpec("unit.secret.leaked", Ping, "personal data", visibility="public")

    class Counts(PublicPayload):
        n: int

    with pytest.raises(TypeError):
        EventSpec("unit.counts.changed", Counts, "public model marked internal")


def test_platform_catalog_types_follow_the_naming_rule() -> None:
    services = {"registration", "agenda", "actionplan", "notifications", "identity"}
    for spec in CATALOG:
        service, _aggregate, _verb = spec.type.split(".")
        assert service in services, spec.type
        # each producer defines its events in its own catalog module
        assert spec.payload.__module__ == f"pesnet.shared.events.{service}", spec.type


# Public events whose `name` is an institution's, never a person's (reviewed).
INSTITUTION_NAMED = {"registration.institution.registered", "registration.institution.renamed"}


def test_personal_data_is_never_public() -> None:
    for spec in CATALOG:
        if spec.visibility == "public":
            fields = set(spec.payload.model_fields)
            if spec.type in INSTITUTION_NAMED:
                fields -= {"name"}
            assert not fields & {"email", "given_name", "family_name", "name", "reporter"}, (
                spec.type
            )
    registered = CATALOG.get("registration.participant.registered")
    assert registered.payload is ParticipantRegistered
    assert registered.visibility == "internal"
