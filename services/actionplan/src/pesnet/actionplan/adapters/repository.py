"""MongoDB repositories of the action-plan service and the indexes they rely on.

Each works on the unit of work's database session (None: outside a transaction).
Plans, needs, offers and proposals are stored as the domain models dumped in JSON
mode (dates as ISO strings) with their id as `_id`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel
from pymongo.errors import DuplicateKeyError

from pesnet.actionplan.domain.cooperation import Proposal
from pesnet.actionplan.domain.decisions import MeetingOutcome
from pesnet.actionplan.domain.delegations import PURGED, DelegationRegistration
from pesnet.actionplan.domain.evidence import MAX_EVIDENCE_BYTES, StoredFile
from pesnet.actionplan.domain.focal_points import FocalPoint
from pesnet.actionplan.domain.institutions import Institution
from pesnet.actionplan.domain.matching import Need, Offer
from pesnet.actionplan.domain.meetings import Meeting
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.domain.reminders import DueReminder
from pesnet.shared.errors import Conflict
from pesnet.shared.i18n import Language
from pesnet.shared.mongo import Database, DbSession, Document, IndexSpec
from pesnet.shared.translation import _

PLANS = "plans"
FOCAL_POINTS = "focal_points"
NEEDS = "needs"
OFFERS = "offers"
PROPOSALS = "cooperation_proposals"
REMINDERS = "reminders"
# the agenda's meetings, as far as this service needs them (from MeetingScheduled)
MEETINGS = "meetings"
# the meetings' published communiqués and the links of their decisions to activities
OUTCOMES = "meeting_outcomes"
# registration's registrations: whether a head of delegation's link still speaks
DELEGATIONS = "delegation_registrations"
# registration's reference of institutions (from InstitutionRegistered/Renamed)
INSTITUTIONS = "institutions"
# files kept as evidence of progress reports (bytes in a bounded binary field)
EVIDENCE = "evidence_files"

INDEXES = (
    IndexSpec(FOCAL_POINTS, [("token_hash", 1)], unique=True, name="token_hash_unique"),
    IndexSpec(FOCAL_POINTS, [("institution", 1)], name="by_institution"),
    IndexSpec(DELEGATIONS, [("meeting_id", 1)], name="delegations_by_meeting"),
    IndexSpec(NEEDS, [("period", 1), ("thematic_area", 1)], name="needs_by_area"),
    IndexSpec(OFFERS, [("period", 1), ("thematic_area", 1)], name="offers_by_area"),
    # matching run twice proposes the same offer for the same needs once
    IndexSpec(PROPOSALS, [("period", 1), ("key", 1)], unique=True, name="proposal_natural_key"),
    # reminders are keyed by their natural key (_id): one per subject and due date, however
    # many replicas run the scheduler
)

M = TypeVar("M", bound=BaseModel)


def _to_doc(model: BaseModel, key: str) -> Document:
    doc: Document = model.model_dump(mode="json")
    doc["_id"] = doc[key]
    return doc


def _from_doc(model: type[M], doc: Document) -> M:
    doc = dict(doc)
    doc.pop("_id", None)
    return model.model_validate(doc)


class _Repository:
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.db = db
        self.session = session


class MongoPlanRepository(_Repository):
    async def get(self, period: str) -> Plan | None:
        doc = await self.db[PLANS].find_one({"_id": period}, session=self.session)
        return _from_doc(Plan, doc) if doc else None

    async def all(self) -> list[Plan]:
        cursor = self.db[PLANS].find({}, session=self.session).sort("_id", 1)
        return [_from_doc(Plan, doc) async for doc in cursor]

    async def add(self, plan: Plan) -> None:
        await self.db[PLANS].insert_one(_to_doc(plan, "period"), session=self.session)

    async def save(self, plan: Plan) -> None:
        await self.db[PLANS].replace_one(
            {"_id": plan.period}, _to_doc(plan, "period"), session=self.session
        )


def _focal_point_doc(focal_point: FocalPoint) -> Document:
    # dates stay BSON dates: the contacts are sorted by `created_at`
    return {
        "_id": focal_point.id,
        "institution": focal_point.institution,
        "country": focal_point.country,
        "name": focal_point.name,
        "email": focal_point.email,
        "language": focal_point.language.value,
        "token_hash": focal_point.token_hash,
        "created_at": focal_point.created_at,
        "revoked_at": focal_point.revoked_at,
        "source": focal_point.source,
        "version": focal_point.version,
    }


def _focal_point(doc: Document) -> FocalPoint:
    return FocalPoint(
        id=doc["_id"],
        institution=doc.get("institution"),
        country=doc.get("country"),
        name=doc.get("name"),
        email=doc.get("email"),
        language=Language(doc["language"]),
        token_hash=doc["token_hash"],
        created_at=doc["created_at"],
        revoked_at=doc.get("revoked_at"),
        # focal points stored before nominations existed were named by hand
        source=doc.get("source", "override"),
        version=int(doc.get("version", 1)),
    )


class MongoFocalPointRepository(_Repository):
    async def get(self, focal_point_id: str) -> FocalPoint | None:
        doc = await self.db[FOCAL_POINTS].find_one({"_id": focal_point_id}, session=self.session)
        return _focal_point(doc) if doc else None

    async def by_token_hash(self, token_hash: str) -> FocalPoint | None:
        doc = await self.db[FOCAL_POINTS].find_one(
            {"token_hash": token_hash, "revoked_at": None}, session=self.session
        )
        return _focal_point(doc) if doc else None

    async def of_institutions(self, institutions: Iterable[str]) -> list[FocalPoint]:
        cursor = (
            self.db[FOCAL_POINTS]
            .find(
                {"institution": {"$in": list(institutions)}, "revoked_at": None},
                session=self.session,
            )
            .sort("created_at", 1)
        )
        return [_focal_point(doc) async for doc in cursor]

    async def all(self) -> list[FocalPoint]:
        cursor = (
            self.db[FOCAL_POINTS]
            .find({}, session=self.session)
            .sort([("institution", 1), ("created_at", 1)])
        )
        return [_focal_point(doc) async for doc in cursor]

    async def add(self, focal_point: FocalPoint) -> None:
        await self.db[FOCAL_POINTS].insert_one(_focal_point_doc(focal_point), session=self.session)

    async def save(self, focal_point: FocalPoint) -> None:
        await self.db[FOCAL_POINTS].replace_one(
            {"_id": focal_point.id},
            _focal_point_doc(focal_point),
            upsert=True,
            session=self.session,
        )


class MongoDelegationRepository(_Repository):
    async def get(self, registration_id: str) -> DelegationRegistration | None:
        doc = await self.db[DELEGATIONS].find_one({"_id": registration_id}, session=self.session)
        if doc is None:
            return None
        return DelegationRegistration(
            registration_id=doc["_id"],
            meeting_id=doc["meeting_id"],
            country=doc.get("country"),
            role=doc.get("role"),
            status=doc["status"],
            as_of=doc["as_of"],
        )

    async def save(self, registration: DelegationRegistration) -> None:
        doc = {
            "meeting_id": registration.meeting_id,
            "country": registration.country,
            "role": registration.role,
            "status": registration.status,
            "as_of": registration.as_of,
        }
        await self.db[DELEGATIONS].replace_one(
            {"_id": registration.registration_id}, doc, upsert=True, session=self.session
        )

    async def purge_meeting(self, meeting_id: str, at: datetime) -> int:
        erased = {"country": None, "role": None, "status": PURGED, "as_of": at}
        result = await self.db[DELEGATIONS].update_many(
            {"meeting_id": meeting_id}, {"$set": erased}, session=self.session
        )
        return result.modified_count


def _institution(doc: Document) -> Institution:
    return Institution.model_validate({**doc, "id": doc["_id"]})


class MongoInstitutionRepository(_Repository):
    async def get(self, institution_id: str) -> Institution | None:
        doc = await self.db[INSTITUTIONS].find_one({"_id": institution_id}, session=self.session)
        return _institution(doc) if doc else None

    async def get_many(self, institution_ids: Iterable[str]) -> dict[str, Institution]:
        wanted = list(dict.fromkeys(institution_ids))
        cursor = self.db[INSTITUTIONS].find({"_id": {"$in": wanted}}, session=self.session)
        return {found.id: found async for found in (_institution(doc) async for doc in cursor)}

    async def all(self) -> list[Institution]:
        found = [
            _institution(doc) async for doc in self.db[INSTITUTIONS].find({}, session=self.session)
        ]
        return sorted(found, key=lambda i: (i.country is None, i.country or "", i.id))

    async def save(self, institution: Institution) -> None:
        doc: Document = institution.model_dump(mode="json", exclude={"id"})
        doc["_id"] = institution.id
        await self.db[INSTITUTIONS].replace_one(
            {"_id": institution.id}, doc, upsert=True, session=self.session
        )


class MongoEvidenceRepository(_Repository):
    async def get(self, file_id: str) -> StoredFile | None:
        doc = await self.db[EVIDENCE].find_one({"_id": file_id}, session=self.session)
        if doc is None:
            return None
        return StoredFile(
            id=doc["_id"],
            period=doc["period"],
            report_id=doc["report_id"],
            institution=doc["institution"],
            filename=doc["filename"],
            content_type=doc["content_type"],
            data=bytes(doc["data"]),
        )

    async def add(self, stored: StoredFile) -> None:
        # the domain bounds the size; the store refuses anything larger all the same
        assert len(stored.data) <= MAX_EVIDENCE_BYTES
        doc: Document = stored.model_dump()
        doc["_id"] = doc.pop("id")
        await self.db[EVIDENCE].insert_one(doc, session=self.session)

    async def erase(self, file_ids: list[str]) -> None:
        if file_ids:
            await self.db[EVIDENCE].delete_many({"_id": {"$in": file_ids}}, session=self.session)


class MongoNeedRepository(_Repository):
    async def of_period(self, period: str) -> list[Need]:
        cursor = (
            self.db[NEEDS].find({"period": period}, session=self.session).sort("submitted_at", 1)
        )
        return [_from_doc(Need, doc) async for doc in cursor]

    async def add(self, need: Need) -> None:
        await self.db[NEEDS].insert_one(_to_doc(need, "id"), session=self.session)


class MongoOfferRepository(_Repository):
    async def of_period(self, period: str) -> list[Offer]:
        cursor = (
            self.db[OFFERS].find({"period": period}, session=self.session).sort("submitted_at", 1)
        )
        return [_from_doc(Offer, doc) async for doc in cursor]

    async def add(self, offer: Offer) -> None:
        await self.db[OFFERS].insert_one(_to_doc(offer, "id"), session=self.session)


class MongoProposalRepository(_Repository):
    async def get(self, proposal_id: str) -> Proposal | None:
        doc = await self.db[PROPOSALS].find_one({"_id": proposal_id}, session=self.session)
        return _from_doc(Proposal, doc) if doc else None

    async def find(
        self, period: str | None = None, institution: str | None = None
    ) -> list[Proposal]:
        query: Document = {}
        if period:
            query["period"] = period
        if institution:
            query["parties.institution"] = institution
        cursor = (
            self.db[PROPOSALS].find(query, session=self.session).sort([("period", 1), ("rank", 1)])
        )
        return [_from_doc(Proposal, doc) async for doc in cursor]

    async def add(self, proposal: Proposal) -> None:
        try:
            await self.db[PROPOSALS].insert_one(_to_doc(proposal, "id"), session=self.session)
        except DuplicateKeyError:
            raise Conflict(_("this offer is already proposed for these needs")) from None

    async def save(self, proposal: Proposal) -> None:
        await self.db[PROPOSALS].replace_one(
            {"_id": proposal.id}, _to_doc(proposal, "id"), session=self.session
        )


class MongoMeetingRepository(_Repository):
    async def get_many(self, meeting_ids: Iterable[str]) -> dict[str, Meeting]:
        cursor = self.db[MEETINGS].find({"_id": {"$in": list(meeting_ids)}}, session=self.session)
        found: dict[str, Meeting] = {}
        async for doc in cursor:
            meeting = Meeting.model_validate({**doc, "meeting_id": doc["_id"]})
            found[meeting.meeting_id] = meeting
        return found

    async def all(self) -> list[Meeting]:
        cursor = self.db[MEETINGS].find({}, session=self.session).sort("number", -1)
        return [Meeting.model_validate({**doc, "meeting_id": doc["_id"]}) async for doc in cursor]

    async def save(self, meeting: Meeting) -> None:
        doc: Document = meeting.model_dump(mode="json", exclude={"meeting_id"})
        doc["_id"] = meeting.meeting_id
        await self.db[MEETINGS].replace_one(
            {"_id": meeting.meeting_id}, doc, upsert=True, session=self.session
        )


class MongoReminderRepository(_Repository):
    async def was_sent(self, key: str) -> bool:
        found = await self.db[REMINDERS].find_one({"_id": key}, {"_id": 1}, session=self.session)
        return found is not None

    async def add(self, reminder: DueReminder, *, sent_at: datetime) -> None:
        doc = {
            "_id": reminder.key,
            "kind": reminder.kind,
            "period": reminder.period,
            "due_date": reminder.due_date.isoformat(),
            "institutions": reminder.institutions,
            "sent_at": sent_at,
        }
        try:
            await self.db[REMINDERS].insert_one(doc, session=self.session)
        except DuplicateKeyError:
            raise Conflict(
                _("the reminder {key} was sent already"), params={"key": reminder.key}
            ) from None


class MongoOutcomeRepository(_Repository):
    async def get(self, meeting_id: str) -> MeetingOutcome | None:
        doc = await self.db[OUTCOMES].find_one({"_id": meeting_id}, session=self.session)
        return _from_doc(MeetingOutcome, doc) if doc else None

    async def all(self) -> list[MeetingOutcome]:
        cursor = self.db[OUTCOMES].find({}, session=self.session).sort("meeting_number", 1)
        return [_from_doc(MeetingOutcome, doc) async for doc in cursor]

    async def save(self, outcome: MeetingOutcome) -> None:
        doc: Document = outcome.model_dump(mode="json")
        doc["_id"] = outcome.meeting_id
        await self.db[OUTCOMES].replace_one(
            {"_id": outcome.meeting_id}, doc, upsert=True, session=self.session
        )
