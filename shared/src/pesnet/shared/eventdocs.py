"""The published event contract, built from the catalog in one place: a JSON Schema per
event type and the AsyncAPI 3 document.

`scripts/generate_schemas.py` writes the whole contract to docs/events/ (the schemas as
files, referenced from asyncapi.json); notifications serves the public part to partners
(`catalog_http.catalog_router`), with the schemas inside the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pesnet.shared.catalog import EventCatalog, EventSpec
from pesnet.shared.envelope import CloudEvent
from pesnet.shared.topology import EVENTS_EXCHANGE, PUBLIC_EXCHANGE


@dataclass(frozen=True)
class EventDocs:
    # event type → its JSON Schema (envelope with the payload as `data`)
    schemas: dict[str, dict[str, Any]]
    asyncapi: dict[str, Any]
    specs: tuple[EventSpec, ...]


def event_schema(spec: EventSpec) -> dict[str, Any]:
    envelope = CloudEvent.model_json_schema()
    data = spec.payload.model_json_schema(ref_template="#/$defs/{model}")
    defs = {**envelope.pop("$defs", {}), **data.pop("$defs", {})}
    envelope["properties"]["type"] = {"const": spec.type}
    envelope["properties"]["dataschema"] = {"const": spec.dataschema}
    envelope["properties"]["data"] = data
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": spec.dataschema,
        "title": spec.type,
        "description": spec.description,
        "x-visibility": spec.visibility,
        "x-version": spec.version,
        **envelope,
        **({"$defs": defs} if defs else {}),
    }


def build_event_docs(
    catalog: EventCatalog, *, public_only: bool = False, embed_schemas: bool = False
) -> EventDocs:
    """The schemas and the AsyncAPI document of the catalog (or of its public types).

    With `embed_schemas` the document carries each schema under components/schemas (each
    keeps its `$id`, so its internal `#/$defs/...` references resolve inside it); otherwise
    it refers to `schemas/<type>.v<version>.json` next to it."""
    specs = tuple(s for s in catalog if not public_only or s.visibility == "public")
    schemas = {spec.type: event_schema(spec) for spec in specs}
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    components: dict[str, Any] = {}
    for spec in specs:
        key = spec.type.replace(".", "_")
        if embed_schemas:
            components.setdefault("schemas", {})[key] = schemas[spec.type]
            payload_ref = f"#/components/schemas/{key}"
        else:
            payload_ref = f"schemas/{spec.type}.v{spec.version}.json"
        messages[key] = {
            "name": spec.type,
            "title": spec.type,
            "summary": spec.description,
            "contentType": "application/cloudevents+json",
            "payload": {"$ref": payload_ref},
            "x-visibility": spec.visibility,
        }
        exchanges = [EVENTS_EXCHANGE] + ([PUBLIC_EXCHANGE] if spec.visibility == "public" else [])
        channels[key] = {
            "address": spec.type,
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
            "bindings": {
                "amqp": {
                    "is": "routingKey",
                    "exchange": {"name": exchanges[-1], "type": "topic", "durable": True},
                }
            },
            "x-exchanges": exchanges,
        }
        operations[f"publish_{key}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{key}"},
            "summary": f"{spec.type.split('.')[0]} publishes it",
        }
    title = "OIC-PESNET public events" if public_only else "OIC-PESNET events"
    document = {
        "asyncapi": "3.0.0",
        "info": {
            "title": title,
            "version": "1.0.0",
            "description": "Integration events of the OIC-PESNET platform, CloudEvents 1.0 in "
            f"structured JSON mode. Partners subscribe on `{PUBLIC_EXCHANGE}` (public events only).",
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, **components},
    }
    return EventDocs(schemas=schemas, asyncapi=document, specs=specs)
