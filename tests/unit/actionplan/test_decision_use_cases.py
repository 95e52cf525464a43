"""A meeting's decisions, projected from the agenda's published communiqué, linked to the
activities that carry them out, and what happened to them (the report's section)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pesnet.actionplan.domain.commands import ChangeActivityStatus, RenderReport
from pesnet.actionplan.domain.decisions import LinkDecision, LinkedActivity, UnlinkDecision
from pesnet.actionplan.entrypoints.messaging import subscriptions
from pesnet.actionplan.service_layer import activities, decisions, plans
from pesnet.shared.credentials import SECRETARIAT
from pesnet.shared.envelope import CloudEvent
from pesnet.shared.errors import Conflict, InvalidInput, NotFound
from pesnet.shared.events import CATALOG
from pesnet.shared.events.actionplan import DecisionActivityLinked
from pesnet.shared.events.agenda import CommuniqueParagraph, CommuniquePublished
from pesnet.shared.i18n import Language
from tests.unit.actionplan.fakes import FakeActionPlanUnitOfWork
from tests.unit.actionplan.scenario import PERIOD, adopted_plan, clock, text

ADOPTED = datetime(2024, 3, 1, 16, 25, tzinfo=UTC)


def published(*paragraphs: str, at: datetime = ADOPTED) -> tuple[CommuniquePublished, CloudEvent]:
    payload = CommuniquePublished(
        meeting_id="pesnet-4",
        meeting_number=4,
        adopted_at=ADOPTED,
        published_at=at,
        paragraphs=[
            CommuniqueParagraph(paragraph_id=p, number=n, kind="decision", text=text(p))
            for n, p in enumerate(paragraphs, start=1)
        ],
    )
    return payload, CATALOG.envelope(payload, source="/pesnet/agenda")


async def hear(
    uow: FakeActionPlanUnitOfWork, event: tuple[CommuniquePublished, CloudEvent]
) -> None:
    await subscriptions().handle(event[0], uow, event[1])


async def test_a_decision_linked_to_an_activity_shows_its_state_in_the_report() -> None:
    uow = FakeActionPlanUnitOfWork()
    activity_id, _ = await adopted_plan(uow)
    await hear(uow, published("p1", "p2"))
    link = LinkDecision("pesnet-4", "p1", LinkedActivity(period=PERIOD, activity_id=activity_id))
    await decisions.link_decision(link, uow)
    with pytest.raises(Conflict):
        await decisions.link_decision(link, uow)
    await activities.change_activity_status(
        ChangeActivityStatus(PERIOD, activity_id, SECRETARIAT, "ongoing"), uow, clock=clock
    )

    states = await decisions.meeting_decisions("pesnet-4", uow)
    assert [(s.decision.number, [a.activity.status for a in s.activities if a.activity]) for s in states] == [
        (1, ["ongoing"]),
        (2, []),
    ]  # fmt: skip
    (linked,) = uow.events(DecisionActivityLinked)
    assert isinstance(linked, DecisionActivityLinked)
    assert linked.paragraph_id == "p1"
    decided = await decisions.plan_decisions(PERIOD, uow)
    assert [s.decision.paragraph_id for s in decided] == ["p1"]
    html = await plans.render_report(RenderReport(PERIOD, Language.en, "html"), uow, Renderer())
    assert html == "p1: Study visit on job-matching platforms=ongoing"


async def test_a_newer_publication_keeps_the_links_of_the_paragraphs_it_still_has() -> None:
    uow = FakeActionPlanUnitOfWork()
    activity_id, _ = await adopted_plan(uow)
    await hear(uow, published("p1", "p2"))
    link = LinkedActivity(period=PERIOD, activity_id=activity_id)
    await decisions.link_decision(LinkDecision("pesnet-4", "p2", link), uow)
    await hear(uow, published("p2", "p3", at=datetime(2024, 3, 2, tzinfo=UTC)))
    await hear(uow, published("p1", at=datetime(2024, 3, 1, 17, tzinfo=UTC)))  # older, late

    states = await decisions.meeting_decisions("pesnet-4", uow)
    assert [(s.decision.paragraph_id, len(s.activities)) for s in states] == [("p2", 1), ("p3", 0)]
    await decisions.unlink_decision(UnlinkDecision("pesnet-4", "p2", link), uow)
    with pytest.raises(NotFound):
        await decisions.unlink_decision(UnlinkDecision("pesnet-4", "p2", link), uow)


async def test_only_an_existing_activity_and_decision_are_linked() -> None:
    uow = FakeActionPlanUnitOfWork()
    await adopted_plan(uow)
    missing = LinkedActivity(period=PERIOD, activity_id="nothing")
    with pytest.raises(NotFound):  # no communiqué known yet
        await decisions.link_decision(LinkDecision("pesnet-4", "p1", missing), uow)
    await hear(uow, published("p1"))
    with pytest.raises(InvalidInput) as refused:  # the body names an unknown activity
        await decisions.link_decision(LinkDecision("pesnet-4", "p1", missing), uow)
    assert refused.value.field == "activity_id"


class Renderer:
    """Says which decisions the report got, and their activities' states."""

    def html(self, plan, lang, meetings, names, decisions=()):  # type: ignore[no-untyped-def]
        return "; ".join(
            f"{s.decision.paragraph_id}: "
            + ", ".join(f"{a.activity.title.get(lang)}={a.activity.status}" for a in s.activities)
            for s in decisions
        )

    def csv(self, plan, lang, names):  # type: ignore[no-untyped-def]
        return ""
