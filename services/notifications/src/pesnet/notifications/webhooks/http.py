"""HTTP API of partner webhooks (secretariat only): /partners/webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from pesnet.notifications.webhooks.adapters import public_view
from pesnet.notifications.webhooks.service_layer import Subscriptions
from pesnet.shared.http import Secretariat


class SubscriptionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partner: str = Field(description="partner name: lower-case letters, digits and '-'")
    url: str = Field(description="the partner's https endpoint")
    event_types: list[str] | None = Field(
        default=None,
        description="topic patterns ('agenda.#', 'agenda.*.released') or exact public event "
        "types; default: every public event type",
    )


class SubscriptionView(BaseModel):
    id: str
    partner: str
    url: str
    event_types: list[str]
    status: Literal["active", "disabled"]
    disabled_reason: str | None
    consecutive_failures: int
    created_at: datetime
    updated_at: datetime | None
    secret_rotated_at: datetime | None


class SubscriptionWithSecret(SubscriptionView):
    secret: str = Field(description="the signing secret: shown only in this answer, keep it")


class SecretView(BaseModel):
    id: str
    secret: str = Field(description="the new signing secret: shown only in this answer")
    previous_secret_valid_until: datetime | None = Field(
        description="until then, deliveries are signed with the old secret too"
    )


class AttemptView(BaseModel):
    number: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    outcome: Literal["succeeded", "retry", "failed"]


class DeliveryView(BaseModel):
    id: str
    event_id: str
    event_type: str
    status: Literal["pending", "succeeded", "failed", "cancelled"]
    created_at: datetime
    completed_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None
    attempts: list[AttemptView]


def _delivery_view(doc: dict[str, Any]) -> DeliveryView:
    return DeliveryView(
        id=doc["_id"],
        event_id=doc["event_id"],
        event_type=doc["event_type"],
        status=doc["status"],
        created_at=doc["created_at"],
        completed_at=doc.get("completed_at"),
        next_attempt_at=doc.get("due_at") if doc["status"] == "pending" else None,
        last_error=doc.get("last_error"),
        attempts=[AttemptView.model_validate(a) for a in doc.get("attempts", [])],
    )


def build_router(subscriptions: Subscriptions) -> APIRouter:
    router = APIRouter(prefix="/partners/webhooks", tags=["partner webhooks"])

    @router.post(
        "", status_code=201, response_model=SubscriptionWithSecret, dependencies=[Secretariat]
    )
    async def create_subscription(body: SubscriptionRequest) -> SubscriptionWithSecret:
        doc, secret = await subscriptions.create(body.partner, body.url, body.event_types)
        return SubscriptionWithSecret(**public_view(doc), secret=secret)

    @router.get("", response_model=list[SubscriptionView], dependencies=[Secretariat])
    async def list_subscriptions(partner: str | None = None) -> list[SubscriptionView]:
        return [SubscriptionView(**public_view(d)) for d in await subscriptions.all(partner)]

    @router.get("/{subscription_id}", response_model=SubscriptionView, dependencies=[Secretariat])
    async def get_subscription(subscription_id: str) -> SubscriptionView:
        return SubscriptionView(**public_view(await subscriptions.get(subscription_id)))

    @router.delete("/{subscription_id}", status_code=204, dependencies=[Secretariat])
    async def disable_subscription(subscription_id: str) -> Response:
        """Disables the subscription (its delivery log is kept); pending deliveries are
        cancelled. `POST .../enable` turns it back on for new events."""
        await subscriptions.disable(subscription_id, "disabled by the secretariat")
        return Response(status_code=204)

    @router.post(
        "/{subscription_id}/enable", response_model=SubscriptionView, dependencies=[Secretariat]
    )
    async def enable_subscription(subscription_id: str) -> SubscriptionView:
        return SubscriptionView(**public_view(await subscriptions.enable(subscription_id)))

    @router.post(
        "/{subscription_id}/rotate-secret", response_model=SecretView, dependencies=[Secretariat]
    )
    async def rotate_secret(subscription_id: str) -> SecretView:
        doc, secret = await subscriptions.rotate_secret(subscription_id)
        return SecretView(
            id=doc["_id"], secret=secret, previous_secret_valid_until=doc["previous_secret_until"]
        )

    @router.get(
        "/{subscription_id}/deliveries",
        response_model=list[DeliveryView],
        dependencies=[Secretariat],
    )
    async def list_deliveries(
        subscription_id: str,
        status: Literal["pending", "succeeded", "failed", "cancelled"] | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> list[DeliveryView]:
        """The newest deliveries first, each with every attempt made."""
        docs = await subscriptions.deliveries(subscription_id, status=status, limit=limit)
        return [_delivery_view(d) for d in docs]

    return router
