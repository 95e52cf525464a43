"""Needs, offers and cooperation: focal points file their institution's capacity-building
needs and offers of expertise, the secretariat runs the matching, and the parties answer
the proposals (`domain/matching.py` and `domain/cooperation.py` hold the rules)."""

from __future__ import annotations

from typing import TypeVar

from pesnet.actionplan.domain.access import institution_of
from pesnet.actionplan.domain.commands import (
    AnswerProposal,
    ListProposals,
    RunMatching,
    SubmitNeed,
    SubmitOffer,
)
from pesnet.actionplan.domain.cooperation import Proposal, commitments
from pesnet.actionplan.domain.entity import new_id
from pesnet.actionplan.domain.institutions import labels_of
from pesnet.actionplan.domain.matching import Need, Offer, match
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.service_layer.focal_points import contacts_of
from pesnet.actionplan.service_layer.institutions import Named, names_of
from pesnet.actionplan.service_layer.plans import require_plan
from pesnet.actionplan.service_layer.ports import Clock
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Conflict, InvalidInput, NotFound
from pesnet.shared.events.actionplan import (
    CooperationAnswered,
    CooperationParty,
    CooperationProposed,
    MatchingRun,
    NeedSubmitted,
    OfferSubmitted,
    Submitted,
    ThematicAreaRef,
)
from pesnet.shared.i18n import Language, Localized
from pesnet.shared.translation import _


def _require_title(title: Localized) -> None:
    if not title.get("en").strip():
        raise InvalidInput(_("a title in at least one of ar, en, fr is required"), field="title")


S = TypeVar("S", bound=Submitted)


async def _open_plan_area(uow: ActionPlanUnitOfWork, period: str, area_id: str) -> Plan:
    """A need and an offer are filed alike: to a plan that is not closed, in one of its
    thematic areas."""
    plan = await require_plan(uow, period)
    plan.area(area_id)
    if plan.status == "closed":
        raise Conflict(_("the {period} plan is closed"), params={"period": period})
    return plan


async def _languages(
    uow: ActionPlanUnitOfWork, actor: Actor, stated: list[Language]
) -> list[Language]:
    """The working languages stated, or else the focal point's own."""
    if stated:
        return list(stated)
    if actor.focal_point_id is not None:
        focal_point = await uow.focal_points.get(actor.focal_point_id)
        if focal_point is not None:
            return [focal_point.language]
    return []


def _submitted(model: type[S], submission: Need | Offer) -> S:
    return model(
        period=submission.period,
        submission_id=submission.id,
        institution=submission.institution,
        thematic_area=submission.thematic_area,
    )


async def submit_need(cmd: SubmitNeed, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow) -> Need:
    institution = institution_of(cmd.actor)
    _require_title(cmd.title)

    async def work(uow: ActionPlanUnitOfWork) -> Need:
        await _open_plan_area(uow, cmd.period, cmd.thematic_area)
        need = Need(
            id=new_id("need"),
            period=cmd.period,
            institution=institution,
            country=cmd.actor.country,
            thematic_area=cmd.thematic_area,
            priority=cmd.priority,
            title=cmd.title,
            topics=cmd.topics,
            formats=cmd.formats,
            languages=await _languages(uow, cmd.actor, cmd.languages),
            submitted_at=clock(),
        )
        await uow.needs.add(need)
        uow.emit(_submitted(NeedSubmitted, need), subject=need.id)
        return need

    return await uow.run(work)


async def submit_offer(
    cmd: SubmitOffer, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow
) -> Offer:
    institution = institution_of(cmd.actor)
    _require_title(cmd.title)

    async def work(uow: ActionPlanUnitOfWork) -> Offer:
        await _open_plan_area(uow, cmd.period, cmd.thematic_area)
        offer = Offer(
            id=new_id("offer"),
            period=cmd.period,
            institution=institution,
            country=cmd.actor.country,
            thematic_area=cmd.thematic_area,
            title=cmd.title,
            topics=cmd.topics,
            formats=cmd.formats,
            languages=await _languages(uow, cmd.actor, cmd.languages),
            capacity=cmd.capacity,
            submitted_at=clock(),
        )
        await uow.offers.add(offer)
        uow.emit(_submitted(OfferSubmitted, offer), subject=offer.id)
        return offer

    return await uow.run(work)


