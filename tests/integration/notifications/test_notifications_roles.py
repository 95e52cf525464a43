"""Every notifications route checked by role: webhook subscriptions are the partners'
administrator's; a person's delivery log and preferences open with their own link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pesnet.notifications.bootstrap import build_app
from pesnet.notifications.settings import Settings
from pesnet.shared.credentials import StaffRole
from tests.integration.roles import (
    PUBLIC,
    TRUST,
    Decision,
    Route,
    allowed,
    bearer,
    check_bad_tokens_refused,
    check_matrix,
    role_token,
    token,
)

pytestmark = pytest.mark.integration

PARTNERS = allowed(StaffRole.partners_administrator)

DECISIONS: dict[Route, Decision] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/livez"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/events/catalog"): PUBLIC,
    ("GET", "/asyncapi"): PUBLIC,
    # the secretariat sees any address, a person their own (the signed link of a mail)
    ("GET", "/deliveries"): PUBLIC,
    ("GET", "/preferences"): PUBLIC,
    ("PUT", "/preferences"): PUBLIC,
    # the preferences page (entrypoints/pages.py), scoped by the mail's signed link
    ("GET", "/preferences/page"): PUBLIC,
    ("POST", "/preferences/page"): PUBLIC,
    ("GET", "/dev/mailbox"): PUBLIC,
    ("GET", "/audit"): allowed(),
    ("POST", "/partners/webhooks"): PARTNERS,
    ("GET", "/partners/webhooks"): PARTNERS,
    ("GET", "/partners/webhooks/{subscription_id}"): PARTNERS,
    ("DELETE", "/partners/webhooks/{subscription_id}"): PARTNERS,
    ("POST", "/partners/webhooks/{subscription_id}/enable"): PARTNERS,
    ("POST", "/partners/webhooks/{subscription_id}/rotate-secret"): PARTNERS,
    ("GET", "/partners/webhooks/{subscription_id}/deliveries"): PARTNERS,
}


async def test_every_route_by_every_role(
    notifications_settings: Callable[..., Settings], start_service: Callable[..., Any]
) -> None:
    app = build_app(notifications_settings(**TRUST))
    async with start_service(app) as svc:
        await check_matrix(svc.http, app, DECISIONS)
        await check_bad_tokens_refused(svc.http, "GET", "/partners/webhooks")


async def test_a_partners_administrators_subscription_is_in_the_audit_trail(
    notifications_settings: Callable[..., Settings], start_service: Callable[..., Any]
) -> None:
    app = build_app(notifications_settings(**TRUST))
    admin = bearer(token(StaffRole.administrator, sub="acc_admin"))
    partners = bearer(role_token(StaffRole.partners_administrator))
    async with start_service(app) as svc:
        created = await svc.http.post(
            "/partners/webhooks",
            json={
                "partner": "ilo",
                "url": "https://93.184.216.34/hooks",
                "event_types": ["agenda.programme.released"],
            },
            headers=partners,
        )
        assert created.status_code == 201, created.text
        trail = await svc.http.get("/audit", headers=admin)
        newest = trail.json()[0]
        assert (newest["actor"], newest["action"], newest["subject"]) == (
            "acc_partners_administrator",
            "webhook.created",
            created.json()["id"],
        )


async def test_anonymous_changes_of_preferences_are_limited_per_client_address(
    notifications_settings: Callable[..., Settings], start_service: Callable[..., Any]
) -> None:
    """Anyone with a link may change preferences: one client address may try 5 times a
    minute here (`NOTIFICATIONS_PREFERENCES_PER_ADDRESS`), the API and the page together."""
    app = build_app(notifications_settings(NOTIFICATIONS_PREFERENCES_PER_ADDRESS=5))
    async with start_service(app) as svc:
        statuses = [
            (
                await svc.http.put(
                    "/preferences", params={"token": "not-a-link"}, json={"opted_out": True}
                )
            ).status_code
            for _ in range(5)
        ]
        assert 429 not in statuses
        page = await svc.http.post(
            "/preferences/page", content=b"token=x", headers={"Accept-Language": "ar"}
        )
        assert page.status_code == 429
        assert int(page.headers["retry-after"]) > 0
        assert page.json()["detail"].startswith("طلبات كثيرة جدًا")
