"""A small action plan built through the use cases, for the use-case tests: a
2024-2026 plan with a `digital` area, one study visit led by ANAPEC and one
numeric indicator on it, and focal points named for institutions."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pesnet.actionplan.domain.activities import Participation
from pesnet.actionplan.domain.commands import (
    AddActivity,
    AddIndicator,
    AdoptPlan,
    CreatePlan,
    RegisterFocalPoint,
)
from pesnet.actionplan.domain.results import Target
from pesnet.actionplan.service_layer import activities, focal_points, plans
from pesnet.shared.credentials import Actor
from pesnet.shared.i18n import Language, Localized
from tests.unit.actionplan.fakes import FakeActionPlanUnitOfWork

NOW = datetime(2024, 3, 1, 12, tzinfo=UTC)
PERIOD = "2024-2026"


def clock() -> datetime:
    return NOW


def text(en: str) -> Localized:
    return Localized(ar=f"ع {en}", en=en, fr=f"fr {en}")


async def draft_plan(uow: FakeActionPlanUnitOfWork) -> None:
    command = CreatePlan(PERIOD, thematic_areas=[("digital", text("Digitalisation of PES"))])
    await plans.create_plan(command, uow, clock=clock)


async def adopted_plan(uow: FakeActionPlanUnitOfWork) -> tuple[str, str]:
    """(activity id, indicator id) of the plan, adopted at the 4th meeting."""
    await draft_plan(uow)
    activity = await activities.add_activity(
        AddActivity(
            period=PERIOD,
            thematic_area="digital",
            activity_type="study_visit",
            title=text("Study visit on job-matching platforms"),
            lead_institutions=["anapec"],
            participants=[Participation(institution="iskur", role="host")],
            planned_start=date(2024, 10, 1),
            planned_end=date(2024, 10, 5),
        ),
        uow,
        clock=clock,
    )
    indicator = await activities.add_indicator(
        AddIndicator(
            period=PERIOD,
            title=text("PES staff trained"),
            measure="number",
            activity_id=activity.id,
            baseline=0,
            targets=[
                Target(reporting_period="2024", value=20),
                Target(reporting_period="2025", value=40),
            ],
        ),
        uow,
    )
    await plans.adopt_plan(AdoptPlan(PERIOD, "pesnet-4"), uow, clock=clock)
    return activity.id, indicator.id


async def focal_point(
    uow: FakeActionPlanUnitOfWork,
    institution: str,
    *,
    language: Language = Language.fr,
    country: str | None = None,
) -> Actor:
    """A focal point of `institution` (of the institution's country unless another is
    given), as the actor its token stands for."""
    issued = await focal_points.register_focal_point(
        RegisterFocalPoint(
            institution=institution,
            name=f"FP {institution}",
            email=f"fp@{institution}.example",
            language=language,
            country=country,
        ),
        uow,
        clock=clock,
    )
    return issued.focal_point.actor
