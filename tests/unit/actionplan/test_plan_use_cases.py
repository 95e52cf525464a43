"""Plans through their use cases, on the in-memory unit of work: drafting, areas,
adoption and closing with their events, the meetings projection, reads and the report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pytest

from pesnet.actionplan.domain.commands import (
    AddThematicArea,
    AdoptPlan,
    ClosePlan,
    CreatePlan,
    RecordMeeting,
    RenderReport,
)
from pesnet.actionplan.domain.decisions import DecisionState
from pesnet.actionplan.domain.institutions import Names
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.entrypoints.messaging import subscriptions
from pesnet.actionplan.service_layer import plans
from pesnet.shared.catalog import PublicPayload
from pesnet.shared.errors import Conflict, InvalidInput, NotFound
from pesnet.shared.events import CATALOG
from pesnet.shared.events.actionplan import PlanAdopted, PlanClosed, PlanCreated
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.i18n import Language, Localized
from tests.unit.actionplan.fakes import FakeActionPlanUnitOfWork
from tests.unit.actionplan.scenario import NOW, PERIOD, clock, draft_plan, text


async def test_a_plan_is_drafted_once_with_its_default_title() -> None:
    uow = FakeActionPlanUnitOfWork()
    plan = await plans.create_plan(CreatePlan(PERIOD), uow, clock=clock)
    assert (plan.status, plan.title.get("en")) == (
        "draft",
        "Action Plan 2024-2026 of the OIC Public Employment Services Network (OIC-PESNET)",
    )
    assert (await uow.plans.get(PERIOD)) == plan
    with pytest.raises(Conflict):
        await plans.create_plan(CreatePlan(PERIOD), uow, clock=clock)
    # drafting is recorded (the audit trail), not announced to the other services
    assert [type(e) for e in uow.events()] == [PlanCreated]
    assert not isinstance(uow.events()[0], PublicPayload)


async def test_a_reversed_period_is_refused_naming_the_field() -> None:
    uow = FakeActionPlanUnitOfWork()
    with pytest.raises(InvalidInput) as refused:
        await plans.create_plan(CreatePlan("2026-2024"), uow, clock=clock)
    assert refused.value.field == "period"
    assert uow.commits == 0


async def test_a_thematic_area_is_added_to_a_draft_only() -> None:
    uow = FakeActionPlanUnitOfWork()
    await draft_plan(uow)
    plan = await plans.add_thematic_area(AddThematicArea(PERIOD, "youth", text("Youth")), uow)
    assert [a.id for a in plan.thematic_areas] == ["digital", "youth"]
    await plans.adopt_plan(AdoptPlan(PERIOD, "pesnet-4"), uow, clock=clock)
    with pytest.raises(Conflict):
        await plans.add_thematic_area(AddThematicArea(PERIOD, "lmi", text("LMI")), uow)
    stored = await uow.plans.get(PERIOD)
    assert stored is not None
    assert len(stored.thematic_areas) == 2


async def test_adoption_at_a_meeting_is_announced_with_the_areas() -> None:
    uow = FakeActionPlanUnitOfWork()
    await draft_plan(uow)
    plan = await plans.adopt_plan(
        AdoptPlan(PERIOD, "pesnet-4", adopted_on=date(2024, 3, 1)), uow, clock=clock
    )
    assert (plan.status, plan.meeting_id) == ("adopted", "pesnet-4")
    [adopted] = uow.events(PlanAdopted)
    assert isinstance(adopted, PlanAdopted)
    assert (adopted.period, adopted.meeting_id, adopted.adopted_at) == (
        PERIOD,
        "pesnet-4",
        NOW.replace(hour=0),
    )
    assert [a.id for a in adopted.thematic_areas] == ["digital"]
    with pytest.raises(Conflict):
        await plans.adopt_plan(AdoptPlan(PERIOD, "pesnet-5"), uow, clock=clock)
    assert len(uow.events(PlanAdopted)) == 1  # the refused second adoption emitted nothing


async def test_only_an_adopted_plan_is_closed() -> None:
    uow = FakeActionPlanUnitOfWork()
    await draft_plan(uow)
    with pytest.raises(Conflict):
        await plans.close_plan(ClosePlan(PERIOD), uow, clock=clock)
    await plans.adopt_plan(AdoptPlan(PERIOD, "pesnet-4"), uow, clock=clock)
    plan = await plans.close_plan(ClosePlan(PERIOD), uow, clock=clock)
    assert plan.status == "closed"
    assert uow.events(PlanClosed) == [PlanClosed(period=PERIOD, closed_at=NOW)]


async def test_an_unknown_plan_is_not_found() -> None:
    uow = FakeActionPlanUnitOfWork()
    with pytest.raises(NotFound):
        await plans.plan_details("2030-2031", uow)
    with pytest.raises(NotFound):
        await plans.close_plan(ClosePlan("2030-2031"), uow, clock=clock)


async def test_a_plan_names_the_meetings_the_agenda_announced() -> None:
    uow = FakeActionPlanUnitOfWork()
    await plans.create_plan(CreatePlan(PERIOD, draft_meeting_id="pesnet-4"), uow, clock=clock)
    assert (await plans.plan_details(PERIOD, uow)).meeting_titles == {}
    title = text("4th meeting")
    event = MeetingScheduled(
        meeting_id="pesnet-4", number=4, title=title, timezone="Africa/Casablanca"
    )
    await subscriptions().handle(event, uow, CATALOG.envelope(event, source="/pesnet/agenda"))
    details = await plans.plan_details(PERIOD, uow)
    assert details.meeting_titles == {"pesnet-4": title}
    # announced again with a new title: the latest is kept
    await plans.record_meeting(
        RecordMeeting("pesnet-4", 4, text("4th meeting, Marrakech"), "Africa/Casablanca"), uow
    )
    details = await plans.plan_details(PERIOD, uow)
    assert details.meeting_titles["pesnet-4"].get("en") == "4th meeting, Marrakech"


async def test_plans_are_listed_by_period() -> None:
    uow = FakeActionPlanUnitOfWork()
    for period in ("2024-2026", "2021-2022"):
        await plans.create_plan(CreatePlan(period), uow, clock=clock)
    assert [p.period for p in await plans.list_plans(uow)] == ["2021-2022", "2024-2026"]


class RecordingRenderer:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Language, dict[str, Localized] | None, list[str]]] = []

    def html(
        self,
        plan: Plan,
        lang: Language,
        meetings: Mapping[str, Localized],
        names: Names,
        decisions: Sequence[DecisionState] = (),
    ) -> str:
        self.calls.append(("html", plan.period, lang, dict(meetings), sorted(names)))
        return "<html>"

    def csv(self, plan: Plan, lang: Language, names: Names) -> str:
        self.calls.append(("csv", plan.period, lang, None, sorted(names)))
        return "\ufeffcsv"


async def test_the_report_is_rendered_in_the_asked_language_and_format() -> None:
    uow = FakeActionPlanUnitOfWork()
    await plans.create_plan(CreatePlan(PERIOD, draft_meeting_id="pesnet-4"), uow, clock=clock)
    await plans.record_meeting(
        RecordMeeting("pesnet-4", 4, text("4th meeting"), "Africa/Casablanca"), uow
    )
    renderer = RecordingRenderer()
    html = await plans.render_report(RenderReport(PERIOD, Language.ar, "html"), uow, renderer)
    csv = await plans.render_report(RenderReport(PERIOD, Language.fr, "csv"), uow, renderer)
    assert (html, csv) == ("<html>", "\ufeffcsv")
    assert renderer.calls == [
        ("html", PERIOD, Language.ar, {"pesnet-4": text("4th meeting")}, []),
        ("csv", PERIOD, Language.fr, None, []),
    ]
    with pytest.raises(NotFound):
        await plans.render_report(RenderReport("2030-2031", Language.en, "html"), uow, renderer)
