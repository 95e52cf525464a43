"""MongoDB repositories of the action-plan service and the indexes they rely on.

Documents are the domain models dumped in JSON mode (dates as ISO strings), so a
read is `Model.model_validate(doc)`; every call takes the transaction's session."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from pesnet.actionplan.domain.cooperation import Proposal
from pesnet.actionplan.domain.matching import Need, Offer
from pesnet.actionplan.domain.model import Plan
from pesnet.shared.mongo import Database, DbSession, Document, IndexSpec

PLANS = "plans"
FOCAL_POINTS = "focal_points"
NEEDS = "needs"
OFFERS = "offers"
PROPOSALS = "cooperation_proposals"
REMINDERS = "reminders"
# the agenda's meetings, as far as this service needs them (from agenda.meeting.scheduled)
MEETINGS = "meetings"

INDEXES = (
    IndexSpec(FOCAL_POINTS, [("token_hash", 1)], unique=True, name="token_hash_unique"),
    IndexSpec(FOCAL_POINTS, [("institution", 1)], name="by_institution"),
    IndexSpec(NEEDS, [("period", 1), ("thematic_area", 1)], name="needs_by_area"),
    IndexSpec(OFFERS, [("period", 1), ("thematic_area", 1)], name="offers_by_area"),
    # matching run twice proposes the same offer for the same needs once
    IndexSpec(PROPOSALS, [("period", 1), ("key", 1)], unique=True, name="proposal_natural_key"),
    # reminders are keyed by their natural key (_id): one per subject and due date, however
    # many replicas run the scheduler
)

M = TypeVar("M", bound=BaseModel)


def to_doc(model: BaseModel, key: str) -> Document:
    doc: Document = model.model_dump(mode="json")
    doc["_id"] = doc[key]
    return doc


def from_doc(model: type[M], doc: Document) -> M:
    doc = dict(doc)
    doc.pop("_id", None)
    return model.model_validate(doc)


class Repository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # plans
    async def get_plan(self, period: str, session: DbSession | None = None) -> Plan | None:
        doc = await self.db[PLANS].find_one({"_id": period}, session=session)
        return from_doc(Plan, doc) if doc else None

    async def list_plans(self) -> list[Plan]:
        cursor = self.db[PLANS].find({}).sort("_id", 1)
        return [from_doc(Plan, doc) async for doc in cursor]

    async def insert_plan(self, plan: Plan, session: DbSession) -> None:
        await self.db[PLANS].insert_one(to_doc(plan, "period"), session=session)

    async def save_plan(self, plan: Plan, session: DbSession) -> None:
        await self.db[PLANS].replace_one(
            {"_id": plan.period}, to_doc(plan, "period"), session=session
        )

    # focal points
    async def insert_focal_point(self, doc: Document, session: DbSession) -> None:
        await self.db[FOCAL_POINTS].insert_one(doc, session=session)

    async def focal_point_by_token_hash(self, token_hash: str) -> Document | None:
        return await self.db[FOCAL_POINTS].find_one({"token_hash": token_hash, "revoked_at": None})

    async def focal_point(
        self, focal_point_id: str, session: DbSession | None = None
    ) -> Document | None:
        return await self.db[FOCAL_POINTS].find_one({"_id": focal_point_id}, session=session)

    async def focal_points_of(
        self, institutions: list[str], session: DbSession | None = None
    ) -> list[Document]:
        cursor = (
            self.db[FOCAL_POINTS]
            .find({"institution": {"$in": institutions}, "revoked_at": None}, session=session)
            .sort("created_at", 1)
        )
        return [doc async for doc in cursor]

    async def update_focal_point(
        self, focal_point_id: str, changes: dict[str, Any], session: DbSession
    ) -> None:
        await self.db[FOCAL_POINTS].update_one(
            {"_id": focal_point_id}, {"$set": changes}, session=session
        )

    # needs and offers
    async def insert_need(self, need: Need, session: DbSession) -> None:
        await self.db[NEEDS].insert_one(to_doc(need, "id"), session=session)

    async def insert_offer(self, offer: Offer, session: DbSession) -> None:
        await self.db[OFFERS].insert_one(to_doc(offer, "id"), session=session)

    async def needs(self, period: str, session: DbSession | None = None) -> list[Need]:
        cursor = self.db[NEEDS].find({"period": period}, session=session).sort("submitted_at", 1)
        return [from_doc(Need, doc) async for doc in cursor]

    async def offers(self, period: str, session: DbSession | None = None) -> list[Offer]:
        cursor = self.db[OFFERS].find({"period": period}, session=session).sort("submitted_at", 1)
        return [from_doc(Offer, doc) async for doc in cursor]

    # proposals
    async def insert_proposal(self, proposal: Proposal, session: DbSession) -> None:
        await self.db[PROPOSALS].insert_one(to_doc(proposal, "id"), session=session)

    async def get_proposal(
        self, proposal_id: str, session: DbSession | None = None
    ) -> Proposal | None:
        doc = await self.db[PROPOSALS].find_one({"_id": proposal_id}, session=session)
        return from_doc(Proposal, doc) if doc else None

    async def save_proposal(self, proposal: Proposal, session: DbSession) -> None:
        await self.db[PROPOSALS].replace_one(
            {"_id": proposal.id}, to_doc(proposal, "id"), session=session
        )

    async def proposals(
        self,
        period: str | None = None,
        institution: str | None = None,
        *,
        session: DbSession | None = None,
    ) -> list[Proposal]:
        query: Document = {}
        if period:
            query["period"] = period
        if institution:
            query["parties.institution"] = institution
        cursor = self.db[PROPOSALS].find(query, session=session).sort([("period", 1), ("rank", 1)])
        return [from_doc(Proposal, doc) async for doc in cursor]

    # meetings (projection)
    async def save_meeting(self, doc: Document, session: DbSession) -> None:
        await self.db[MEETINGS].replace_one({"_id": doc["_id"]}, doc, upsert=True, session=session)

    async def meetings(self, ids: list[str]) -> dict[str, Document]:
        cursor = self.db[MEETINGS].find({"_id": {"$in": ids}})
        return {doc["_id"]: doc async for doc in cursor}

    # reminders
    async def reminder_exists(self, key: str, session: DbSession) -> bool:
        return (
            await self.db[REMINDERS].find_one({"_id": key}, {"_id": 1}, session=session) is not None
        )

    async def insert_reminder(self, doc: Document, session: DbSession) -> None:
        await self.db[REMINDERS].insert_one(doc, session=session)

    async def reminders(self) -> list[Document]:
        return [doc async for doc in self.db[REMINDERS].find({}).sort("_id", 1)]
