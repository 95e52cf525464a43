"""The webhook use cases on the in-memory unit of work: subscriptions (create, list,
rotate, disable, enable, their delivery log), the fan-out of a public event to the
subscriptions that want it, and the worker's send, retry, give-up and lease-lost paths
(with a fake sender and a fake clock). No I/O."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from pesnet.notifications.domain.commands import CreateSubscription, ListWebhookDeliveries
from pesnet.notifications.domain.signing import verify_signature
from pesnet.notifications.domain.webhooks import (
    HttpResult,
    RetryPolicy,
    Subscription,
    UnsealError,
    WebhookDelivery,
)
from pesnet.notifications.service_layer import webhook_subscriptions as hooks
from pesnet.notifications.service_layer.webhook_subscriptions import WebhookRules
from pesnet.notifications.service_layer.webhook_worker import (
    WebhookPolicy,
    WebhookWorker,
    seal_plain_secrets,
)
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import InvalidInput, NotFound
from pesnet.shared.events import CATALOG
from tests.integration.notifications import notifications_factories as f
from tests.unit.notifications.fakes import FakeNotificationsUnitOfWork

PARTNER_ADDRESS = "203.0.113.10"  # TEST-NET-3: refused; 8.8.8.8 stands for a public one
PUBLIC_URL = "https://hooks.partner.example/pesnet"


class Clock:
    """A clock the test moves; it starts a minute ago, so that what it makes due is due
    for the fake repositories (which lease by the real time)."""

    def __init__(self) -> None:
        self.now = utcnow() - timedelta(minutes=1)

    def __call__(self) -> datetime:
        return self.now


class FakeSealer:
    """Seals by tagging; a value it did not seal cannot be opened."""

    def seal(self, secret: str) -> str:
        return f"sealed:{secret}"

    def unseal(self, sealed: str) -> str:
        if not sealed.startswith("sealed:"):
            raise UnsealError("no configured key opens this secret")
        return sealed.removeprefix("sealed:")


class FakeSender:
    """The partner's endpoint: answers with the queued results, then 204."""

    def __init__(self, *results: HttpResult) -> None:
        self.results = list(results)
        self.posts: list[tuple[str, bytes, dict[str, str]]] = []
        self.closed = False

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpResult:
        self.posts.append((url, body, headers))
        return self.results.pop(0) if self.results else HttpResult(204, None, None, 3)

    async def close(self) -> None:
        self.closed = True


def status(code: int, retry_after: str | None = None) -> HttpResult:
    return HttpResult(code, retry_after, None if code < 300 else f"HTTP {code}", 5)


async def public_resolver(host: str) -> list[str]:
    return ["8.8.8.8"]


def rules(clock: Clock, **changes: object) -> WebhookRules:
    values: dict[str, object] = {
        "public_types": CATALOG.public_types(),
        "all_types": [spec.type for spec in CATALOG],
        "rotation_grace": timedelta(hours=24),
        "resolve": public_resolver,
        "clock": clock,
    }
    values.update(changes)
    return WebhookRules(**values)  # type: ignore[arg-type]


def policy(
    clock: Clock, *, retry: RetryPolicy | None = None, disable_after: int = 0
) -> WebhookPolicy:
    return WebhookPolicy(
        retry=retry or RetryPolicy(max_attempts=3, initial_backoff=timedelta(seconds=10)),
        disable_after_failures=disable_after,
        concurrency=2,
        poll_seconds=0.01,
        clock=clock,
    )


def worker(
    uow: FakeNotificationsUnitOfWork, sender: FakeSender, pol: WebhookPolicy
) -> WebhookWorker:
    return WebhookWorker(lambda: uow, lambda: sender, FakeSealer(), pol)


async def subscribe(
    uow: FakeNotificationsUnitOfWork,
    clock: Clock,
    partner: str = "anpe-senegal",
    event_types: list[str] | None = None,
) -> tuple[Subscription, str]:
    command = CreateSubscription(partner=partner, url=PUBLIC_URL, event_types=event_types)
    return await hooks.create_subscription(command, uow, FakeSealer(), rules(clock))


