"""One reference of institutions, two services: registration owns it and the focal-point
nominations; the action plan learns both from registration's events (no call between
the services) and shows the institutions by name in ar/en/fr. A nomination made in
registration is a focal point of the action plan, acting with the token registration
gave it, until registration withdraws it. Both services run in process on the same
broker and database server."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from pesnet.actionplan.bootstrap import build_app as build_actionplan
from pesnet.actionplan.settings import Settings as ActionPlanSettings
from pesnet.registration.bootstrap import build_app as build_registration
from pesnet.registration.settings import Settings as RegistrationSettings
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from tests.support import eventually

pytestmark = pytest.mark.integration

SECRETARIAT = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}
P = "/plans/2024-2026"
NAMES = {
    "ar": ("الوكالة الوطنية لإنعاش التشغيل والكفاءات", "وكالة التوظيف التركية"),
    "en": (
        "National Agency for the Promotion of Employment and Skills (ANAPEC)",
        "Turkish Employment Agency (İŞKUR)",
    ),
    "fr": (
        "Agence nationale de promotion de l'emploi et des compétences (ANAPEC)",
        "Agence turque pour l'emploi (İŞKUR)",
    ),
}


@dataclass
class Network:
    registration: httpx.AsyncClient
    actionplan: httpx.AsyncClient


@pytest.fixture
async def network(
    make_settings: Callable[..., Any], start_service: Callable[..., Any]
) -> AsyncIterator[Network]:
    registration_settings = make_settings("registration", RegistrationSettings)
    actionplan_settings = make_settings(
        "actionplan", ActionPlanSettings, ACTIONPLAN_REMINDERS_ENABLED=False
    )
    async with (
        start_service(build_actionplan(actionplan_settings)) as actionplan,
        start_service(build_registration(registration_settings)) as registration,
    ):
        yield Network(registration.http, actionplan.http)


async def institutions_known(actionplan: httpx.AsyncClient, wanted: set[str]) -> None:
    async def known() -> bool:
        listed = (await actionplan.get("/institutions")).json()
        return wanted <= {i["id"] for i in listed["institutions"]}

    await eventually(known, within=30.0)


async def test_a_nomination_in_registration_is_a_focal_point_of_the_action_plan(
    network: Network,
) -> None:
    registration, actionplan = network.registration, network.actionplan
    assert (await registration.post("/dev/seed", headers=SECRETARIAT)).status_code == 200
    await institutions_known(actionplan, {"anapec", "iskur", "sesric"})

    nominated = await registration.post(
        "/focal-points",
        json={
            "country": "MAR",
            "institution_id": "anapec",
            "name": "Karim Alaoui",
            "email": "k.alaoui@anapec.example.ma",
            "language": "fr",
        },
        headers=SECRETARIAT,
    )
    assert nominated.status_code == 201, nominated.text
    focal_point = nominated.json()
    bearer = {"Authorization": f"Bearer {focal_point['token']}"}

    async def derived() -> bool:
        listed = (await actionplan.get("/focal-points", headers=SECRETARIAT)).json()
        return any(f["id"] == focal_point["id"] for f in listed["focal_points"])

    await eventually(derived, within=30.0)
    listed = (await actionplan.get("/focal-points", headers=SECRETARIAT)).json()
    [derived_fp] = [f for f in listed["focal_points"] if f["id"] == focal_point["id"]]
    assert derived_fp == {
        "id": focal_point["id"],
        "institution": "anapec",
        "institution_name": NAMES["en"][0],
        "country": "MAR",
        "name": "Karim Alaoui",
        "email": "k.alaoui@anapec.example.ma",
        "language": "fr",
        "source": "nomination",
        "active": True,
    }

    # the token registration gave acts for ANAPEC in the action plan
    plan = {"period": "2024-2026", "thematic_areas": [{"id": "digital", "title": {
        "ar": "رقمنة خدمات التوظيف", "en": "Digitalisation of PES", "fr": "Numérisation des SPE"}}]}  # fmt: skip
    assert (await actionplan.post("/plans", json=plan, headers=SECRETARIAT)).status_code == 201
    need = await actionplan.post(
        f"{P}/needs",
        json={
            "thematic_area": "digital",
            "priority": "high",
            "title": {"fr": "Plateforme d'appariement"},
        },
        headers=bearer,
    )
    assert need.status_code == 201, need.text
    assert (need.json()["institution"], need.json()["languages"]) == ("anapec", ["fr"])

    # withdrawn in registration: the token no longer acts in the action plan
    revoked = await registration.delete(f"/focal-points/{focal_point['id']}", headers=SECRETARIAT)
    assert revoked.status_code == 204

    async def refused() -> bool:
        return (await actionplan.get("/cooperation/proposals", headers=bearer)).status_code == 401

    await eventually(refused, within=30.0)


async def test_the_report_names_registrations_institutions_in_three_languages(
    network: Network,
) -> None:
    registration, actionplan = network.registration, network.actionplan
    assert (await registration.post("/dev/seed", headers=SECRETARIAT)).status_code == 200
    await institutions_known(actionplan, {"anapec", "iskur"})
    plan = {"period": "2024-2026", "thematic_areas": [{"id": "digital", "title": {
        "ar": "رقمنة خدمات التوظيف", "en": "Digitalisation of PES", "fr": "Numérisation des SPE"}}]}  # fmt: skip
    assert (await actionplan.post("/plans", json=plan, headers=SECRETARIAT)).status_code == 201
    activity = {
        "thematic_area": "digital",
        "activity_type": "study_visit",
        "title": {"ar": "زيارة دراسية", "en": "Study visit", "fr": "Visite d'étude"},
        "lead_institutions": ["anapec", "iskur"],
    }
    created = await actionplan.post(f"{P}/activities", json=activity, headers=SECRETARIAT)
    assert created.status_code == 201, created.text
    for lang, (anapec, iskur) in NAMES.items():
        page = html.unescape((await actionplan.get(f"{P}/report", params={"lang": lang})).text)
        assert f"{anapec}, {iskur}" in page, lang
        assert ">anapec" not in page
        assert "iskur<" not in page

    # a rename in registration reaches the report
    renamed = await registration.patch(
        "/institutions/iskur",
        json={"name": {"ar": "مؤسسة التوظيف التركية", "en": "Turkish Employment Agency",
                       "fr": "Agence turque de l'emploi"}},
        headers=SECRETARIAT,
    )  # fmt: skip
    assert renamed.status_code == 200, renamed.text

    async def renamed_in_report() -> bool:
        page = html.unescape((await actionplan.get(f"{P}/report", params={"lang": "fr"})).text)
        return "Agence turque de l'emploi (İŞKUR)" in page

    await eventually(renamed_in_report, within=30.0)
