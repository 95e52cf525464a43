"""An `Idempotency-Key` keeps its answer for whoever asked: replayed by anyone else
(another focal point, another registrant, another anonymous client), it is a new
request, authorized as any other, never the stored answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.registration.conftest import Register, Registration
from tests.integration.registration.test_registration_accreditation import bearer, focal_point

pytestmark = pytest.mark.integration


async def test_another_focal_point_replaying_the_secretariats_key_is_refused(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    moroccan = await register(1)
    key = {"Idempotency-Key": "confirm-moroccan"}
    first = await registration.http.post(
        f"/registrations/{moroccan['id']}/confirm", headers={**secretariat, **key}
    )
    assert first.status_code == 200, first.text
    turkish = bearer(await focal_point(registration, secretariat, "TUR"))
    replay = await registration.http.post(
        f"/registrations/{moroccan['id']}/confirm", headers={**turkish, **key}
    )
    assert replay.status_code == 403, replay.text
    assert moroccan["email"] not in replay.text
    assert "badge_token" not in replay.text
    # the secretariat's own retry still gets its answer
    again = await registration.http.post(
        f"/registrations/{moroccan['id']}/confirm", headers={**secretariat, **key}
    )
    assert again.json() == first.json()


async def test_a_registrant_replaying_anothers_key_gets_nothing_of_theirs(
    registration: Registration, register: Register
) -> None:
    a, b = await register(1), await register(2)
    key = {"Idempotency-Key": "withdraw-a"}
    first = await registration.http.post(
        f"/registrations/{a['id']}/withdraw", headers={**bearer(a["manage_token"]), **key}
    )
    assert first.status_code == 200, first.text
    replay = await registration.http.post(
        f"/registrations/{a['id']}/withdraw", headers={**bearer(b["manage_token"]), **key}
    )
    assert replay.status_code == 403, replay.text
    assert a["email"] not in replay.text


async def test_an_anonymous_client_repeating_anothers_body_and_key_gets_no_manage_token(
    registration: Registration, person: Callable[..., dict[str, Any]]
) -> None:
    body, key = person(7), {"Idempotency-Key": "anon-7"}
    first = await registration.http.post(
        "/meetings/pesnet-demo/registrations", json=body, headers=key
    )
    assert first.status_code == 201, first.text
    retried = await registration.http.post(
        "/meetings/pesnet-demo/registrations", json=body, headers=key
    )
    assert retried.json() == first.json()  # the same client's retry: the first answer
    async with registration.client_at("203.0.113.9") as other:
        replay = await other.post("/meetings/pesnet-demo/registrations", json=body, headers=key)
    # a new request: the same e-mail twice in the meeting
    assert replay.status_code == 409, replay.text
    assert first.json()["manage_token"] not in replay.text
    assert first.json()["id"] not in replay.text
