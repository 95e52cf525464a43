"""The implementation report renders in each language and never lets a title become markup."""

from __future__ import annotations

from datetime import UTC, datetime

from pesnet.actionplan.adapters.report import render_csv, render_html
from pesnet.actionplan.domain.model import Plan
from pesnet.shared.i18n import Localized

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