def queued(
    subscription: Subscription, clock: Clock, event_id: str = "evt-1", body: str = '{"a": 1}'
) -> WebhookDelivery:
    return WebhookDelivery(
        id=f"whd-{event_id}-{subscription.id}",
        event_id=event_id,
        subscription_id=subscription.id,
        partner=subscription.partner,
        event_type="agenda.meeting.scheduled",
        correlation_id="corr-1",
        body=body,
        created_at=clock(),
        due_at=clock(),
    )


# subscriptions


async def test_a_subscription_stores_only_its_sealed_secret_and_is_audited() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    subscription, secret = await subscribe(uow, clock, event_types=["agenda.#"])
    stored = uow.subscriptions.by_id[subscription.id]
    assert stored.active
    assert stored.event_types == ["agenda.#"]
    assert stored.secret_sealed == f"sealed:{secret}"
    assert stored.plain_secret is None
    assert stored.created_at == clock.now
    assert [a.action for a in uow.audited] == ["webhook.created"]


async def test_a_subscription_without_event_types_wants_every_public_one() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    subscription, _ = await subscribe(uow, clock)
    assert subscription.event_types == ["#"]


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (CreateSubscription("Not A Partner", PUBLIC_URL), "partner"),
        (CreateSubscription("anpe", "http://hooks.partner.example/"), "url"),
        (CreateSubscription("anpe", "https://10.0.0.1/hook"), "url"),
        (CreateSubscription("anpe", PUBLIC_URL, ["registration.participant.registered"]), None),
        (CreateSubscription("anpe", PUBLIC_URL, ["nothing.public.#"]), "event_types.0"),
    ],
)
async def test_a_bad_subscription_is_refused_naming_the_field_and_nothing_is_stored(
    command: CreateSubscription, field: str | None
) -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    with pytest.raises(InvalidInput) as refused:
        await hooks.create_subscription(command, uow, FakeSealer(), rules(clock))
    if field is not None:
        assert refused.value.field == field
    assert uow.subscriptions.by_id == {}
    assert uow.audited == []


async def test_a_host_name_that_resolves_to_a_private_address_is_refused() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()

    async def rebinding(host: str) -> list[str]:
        return ["8.8.8.8", "192.168.1.20"]

    command = CreateSubscription("anpe", PUBLIC_URL)
    with pytest.raises(InvalidInput):
        await hooks.create_subscription(command, uow, FakeSealer(), rules(clock, resolve=rebinding))
    assert uow.subscriptions.by_id == {}


async def test_subscriptions_are_listed_oldest_first_and_by_partner() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    first, _ = await subscribe(uow, clock, partner="anpe-senegal")
    clock.now += timedelta(seconds=1)
    second, _ = await subscribe(uow, clock, partner="iskur")
    clock.now += timedelta(seconds=1)
    third, _ = await subscribe(uow, clock, partner="anpe-senegal")
    assert [s.id for s in await hooks.subscriptions(None, uow)] == [first.id, second.id, third.id]
    assert [s.id for s in await hooks.subscriptions("anpe-senegal", uow)] == [first.id, third.id]
    assert (await hooks.subscription(second.id, uow)).partner == "iskur"
    with pytest.raises(NotFound):
        await hooks.subscription("whs_unknown", uow)


async def test_a_rotated_secret_signs_alongside_the_old_one_for_the_grace_period() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    subscription, old = await subscribe(uow, clock)
    clock.now += timedelta(minutes=5)
    rotated, new = await hooks.rotate_secret(subscription.id, uow, FakeSealer(), rules(clock))
    assert new != old
    stored = uow.subscriptions.by_id[subscription.id]
    assert stored.signing_secrets_sealed(clock.now) == [f"sealed:{new}", f"sealed:{old}"]
    after_grace = clock.now + timedelta(hours=24, seconds=1)
    assert stored.signing_secrets_sealed(after_grace) == [f"sealed:{new}"]
    assert rotated.secret_rotated_at == clock.now
    assert uow.audited[-1].action == "webhook.secret_rotated"
    with pytest.raises(NotFound):
        await hooks.rotate_secret("whs_unknown", uow, FakeSealer(), rules(clock))


