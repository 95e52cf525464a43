"""The public event catalog over HTTP, for partners: what they may subscribe to on
`pesnet.public` and what each event looks like.

    GET /events/catalog   every public event type: version, description, JSON Schema
    GET /asyncapi         the AsyncAPI 3 document of the public events (schemas inside)

Both come from `eventdocs.build_event_docs`, which also writes docs/events/.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from pesnet.shared.catalog import EventCatalog
from pesnet.shared.eventdocs import build_event_docs
from pesnet.shared.events import CATALOG
from pesnet.shared.topology import PUBLIC_EXCHANGE


def public_catalog(catalog: EventCatalog = CATALOG) -> dict[str, Any]:
    docs = build_event_docs(catalog, public_only=True)
    return {
        "exchange": PUBLIC_EXCHANGE,
        "events": [
            {
                "type": spec.type,
                "version": spec.version,
                "description": spec.description,
                "dataschema": spec.dataschema,
                "schema": docs.schemas[spec.type],
            }
            for spec in sorted(docs.specs, key=lambda s: s.type)
        ],
    }


def catalog_router(catalog: EventCatalog = CATALOG) -> APIRouter:
    # built once: the catalog is fixed for the life of the process
    listing = public_catalog(catalog)
    asyncapi = build_event_docs(catalog, public_only=True, embed_schemas=True).asyncapi
    router = APIRouter(tags=["public events"])

    @router.get("/events/catalog", summary="The public event types partners may subscribe to")
    async def events_catalog() -> dict[str, Any]:
        return listing

    @router.get("/asyncapi", summary="AsyncAPI 3 document of the public events")
    async def asyncapi_document() -> dict[str, Any]:
        return asyncapi

    return router
