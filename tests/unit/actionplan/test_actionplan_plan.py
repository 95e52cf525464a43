"""The plan aggregate's rules: periods, life cycle, activities, results framework,
progress reports and their review."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pesnet.actionplan.domain.activities import Participation
from pesnet.actionplan.domain.periods import parse_period, reporting_periods
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.domain.results import Target
from pesnet.shared.errors import Conflict, Forbidden, InvalidInput
from pesnet.shared.events.common import Contact
from pesnet.shared.i18n import Localized

NOW = datetime(2024, 3, 1, 12, tzinfo=UTC)
FP = Contact(name="Focal Point", email="fp@anapec.example", language="fr")


def text(en: str) -> Localized:
    return Localized(ar=f"ع {en}", en=en, fr=f"fr {en}")


def adopted_plan() -> Plan:
    plan = Plan.draft("2024-2026", title=None, now=NOW)
    plan.add_thematic_area("youth", text("Youth employment"))
    plan.add_thematic_area("digital", text("Digitalisation of PES"))
    plan.add_activity(
        activity_id="act-1",
        thematic_area="digital",
        activity_type="study_visit",
        title=text("Study visit on job-matching platforms"),
        summary=None,
        lead_institutions=["anapec"],
        participants=[Participation(institution="iskur", role="host")],
        planned_start=date(2024, 10, 1),
        planned_end=date(2024, 10, 5),
        now=NOW,
    )
    plan.add_indicator(
        indicator_id="ind-1",
        title=text("PES staff trained"),
        measure="number",
        ascending=True,
        activity_id="act-1",
        thematic_area=None,
        baseline=0,
        baseline_year=2023,
        targets=[
            Target(reporting_period="2024", value=20),
            Target(reporting_period="2025", value=40),
        ],
    )
    plan.adopt("pesnet-4", at=NOW)
    return plan


@pytest.mark.parametrize(
    ("period", "why"),
    [
        ("2026-2024", r"ends \(2024\) before it starts"),
        ("2024", "YYYY-YYYY"),
        ("2024-2035", "at most"),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(period: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why) as err:
        parse_period(period)
    assert err.value.field == "period"


def test_reporting_periods_are_the_plan_years() -> None:
    assert reporting_periods("2024-2026") == ["2024", "2025", "2026"]
    assert reporting_periods("2021-2022") == ["2021", "2022"]


def test_a_plan_is_drafted_then_adopted_at_a_meeting_then_closed() -> None:
    plan = Plan.draft("2021-2022", title=None, now=NOW)
    assert plan.status == "draft"
    assert plan.title.en == (
        "Action Plan 2021-2022 of the OIC Public Employment Services Network (OIC-PESNET)"
    )
    plan.adopt("pesnet-3", at=NOW)
    assert (plan.status, plan.meeting_id) == ("adopted", "pesnet-3")
    with pytest.raises(Conflict):
        plan.adopt("pesnet-4", at=NOW)
    plan.close(at=NOW)
    assert [h.status for h in plan.history] == ["draft", "adopted", "closed"]
    with pytest.raises(Conflict):
        plan.close(at=NOW)


def test_an_activity_dated_outside_the_plan_or_in_an_unknown_area_is_refused() -> None:
    plan = adopted_plan()
    kwargs = {
        "activity_type": "webinar",
        "title": text("Webinar"),
        "summary": None,
        "lead_institutions": ["iskur"],
        "participants": [],
        "planned_end": None,
        "now": NOW,
    }
    with pytest.raises(InvalidInput) as err:
        plan.add_activity(thematic_area="digital", planned_start=date(2027, 1, 10), **kwargs)  # type: ignore[arg-type]
    assert err.value.field == "planned_start"
    with pytest.raises(InvalidInput) as err:
        plan.add_activity(thematic_area="tourism", planned_start=None, **kwargs)  # type: ignore[arg-type]
    assert err.value.field == "thematic_area"


def test_an_activity_title_needs_all_three_languages() -> None:
    plan = adopted_plan()
    with pytest.raises(InvalidInput) as err:
        plan.add_activity(
            thematic_area="digital",
            activity_type="webinar",
            title=Localized(en="Webinar", fr="Webinaire"),
            summary=None,
            lead_institutions=["iskur"],
            participants=[],
            planned_start=None,
            planned_end=None,
            now=NOW,
        )
    assert err.value.field == "title.ar"


def test_activity_status_keeps_its_history_and_refuses_impossible_moves() -> None:
    plan = adopted_plan()
    plan.change_activity_status("act-1", "postponed", now=NOW, planned_start=date(2025, 3, 1))
    plan.change_activity_status("act-1", "ongoing", now=NOW, actual_start=date(2025, 3, 2))
    activity = plan.change_activity_status(
        "act-1", "completed", now=NOW, actual_end=date(2025, 3, 6)
    )
    assert [h.status for h in activity.history] == ["planned", "postponed", "ongoing", "completed"]
    # a new start alone moves the activity and keeps its five days
    assert (activity.planned_start, activity.planned_end) == (date(2025, 3, 1), date(2025, 3, 5))
    assert (activity.actual_start, activity.actual_end) == (date(2025, 3, 2), date(2025, 3, 6))
    with pytest.raises(Conflict, match="completed cannot become ongoing"):
        plan.change_activity_status("act-1", "ongoing", now=NOW)


def test_a_target_on_a_qualitative_indicator_is_refused() -> None:
    plan = adopted_plan()
    with pytest.raises(InvalidInput) as err:
        plan.add_indicator(
            title=text("Quality of cooperation"),
            measure="qualitative",
            ascending=True,
            activity_id="act-1",
            thematic_area=None,
            baseline=None,
            baseline_year=None,
            targets=[Target(reporting_period="2024", value=1)],
        )
    assert err.value.field == "targets"


@pytest.mark.parametrize(
    ("field", "baseline", "target"), [("baseline", 120, 50), ("targets.0.value", 10, -5)]
)
def test_a_percentage_outside_0_100_is_refused(field: str, baseline: float, target: float) -> None:
    plan = adopted_plan()
    with pytest.raises(InvalidInput, match="between 0 and 100") as err:
        plan.add_indicator(
            title=text("Share of e-services"),
            measure="percentage",
            ascending=True,
            activity_id=None,
            thematic_area="digital",
            baseline=baseline,
            baseline_year=None,
            targets=[Target(reporting_period="2025", value=target)],
        )
    assert err.value.field == field


def test_a_target_outside_the_plan_years_is_refused() -> None:
    plan = adopted_plan()
    with pytest.raises(InvalidInput) as err:
        plan.add_indicator(
            title=text("Staff"),
            measure="number",
            ascending=True,
            activity_id="act-1",
            thematic_area=None,
            baseline=None,
            baseline_year=None,
            targets=[Target(reporting_period="2027", value=3)],
        )
    assert err.value.field == "targets.0.reporting_period"


def report(
    plan: Plan, *, institution: str = "anapec", period: str = "2024", value: float | str = 25
) -> str:
    return plan.report_progress(
        indicator_id="ind-1",
        reporting_period=period,
        actual_value=value,
        comment=None,
        institution=institution,
        reporter=FP,
        now=NOW,
    ).id


def test_progress_comes_from_the_lead_institution_only() -> None:
    plan = adopted_plan()
    with pytest.raises(Forbidden):
        report(plan, institution="iskur")  # iskur hosts the visit, anapec leads it
    assert plan.report(report(plan)).status == "submitted"


def test_progress_for_a_period_outside_the_plan_is_refused() -> None:
    plan = adopted_plan()
    with pytest.raises(InvalidInput) as err:
        report(plan, period="2023")
    assert err.value.field == "reporting_period"


def test_progress_on_a_closed_or_draft_plan_is_a_conflict() -> None:
    draft = Plan.draft("2024-2026", title=None, now=NOW)
    draft.add_thematic_area("digital", text("Digital"))
    with pytest.raises(Conflict, match="draft"):
        draft.report_progress(
            indicator_id="x", reporting_period="2024", actual_value=1, comment=None,
            institution="anapec", reporter=FP, now=NOW,
        )  # fmt: skip
    plan = adopted_plan()
    plan.close(at=NOW)
    with pytest.raises(Conflict, match="closed"):
        report(plan)


def test_a_report_is_validated_once_or_returned_with_a_comment() -> None:
    plan = adopted_plan()
    first = report(plan)
    plan.validate_report(first, now=NOW)
    with pytest.raises(Conflict, match="already validated"):
        plan.validate_report(first, now=NOW)
    second = report(plan, value=30)
    with pytest.raises(InvalidInput) as err:
        plan.return_report(second, "  ", now=NOW)
    assert err.value.field == "comment"
    returned = plan.return_report(second, "Please attach the attendance list", now=NOW)
    assert (returned.status, returned.review_comment) == (
        "returned",
        "Please attach the attendance list",
    )
    with pytest.raises(Conflict):
        plan.validate_report(second, now=NOW)


def test_every_vocabulary_has_its_three_language_labels() -> None:
    from typing import get_args

    from pesnet.actionplan.domain.activities import ActivityStatus, ActivityType
    from pesnet.actionplan.domain.labels import ACTIVITY_STATUSES, ACTIVITY_TYPES
    from pesnet.actionplan.translations import missing_translations

    assert set(ACTIVITY_TYPES) == set(get_args(ActivityType))
    assert set(ACTIVITY_STATUSES) == set(get_args(ActivityStatus))
    assert missing_translations() == []