async def test_disabling_a_subscription_cancels_only_its_pending_deliveries() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    mine, _ = await subscribe(uow, clock)
    other, _ = await subscribe(uow, clock, partner="iskur")
    pending = queued(mine, clock, "evt-1")
    done = queued(mine, clock, "evt-2")
    done.status = "succeeded"
    theirs = queued(other, clock, "evt-1")
    for delivery in (pending, done, theirs):
        await uow.webhook_deliveries.add_once(delivery)

    disabled = await hooks.disable_subscription(mine.id, uow, rules(clock))

    assert not disabled.active
    assert disabled.disabled_reason == hooks.DISABLED_BY_SECRETARIAT
    stored = uow.webhook_deliveries.by_id
    assert stored[pending.id].status == "cancelled"
    assert stored[pending.id].last_error == hooks.CANCELLED
    assert stored[done.id].status == "succeeded"
    assert stored[theirs.id].status == "pending"
    assert uow.audited[-1].action == "webhook.disabled"


async def test_a_re_enabled_subscription_is_active_again_with_its_failures_forgotten() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    subscription, _ = await subscribe(uow, clock)
    uow.subscriptions.by_id[subscription.id].consecutive_failures = 4
    await hooks.disable_subscription(subscription.id, uow, rules(clock), reason="maintenance")
    enabled = await hooks.enable_subscription(subscription.id, uow, rules(clock))
    assert enabled.active
    assert enabled.disabled_reason is None
    assert uow.subscriptions.by_id[subscription.id].consecutive_failures == 0
    assert uow.audited[-1].action == "webhook.enabled"
    with pytest.raises(NotFound):
        await hooks.enable_subscription("whs_unknown", uow, rules(clock))


async def test_the_delivery_log_is_newest_first_filtered_and_of_a_known_subscription() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    subscription, _ = await subscribe(uow, clock)
    older = queued(subscription, clock, "evt-1")
    clock.now += timedelta(seconds=1)
    newer = queued(subscription, clock, "evt-2")
    newer.status = "failed"
    for delivery in (older, newer):
        await uow.webhook_deliveries.add_once(delivery)

    log = await hooks.webhook_deliveries(ListWebhookDeliveries(subscription.id), uow)
    assert [d.id for d in log] == [newer.id, older.id]
    failed = await hooks.webhook_deliveries(ListWebhookDeliveries(subscription.id, "failed"), uow)
    assert [d.id for d in failed] == [newer.id]
    one = await hooks.webhook_deliveries(ListWebhookDeliveries(subscription.id, limit=1), uow)
    assert [d.id for d in one] == [newer.id]
    with pytest.raises(NotFound):
        await hooks.webhook_deliveries(ListWebhookDeliveries("whs_unknown"), uow)


# the fan-out of a public event


async def test_a_public_event_is_queued_once_for_each_active_subscription_that_wants_it() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    agenda, _ = await subscribe(uow, clock, event_types=["agenda.#"])
    exact, _ = await subscribe(
        uow, clock, partner="iskur", event_types=["agenda.meeting.scheduled"]
    )
    other, _ = await subscribe(uow, clock, partner="anapec", event_types=["actionplan.#"])
    off, _ = await subscribe(uow, clock, partner="sine", event_types=["#"])
    await hooks.disable_subscription(off.id, uow, rules(clock))

    handling = uow.handling(f.MEETING)
    assert await hooks.fan_out(f.MEETING, handling) == 2
    # the same event again (a redelivery): still one delivery per subscription
    assert await hooks.fan_out(f.MEETING, handling) == 2

    deliveries = list(uow.webhook_deliveries.by_id.values())
    assert sorted(d.subscription_id for d in deliveries) == sorted([agenda.id, exact.id])
    assert other.id not in {d.subscription_id for d in deliveries}
    for delivery in deliveries:
        assert delivery.status == "pending"
        assert delivery.event_id == uow.event.id
        assert delivery.event_type == "agenda.meeting.scheduled"
        assert delivery.correlation_id == uow.event.correlationid
        assert delivery.due_at is not None
        body = json.loads(delivery.body)
        assert body["id"] == uow.event.id
        assert body["data"] == f.MEETING.model_dump(mode="json")


async def test_an_event_no_subscription_wants_queues_nothing() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    await subscribe(uow, clock, event_types=["actionplan.#"])
    assert await hooks.fan_out(f.MEETING, uow.handling(f.MEETING)) == 0
    assert uow.webhook_deliveries.by_id == {}


async def test_the_fan_out_only_handles_an_event() -> None:
    with pytest.raises(RuntimeError):
        await hooks.fan_out(f.MEETING, FakeNotificationsUnitOfWork())


