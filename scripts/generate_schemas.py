"""Generate the JSON Schemas and the AsyncAPI document from the event catalog.

`make schemas` writes docs/events/; a test fails when the committed files are
stale, so the published contract never drifts from the code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pesnet.shared.catalog import EventCatalog
from pesnet.shared.envelope import CloudEvent
from pesnet.shared.events import CATALOG
from pesnet.shared.topology import EVENTS_EXCHANGE, PUBLIC_EXCHANGE

OUT = Path(__file__).resolve().parent.parent / "docs" / "events"


def event_schema(catalog: EventCatalog, event_type: str) -> dict[str, Any]:
    spec = catalog.get(event_type)
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


def asyncapi(catalog: EventCatalog) -> dict[str, Any]:
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for spec in catalog:
        key = spec.type.replace(".", "_")
        messages[key] = {
            "name": spec.type,
            "title": spec.type,
            "summary": spec.description,
            "contentType": "application/cloudevents+json",
            "payload": {"$ref": f"schemas/{spec.type}.v{spec.version}.json"},
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
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "OIC-PESNET events",
            "version": "1.0.0",
            "description": "Integration events of the OIC-PESNET platform, CloudEvents 1.0 in "
            f"structured JSON mode. Partners subscribe on `{PUBLIC_EXCHANGE}` (public events only).",
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def render(catalog: EventCatalog = CATALOG) -> dict[Path, str]:
    files = {
        OUT / "schemas" / f"{spec.type}.v{spec.version}.json": json.dumps(
            event_schema(catalog, spec.type), indent=2, ensure_ascii=False, sort_keys=True
        )
        + "\n"
        for spec in catalog
    }
    files[OUT / "asyncapi.json"] = (
        json.dumps(asyncapi(catalog), indent=2, ensure_ascii=False) + "\n"
    )
    return files


def main() -> int:
    files = render()
    if "--check" in sys.argv:
        stale = [str(p) for p, text in files.items() if not p.exists() or p.read_text() != text]
        extra = {p for p in (OUT / "schemas").glob("*.json")} - set(files)
        if stale or extra:
            print("docs/events is stale; run `make schemas`:", *stale, *map(str, extra), sep="\n  ")
            return 1
        return 0
    (OUT / "schemas").mkdir(parents=True, exist_ok=True)
    for old in (OUT / "schemas").glob("*.json"):
        if old not in files:
            old.unlink()
    for path, text in files.items():
        path.write_text(text)
    print(f"wrote {len(files)} files under {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
