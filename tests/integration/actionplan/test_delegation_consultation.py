"""A head of delegation comments on the draft plan without an account: the link
registration signs on their manage page opens the action plan's consultation page for
their member state (in Arabic, right to left), the comment is their country's (no
institution), the secretariat sees it beside the focal points'; a forged link opens
nothing. Once registration says the registration was withdrawn the same link is refused
within seconds and takes no comment; a link past its lifetime is refused with a page
that says so; a link of the first form (no expiry) is not one."""

from __future__ import annotations

import html
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from pesnet.actionplan.bootstrap import build_app
from pesnet.actionplan.settings import Settings
from pesnet.shared.delegation_links import DelegationLinks
from pesnet.shared.envelope import utcnow
from pesnet.shared.events.registration import (
    ParticipantConfirmed,
    ParticipantUpdated,
    ParticipantWithdrawn,
)
from pesnet.shared.signed_links import LinkSigner
from tests.integration.actionplan.conftest import (
    Registration,
    network_known,
)
from tests.integration.actionplan.test_actionplan_pages import PERIOD, _plan_with_indicator
from tests.integration.audit_walk import csrf_of
from tests.integration.roles import TRUST
from tests.support import eventually

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
        await network_known(svc.http, registration_bus)
        yield svc


async def test_a_head_of_delegation_comments_through_their_link(service: Any) -> None:
    http: httpx.AsyncClient = service.http
    await _plan_with_indicator(http)  # a draft with the thematic area "youth"
    token = DelegationLinks(KEYS).token("reg-hod-tur", "TUR", "pesnet-9", now=utcnow())

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


def head_of_delegation(
    status: str, registration_id: str, role: str = "head_of_delegation", **extra: Any
) -> Any:
    """Registration's event of a Turkish head of delegation of pesnet-9 (`updated`: its
    registration changed, e.g. its `role`)."""
    model = {
        "confirmed": ParticipantConfirmed,
        "withdrawn": ParticipantWithdrawn,
        "updated": ParticipantUpdated,
    }[status]
    return model(
        registration_id=registration_id,
        meeting_id="pesnet-9",
        given_name="Nurcan",
        family_name="Yıldız",
        email=f"{registration_id}@iskur.example.tr",
        country="TUR",
        institution="İŞKUR",
        position="Director General",
        role=role,
        language="fr",
        status="confirmed" if status == "updated" else status,
        **extra,
    )


async def comment_through(http: httpx.AsyncClient, token: str, text: str) -> httpx.Response:
    """The comment form sent with `token` (the form as a working link's page has it: a
    refused link's page has none)."""
    working = DelegationLinks(KEYS).token("reg-hod-form", "TUR", "pesnet-9", now=utcnow())
    page = await http.get("/delegation", params={"token": working, "lang": "fr"})
    return await http.post(
        f"/delegation/plans/{PERIOD}/consultation?lang=fr",
        data={
            "csrf": csrf_of(page.text),
            "token": token,
            "target": "area:youth",
            "stance": "support",
            "text": text,
        },
        headers={"Cookie": f"pesnet_csrf={page.cookies.get('pesnet_csrf')}"},
    )


async def comments(http: httpx.AsyncClient) -> list[str]:
    found = (await http.get(f"/plans/{PERIOD}/consultation")).json()["comments"]
    return [c["text"] for c in found]


async def test_a_withdrawn_head_of_delegation_s_link_and_an_expired_one_are_refused(
    service: Any, registration_bus: Registration
) -> None:
    http: httpx.AsyncClient = service.http
    await _plan_with_indicator(http)
    links = DelegationLinks(KEYS)
    token = links.token("reg-hod-withdrawn", "TUR", "pesnet-9", now=utcnow())
    await registration_bus.publish(head_of_delegation("confirmed", "reg-hod-withdrawn"))
    sent = await comment_through(http, token, "Nous soutenons ce domaine")
    assert sent.status_code == 303, sent.text
    assert await comments(http) == ["Nous soutenons ce domaine"]

    await registration_bus.publish(head_of_delegation("withdrawn", "reg-hod-withdrawn"))
    withdrawn_at = time.monotonic()

    async def refused() -> bool:
        page = await http.get("/delegation", params={"token": token, "lang": "fr"})
        return page.status_code == 403

    await eventually(refused, 10)
    took = time.monotonic() - withdrawn_at
    assert took < 5, f"the withdrawn link still worked {took:.1f}s later"
    page = await http.get("/delegation", params={"token": token, "lang": "fr"})
    assert 'id="delegation-refused"' in page.text
    assert "ne fonctionne plus" in html.unescape(page.text)
    assert "Youth workshop" not in page.text
    again = await comment_through(http, token, "Un commentaire de trop")
    assert again.status_code == 403
    assert await comments(http) == ["Nous soutenons ce domaine"]  # nothing taken

    # a link past its lifetime: refused with a page that says so, in the reader's language
    old = links.token("reg-hod-tur", "TUR", "pesnet-9", now=utcnow() - timedelta(days=31))
    expired = await http.get("/delegation", params={"token": old, "lang": "ar"})
    assert expired.status_code == 410
    assert 'dir="rtl"' in expired.text
    assert "انتهت صلاحية" in html.unescape(expired.text)
    late = await comment_through(http, old, "Trop tard")
    assert late.status_code == 410
    assert await comments(http) == ["Nous soutenons ce domaine"]

    # a link of the first form (no expiry) is simply not a link
    first_form = LinkSigner("d1", KEYS).sign("reg-hod-tur", "TUR", "pesnet-9")
    before = await http.get("/delegation", params={"token": first_form, "lang": "en"})
    assert before.status_code == 404
    assert "is not valid" in before.text


async def test_a_head_of_delegation_made_a_delegate_speaks_no_more(
    service: Any, registration_bus: Registration
) -> None:
    """The events of a head of delegation are kept, and a later one of the same
    registration is looked at whatever its role (a delegate's are passed over): a head
    who becomes a delegate no longer speaks for the member state."""
    http: httpx.AsyncClient = service.http
    await _plan_with_indicator(http)
    token = DelegationLinks(KEYS).token("reg-hod-demoted", "TUR", "pesnet-9", now=utcnow())
    await registration_bus.publish(head_of_delegation("confirmed", "reg-hod-demoted"))
    await registration_bus.publish(head_of_delegation("confirmed", "reg-delegate", role="delegate"))

    async def speaks() -> bool:
        page = await http.get("/delegation", params={"token": token, "lang": "en"})
        return page.status_code == 200

    await eventually(speaks)
    await registration_bus.publish(
        head_of_delegation("updated", "reg-hod-demoted", role="delegate")
    )

    async def refused() -> bool:
        page = await http.get("/delegation", params={"token": token, "lang": "en"})
        return page.status_code == 403

    await eventually(refused, 10)
    sent = await comment_through(http, token, "Plus délégué en chef")
    assert sent.status_code == 403
    assert await comments(http) == []
