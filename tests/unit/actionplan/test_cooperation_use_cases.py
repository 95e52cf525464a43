"""Needs, offers and cooperation through their use cases, on the in-memory unit of work."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from pesnet.actionplan.domain.commands import (
    AnswerProposal,
    ClosePlan,
    ListProposals,
    RunMatching,
    SubmitNeed,
    SubmitOffer,
)
from pesnet.actionplan.service_layer import cooperation, plans
from pesnet.shared.credentials import SECRETARIAT, Actor
from pesnet.shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from pesnet.shared.events.actionplan import CooperationAnswered, CooperationProposed
from pesnet.shared.i18n import Language, Localized
from tests.unit.actionplan.fakes import FakeActionPlanUnitOfWork
from tests.unit.actionplan.scenario import PERIOD, adopted_plan, clock, focal_point, text


def need(actor: Actor, **changes: Any) -> SubmitNeed:
    command = SubmitNeed(
        PERIOD,
        actor,
        thematic_area="digital",
        priority="high",
        title=Localized(fr="Plateforme d'appariement"),
        topics=["job matching"],
    )
    return replace(command, **changes)


def offer(actor: Actor, **changes: Any) -> SubmitOffer:
    command = SubmitOffer(
        PERIOD,
        actor,
        thematic_area="digital",
        title=text("Online job-matching platform"),
        topics=["job matching"],
        languages=[Language.fr],
    )
    return replace(command, **changes)


async def test_a_need_is_filed_for_the_token_s_institution_in_its_language() -> None:
    uow = FakeActionPlanUnitOfWork()
    await adopted_plan(uow)
    aneti = await focal_point(uow, "aneti", country="TUN")
    filed = await cooperation.submit_need(need(aneti), uow, clock=clock)
    assert (filed.institution, filed.country, filed.languages) == ("aneti", "TUN", ["fr"])
    stated = await cooperation.submit_need(need(aneti, languages=[Language.ar]), uow, clock=clock)
    assert stated.languages == ["ar"]
    listed = await cooperation.list_needs(PERIOD, uow)
    assert [n.id for n in listed.found] == [filed.id, stated.id]
    assert listed.names["aneti"].label("fr") == "SPE de Tunisie"


async def test_a_need_without_a_title_or_area_or_institution_is_refused() -> None:
    uow = FakeActionPlanUnitOfWork()
    await adopted_plan(uow)
    aneti = await focal_point(uow, "aneti")
    with pytest.raises(InvalidInput) as refused:
        await cooperation.submit_need(need(aneti, title=Localized()), uow, clock=clock)
    assert refused.value.field == "title"
    with pytest.raises(InvalidInput) as refused:
        await cooperation.submit_need(need(aneti, thematic_area="tourism"), uow, clock=clock)
    assert refused.value.field == "thematic_area"
    with pytest.raises(Forbidden):
        await cooperation.submit_need(need(SECRETARIAT), uow, clock=clock)
    assert (await cooperation.list_needs(PERIOD, uow)).found == []


async def test_an_offer_is_filed_and_listed_but_not_to_a_closed_plan() -> None:
    uow = FakeActionPlanUnitOfWork()
    await adopted_plan(uow)
    iskur = await focal_point(uow, "iskur", language=Language.en)
    filed = await cooperation.submit_offer(offer(iskur, capacity=2), uow, clock=clock)
    assert (filed.institution, filed.capacity) == ("iskur", 2)
    listed = await cooperation.list_offers(PERIOD, uow)
    assert listed.found == [filed]
    assert listed.names["iskur"].label("en") == "Turkish Employment Agency (İŞKUR)"
    await plans.close_plan(ClosePlan(PERIOD), uow, clock=clock)
    with pytest.raises(Conflict):
        await cooperation.submit_offer(offer(iskur), uow, clock=clock)
    with pytest.raises(NotFound):
        await cooperation.list_offers("2030-2031", uow)


async def test_matching_proposes_once_and_tells_both_sides_contacts() -> None:
    uow = FakeActionPlanUnitOfWork()
    await adopted_plan(uow)
    anapec = await focal_point(uow, "anapec")
    iskur = await focal_point(uow, "iskur")
    await cooperation.submit_need(need(anapec), uow, clock=clock)
    await cooperation.submit_offer(offer(iskur), uow, clock=clock)

    [proposal] = await cooperation.run_matching(RunMatching(PERIOD), uow, clock=clock)
    assert (proposal.kind, proposal.rank) == ("bilateral", 1)
    assert [(p.institution, p.side) for p in proposal.parties] == [
        ("iskur", "offer"),
        ("anapec", "need"),
    ]
    [proposed] = uow.events(CooperationProposed)
    assert isinstance(proposed, CooperationProposed)
    assert proposed.proposal_id == proposal.id
    assert proposed.thematic_area.id == "digital"
    assert {p.institution: [c.email for c in p.contacts] for p in proposed.parties} == {
        "iskur": ["fp@iskur.example"],
        "anapec": ["fp@anapec.example"],
    }
    # the people told read the institutions' names, in their language
    names = {p.institution: p.institution_name for p in proposed.parties}
    assert names["iskur"] is not None
    assert names["iskur"].fr == "Agence turque pour l'emploi (İŞKUR)"
    assert names["anapec"] is not None
    assert names["anapec"].ar == "الوكالة الوطنية لإنعاش التشغيل والكفاءات"
    assert (proposal.explanation.en or "").startswith(
        "The offer of Turkish Employment Agency (İŞKUR), "
    )
    assert await cooperation.run_matching(RunMatching(PERIOD), uow, clock=clock) == []
    assert len(uow.events(CooperationProposed)) == 1


async def test_the_secretariat_sees_every_proposal_a_focal_point_its_own() -> None:
    uow = FakeActionPlanUnitOfWork()
    await adopted_plan(uow)
    anapec = await focal_point(uow, "anapec")
    iskur = await focal_point(uow, "iskur")
    outsider = await focal_point(uow, "pes-pak")
    await cooperation.submit_need(need(anapec), uow, clock=clock)
    await cooperation.submit_offer(offer(iskur), uow, clock=clock)
    [proposal] = await cooperation.run_matching(RunMatching(PERIOD), uow, clock=clock)

    async def seen_by(actor: Actor) -> list[str]:
        listed = await cooperation.list_proposals(ListProposals(actor), uow)
        return [p.id for p in listed.found]

    assert await seen_by(SECRETARIAT) == await seen_by(anapec) == [proposal.id]
    assert await seen_by(outsider) == []


async def test_a_proposal_is_accepted_when_every_party_accepts() -> None:
    uow = FakeActionPlanUnitOfWork()
    await adopted_plan(uow)
    anapec = await focal_point(uow, "anapec")
    iskur = await focal_point(uow, "iskur")
    outsider = await focal_point(uow, "pes-pak")
    await cooperation.submit_need(need(anapec), uow, clock=clock)
    await cooperation.submit_offer(offer(iskur), uow, clock=clock)
    [proposal] = await cooperation.run_matching(RunMatching(PERIOD), uow, clock=clock)

    def answer(actor: Actor) -> AnswerProposal:
        return AnswerProposal(proposal.id, actor, "accepted")

    with pytest.raises(Forbidden):
        await cooperation.answer_proposal(answer(outsider), uow, clock=clock)
    assert (await cooperation.answer_proposal(answer(iskur), uow, clock=clock)).status == "proposed"
    assert (
        await cooperation.answer_proposal(answer(anapec), uow, clock=clock)
    ).status == "accepted"
    with pytest.raises(Conflict):
        await cooperation.answer_proposal(answer(anapec), uow, clock=clock)
    assert uow.events(CooperationAnswered) == [
        CooperationAnswered(proposal_id=proposal.id, institution="iskur", answer="accepted"),
        CooperationAnswered(proposal_id=proposal.id, institution="anapec", answer="accepted"),
    ]
    with pytest.raises(NotFound):
        await cooperation.answer_proposal(
            AnswerProposal("coop-unknown", anapec, "declined"), uow, clock=clock
        )


async def test_matching_a_closed_plan_is_a_conflict() -> None:
    uow = FakeActionPlanUnitOfWork()
    await adopted_plan(uow)
    await plans.close_plan(ClosePlan(PERIOD), uow, clock=clock)
    with pytest.raises(Conflict):
        await cooperation.run_matching(RunMatching(PERIOD), uow, clock=clock)
