"""A head of delegation comments on the draft plan without an account: the link
registration signs on their manage page opens the action plan's consultation page for
their member state (in Arabic, right to left), the comment is their country's (no
institution), the secretariat sees it beside the focal points'; a forged link opens
nothing."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from pesnet.actionplan.bootstrap import build_app
from pesnet.actionplan.settings import Settings
from pesnet.shared.delegation_links import DelegationLinks
from tests.integration.actionplan.conftest import (
    NETWORK,
    Registration,
    institution,
    known_institutions,
)
from tests.integration.actionplan.test_actionplan_pages import PERIOD, _plan_with_indicator
from tests.integration.audit_walk import csrf_of
from tests.integration.roles import TRUST

pytestmark = pytest.mark.integration
KEYS = [b"delegation-link-key-of-this-test-0123456789"]


@pytest.fixture
async def service(
    make_settings: Callable[..., Settings],
    start_service: Callable[..., Any],
    registration_bus: Registration,
) -> AsyncIterator[Any]:
    settings = make_settings(
        "actionplan",
        Settings,
        ACTIONPLAN_REMINDERS_ENABLED=False,
        PESNET_DELEGATION_LINK_KEYS=KEYS[0].decode(),
        **TRUST,
    )
    async with start_service(build_app(settings)) as svc:
        for institution_id in NETWORK:
            await registration_bus.publish(institution(institution_id))
        await known_institutions(svc.http, set(NETWORK))
        yield svc


async def test_a_head_of_delegation_comments_through_their_link(service: Any) -> None:
    http: httpx.AsyncClient = service.http
    await _plan_with_indicator(http)  # a draft with the thematic area "youth"
    token = DelegationLinks(KEYS).token("reg-hod-tur", "TUR", "pesnet-9")

    page = await http.get("/delegation", params={"token": token, "lang": "ar"})
    assert page.status_code == 200, page.text
    assert 'dir="rtl"' in page.text
    assert "تركيا" in html.unescape(page.text)  # their member state, in their language
    assert "ورشة" in page.text  # the draft's activity

    sent = await http.post(
        f"/delegation/plans/{PERIOD}/consultation?lang=ar",
        data={
            "csrf": csrf_of(page.text),
            "token": token,
            "target": "area:youth",
            "stance": "support",
            "text": "ندعم هذا المجال",
            "needs": "تدريب المستشارين",
        },
        headers={"Cookie": f"pesnet_csrf={page.cookies.get('pesnet_csrf')}"},
    )
    assert sent.status_code == 303, sent.text
    [comment] = (await http.get(f"/plans/{PERIOD}/consultation")).json()["comments"]
    assert (comment["country"], comment["institution"], comment["stance"]) == (
        "TUR",
        None,
        "support",
    )
    again = await http.get(sent.headers["location"])
    assert "ندعم هذا المجال" in again.text  # their delegation's comments, on their page

    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    refused = await http.get("/delegation", params={"token": forged, "lang": "fr"})
    assert refused.status_code == 404
    assert 'id="delegation-refused"' in refused.text
    assert "Youth workshop" not in refused.text
