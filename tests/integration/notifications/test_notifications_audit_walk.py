"""Every change the notifications API makes (its JSON routes and its preferences page)
shows in its `GET /audit`, with the action of the event that records it (see
`tests/integration/audit_walk.py`)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pesnet.devtools.smtp_sink import SmtpSink
from pesnet.notifications.bootstrap import build_app
from pesnet.shared.credentials import StaffRole
from tests.integration.audit_walk import State, Step, csrf_of, walk
from tests.integration.notifications.notifications_factories import participant
from tests.integration.notifications.notifications_support import Bus, wait_for_mail
from tests.integration.notifications.test_notifications_network import preferences_token
from tests.integration.roles import TRUST, bearer, role_token, token

pytestmark = pytest.mark.integration

ADMIN = bearer(token(StaffRole.administrator, sub="acc_admin"))
PARTNERS = bearer(role_token(StaffRole.partners_administrator))
HOOKS = "/partners/webhooks"


async def subscribed(http: httpx.AsyncClient, state: State) -> httpx.Response:
    response = await http.post(
        HOOKS,
        json={
            "partner": "ilo",
            "url": "https://93.184.216.34/hooks",
            "event_types": ["agenda.programme.released"],
        },
        headers=PARTNERS,
    )
    state["hook"] = response.json().get("id")
    return response


async def page_saved(http: httpx.AsyncClient, state: State) -> httpx.Response:
    shown = await http.get("/preferences/page", params={"token": state["token"]})
    assert shown.status_code == 200, shown.text
    return await http.post(
        "/preferences/page",
        data={
            "token": state["token"],
            "language": "en",
            "optional": "yes",
            "csrf": csrf_of(shown.text),
        },
        headers={"Cookie": f"pesnet_csrf={shown.cookies.get('pesnet_csrf')}"},
        follow_redirects=False,
    )


STEPS = [
    Step(("POST", HOOKS), subscribed, "webhook.created"),
    Step(
        ("DELETE", HOOKS + "/{subscription_id}"),
        lambda h, s: h.delete(f"{HOOKS}/{s['hook']}", headers=PARTNERS),
        "webhook.disabled",
    ),
    Step(
        ("POST", HOOKS + "/{subscription_id}/enable"),
        lambda h, s: h.post(f"{HOOKS}/{s['hook']}/enable", headers=PARTNERS),
        "webhook.enabled",
    ),
    Step(
        ("POST", HOOKS + "/{subscription_id}/rotate-secret"),
        lambda h, s: h.post(f"{HOOKS}/{s['hook']}/rotate-secret", headers=PARTNERS),
        "webhook.secret_rotated",
    ),
    Step(
        ("PUT", "/preferences"),
        lambda h, s: h.put("/preferences", params={"token": s["token"]}, json={"opted_out": True}),
        "preferences.changed",
    ),
    Step(("POST", "/preferences/page"), page_saved, "preferences.changed"),
]


async def test_every_change_notifications_makes_is_in_its_audit_trail(
    notifications_settings: Any, start_service: Any, bus: Bus, smtp_sink: SmtpSink
) -> None:
    app = build_app(notifications_settings(**TRUST))
    async with start_service(app) as svc:
        # a registrant hears of their registration: the mail carries their preferences link
        await bus.send(participant("registered", "ar"))
        [mail] = await wait_for_mail(smtp_sink, 1)
        state: State = {"token": preferences_token(mail)}
        await walk(svc.http, app, STEPS, {}, admin=ADMIN, state=state)
