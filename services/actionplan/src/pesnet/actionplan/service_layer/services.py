"""Use cases: each loads what it needs in one transaction, applies the domain rule and
writes the new state together with its events (transactional outbox)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from pesnet.actionplan.adapters.repository import Repository
from pesnet.actionplan.domain.cooperation import Answer, Proposal, commitments
from pesnet.actionplan.domain.matching import Need, Offer, match
from pesnet.actionplan.domain.model import (
    Activity,
    ActivityStatus,
    ActivityType,
    Indicator,
    Measure,
    Participation,
    Plan,
    ProgressReport,
    Target,
    Value,
    new_id,
)
from pesnet.actionplan.domain.periods import parse_period
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from pesnet.shared.events.actionplan import (
    ActivityChanged,
    ActivityCreated,
    ActivityParticipant,
    ActivityUpdated,
    CooperationAnswered,
    CooperationParty,
    CooperationProposed,
    PlanAdopted,
    PlanClosed,
    ProgressReviewed,
    ProgressValidated,
    ThematicAreaRef,
)
from pesnet.shared.events.common import Contact
from pesnet.shared.i18n import Language, Localized
from pesnet.shared.logging import get_logger
from pesnet.shared.mongo import DbSession, in_transaction
from pesnet.shared.runtime import ServiceRuntime

log = get_logger(__name__)
T = TypeVar("T")
_Submission = TypeVar("_Submission", Need, Offer)
Clock = Callable[[], datetime]
FOCAL_POINT_TOKEN_PREFIX = "fp_"  # noqa: S105 - a prefix, not a secret


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Actor:
    """Who makes a request: the secretariat, or a focal point acting for one institution."""

    secretariat: bool
    institution: str | None = None
    contact: Contact | None = None
    country: str | None = None
    focal_point_id: str | None = None

    def require_institution(self) -> str:
        if self.institution is None:
            raise Forbidden("this is done by an institution's focal point (a focal-point token)")
        return self.institution


def activity_payload(
    plan: Plan, activity: Activity, model: type[ActivityChanged]
) -> ActivityChanged:
    return model(
        activity_id=activity.id,
        period=plan.period,
        title=activity.title,
        activity_type=activity.activity_type,
        thematic_area=activity.thematic_area,
        lead_institutions=activity.lead_institutions,
        status=activity.status,
        planned_start=activity.planned_start,
        planned_end=activity.planned_end,
        actual_start=activity.actual_start,
        actual_end=activity.actual_end,
        summary=activity.summary,
        participants=[
            ActivityParticipant(institution=p.institution, role=p.role)
            for p in activity.participants
        ],
    )


class ActionPlanService:
    def __init__(self, runtime: ServiceRuntime, *, clock: Clock = utcnow) -> None:
        self.runtime = runtime
        self.repo = Repository(runtime.db)
        self.clock = clock

    async def _tx(self, work: Callable[[DbSession], Awaitable[T]]) -> T:
        return await in_transaction(self.runtime.client, work)

    async def _plan(self, period: str, session: DbSession | None = None) -> Plan:
        parse_period(period)
        plan = await self.repo.get_plan(period, session)
        if plan is None:
            raise NotFound(f"no plan for {period}")
        return plan

    async def _emit(self, session: DbSession, payload: Any, subject: str) -> None:
        await self.runtime.outbox.add(session, payload, subject=subject)

    # -- queries ---------------------------------------------------------------------------

    async def get_plan(self, period: str) -> Plan:
        return await self._plan(period)

    async def list_plans(self) -> list[Plan]:
        return await self.repo.list_plans()

    async def meeting_titles(self, plan: Plan) -> dict[str, Localized]:
        """Titles of the plan's meetings that the agenda has announced."""
        ids = [m for m in (plan.meeting_id, plan.draft_meeting_id) if m]
        found = await self.repo.meetings(ids)
        return {mid: Localized.model_validate(doc["title"]) for mid, doc in found.items()}

    # -- plans -----------------------------------------------------------------------------

    async def create_plan(
        self,
        period: str,
        title: Localized | None,
        areas: list[tuple[str, Localized]],
        draft_meeting_id: str | None = None,
    ) -> Plan:
        now = self.clock()
        plan = Plan.draft(period, title=title, now=now, draft_meeting_id=draft_meeting_id)
        for area_id, area_title in areas:
            plan.add_thematic_area(area_id, area_title)

        async def work(session: DbSession) -> Plan:
            if await self.repo.get_plan(period, session) is not None:
                raise Conflict(f"a plan for {period} exists already")
            await self.repo.insert_plan(plan, session)
            return plan

        return await self._tx(work)

    async def add_thematic_area(self, period: str, area_id: str, title: Localized) -> Plan:
        async def work(session: DbSession) -> Plan:
            plan = await self._plan(period, session)
            plan.add_thematic_area(area_id, title)
            await self.repo.save_plan(plan, session)
            return plan

        return await self._tx(work)

    async def adopt_plan(
        self, period: str, meeting_id: str, adopted_on: date | None = None
    ) -> Plan:
        async def work(session: DbSession) -> Plan:
            plan = await self._plan(period, session)
            at = self.clock()
            if adopted_on is not None:
                at = datetime(adopted_on.year, adopted_on.month, adopted_on.day, tzinfo=at.tzinfo)
            plan.adopt(meeting_id, at=at)
            await self.repo.save_plan(plan, session)
            await self._emit(
                session,
                PlanAdopted(
                    period=plan.period,
                    meeting_id=plan.meeting_id,
                    adopted_at=at,
                    thematic_areas=[
                        ThematicAreaRef(id=a.id, title=a.title) for a in plan.thematic_areas
                    ],
                ),
                plan.period,
            )
            return plan

        return await self._tx(work)

    async def close_plan(self, period: str) -> Plan:
        async def work(session: DbSession) -> Plan:
            plan = await self._plan(period, session)
            plan.close(at=self.clock())
            await self.repo.save_plan(plan, session)
            assert plan.closed_at is not None
            await self._emit(
                session, PlanClosed(period=plan.period, closed_at=plan.closed_at), plan.period
            )
            return plan

        return await self._tx(work)

    # -- activities and indicators ---------------------------------------------------------

    async def add_activity(
        self,
        period: str,
        *,
        thematic_area: str,
        activity_type: ActivityType,
        title: Localized,
        summary: Localized | None,
        lead_institutions: list[str],
        participants: list[Participation],
        planned_start: date | None,
        planned_end: date | None,
    ) -> Activity:
        async def work(session: DbSession) -> Activity:
            plan = await self._plan(period, session)
            activity = plan.add_activity(
                thematic_area=thematic_area,
                activity_type=activity_type,
                title=title,
                summary=summary,
                lead_institutions=lead_institutions,
                participants=participants,
                planned_start=planned_start,
                planned_end=planned_end,
                now=self.clock(),
            )
            await self.repo.save_plan(plan, session)
            await self._emit(
                session, activity_payload(plan, activity, ActivityCreated), activity.id
            )
            return activity

        return await self._tx(work)

    async def change_activity_status(
        self,
        period: str,
        activity_id: str,
        actor: Actor,
        *,
        status: ActivityStatus,
        note: str | None,
        actual_start: date | None,
        actual_end: date | None,
        planned_start: date | None,
        planned_end: date | None,
    ) -> Activity:
        async def work(session: DbSession) -> Activity:
            plan = await self._plan(period, session)
            if not actor.secretariat:
                institution = actor.require_institution()
                if institution not in plan.activity(activity_id).lead_institutions:
                    raise Forbidden(f"{institution} does not lead this activity")
            activity = plan.change_activity_status(
                activity_id,
                status,
                now=self.clock(),
                note=note,
                actual_start=actual_start,
                actual_end=actual_end,
                planned_start=planned_start,
                planned_end=planned_end,
            )
            await self.repo.save_plan(plan, session)
            await self._emit(
                session, activity_payload(plan, activity, ActivityUpdated), activity.id
            )
            return activity

        return await self._tx(work)

    async def add_indicator(
        self,
        period: str,
        *,
        title: Localized,
        measure: Measure,
        ascending: bool,
        activity_id: str | None,
        thematic_area: str | None,
        baseline: Value | None,
        baseline_year: int | None,
        targets: list[Target],
    ) -> Indicator:
        async def work(session: DbSession) -> Indicator:
            plan = await self._plan(period, session)
            indicator = plan.add_indicator(
                title=title,
                measure=measure,
                ascending=ascending,
                activity_id=activity_id,
                thematic_area=thematic_area,
                baseline=baseline,
                baseline_year=baseline_year,
                targets=targets,
            )
            await self.repo.save_plan(plan, session)
            return indicator

        return await self._tx(work)

    # -- progress --------------------------------------------------------------------------

    async def report_progress(
        self,
        period: str,
        actor: Actor,
        *,
        indicator_id: str,
        reporting_period: str,
        actual_value: Value,
        comment: str | None,
    ) -> ProgressReport:
        institution = actor.require_institution()
        reporter = actor.contact
        if reporter is None:
            raise Forbidden("progress is reported by a focal point")

        async def work(session: DbSession) -> ProgressReport:
            plan = await self._plan(period, session)
            report = plan.report_progress(
                indicator_id=indicator_id,
                reporting_period=reporting_period,
                actual_value=actual_value,
                comment=comment,
                institution=institution,
                reporter=reporter,
                now=self.clock(),
            )
            await self.repo.save_plan(plan, session)
            return report

        return await self._tx(work)

    async def review_report(
        self, period: str, report_id: str, *, outcome: str, comment: str | None
    ) -> ProgressReport:
        async def work(session: DbSession) -> ProgressReport:
            plan = await self._plan(period, session)
            now = self.clock()
            if outcome == "validated":
                report = plan.validate_report(report_id, now=now)
            else:
                report = plan.return_report(report_id, comment or "", now=now)
            indicator = plan.indicator(report.indicator_id)
            await self.repo.save_plan(plan, session)
            if report.status == "validated":
                await self._emit(
                    session,
                    ProgressValidated(
                        report_id=report.id,
                        period=plan.period,
                        indicator_id=indicator.id,
                        activity_id=report.activity_id,
                        reporting_period=report.reporting_period,
                        actual_value=report.actual_value,
                        validated_at=now,
                    ),
                    report.id,
                )
            await self._emit(
                session,
                ProgressReviewed(
                    report_id=report.id,
                    period=plan.period,
                    indicator_id=indicator.id,
                    activity_id=report.activity_id,
                    indicator_title=indicator.title,
                    outcome="validated" if report.status == "validated" else "returned",
                    comment=report.review_comment,
                    reporter=report.reporter,
                ),
                report.id,
            )
            return report

        return await self._tx(work)

    # -- focal points ----------------------------------------------------------------------

    async def register_focal_point(
        self,
        *,
        institution: str,
        country: str | None,
        name: str,
        email: str,
        language: Language,
    ) -> tuple[dict[str, Any], str]:
        """Issue a focal-point token bound to one institution; only its hash is stored,
        so the token is shown once, in this answer."""
        token = FOCAL_POINT_TOKEN_PREFIX + secrets.token_urlsafe(32)
        doc: dict[str, Any] = {
            "_id": new_id("fp"),
            "institution": institution,
            "country": country,
            "name": name,
            "email": email,
            "language": language,
            "token_hash": hash_token(token),
            "created_at": self.clock(),
            "revoked_at": None,
        }

        async def work(session: DbSession) -> None:
            await self.repo.insert_focal_point(doc, session)

        await self._tx(work)
        return doc, token

    async def revoke_focal_point(self, focal_point_id: str) -> None:
        async def work(session: DbSession) -> None:
            if await self.repo.focal_point(focal_point_id, session) is None:
                raise NotFound(f"no focal point {focal_point_id!r}")
            await self.repo.update_focal_point(
                focal_point_id, {"revoked_at": self.clock()}, session
            )

        await self._tx(work)

    async def actor_for_token(self, token: str) -> Actor | None:
        if not token.startswith(FOCAL_POINT_TOKEN_PREFIX):
            return None
        doc = await self.repo.focal_point_by_token_hash(hash_token(token))
        if doc is None:
            return None
        return Actor(
            secretariat=False,
            institution=doc["institution"],
            country=doc.get("country"),
            focal_point_id=doc["_id"],
            contact=Contact(name=doc["name"], email=doc["email"], language=doc["language"]),
        )

    async def contacts_of(
        self, institutions: list[str], session: DbSession | None = None
    ) -> dict[str, list[Contact]]:
        contacts: dict[str, list[Contact]] = {i: [] for i in institutions}
        for doc in await self.repo.focal_points_of(institutions, session):
            contacts[doc["institution"]].append(
                Contact(name=doc["name"], email=doc["email"], language=doc["language"])
            )
        return contacts

    # -- needs, offers, matching -----------------------------------------------------------

    async def submit_need(self, period: str, actor: Actor, **fields: Any) -> Need:
        return await self._submit(Need, "need", self.repo.insert_need, period, actor, fields)

    async def submit_offer(self, period: str, actor: Actor, **fields: Any) -> Offer:
        return await self._submit(Offer, "offer", self.repo.insert_offer, period, actor, fields)

    async def _submit(
        self,
        kind: type[_Submission],
        prefix: str,
        insert: Callable[[_Submission, DbSession], Awaitable[None]],
        period: str,
        actor: Actor,
        fields: dict[str, Any],
    ) -> _Submission:
        """A need and an offer are submitted alike: by a focal point, to an open plan,
        in one of its thematic areas."""
        institution = actor.require_institution()
        if not Localized.model_validate(fields["title"]).get("en").strip():
            raise InvalidInput("a title in at least one of ar, en, fr is required", field="title")

        async def work(session: DbSession) -> _Submission:
            plan = await self._plan(period, session)
            plan.area(fields["thematic_area"])
            if plan.status == "closed":
                raise Conflict(f"the {period} plan is closed")
            submission = kind(
                id=new_id(prefix),
                period=period,
                institution=institution,
                country=actor.country,
                submitted_at=self.clock(),
                languages=fields.pop("languages", None)
                or ([actor.contact.language] if actor.contact else []),
                **fields,
            )
            await insert(submission, session)
            return submission

        return await self._tx(work)

    async def list_needs(self, period: str) -> list[Need]:
        await self._plan(period)
        return await self.repo.needs(period)

    async def list_offers(self, period: str) -> list[Offer]:
        await self._plan(period)
        return await self.repo.offers(period)

    async def run_matching(self, period: str) -> list[Proposal]:
        """Propose cooperation for the needs and offers on file, on top of the proposals
        already made (see `Commitments`); ranks continue after the earlier ones."""

        async def work(session: DbSession) -> list[Proposal]:
            plan = await self._plan(period, session)
            if plan.status == "closed":
                raise Conflict(f"the {period} plan is closed")
            needs = await self.repo.needs(period, session)
            offers = await self.repo.offers(period, session)
            offer_by_id = {o.id: o for o in offers}
            earlier = await self.repo.proposals(period, session=session)
            existing = {p.key for p in earlier}
            settled = commitments(earlier)
            now = self.clock()
            created: list[Proposal] = []
            rank = max((p.rank for p in earlier), default=0)
            for found in match(needs, offers, plan.thematic_areas, settled):
                if found.key in existing:
                    continue
                rank += 1
                offer = offer_by_id[found.offer_id]
                proposal = Proposal.from_match(
                    new_id("coop"), period, found, offer.title, rank, now
                )
                await self.repo.insert_proposal(proposal, session)
                contacts = await self.contacts_of(
                    [p.institution for p in proposal.parties], session
                )
                area = plan.area(proposal.thematic_area)
                await self._emit(
                    session,
                    CooperationProposed(
                        proposal_id=proposal.id,
                        period=period,
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
                            )
                            for p in proposal.parties
                        ],
                    ),
                    proposal.id,
                )
                created.append(proposal)
            return created

        return await self._tx(work)

    async def list_proposals(self, period: str | None, institution: str | None) -> list[Proposal]:
        return await self.repo.proposals(period, institution)

    async def answer_proposal(self, proposal_id: str, actor: Actor, answer: Answer) -> Proposal:
        institution = actor.require_institution()

        async def work(session: DbSession) -> Proposal:
            proposal = await self.repo.get_proposal(proposal_id, session)
            if proposal is None:
                raise NotFound(f"no cooperation proposal {proposal_id!r}")
            proposal.answer(institution, answer, now=self.clock())
            await self.repo.save_proposal(proposal, session)
            await self._emit(
                session,
                CooperationAnswered(
                    proposal_id=proposal.id, institution=institution, answer=answer
                ),
                proposal.id,
            )
            return proposal

        return await self._tx(work)