async def list_needs(period: str, uow: ActionPlanUnitOfWork) -> Named[list[Need]]:
    await require_plan(uow, period)
    needs = await uow.needs.of_period(period)
    return Named(needs, await names_of(uow, (n.institution for n in needs)))


async def list_offers(period: str, uow: ActionPlanUnitOfWork) -> Named[list[Offer]]:
    await require_plan(uow, period)
    offers = await uow.offers.of_period(period)
    return Named(offers, await names_of(uow, (o.institution for o in offers)))


async def run_matching(
    cmd: RunMatching, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow
) -> list[Proposal]:
    """Propose cooperation for the needs and offers on file, on top of the proposals
    already made (see `Commitments`); ranks continue after the earlier ones."""

    async def work(uow: ActionPlanUnitOfWork) -> list[Proposal]:
        plan = await require_plan(uow, cmd.period)
        if plan.status == "closed":
            raise Conflict(_("the {period} plan is closed"), params={"period": cmd.period})
        needs = await uow.needs.of_period(cmd.period)
        offers = await uow.offers.of_period(cmd.period)
        offer_by_id = {o.id: o for o in offers}
        earlier = await uow.proposals.find(cmd.period)
        existing = {p.key for p in earlier}
        names = labels_of(
            await names_of(uow, [n.institution for n in needs] + [o.institution for o in offers])
        )
        now = clock()
        created: list[Proposal] = []
        rank = max((p.rank for p in earlier), default=0)
        for found in match(needs, offers, plan.thematic_areas, commitments(earlier), names):
            if found.key in existing:
                continue
            rank += 1
            offer = offer_by_id[found.offer_id]
            proposal = Proposal.from_match(
                new_id("coop"), cmd.period, found, offer.title, rank, now
            )
            await uow.proposals.add(proposal)
            contacts = await contacts_of(uow, [p.institution for p in proposal.parties])
            area = plan.area(proposal.thematic_area)
            uow.emit(
                CooperationProposed(
                    proposal_id=proposal.id,
                    period=cmd.period,
                    kind=proposal.kind,
                    thematic_area=ThematicAreaRef(id=area.id, title=area.title),
                    offer_title=offer.title,
                    explanation=proposal.explanation,
                    score=proposal.score,
                    parties=[
                        CooperationParty(
                            institution=p.institution,
                            side=p.side,
                            contacts=contacts[p.institution],
                            institution_name=names.get(p.institution),
                        )
                        for p in proposal.parties
                    ],
                ),
                subject=proposal.id,
            )
            created.append(proposal)
        uow.emit(MatchingRun(period=cmd.period, proposals=len(created)), subject=cmd.period)
        return created

    return await uow.run(work)


async def list_proposals(query: ListProposals, uow: ActionPlanUnitOfWork) -> Named[list[Proposal]]:
    """The secretariat sees every proposal; a focal point those its institution is party to."""
    institution = (
        None if query.actor.has(StaffRole.actionplan_officer) else institution_of(query.actor)
    )
    proposals = await uow.proposals.find(query.period, institution)
    parties = (party.institution for p in proposals for party in p.parties)
    return Named(proposals, await names_of(uow, parties))


async def answer_proposal(
    cmd: AnswerProposal, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow
) -> Proposal:
    institution = institution_of(cmd.actor)

    async def work(uow: ActionPlanUnitOfWork) -> Proposal:
        proposal = await uow.proposals.get(cmd.proposal_id)
        if proposal is None:
            raise NotFound(_("no cooperation proposal {id}"), params={"id": cmd.proposal_id})
        proposal.answer(institution, cmd.answer, now=clock())
        await uow.proposals.save(proposal)
        uow.emit(
            CooperationAnswered(
                proposal_id=proposal.id, institution=institution, answer=cmd.answer
            ),
            subject=proposal.id,
        )
        return proposal

    return await uow.run(work)
