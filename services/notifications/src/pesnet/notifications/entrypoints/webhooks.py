"""HTTP API of partner webhooks (secretariat only): /partners/webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from pesnet.notifications.domain.commands import CreateSubscription, ListWebhookDeliveries
from pesnet.notifications.domain.webhooks import Subscription, WebhookDelivery
from pesnet.notifications.entrypoints.dependencies import Dependencies, dependencies
from pesnet.notifications.entrypoints.limits import WebhookSubscriptionsPerAddress
from pesnet.notifications.service_layer import webhook_subscriptions as webhooks
from pesnet.shared.credentials import StaffRole
from pesnet.shared.http import require

Deps = Annotated[Dependencies, Depends(dependencies)]


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


def _view(s: Subscription) -> dict[str, Any]:
    """A subscription as the API shows it: never the secrets."""
    return {
        "id": s.id,
        "partner": s.partner,
        "url": s.url,
        "event_types": s.event_types,
        "status": s.status,
        "disabled_reason": s.disabled_reason,
        "consecutive_failures": s.consecutive_failures,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
        "secret_rotated_at": s.secret_rotated_at,
    }


def _delivery_view(d: WebhookDelivery) -> DeliveryView:
    return DeliveryView(
        id=d.id,
        event_id=d.event_id,
        event_type=d.event_type,
        status=d.status,
        created_at=d.created_at,
        completed_at=d.completed_at,
        next_attempt_at=d.due_at if d.status == "pending" else None,
        last_error=d.last_error,
        attempts=[AttemptView.model_validate(a) for a in d.attempts],
    )


router = APIRouter(prefix="/partners/webhooks", tags=["partner webhooks"])
# the partners' administrator (and the administrator) manages webhook subscriptions
PartnersAdministrator = require(StaffRole.partners_administrator)


@router.post(
    "",
    status_code=201,
    response_model=SubscriptionWithSecret,
    dependencies=[PartnersAdministrator, WebhookSubscriptionsPerAddress],
)
async def create_subscription(body: SubscriptionRequest, deps: Deps) -> SubscriptionWithSecret:
    command = CreateSubscription(body.partner, body.url, body.event_types)
    subscription, secret = await webhooks.create_subscription(
        command, deps.uow(), deps.sealer, deps.webhook_rules
    )
    return SubscriptionWithSecret(**_view(subscription), secret=secret)


@router.get("", response_model=list[SubscriptionView], dependencies=[PartnersAdministrator])
async def list_subscriptions(deps: Deps, partner: str | None = None) -> list[SubscriptionView]:
    found = await webhooks.subscriptions(partner, deps.uow())
    return [SubscriptionView(**_view(s)) for s in found]


@router.get(
    "/{subscription_id}", response_model=SubscriptionView, dependencies=[PartnersAdministrator]
)
async def get_subscription(subscription_id: str, deps: Deps) -> SubscriptionView:
    return SubscriptionView(**_view(await webhooks.subscription(subscription_id, deps.uow())))


@router.delete("/{subscription_id}", status_code=204, dependencies=[PartnersAdministrator])
async def disable_subscription(subscription_id: str, deps: Deps) -> Response:
    """Disables the subscription (its delivery log is kept); pending deliveries are
    cancelled. `POST .../enable` turns it back on for new events."""
    await webhooks.disable_subscription(subscription_id, deps.uow(), deps.webhook_rules)
    return Response(status_code=204)


@router.post(
    "/{subscription_id}/enable",
    response_model=SubscriptionView,
    dependencies=[PartnersAdministrator],
)
async def enable_subscription(subscription_id: str, deps: Deps) -> SubscriptionView:
    enabled = await webhooks.enable_subscription(subscription_id, deps.uow(), deps.webhook_rules)
    return SubscriptionView(**_view(enabled))


@router.post(
    "/{subscription_id}/rotate-secret",
    response_model=SecretView,
    dependencies=[PartnersAdministrator],
)
async def rotate_secret(subscription_id: str, deps: Deps) -> SecretView:
    subscription, secret = await webhooks.rotate_secret(
        subscription_id, deps.uow(), deps.sealer, deps.webhook_rules
    )
    return SecretView(
        id=subscription.id,
        secret=secret,
        previous_secret_valid_until=subscription.previous_secret_until,
    )


@router.get(
    "/{subscription_id}/deliveries",
    response_model=list[DeliveryView],
    dependencies=[PartnersAdministrator],
)
async def list_deliveries(
    subscription_id: str,
    deps: Deps,
    status: Literal["pending", "succeeded", "failed", "cancelled"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[DeliveryView]:
    """The newest deliveries first, each with every attempt made."""
    query = ListWebhookDeliveries(subscription_id, status=status, limit=limit)
    return [_delivery_view(d) for d in await webhooks.webhook_deliveries(query, deps.uow())]
