"""The implementation report renders in each language, names institutions as its reader's
language does, and never lets a title become markup."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from pesnet.actionplan.adapters.report import render_csv, render_html
from pesnet.actionplan.domain.plan import Plan
from pesnet.shared.i18n import Localized
from tests.unit.actionplan.fakes import REFERENCE

NOW = datetime(2024, 3, 1, tzinfo=UTC)


def plan_with_hostile_area() -> Plan:
    plan = Plan.draft("2024-2026", title=None, now=NOW)
    plan.add_thematic_area(
        "digital",
        Localized(ar="الرقمنة <script>", en="Digital <script>x</script>", fr="Numérique & co"),
    )
    plan.adopt("pesnet-4", at=NOW)
    return plan


def test_titles_are_escaped_in_the_page_and_the_chart() -> None:
    page = render_html(plan_with_hostile_area(), "en")
    assert "<script>" not in page
    assert page.count("Digital &lt;script&gt;x&lt;/script&gt;") == 2  # chart label and table
    assert "Numérique &amp; co" in render_html(plan_with_hostile_area(), "fr")


def test_arabic_report_is_right_to_left_with_arabic_dates() -> None:
    page = render_html(plan_with_hostile_area(), "ar")
    assert '<html lang="ar" dir="rtl">' in page
    assert 'direction="rtl"' in page  # the SVG chart too
    assert "مارس" in page  # adoption date with the Arabic month name (1 March 2024)


def test_csv_starts_with_a_bom_and_localized_headers() -> None:
    text = render_csv(plan_with_hostile_area(), "ar")
    assert text.startswith("\ufeffالمجال المواضيعي,")


def plan_led_by_anapec_and_iskur() -> Plan:
    plan = Plan.draft("2024-2026", title=None, now=NOW)
    plan.add_thematic_area("digital", Localized(ar="الرقمنة", en="Digital", fr="Numérique"))
    activity = plan.add_activity(
        thematic_area="digital",
        activity_type="study_visit",
        title=Localized(ar="زيارة", en="Visit", fr="Visite"),
        summary=None,
        lead_institutions=["anapec", "iskur"],
        participants=[],
        planned_start=None,
        planned_end=None,
        now=NOW,
    )
    plan.add_indicator(
        title=Localized(ar="متدربون", en="Staff trained", fr="Agents formés"),
        measure="number",
        ascending=True,
        activity_id=activity.id,
        thematic_area=None,
        baseline=0,
        baseline_year=None,
        targets=[],
    )
    return plan


def test_the_report_names_lead_institutions_in_the_readers_language() -> None:
    plan = plan_led_by_anapec_and_iskur()
    names = {k: REFERENCE[k] for k in ("anapec", "iskur")}
    for lang, expected in (
        ("ar", "الوكالة الوطنية لإنعاش التشغيل والكفاءات, وكالة التوظيف التركية"),
        (
            "en",
            "National Agency for the Promotion of Employment and Skills (ANAPEC), "
            "Turkish Employment Agency (İŞKUR)",
        ),
        (
            "fr",
            "Agence nationale de promotion de l&#39;emploi et des compétences (ANAPEC), "
            "Agence turque pour l&#39;emploi (İŞKUR)",
        ),
    ):
        page = render_html(plan, lang, {}, names)
        assert expected in page, lang
        assert "anapec" not in page
    rows = list(csv.reader(io.StringIO(render_csv(plan, "fr", names).lstrip("\ufeff"))))
    assert rows[0][:4] == [
        "Domaine thématique",
        "Activité",
        "Institutions chefs de file",
        "Indicateur",
    ]
    assert rows[1][2] == (
        "Agence nationale de promotion de l'emploi et des compétences (ANAPEC), "
        "Agence turque pour l'emploi (İŞKUR)"
    )
