"""Partner webhooks, the secretariat's side: subscriptions and their delivery logs;
and the fan-out of a public event to the subscriptions that want it (run in the
webhook consumer's inbox transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit

from pesnet.notifications.domain.commands import CreateSubscription, ListWebhookDeliveries
from pesnet.notifications.domain.signing import new_secret
from pesnet.notifications.domain.webhooks import (
    Subscription,
    WebhookDelivery,
    check_addresses,
    parse_ip,
    validate_event_types,
    validate_partner,
    validate_url,
)
from pesnet.notifications.service_layer.unit_of_work import NotificationsUnitOfWork
from pesnet.shared.catalog import EventPayload
from pesnet.shared.envelope import CloudEvent, utcnow
from pesnet.shared.errors import NotFound
from pesnet.shared.events.notifications import (
    WebhookCreated,
    WebhookDisabled,
    WebhookEnabled,
    WebhookSecretRotated,
)
from pesnet.shared.logging import get_logger
from pesnet.shared.translation import _

log = get_logger(__name__)

DISABLED_BY_SECRETARIAT = "disabled by the secretariat"
CANCELLED = "subscription disabled"


# a host name's addresses, as the resolver gives them (`adapters/webhooks.py`)
Resolve = Callable[[str], Awaitable[list[str]]]


async def _no_resolver(host: str) -> list[str]:
    return []


class Sealer(Protocol):
    """Encrypts signing secrets at rest (`adapters/sealing.py`)."""

    def seal(self, secret: str) -> str: ...

    def unseal(self, sealed: str) -> str: ...


@dataclass(frozen=True)
class WebhookRules:
    """What subscriptions may ask for in this deployment."""

    public_types: Sequence[str]
    all_types: Sequence[str]
    rotation_grace: timedelta
    # loopback endpoints: only where a test setting allows them (PESNET_WEBHOOK_ALLOW_LOOPBACK)
    allow_loopback: bool = False
    resolve: Resolve = _no_resolver
    clock: Callable[[], datetime] = field(default=utcnow)


async def check_endpoint(url: str, rules: WebhookRules) -> str:
    """The URL if its host is, and resolves only to, public internet addresses."""
    validate_url(url, allow_loopback=rules.allow_loopback)
    host = urlsplit(url).hostname or ""
    if parse_ip(host) is None and not (rules.allow_loopback and host.lower() == "localhost"):
        check_addresses(host, await rules.resolve(host), allow_loopback=rules.allow_loopback)
    return url


async def create_subscription(
    command: CreateSubscription, uow: NotificationsUnitOfWork, sealer: Sealer, rules: WebhookRules
) -> tuple[Subscription, str]:
    """A new active subscription and its signing secret (shown once: only its sealed
    form is stored)."""
    partner = validate_partner(command.partner)
    url = await check_endpoint(command.url, rules)
    secret = new_secret()
    subscription = Subscription(
        id=f"whs_{uuid.uuid4().hex}",
        partner=partner,
        url=url,
        event_types=validate_event_types(command.event_types, rules.public_types, rules.all_types),
        created_at=rules.clock(),
        secret_sealed=sealer.seal(secret),
    )

    async def work(uow: NotificationsUnitOfWork) -> None:
        await uow.subscriptions.add(subscription)
        uow.emit(WebhookCreated(subscription_id=subscription.id), subject=subscription.id)

    await uow.run(work)
    log.info(
        "webhook subscription created", subscription_id=subscription.id, partner=command.partner
    )
    return subscription, secret


async def _existing(uow: NotificationsUnitOfWork, subscription_id: str) -> Subscription:
    subscription = await uow.subscriptions.get(subscription_id)
    if subscription is None:
        raise NotFound(_("no webhook subscription {id}"), params={"id": subscription_id})
    return subscription


async def subscription(subscription_id: str, uow: NotificationsUnitOfWork) -> Subscription:
    return await _existing(uow, subscription_id)


async def subscriptions(partner: str | None, uow: NotificationsUnitOfWork) -> list[Subscription]:
    return await uow.subscriptions.all(partner)


async def disable_subscription(
    subscription_id: str,
    uow: NotificationsUnitOfWork,
    rules: WebhookRules,
    reason: str = DISABLED_BY_SECRETARIAT,
) -> Subscription:
    """Disabled, its delivery log kept; what it still had to send is cancelled."""

    async def work(uow: NotificationsUnitOfWork) -> tuple[Subscription, int]:
        subscription = await _existing(uow, subscription_id)
        now = rules.clock()
        subscription.disable(reason, now)
        await uow.subscriptions.save(subscription)
        uow.emit(WebhookDisabled(subscription_id=subscription_id), subject=subscription_id)
        return subscription, await uow.webhook_deliveries.cancel_pending(
            subscription_id, CANCELLED, now
        )

    subscription, cancelled = await uow.run(work)
    log.info(
        "webhook subscription disabled",
        subscription_id=subscription_id,
        reason=reason,
        cancelled=cancelled,
    )
    return subscription


async def enable_subscription(
    subscription_id: str, uow: NotificationsUnitOfWork, rules: WebhookRules
) -> Subscription:
    async def work(uow: NotificationsUnitOfWork) -> Subscription:
        subscription = await _existing(uow, subscription_id)
        subscription.enable(rules.clock())
        await uow.subscriptions.save(subscription)
        uow.emit(WebhookEnabled(subscription_id=subscription_id), subject=subscription_id)
        return subscription

    return await uow.run(work)


async def rotate_secret(
    subscription_id: str, uow: NotificationsUnitOfWork, sealer: Sealer, rules: WebhookRules
) -> tuple[Subscription, str]:
    """A new secret; the old one keeps signing alongside it for the grace period."""
    secret = new_secret()

    async def work(uow: NotificationsUnitOfWork) -> Subscription:
        subscription = await _existing(uow, subscription_id)
        subscription.rotate(sealer.seal(secret), rules.clock(), rules.rotation_grace)
        await uow.subscriptions.save(subscription)
        uow.emit(WebhookSecretRotated(subscription_id=subscription_id), subject=subscription_id)
        return subscription

    subscription = await uow.run(work)
    log.info("webhook secret rotated", subscription_id=subscription_id)
    return subscription, secret


async def webhook_deliveries(
    query: ListWebhookDeliveries, uow: NotificationsUnitOfWork
) -> list[WebhookDelivery]:
    await _existing(uow, query.subscription_id)
    return await uow.webhook_deliveries.of_subscription(
        query.subscription_id, status=query.status, limit=query.limit
    )


async def subscribed(event: CloudEvent, uow: NotificationsUnitOfWork) -> bool:
    """Whether an active subscription wants the event (a look before the consumer's
    transaction, at the subscriptions as read in the last few seconds: most public
    events have no partner subscribed, and then cost nothing; a subscription made on
    another replica since misses the event as it would a moment earlier, one disabled
    since is read again in the transaction)."""
    return any(s.wants(event.type) for s in await uow.subscriptions.active(recent=True))


async def fan_out(event: EventPayload, uow: NotificationsUnitOfWork) -> int:
    """One pending delivery per active subscription that wants the handled event. The
    body is rebuilt from the validated public payload: a field the catalog does not
    know never leaves."""
    cause = uow.cause
    if cause is None:
        raise RuntimeError("fan_out handles an event: run it in a consumer")

    async def work(uow: NotificationsUnitOfWork) -> int:
        matching = [s for s in await uow.subscriptions.active() if s.wants(cause.type)]
        if not matching:
            return 0
        data = event.model_dump(mode="json")
        body = cause.model_copy(update={"data": data}).to_json().decode()
        now = utcnow()
        for subscription in matching:
            await uow.webhook_deliveries.add_once(
                WebhookDelivery(
                    id=f"whd_{uuid.uuid4().hex}",
                    event_id=cause.id,
                    subscription_id=subscription.id,
                    partner=subscription.partner,
                    event_type=cause.type,
                    correlation_id=cause.correlationid,
                    body=body,
                    created_at=now,
                    due_at=now,
                )
            )
        log.info("webhook deliveries queued", subscriptions=len(matching))
        return len(matching)

    return await uow.run(work)