# the worker


async def test_the_worker_sends_a_due_delivery_signed_once_and_records_it() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    subscription, secret = await subscribe(uow, clock)
    delivery = queued(subscription, clock)
    await uow.webhook_deliveries.add_once(delivery)
    sender = FakeSender(status(200))

    assert await worker(uow, sender, policy(clock)).drain(uow, sender) == 1
    assert await worker(uow, sender, policy(clock)).drain(uow, sender) == 0

    [(url, body, headers)] = sender.posts
    assert url == PUBLIC_URL
    assert body == delivery.body.encode()
    assert headers["webhook-id"] == delivery.event_id
    verify_signature(secret, headers, body)
    stored = uow.webhook_deliveries.by_id[delivery.id]
    assert stored.status == "succeeded"
    assert stored.completed_at == clock.now
    assert [a["outcome"] for a in stored.attempts] == ["succeeded"]
    assert stored.lease is None


async def test_a_delivery_during_a_rotation_is_signed_with_both_secrets() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    subscription, old = await subscribe(uow, clock)
    _, new = await hooks.rotate_secret(subscription.id, uow, FakeSealer(), rules(clock))
    await uow.webhook_deliveries.add_once(queued(subscription, clock))
    sender = FakeSender()
    await worker(uow, sender, policy(clock)).drain(uow, sender)
    [(_, body, headers)] = sender.posts
    verify_signature(new, headers, body)
    verify_signature(old, headers, body)


async def test_a_transient_failure_is_retried_later_honouring_retry_after() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    subscription, _ = await subscribe(uow, clock)
    delivery = queued(subscription, clock)
    await uow.webhook_deliveries.add_once(delivery)
    sender = FakeSender(status(503, retry_after="120"))

    # the retry is not due yet: one attempt only
    assert await worker(uow, sender, policy(clock)).drain(uow, sender) == 1

    stored = uow.webhook_deliveries.by_id[delivery.id]
    assert stored.status == "pending"
    assert stored.due_at == clock.now + timedelta(seconds=120)
    assert stored.last_error == "HTTP 503"
    assert [a["outcome"] for a in stored.attempts] == ["retry"]
    assert uow.subscriptions.by_id[subscription.id].consecutive_failures == 0


async def test_a_delivery_that_recovers_succeeds_and_resets_the_failure_count() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    subscription, _ = await subscribe(uow, clock)
    uow.subscriptions.by_id[subscription.id].consecutive_failures = 2
    delivery = queued(subscription, clock)
    await uow.webhook_deliveries.add_once(delivery)
    immediate = RetryPolicy(max_attempts=5, initial_backoff=timedelta(0))
    sender = FakeSender(HttpResult(None, None, "connection failed", 0), status(500))

    assert await worker(uow, sender, policy(clock, retry=immediate)).drain(uow, sender) == 3

    stored = uow.webhook_deliveries.by_id[delivery.id]
    assert stored.status == "succeeded"
    assert [a["outcome"] for a in stored.attempts] == ["retry", "retry", "succeeded"]
    assert uow.subscriptions.by_id[subscription.id].consecutive_failures == 0


async def test_retries_give_up_after_the_maximum_attempts() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    subscription, _ = await subscribe(uow, clock)
    delivery = queued(subscription, clock)
    await uow.webhook_deliveries.add_once(delivery)
    immediate = RetryPolicy(max_attempts=3, initial_backoff=timedelta(0))
    sender = FakeSender(*[status(503)] * 5)

    assert await worker(uow, sender, policy(clock, retry=immediate)).drain(uow, sender) == 3

    stored = uow.webhook_deliveries.by_id[delivery.id]
    assert stored.status == "failed"
    assert [a["outcome"] for a in stored.attempts] == ["retry", "retry", "failed"]
    assert len(sender.posts) == 3
    assert uow.subscriptions.by_id[subscription.id].consecutive_failures == 1


async def test_a_permanent_refusal_fails_at_once() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    subscription, _ = await subscribe(uow, clock)
    delivery = queued(subscription, clock)
    await uow.webhook_deliveries.add_once(delivery)
    sender = FakeSender(status(410))
    assert await worker(uow, sender, policy(clock)).drain(uow, sender) == 1
    stored = uow.webhook_deliveries.by_id[delivery.id]
    assert stored.status == "failed"
    assert stored.last_error == "HTTP 410"


