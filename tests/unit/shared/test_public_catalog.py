"""The public catalog partners see: served by notifications, built from the same code as
docs/events, and without a personal field in any public schema."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from pesnet.shared.catalog_http import catalog_router
from pesnet.shared.eventdocs import build_event_docs
from pesnet.shared.events import CATALOG

# Field names that carry a person's data or a credential. Substrings are not enough
# (`meeting_id` is fine), so a name matches exactly or ends with `_<name>` / `_<name>s`.
PERSONAL = (
    "email",
    "given_name",
    "family_name",
    "name",
    "phone",
    "name_latin",
    "manage_token",
    "badge_token",
    "token",
    "registration_id",
    "participant_id",
    "password",
    "address",
    "birth_date",
    "passport",
)

# Fields whose name matches but which name an institution, never a person: each is
# a reviewed exception, with the reason.
NOT_PERSONAL = {
    ("agenda.chairmanship.transferred", "data.incoming.name"): "an institution",
    ("agenda.chairmanship.transferred", "data.outgoing.name"): "an institution",
    ("registration.institution.registered", "data.name"): "an institution of the reference",
    ("registration.institution.renamed", "data.name"): "an institution of the reference",
}


def _personal(field: str) -> bool:
    return any(
        field == word or field.endswith((f"_{word}", f"_{word}s")) or field == f"{word}s"
        for word in PERSONAL
    )


def field_paths(schema: dict[str, Any]) -> set[str]:
    """Every property of a JSON Schema as a dotted path, following `$defs` references."""
    defs: dict[str, Any] = schema.get("$defs", {})
    found: set[str] = set()

    def walk(node: Any, path: str, seen: frozenset[str]) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, path, seen)
            return
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.removeprefix("#/$defs/")
            if name not in seen:
                walk(defs.get(name, {}), path, seen | {name})
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for prop, sub in value.items():
                    child = f"{path}.{prop}" if path else prop
                    found.add(child)
                    walk(sub, child, seen)
            elif key not in ("$defs", "$ref"):
                walk(value, path, seen)

    walk(schema, "", frozenset())
    return found


PUBLIC_DOCS = build_event_docs(CATALOG, public_only=True)


@pytest.mark.parametrize("event_type", CATALOG.public_types())
def test_no_public_schema_has_a_personal_field(event_type: str) -> None:
    paths = field_paths(PUBLIC_DOCS.schemas[event_type])
    personal = sorted(
        p for p in paths if _personal(p.rsplit(".", 1)[-1]) and (event_type, p) not in NOT_PERSONAL
    )
    assert personal == [], f"{event_type} has personal fields: {personal}"


def test_the_personal_field_check_catches_one() -> None:
    schema = {
        "properties": {"data": {"$ref": "#/$defs/P"}},
        "$defs": {
            "P": {
                "properties": {
                    "people": {"type": "array", "items": {"$ref": "#/$defs/Q"}},
                }
            },
            "Q": {"properties": {"email": {}, "manage_token": {}, "meeting_id": {}}},
        },
    }
    paths = field_paths(schema)
    assert {p for p in paths if _personal(p.rsplit(".", 1)[-1])} == {
        "data.people.email",
        "data.people.manage_token",
    }
    assert _personal("affected_registration_ids")
    assert not _personal("meeting_id")
    assert not _personal("names_count")
    assert not _personal("timezone")


def test_only_public_types_are_in_the_public_docs() -> None:
    assert sorted(s.type for s in PUBLIC_DOCS.specs) == CATALOG.public_types()
    assert all(s["x-visibility"] == "public" for s in PUBLIC_DOCS.schemas.values())


async def test_catalog_and_asyncapi_are_served() -> None:
    app = FastAPI()
    app.include_router(catalog_router())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as http:
        listing = (await http.get("/events/catalog")).json()
        asyncapi = (await http.get("/asyncapi")).json()
    public = CATALOG.public_types()
    assert sorted(e["type"] for e in listing["events"]) == public
    for entry in listing["events"]:
        spec = CATALOG.get(entry["type"])
        assert entry["version"] == spec.version
        assert entry["description"] == spec.description
        assert entry["schema"]["$id"] == spec.dataschema
        assert "data" in entry["schema"]["properties"]
    assert asyncapi["asyncapi"].startswith("3.")
    assert {m["name"] for m in asyncapi["components"]["messages"].values()} == set(public)
    # each message's payload resolves inside the document
    for message in asyncapi["components"]["messages"].values():
        key = message["payload"]["$ref"].removeprefix("#/components/schemas/")
        schema = asyncapi["components"]["schemas"][key]
        assert schema["properties"]["type"]["const"] == message["name"]


def test_notifications_mounts_the_catalog() -> None:
    from pesnet.notifications.bootstrap import build_app
    from pesnet.notifications.settings import Settings

    settings = Settings.model_validate(
        {"PESNET_ENV": "test", "MONGODB_URL": "mongodb://127.0.0.1:9/?replicaSet=rs0"}
    )
    assert {"/events/catalog", "/asyncapi"} <= set(build_app(settings).openapi()["paths"])
