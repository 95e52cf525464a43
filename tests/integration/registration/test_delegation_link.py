"""A confirmed head of delegation finds, on their registration's page, their link to
comment on the draft action plan for their member state; a delegate of the same
delegation does not, nor does a head of delegation not confirmed yet."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from pesnet.shared.delegation_links import DEV_DELEGATION_LINK_KEY, DelegationLinks
from tests.integration.registration.conftest import Register, Registration
from tests.integration.registration.test_registration_badges import confirmed

pytestmark = pytest.mark.integration


async def manage_page(registration: Registration, created: dict[str, str]) -> str:
    page = await registration.http.get(
        f"/registrations/{created['id']}",
        params={"token": created["manage_token"], "lang": "fr"},
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 200, page.text
    return page.text


async def test_a_confirmed_head_of_delegation_has_a_consultation_link(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    head = await confirmed(registration, register, secretariat, 1, role="head_of_delegation")
    found = re.search(
        r'<a href="([^"]+)" id="consultation-link">', await manage_page(registration, head)
    )
    assert found is not None
    link = urlparse(html.unescape(found.group(1)))
    assert link.path == "/delegation"
    [token] = parse_qs(link.query)["token"]
    read = DelegationLinks([DEV_DELEGATION_LINK_KEY.encode()]).read(token)
    assert read is not None
    assert (read.country, read.registration_id) == ("MAR", head["id"])
    # it lives PESNET_DELEGATION_LINK_DAYS (30 by default) from the page that signed it
    lifetime = read.expires_at - datetime.now(UTC)
    assert timedelta(days=29, hours=23) < lifetime <= timedelta(days=30)

    delegate = await confirmed(registration, register, secretariat, 2, role="delegate")
    assert 'id="consultation-link"' not in await manage_page(registration, delegate)
    waiting = await register(3, role="head_of_delegation", country="TUN")
    assert 'id="consultation-link"' not in await manage_page(registration, waiting)