async def test_a_subscription_failing_for_good_in_a_row_is_disabled_and_its_work_cancelled() -> (
    None
):
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    subscription, _ = await subscribe(uow, clock)
    first, second = queued(subscription, clock, "evt-1"), queued(subscription, clock, "evt-2")
    later = queued(subscription, clock, "evt-3")
    later.due_at = utcnow() + timedelta(hours=1)  # not due yet: cancelled, never sent
    for delivery in (first, second, later):
        await uow.webhook_deliveries.add_once(delivery)
    sender = FakeSender(status(404), status(404))

    await worker(uow, sender, policy(clock, disable_after=2)).drain(uow, sender)

    stored = uow.subscriptions.by_id[subscription.id]
    assert not stored.active
    assert stored.disabled_reason is not None
    assert "2 deliveries in a row failed" in stored.disabled_reason
    deliveries = uow.webhook_deliveries.by_id
    assert [deliveries[d.id].status for d in (first, second)] == ["failed", "failed"]
    assert deliveries[later.id].status == "cancelled"
    assert len(sender.posts) == 2


async def test_a_delivery_of_a_disabled_subscription_is_cancelled_unsent() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    subscription, _ = await subscribe(uow, clock)
    delivery = queued(subscription, clock)
    await uow.webhook_deliveries.add_once(delivery)
    # disabled behind the use case's back: the worker checks again before sending
    uow.subscriptions.by_id[subscription.id].disable("gone", clock.now)
    sender = FakeSender()
    await worker(uow, sender, policy(clock)).drain(uow, sender)
    assert sender.posts == []
    assert uow.webhook_deliveries.by_id[delivery.id].status == "cancelled"


async def test_a_secret_no_key_opens_fails_the_delivery_for_good_unsent() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    subscription, _ = await subscribe(uow, clock)
    uow.subscriptions.by_id[subscription.id].secret_sealed = "sealed-with-a-removed-key"
    delivery = queued(subscription, clock)
    await uow.webhook_deliveries.add_once(delivery)
    sender = FakeSender()
    await worker(uow, sender, policy(clock)).drain(uow, sender)
    assert sender.posts == []
    stored = uow.webhook_deliveries.by_id[delivery.id]
    assert stored.status == "failed"
    assert stored.last_error == "no configured key opens this secret"


async def test_an_attempt_whose_lease_was_lost_is_not_recorded() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    subscription, _ = await subscribe(uow, clock, event_types=["agenda.#"])
    await uow.webhook_deliveries.add_once(queued(subscription, clock))
    claimed = await uow.webhook_deliveries.claim_due()
    assert claimed is not None
    # the lease ran out and another replica claimed the delivery meanwhile
    uow.webhook_deliveries.by_id[claimed.id].lease = "another-replica"
    sender = FakeSender(status(404))

    await worker(uow, sender, policy(clock, disable_after=1)).attempt(uow, sender, claimed)

    assert len(sender.posts) == 1
    stored = uow.webhook_deliveries.by_id[claimed.id]
    assert stored.status == "pending"
    assert stored.attempts == []
    assert stored.lease == "another-replica"
    # the lost outcome counts for nothing: the subscription is not disabled
    assert uow.subscriptions.by_id[subscription.id].active
    assert uow.subscriptions.by_id[subscription.id].consecutive_failures == 0


async def test_plain_secrets_from_before_sealing_are_sealed_when_a_worker_starts() -> None:
    uow, clock = FakeNotificationsUnitOfWork(), Clock()
    old = Subscription(
        id="whs_old",
        partner="anpe-senegal",
        url=PUBLIC_URL,
        event_types=["#"],
        created_at=datetime(2024, 1, 1, tzinfo=UTC),
        plain_secret="current",
        plain_previous_secret="previous",
    )
    await uow.subscriptions.add(old)
    await subscribe(uow, clock)  # already sealed: left alone

    assert await seal_plain_secrets(uow, FakeSealer()) == 1
    assert await seal_plain_secrets(uow, FakeSealer()) == 0

    stored = uow.subscriptions.by_id["whs_old"]
    assert (stored.plain_secret, stored.plain_previous_secret) == (None, None)
    assert stored.secret_sealed == "sealed:current"
    assert stored.previous_secret_sealed == "sealed:previous"
