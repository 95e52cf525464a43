"""What the action plan refuses instead of storing: a need or an offer whose title says
nothing, a focal point without a name, and a boolean where a number belongs (or a
number where a boolean does); each a 422 naming the field in the caller's language."""

from __future__ import annotations

from typing import Any

import pytest

from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN

pytestmark = pytest.mark.integration

SECRETARIAT = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}", "Accept-Language": "ar"}
P = "/plans/2024-2026"


def refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    fields = [e["field"] for e in response.json()["errors"]]
    assert field in fields, fields


async def test_blank_titles_and_names_and_coerced_values_are_refused(actionplan: Any) -> None:
    http = actionplan.http
    need = {"thematic_area": "a1", "priority": "high", "title": {"en": "Labour market data"}}
    offer = {"thematic_area": "a1", "title": {"en": "Training"}, "capacity": 2}
    for path, body, field in (
        (f"{P}/needs", {**need, "title": {"en": "   "}}, "title.en"),
        (f"{P}/needs", {**need, "title": {}}, "title"),
        (f"{P}/needs", {**need, "title": {"ar": "", "fr": None}}, "title"),
        (f"{P}/offers", {**offer, "title": {"fr": "\t"}}, "title.fr"),
        (f"{P}/offers", {**offer, "capacity": True}, "capacity"),
        (f"{P}/offers", {**offer, "capacity": "2"}, "capacity"),
        (
            "/focal-points",
            {"institution": "anapec", "name": "  ", "email": "fp@anapec.example.ma"},
            "name",
        ),
    ):
        refused(await http.post(path, json=body, headers=SECRETARIAT), field)
    blank = await http.post(f"{P}/needs", json={**need, "title": {"en": " "}}, headers=SECRETARIAT)
    assert blank.json()["errors"][0]["msg"] == "يجب ألّا يكون فارغًا."
    indicator = await http.post(
        f"{P}/indicators",
        json={"title": {"en": "Jobs"}, "measure": "number", "ascending": 1},
        headers=SECRETARIAT,
    )
    refused(indicator, "ascending")
