"""The issue's done-when: a 2024-2026 plan of 4 thematic areas, 12 activities and 20
indicators; needs from 10 institutions and offers from 5, filed by the focal points
registration nominated; the matches a person would pick; the report in three languages;
the roll-up on `GET /plans/2024-2026`.

The institutions and their needs and offers are a test scenario, not network data."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from pesnet.shared.events.actionplan import CooperationAnswered, CooperationProposed
from pesnet.shared.i18n import Language
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from tests.integration.actionplan.conftest import Registration, focal_point_known

pytestmark = pytest.mark.integration

SECRETARIAT = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}
P = "/plans/2024-2026"

AREAS = {
    "entrepreneurship": ("ريادة الأعمال", "Entrepreneurship", "Entrepreneuriat"),
    "youth": ("تشغيل الشباب", "Youth employment", "Emploi des jeunes"),
    "lmi": (
        "معلومات سوق العمل",
        "Labour-market information",
        "Information sur le marché du travail",
    ),
    "digital": ("رقمنة خدمات التوظيف العامة", "Digitalisation of PES", "Numérisation des SPE"),
}
# institution → (country, working language of its focal point)
INSTITUTIONS = {
    "anapec": ("MAR", "fr"), "iskur": ("TUR", "en"), "anem": ("DZA", "fr"), "hrdf": ("SAU", "ar"),
    "socso": ("MYS", "en"), "aneti": ("TUN", "fr"), "anpe-sen": ("SEN", "fr"), "pes-jor": ("JOR", "ar"),
    "pes-bgd": ("BGD", "en"), "pes-egy": ("EGY", "ar"), "pes-idn": ("IDN", "en"), "pes-pak": ("PAK", "en"),
}  # fmt: skip
LEADS = ["anapec", "iskur", "socso"]


def tri(en: str) -> dict[str, str]:
    return {"ar": f"{en} (ع)", "en": en, "fr": f"{en} (fr)"}


async def post(http: Any, url: str, body: Any, headers: dict[str, str] = SECRETARIAT) -> Any:
    r = await http.post(url, json=body, headers=headers)
    assert r.status_code in (200, 201), (url, r.text)
    return r.json()


async def build_plan(http: Any) -> dict[str, list[str]]:
    """4 areas x (3 activities, each with one indicator, + 2 area-level indicators) = 12 and 20."""
    areas = [
        {"id": k, "title": dict(zip(("ar", "en", "fr"), v, strict=True))} for k, v in AREAS.items()
    ]
    await post(http, "/plans", {"period": "2024-2026", "thematic_areas": areas})
    indicators: dict[str, list[str]] = {}
    for area in AREAS:
        ids = indicators.setdefault(area, [])
        for n, lead in enumerate(LEADS):
            activity = await post(http, f"{P}/activities", {
                "thematic_area": area, "activity_type": ["workshop", "study_visit", "webinar"][n],
                "title": tri(f"{area} activity {n + 1}"), "lead_institutions": [lead],
                "participants": [{"institution": "hrdf", "role": "funding"}],
                "planned_start": f"2025-0{n + 3}-01", "planned_end": f"2025-0{n + 3}-03",
            })  # fmt: skip
            indicator = await post(http, f"{P}/indicators", {
                "title": tri(f"{area} participants {n + 1}"), "measure": "number",
                "activity_id": activity["id"], "baseline": 0,
                "targets": [{"reporting_period": "2025", "value": 30}],
            })  # fmt: skip
            ids.append(indicator["id"])
        share = await post(http, f"{P}/indicators", {
            "title": tri(f"{area} share of members applying the practice"), "measure": "percentage",
            "thematic_area": area, "baseline": 10,
            "targets": [{"reporting_period": "2025", "value": 25}, {"reporting_period": "2026", "value": 40}],
        })  # fmt: skip
        story = await post(http, f"{P}/indicators", {
            "title": tri(f"{area} lessons learnt"), "measure": "qualitative", "thematic_area": area,
        })  # fmt: skip
        ids += [share["id"], story["id"]]
    await post(http, f"{P}/adopt", {"meeting_id": "pesnet-4"})
    return indicators


async def focal_points(http: Any, registration: Registration) -> dict[str, dict[str, str]]:
    """Each institution's focal point, nominated in registration: the bearer header of the
    token registration handed them, once the action plan knows it."""
    tokens = {}
    for institution, (country, language) in INSTITUTIONS.items():
        _, tokens[institution] = await registration.nominate(
            institution, country=country, language=Language(language)
        )
    for headers in tokens.values():
        await focal_point_known(http, headers)
    return tokens


async def report_and_validate(
    http: Any, fp: dict[str, str], indicator_id: str, value: float
) -> None:
    report = await post(
        http, f"{P}/progress",
        {"indicator_id": indicator_id, "reporting_period": "2025", "actual_value": value}, fp,
    )  # fmt: skip
    await post(http, f"{P}/progress/{report['id']}/validate", None)


async def test_plan_rollup_and_report(actionplan: Any, registration_bus: Registration) -> None:
    http = actionplan.http
    indicators = await build_plan(http)
    fps = await focal_points(http, registration_bus)
    plan = (await http.get(P)).json()
    assert (len(plan["thematic_areas"]), len(plan["activities"]), len(plan["indicators"])) == (
        4,
        12,
        20,
    )

    # Entrepreneurship: the three activity indicators met (35, 30 >= 30) or missed (12 < 30)
    # their 2025 target of 30; the area-level share reached 28% against 25%.
    ent = indicators["entrepreneurship"]
    for indicator_id, lead, value in zip(ent[:3], LEADS, (35, 30, 12), strict=True):
        await report_and_validate(http, fps[lead], indicator_id, value)
    # the area-level indicator is reported by a lead of one of the area's activities
    await report_and_validate(http, fps["socso"], ent[3], 28)
    # Digital: one indicator reported, on track; the rest of the plan has no validated data.
    await report_and_validate(http, fps["anapec"], indicators["digital"][0], 31)
    entrepreneurship_activity = next(
        a for a in plan["activities"] if a["thematic_area"] == "entrepreneurship"
    )
    for status in ("ongoing", "completed"):
        await post(
            http,
            f"{P}/activities/{entrepreneurship_activity['id']}/status",
            {"status": status},
            fps["anapec"],
        )

    plan = (await http.get(P)).json()
    rollup = plan["rollup"]
    by_area = {r["thematic_area"]: r for r in rollup["thematic_areas"]}
    # 4 quantitative indicators with targets per area: entrepreneurship 3 on track of 4
    assert (by_area["entrepreneurship"]["on_track"], by_area["entrepreneurship"]["off_track"]) == (
        3,
        1,
    )
    assert by_area["entrepreneurship"]["share_on_track"] == 0.75
    assert by_area["entrepreneurship"]["share_activities_completed"] == 0.3333
    assert by_area["digital"]["share_on_track"] == 0.25  # 1 of 4; silence is not progress
    assert by_area["youth"]["share_on_track"] == 0.0
    assert (by_area["youth"]["no_data"], by_area["youth"]["indicators"]) == (4, 5)
    # the whole plan: 16 indicators with targets, 4 on track; 1 of 12 activities completed
    assert (rollup["plan"]["indicators_with_targets"], rollup["plan"]["on_track"]) == (16, 4)
    assert rollup["plan"]["share_on_track"] == 0.25
    assert rollup["plan"]["share_activities_completed"] == 0.0833
    summary = (await http.get("/plans")).json()
    assert [(p["period"], p["status"], p["rollup"]["on_track"]) for p in summary] == [
        ("2024-2026", "adopted", 4)
    ]

    pages = {}
    for lang in ("ar", "en", "fr"):
        r = await http.get(f"{P}/report", params={"lang": lang, "format": "html"})
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html")
        pages[lang] = r.text
    assert '<html lang="ar" dir="rtl">' in pages["ar"]
    assert '<html lang="en" dir="ltr">' in pages["en"]
    for lang, title, area, on_track in (
        ("ar", "تقرير التنفيذ", "ريادة الأعمال", "المؤشرات على المسار الصحيح"),
        ("en", "Implementation report", "Entrepreneurship", "Indicators on track"),
        ("fr", "Rapport de mise en œuvre", "Entrepreneuriat", "Indicateurs en bonne voie"),
    ):
        page = pages[lang]
        assert title in page
        assert area in page
        assert on_track in page
        assert "<svg" in page
        assert page.count('fill="#2e7d32"') == 5
        assert "75%" in page  # entrepreneurship's share on track, in the chart and the table
    r = await http.get(f"{P}/report", params={"lang": "fr", "format": "csv"})
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0][:4] == [
        "Domaine thématique",
        "Activité",
        "Institutions chefs de file",
        "Indicateur",
    ]
    assert len(rows) == 21  # header + 20 indicators
    assert ["Entrepreneuriat", "entrepreneurship activity 3 (fr)",
            "Organisation de la sécurité sociale (Malaisie) (SOCSO/PERKESO)",
            "entrepreneurship participants 3 (fr)", "0", "2025", "30", "12", "En retard"] in rows  # fmt: skip


NEEDS: list[tuple[str, str, str, list[str], list[str], list[str]]] = [
    # institution, area, priority, topics, formats, languages
    ("aneti", "entrepreneurship", "high", ["business incubation", "microcredit guidance"], ["study_visit"], ["fr", "ar"]),
    ("anpe-sen", "entrepreneurship", "medium", ["microcredit guidance"], [], ["fr"]),
    ("iskur", "entrepreneurship", "low", ["business incubation"], [], ["en"]),
    ("anapec", "digital", "high", ["job matching", "e-services"], [], ["fr", "ar"]),
    ("pes-jor", "digital", "high", ["job matching"], [], ["ar", "en"]),
    ("anem", "digital", "medium", ["e-services"], [], ["fr", "ar"]),
    ("pes-bgd", "digital", "low", ["e-services", "chatbots"], [], ["en"]),
    ("pes-egy", "lmi", "medium", ["labour-market observatory"], [], ["ar"]),
    ("pes-idn", "youth", "high", ["career guidance", "job search training"], ["training_programme"], ["en"]),
    ("pes-pak", "youth", "medium", ["career guidance"], [], ["en"]),
]  # fmt: skip
OFFERS: list[tuple[str, str, str, list[str], list[str], list[str], int]] = [
    # institution, area, title, topics, formats, languages, capacity
    ("anapec", "entrepreneurship", "Business incubation for young graduates",
     ["business incubation", "microcredit guidance"], ["study_visit", "training_programme"], ["ar", "fr"], 2),
    ("iskur", "digital", "Online job-matching platform", ["job matching", "e-services"],
     ["study_visit", "expert_exchange"], ["en"], 2),
    ("anem", "digital", "E-services for jobseekers", ["e-services"], ["webinar"], ["ar", "fr"], 1),
    ("hrdf", "lmi", "Labour-market observatory and skills forecasting",
     ["skills forecasting", "labour-market observatory"], ["expert_exchange"], ["ar", "en"], 2),
    ("socso", "youth", "Career guidance for young jobseekers", ["career guidance", "job search training"],
     ["training_programme"], ["en"], 1),
]  # fmt: skip


async def test_matching_picks_what_a_person_would(
    actionplan: Any, taps: Any, registration_bus: Registration
) -> None:
    internal, _public = taps
    http = actionplan.http
    await build_plan(http)
    fps = await focal_points(http, registration_bus)
    need_of: dict[str, str] = {}
    for institution, area, priority, topics, formats, languages in NEEDS:
        need = await post(http, f"{P}/needs", {
            "thematic_area": area, "priority": priority, "title": {"en": f"{institution} needs {topics[0]}"},
            "topics": topics, "formats": formats, "languages": languages,
        }, fps[institution])  # fmt: skip
        assert need["institution"] == institution  # the token decides the institution
        need_of[need["id"]] = institution
    for institution, area, title, topics, formats, languages, capacity in OFFERS:
        await post(http, f"{P}/offers", {
            "thematic_area": area, "title": tri(title), "topics": topics, "formats": formats,
            "languages": languages, "capacity": capacity,
        }, fps[institution])  # fmt: skip

    proposals = (await post(http, f"{P}/matching", None))["proposed"]
    found = {
        (p["parties"][0]["institution"], p["kind"], frozenset(need_of[n] for n in p["need_ids"]))
        for p in proposals
    }
    assert found == {
        # ANAPEC has two seats on its incubation programme: Tunisia's high-priority need (both
        # topics, the study visit it asked for, French) and Senegal's medium one (microcredit,
        # French). ISKUR's low-priority need for the same programme waits: the seats go to the
        # more urgent needs.
        ("anapec", "multilateral", frozenset({"aneti", "anpe-sen"})),
        # ISKUR's job-matching platform takes two: ANAPEC (job matching and e-services, high) and
        # Jordan (job matching, high, English in common).
        ("iskur", "multilateral", frozenset({"anapec", "pes-jor"})),
        # ISKUR is full, so Bangladesh's e-services need goes to ANEM's e-services offer.
        ("anem", "bilateral", frozenset({"pes-bgd"})),
        # ANEM's own e-services need finds ISKUR full and is never matched with ANEM's own offer.
        ("hrdf", "bilateral", frozenset({"pes-egy"})),
        # SOCSO's one seat goes to Indonesia (high priority, both topics, the format it asked
        # for, English) rather than Pakistan (medium priority, one topic).
        ("socso", "bilateral", frozenset({"pes-idn"})),
    }
    for p in proposals:
        sides = {party["side"]: party["institution"] for party in p["parties"]}
        assert sides["offer"] not in [
            party["institution"] for party in p["parties"] if party["side"] == "need"
        ]
        assert all(p["explanation"][lang] for lang in ("ar", "en", "fr"))
    unmatched = (
        set(INSTITUTIONS)
        - {"hrdf", "socso"}
        - {need_of[n] for p in proposals for n in p["need_ids"]}
    )
    assert unmatched == {"iskur", "anem", "pes-pak"}
    # ranked best first; Indonesia-SOCSO is a perfect fit (all topics, high, format, language)
    assert [p["score"] for p in proposals] == sorted((p["score"] for p in proposals), reverse=True)
    assert [p["rank"] for p in proposals] == [1, 2, 3, 4, 5]
    socso = next(p for p in proposals if p["parties"][0]["institution"] == "socso")
    assert socso["score"] == 1.0
    assert "career guidance, job search training" in socso["explanation"]["en"]
    assert "high priority" in socso["explanation"]["en"]
    assert "priorité haute" in socso["explanation"]["fr"]

    # both sides hear of it: the internal event carries each side's focal-point contacts
    events = await internal.wait_for(CooperationProposed, count=5)
    assert len(events) == 5
    contacts = {
        party["institution"]: [c["email"] for c in party["contacts"]]
        for e in events
        for party in e["data"]["parties"]
    }
    assert contacts["socso"] == ["nfp@socso.example"]
    assert contacts["pes-idn"] == ["nfp@pes-idn.example"]

    # matching again proposes nothing new
    assert (await post(http, f"{P}/matching", None))["proposed"] == []

    # either side answers; the proposal is accepted once all sides accept
    socso_id = socso["id"]
    r = await http.post(
        f"/cooperation/proposals/{socso_id}/answer",
        json={"answer": "accepted"},
        headers=fps["pes-pak"],
    )
    assert r.status_code == 403
    answered = await post(
        http, f"/cooperation/proposals/{socso_id}/answer", {"answer": "accepted"}, fps["socso"]
    )
    assert answered["status"] == "proposed"
    answered = await post(
        http, f"/cooperation/proposals/{socso_id}/answer", {"answer": "accepted"}, fps["pes-idn"]
    )
    assert answered["status"] == "accepted"
    r = await http.post(
        f"/cooperation/proposals/{socso_id}/answer",
        json={"answer": "declined"},
        headers=fps["pes-idn"],
    )
    assert r.status_code == 409
    mine = (await http.get("/cooperation/proposals", headers=fps["pes-idn"])).json()
    assert [p["id"] for p in mine] == [socso_id]
    answers = await internal.wait_for(CooperationAnswered, count=2)
    assert {(a["data"]["institution"], a["data"]["answer"]) for a in answers} == {
        ("socso", "accepted"),
        ("pes-idn", "accepted"),
    }

    # Jordan declines ISKUR's platform: the proposal is declined, ISKUR's two seats reopen.
    iskur_offer = next(p for p in proposals if p["parties"][0]["institution"] == "iskur")
    declined = await post(
        http,
        f"/cooperation/proposals/{iskur_offer['id']}/answer",
        {"answer": "declined"},
        fps["pes-jor"],
    )
    assert declined["status"] == "declined"
    # Matching again keeps the live proposals and re-uses the freed seats: ANAPEC (which did not
    # decline) is proposed again, and ANEM's e-services need, left out the first time because
    # ISKUR was full, now gets the second seat. Jordan is not proposed ISKUR again.
    again = (await post(http, f"{P}/matching", None))["proposed"]
    assert [
        (p["parties"][0]["institution"], p["kind"], sorted(need_of[n] for n in p["need_ids"]))
        for p in again
    ] == [("iskur", "multilateral", ["anapec", "anem"])]
    assert again[0]["rank"] == 6  # ranks continue after the first round's five
