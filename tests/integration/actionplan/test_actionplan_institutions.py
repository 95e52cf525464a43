"""Institutions by name, never by slug: the action plan keeps registration's reference
of institutions (a projection fed by its events, newest version wins) and shows their
names in the reader's language in the report (HTML and CSV), the plan, the needs and
offers, and the cooperation proposals; its focal points are registration's
nominations, whose tokens act here until the nomination is withdrawn."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

import pytest

from pesnet.shared.envelope import utcnow
from pesnet.shared.events.actionplan import CooperationProposed
from pesnet.shared.events.registration import FocalPointWithdrawn, InstitutionRenamed
from pesnet.shared.i18n import Language, Localized
from pesnet.shared.inbox import INBOX
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from tests.integration.actionplan.conftest import (
    Registration,
    focal_point_known,
    institution,
)
from tests.support import eventually

pytestmark = pytest.mark.integration

SECRETARIAT = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}
P = "/plans/2024-2026"
ANAPEC = {
    "ar": "الوكالة الوطنية لإنعاش التشغيل والكفاءات",
    "en": "National Agency for the Promotion of Employment and Skills (ANAPEC)",
    "fr": "Agence nationale de promotion de l'emploi et des compétences (ANAPEC)",
}
ISKUR = {
    "ar": "وكالة التوظيف التركية",
    "en": "Turkish Employment Agency (İŞKUR)",
    "fr": "Agence turque pour l'emploi (İŞKUR)",
}
SESRIC_AR = "مركز الأبحاث الإحصائية والاقتصادية والاجتماعية والتدريب للدول الإسلامية (سيسرك)"
# a slug shown as such: as a whole word, outside an e-mail address or a URL
SLUG = re.compile(r"(?<![\w@./-])(anapec|iskur|sesric)(?![\w@.-])")


def tri(en: str) -> dict[str, str]:
    return {"ar": f"{en} (ع)", "en": en, "fr": f"{en} (fr)"}


async def post(http: Any, url: str, body: Any, headers: dict[str, str] = SECRETARIAT) -> Any:
    r = await http.post(url, json=body, headers=headers)
    assert r.status_code in (200, 201), (url, r.text)
    return r.json()


async def plan_led_by_anapec_and_iskur(http: Any) -> None:
    await post(
        http,
        "/plans",
        {"period": "2024-2026", "thematic_areas": [{"id": "digital", "title": tri("Digital")}]},
    )
    activity = await post(
        http,
        f"{P}/activities",
        {
            "thematic_area": "digital",
            "activity_type": "study_visit",
            "title": tri("Study visit on job matching"),
            "lead_institutions": ["anapec", "iskur"],
            "participants": [{"institution": "sesric", "role": "funding"}],
        },
    )
    await post(
        http,
        f"{P}/indicators",
        {
            "title": tri("Staff trained"),
            "measure": "number",
            "activity_id": activity["id"],
            "targets": [{"reporting_period": "2025", "value": 20}],
        },
    )


async def test_the_report_names_lead_institutions_in_the_readers_language(
    actionplan: Any,
) -> None:
    http = actionplan.http
    await plan_led_by_anapec_and_iskur(http)
    for lang in ("ar", "en", "fr"):
        page = html.unescape((await http.get(f"{P}/report", params={"lang": lang})).text)
        assert f"{ANAPEC[lang]}, {ISKUR[lang]}" in page, lang
        assert not SLUG.search(page), (lang, SLUG.search(page))
    # the language of Accept-Language when no ?lang= is given
    page = (await http.get(f"{P}/report", headers={"Accept-Language": "ar"})).text
    assert '<html lang="ar" dir="rtl">' in page
    assert ANAPEC["ar"] in page

    for lang, lead in (("ar", "المؤسسات الرائدة"), ("fr", "Institutions chefs de file")):
        r = await http.get(f"{P}/report", params={"lang": lang, "format": "csv"})
        rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
        assert rows[0][lead] == f"{ANAPEC[lang]}, {ISKUR[lang]}"
        assert not SLUG.search(r.text)

    plan = (await http.get(P)).json()
    assert plan["activities"][0]["lead_institutions"] == ["anapec", "iskur"]  # ids stay ids
    assert plan["institutions"]["iskur"]["name"]["fr"] == "Agence turque pour l'emploi"
    assert plan["institutions"]["sesric"]["country"] == "TUR"


async def test_an_unknown_lead_institution_is_refused_naming_the_field(actionplan: Any) -> None:
    http = actionplan.http
    await plan_led_by_anapec_and_iskur(http)
    r = await http.post(
        f"{P}/activities",
        json={
            "thematic_area": "digital",
            "activity_type": "webinar",
            "title": tri("Webinar"),
            "lead_institutions": ["anapec", "no-such-pes"],
        },
        headers={**SECRETARIAT, "Accept-Language": "fr"},
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-language"] == "fr"
    [entry] = r.json()["errors"]
    assert entry["field"] == "lead_institutions.1"
    assert "no-such-pes" in entry["msg"]
    assert "référentiel" in entry["msg"], entry  # in French


async def test_matching_and_needs_name_the_institutions(
    actionplan: Any, registration_bus: Registration, taps: Any
) -> None:
    internal, _public = taps
    http = actionplan.http
    await plan_led_by_anapec_and_iskur(http)
    _, sesric = await registration_bus.nominate("sesric", language=Language.ar)
    _, iskur = await registration_bus.nominate("iskur")
    await focal_point_known(http, sesric)
    await focal_point_known(http, iskur)
    await post(
        http,
        f"{P}/needs",
        {"thematic_area": "digital", "priority": "high", "title": tri("Job matching"),
         "topics": ["job matching"]},
        sesric,
    )  # fmt: skip
    await post(
        http,
        f"{P}/offers",
        {"thematic_area": "digital", "title": tri("Job-matching platform"),
         "topics": ["job matching"], "languages": ["ar", "en"]},
        iskur,
    )  # fmt: skip

    needs = (await http.get(f"{P}/needs", params={"lang": "ar"}, headers=SECRETARIAT)).json()
    assert [(n["institution"], n["institution_name"]) for n in needs] == [("sesric", SESRIC_AR)]
    offers = (
        await http.get(f"{P}/offers", headers={**SECRETARIAT, "Accept-Language": "fr"})
    ).json()
    assert offers[0]["institution_name"] == ISKUR["fr"]

    [proposal] = (await post(http, f"{P}/matching", None))["proposed"]
    explanation = proposal["explanation"]
    assert explanation["fr"].startswith(f"L'offre de l'institution {ISKUR['fr']} « ")
    assert explanation["en"].startswith(f"The offer of {ISKUR['en']}, ")
    assert SESRIC_AR in explanation["ar"]
    for text in explanation.values():
        assert not SLUG.search(text), text
    listed = (
        await http.get("/cooperation/proposals", params={"lang": "fr"}, headers=SECRETARIAT)
    ).json()
    assert [p["institution_name"] for p in listed[0]["parties"]] == [
        ISKUR["fr"],
        "Centre de recherches statistiques, économiques et sociales et de formation pour les "
        "pays islamiques (SESRIC)",
    ]
    # the people told read the names too (the mail is made from this event)
    [event] = await internal.wait_for(CooperationProposed)
    names = [p["institution_name"]["ar"] for p in event["data"]["parties"]]
    assert names == [ISKUR["ar"], SESRIC_AR]


async def test_the_newest_version_of_an_institution_wins(
    actionplan: Any, registration_bus: Registration
) -> None:
    http = actionplan.http
    renamed = Localized(
        ar="إشكور", en="Türkiye Employment Agency", fr="Agence pour l'emploi de Türkiye"
    )
    await registration_bus.publish(
        InstitutionRenamed(
            **institution("iskur", version=3, name=renamed).model_dump(exclude={"registered_at"}),
            renamed_at=utcnow(),
        )
    )
    # an older announcement arriving late (another replica, a replay) changes nothing
    await registration_bus.publish(institution("iskur", version=2))

    async def renamed_only() -> bool:
        listed = (await http.get("/institutions", params={"lang": "en"})).json()
        iskur = next(i for i in listed["institutions"] if i["id"] == "iskur")
        return bool(iskur["name"]["en"] == "Türkiye Employment Agency")

    await eventually(renamed_only)
    late = await registration_bus.publish(institution("iskur", version=1))

    async def handled() -> bool:
        db = actionplan.app.state.runtime.db
        return await db[INBOX].find_one({"event_id": late}) is not None

    await eventually(handled)
    listed = (await http.get("/institutions", params={"lang": "en"})).json()
    iskur = next(i for i in listed["institutions"] if i["id"] == "iskur")
    assert iskur["label"] == "Türkiye Employment Agency (İŞKUR)"


async def test_a_withdrawn_nomination_stops_acting_here(
    actionplan: Any, registration_bus: Registration
) -> None:
    http = actionplan.http
    focal_point_id, anapec = await registration_bus.nominate(
        "anapec", name="Karim Alaoui", email="k.alaoui@anapec.example.ma"
    )
    await focal_point_known(http, anapec)
    listed = (await http.get("/focal-points", headers=SECRETARIAT)).json()
    [mine] = [f for f in listed["focal_points"] if f["id"] == focal_point_id]
    assert (mine["institution"], mine["source"], mine["email"], mine["active"]) == (
        "anapec",
        "nomination",
        "k.alaoui@anapec.example.ma",
        True,
    )
    await registration_bus.publish(
        FocalPointWithdrawn(
            focal_point_id=focal_point_id,
            country="MAR",
            institution_id="anapec",
            withdrawn_at=utcnow(),
        )
    )

    async def refused() -> bool:
        r = await http.get("/cooperation/proposals", headers=anapec)
        return bool(r.status_code == 401)

    await eventually(refused)
