"""Registration's request bodies take JSON values as written: a blank focal-point
name, a number where text belongs, a boolean or a text where a number belongs are
422s naming the field, never coerced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.registration.conftest import Registration

pytestmark = pytest.mark.integration


def refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    fields = [e["field"] for e in response.json()["errors"]]
    assert field in fields, fields


async def test_blank_names_and_coerced_values_are_refused(
    registration: Registration, person: Callable[..., dict[str, Any]], secretariat: dict[str, str]
) -> None:
    http = registration.http
    url = "/meetings/pesnet-demo/registrations"
    for path, body, field in (
        ("/focal-points", {"country": "MAR", "name": "   "}, "name"),
        ("/focal-points", {"country": "MAR", "name": ""}, "name"),
        ("/focal-points", {"country": "MAR", "name": 7}, "name"),
        (url, person(1, given_name=12), "given_name"),
        (url, person(1, family_name=True), "family_name"),
        (url, person(1, email=5), "email"),
        (url, person(1, role=1), "role"),
        (url, person(1, language=0), "language"),
        ("/meetings/pesnet-demo/purge-personal-data", {"older_than_days": True}, "older_than_days"),
        ("/meetings/pesnet-demo/purge-personal-data", {"older_than_days": "5"}, "older_than_days"),
        ("/meetings/pesnet-demo/purge-personal-data", {"older_than_days": 5.5}, "older_than_days"),
    ):
        refused(await http.post(path, json=body, headers=secretariat), field)
    named = await http.post(
        "/focal-points", json={"country": "MAR", "name": " Nadia "}, headers=secretariat
    )
    assert named.status_code == 201, named.text
    unnamed = await http.post("/focal-points", json={"country": "MAR"}, headers=secretariat)
    assert unnamed.status_code == 201, unnamed.text
