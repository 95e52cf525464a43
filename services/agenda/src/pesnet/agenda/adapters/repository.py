"""MongoDB persistence of the agenda: meetings, programme drafts, releases, the
chairmanship history and the projections of registrations and of the institutions'
reference.

Documents are the domain models dumped to JSON-compatible values (dates as ISO
strings), so that a stored release reads back exactly as it was published. Each
repository works on one database session (None: outside a transaction).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from pesnet.agenda.domain.chairmanship import Chairmanship
from pesnet.agenda.domain.communique import Communique
from pesnet.agenda.domain.meeting import Meeting
from pesnet.agenda.domain.participants import Participant
from pesnet.agenda.domain.programme import Draft
from pesnet.agenda.domain.release import Release, ReleaseSummary
from pesnet.agenda.service_layer.repositories import (
    ChairmanshipRepository,
    CommuniqueRepository,
    DraftRepository,
    InstitutionRepository,
    MeetingRepository,
    ParticipantRepository,
    ReleaseRepository,
)
from pesnet.shared.errors import Conflict
from pesnet.shared.events.agenda import AffectedParticipant
from pesnet.shared.events.common import ParticipantStatus
from pesnet.shared.institutions import Institution
from pesnet.shared.mongo import Database, DbSession, Document, IndexSpec, deferred
from pesnet.shared.recent import MEETINGS as RECENT_MEETINGS
from pesnet.shared.translation import _

MEETINGS = "meetings"
DRAFTS = "drafts"
RELEASES = "releases"
NETWORK = "network"
PARTICIPANTS = "participants"
# registration's reference of institutions (from InstitutionRegistered/Renamed)
INSTITUTIONS = "institutions"
CHAIRMANSHIP_ID = "chairmanship"
COMMUNIQUES = "communiques"  # one per meeting, by meeting id

INDEXES = (
    IndexSpec(RELEASES, [("meeting_id", 1), ("version", 1)], unique=True, name="one_version"),
    IndexSpec(MEETINGS, [("number", 1)], unique=True, name="one_number"),
    IndexSpec(PARTICIPANTS, [("meeting_id", 1), ("email", 1)], name="by_email"),
    IndexSpec(PARTICIPANTS, [("meeting_id", 1), ("status", 1)], name="by_status"),
)


def _dump(model: Any) -> Document:
    doc: Document = model.model_dump(mode="json")
    return doc


def _without_id(doc: Document) -> Document:
    doc = dict(doc)
    doc.pop("_id", None)
    return doc


class MongoMeetingRepository(MeetingRepository):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[MEETINGS]
        self.session = session

    async def get(self, meeting_id: str) -> Meeting | None:
        doc = await self.collection.find_one({"_id": meeting_id}, session=self.session)
        return Meeting.model_validate(_without_id(doc)) if doc else None

    async def recent(self, meeting_id: str) -> Meeting | None:
        doc = await RECENT_MEETINGS.read(
            (self.collection.full_name, meeting_id),
            lambda: self.collection.find_one({"_id": meeting_id}, session=self.session),
        )
        return Meeting.model_validate(_without_id(doc)) if doc else None

    async def numbered(self, number: int) -> Meeting | None:
        doc = await self.collection.find_one({"number": number}, session=self.session)
        return Meeting.model_validate(_without_id(doc)) if doc else None

    async def all(self) -> list[Meeting]:
        cursor = self.collection.find({}, session=self.session).sort("number", 1)
        return [Meeting.model_validate(_without_id(doc)) async for doc in cursor]

    async def save(self, meeting: Meeting) -> None:
        RECENT_MEETINGS.forget((self.collection.full_name, meeting.id))
        await self.collection.replace_one(
            {"_id": meeting.id},
            {"_id": meeting.id, **_dump(meeting)},
            upsert=True,
            session=self.session,
        )


class MongoDraftRepository(DraftRepository):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[DRAFTS]
        self.session = session

    async def get(self, meeting_id: str) -> Draft:
        doc = await self.collection.find_one({"_id": meeting_id}, session=self.session)
        if doc is None:
            return Draft(meeting_id=meeting_id)
        return Draft.model_validate(_without_id(doc))

    async def save(self, draft: Draft) -> None:
        await self.collection.replace_one(
            {"_id": draft.meeting_id},
            {"_id": draft.meeting_id, **_dump(draft)},
            upsert=True,
            session=self.session,
        )


class MongoReleaseRepository(ReleaseRepository):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[RELEASES]
        self.session = session

    async def latest(self, meeting_id: str) -> Release | None:
        doc = await self.collection.find_one(
            {"meeting_id": meeting_id}, sort=[("version", -1)], session=self.session
        )
        return _release(doc)

    async def get(self, meeting_id: str, version: int) -> Release | None:
        doc = await self.collection.find_one(
            {"meeting_id": meeting_id, "version": version}, session=self.session
        )
        return _release(doc)

    async def history(self, meeting_id: str) -> list[ReleaseSummary]:
        cursor = self.collection.find(
            {"meeting_id": meeting_id},
            {"_id": 0, "version": 1, "released_at": 1, "changes": 1},
            session=self.session,
        ).sort("version", -1)
        return [ReleaseSummary.model_validate(doc) async for doc in cursor]

    async def add(self, release: Release, affected: Sequence[AffectedParticipant]) -> None:
        try:
            await self.collection.insert_one(
                {
                    "_id": f"{release.meeting_id}:{release.version}",
                    **_dump(release),
                    "affected": [a.model_dump() for a in affected],
                },
                session=self.session,
            )
        except DuplicateKeyError:
            raise Conflict(
                _("version {version} was published at the same time; reload and retry"),
                params={"version": release.version},
            ) from None

    async def of_meeting(self, meeting_id: str) -> list[Release]:
        cursor = self.collection.find({"meeting_id": meeting_id}, session=self.session).sort(
            "version", 1
        )
        return [r async for doc in cursor if (r := _release(doc)) is not None]

    async def replace(self, release: Release) -> None:
        await self.collection.replace_one(
            {"_id": f"{release.meeting_id}:{release.version}"},
            {**_dump(release), "affected": []},
            session=self.session,
        )


def _release(doc: Document | None) -> Release | None:
    if doc is None:
        return None
    doc = _without_id(doc)
    doc.pop("affected", None)
    return Release.model_validate(doc)


class MongoChairmanshipRepository(ChairmanshipRepository):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[NETWORK]
        self.session = session

    async def get(self) -> Chairmanship:
        doc = await self.collection.find_one({"_id": CHAIRMANSHIP_ID}, session=self.session)
        if doc is None:
            return Chairmanship()
        return Chairmanship.model_validate(_without_id(doc))

    async def save(self, chairmanship: Chairmanship) -> None:
        await self.collection.replace_one(
            {"_id": CHAIRMANSHIP_ID},
            {"_id": CHAIRMANSHIP_ID, **_dump(chairmanship)},
            upsert=True,
            session=self.session,
        )


class MongoCommuniqueRepository(CommuniqueRepository):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[COMMUNIQUES]
        self.session = session

    async def get(self, meeting_id: str) -> Communique | None:
        doc = await self.collection.find_one({"_id": meeting_id}, session=self.session)
        return Communique.model_validate(_without_id(doc)) if doc else None

    async def save(self, communique: Communique) -> None:
        await self.collection.replace_one(
            {"_id": communique.meeting_id},
            {"_id": communique.meeting_id, **_dump(communique)},
            upsert=True,
            session=self.session,
        )


class MongoParticipantRepository(ParticipantRepository):
    """One document per registration id; `as_of` stays a BSON date (compared)."""

    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[PARTICIPANTS]
        self.session = session

    async def get(self, registration_id: str) -> Participant | None:
        doc = await self.collection.find_one({"_id": registration_id}, session=self.session)
        return _participant(doc) if doc else None

    @staticmethod
    def _document(participant: Participant) -> Document:
        return {
            "_id": participant.registration_id,
            **participant.model_dump(mode="json", exclude={"registration_id", "as_of"}),
            "as_of": participant.as_of,
        }

    async def save(self, participant: Participant) -> None:
        doc = self._document(participant)
        await self.collection.replace_one(
            {"_id": participant.registration_id}, doc, upsert=True, session=self.session
        )

    async def record(self, participant: Participant) -> Participant | None:
        """`ParticipantRepository.record` as one conditional write (an update pipeline
        that keeps a newer stored state) returning the state before, instead of a read
        and a write."""
        before = await self.collection.find_one_and_update(
            {"_id": participant.registration_id},
            self._unless_newer_stored(participant),
            upsert=True,
            return_document=ReturnDocument.BEFORE,
            session=self.session,
        )
        return _participant(before) if before else None

    async def record_unread(self, participant: Participant) -> None:
        """The same conditional write, in the transaction's last batch."""
        where, update = {"_id": participant.registration_id}, self._unless_newer_stored(participant)
        batch = deferred(self.session) if self.session is not None else None
        if batch is None:
            await self.collection.update_one(where, update, upsert=True, session=self.session)
        else:
            batch.update(self.collection, where, update, upsert=True)

    def _unless_newer_stored(self, participant: Participant) -> list[Document]:
        """The update pipeline that stores `participant` unless a newer state is stored."""
        fields = {k: v for k, v in self._document(participant).items() if k != "_id"}
        # is_newer_than(stored): nothing stored, or stored as of no later
        newer = {
            "$or": [
                {"$eq": [{"$ifNull": ["$as_of", None]}, None]},
                {"$lte": ["$as_of", participant.as_of]},
            ]
        }
        return [
            {
                "$set": {
                    name: {"$cond": [newer, {"$literal": value}, f"${name}"]}
                    for name, value in fields.items()
                }
            }
        ]

    async def confirmed(self, meeting_id: str) -> dict[str, str]:
        cursor = self.collection.find(
            {"meeting_id": meeting_id, "status": {"$in": CONFIRMED}},
            {"email": 1},
            session=self.session,
        )
        return {doc["email"]: doc["_id"] async for doc in cursor}

    async def of_meeting(self, meeting_id: str, status: str | None = None) -> list[Participant]:
        query: Document = {"meeting_id": meeting_id}
        if status is not None:
            query["status"] = status
        cursor = self.collection.find(query, session=self.session).sort("email", 1)
        return [_participant(doc) async for doc in cursor]

    async def forget_meeting(self, meeting_id: str) -> int:
        result = await self.collection.delete_many({"meeting_id": meeting_id}, session=self.session)
        return result.deleted_count


# Before statuses came from the events themselves, a check-in was stored as its own
# status; such a document reads as confirmed.
CHECKED_IN = "checked_in"
CONFIRMED = [ParticipantStatus.confirmed.value, CHECKED_IN]


def _participant(doc: Document) -> Participant:
    doc = dict(doc)
    if doc.get("status") == CHECKED_IN:
        doc["status"] = ParticipantStatus.confirmed
    return Participant.model_validate({**doc, "registration_id": doc.pop("_id")})


class MongoInstitutionRepository(InstitutionRepository):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[INSTITUTIONS]
        self.session = session

    async def get(self, institution_id: str) -> Institution | None:
        doc = await self.collection.find_one({"_id": institution_id}, session=self.session)
        return Institution.model_validate(_without_id(doc)) if doc else None

    async def get_many(self, institution_ids: Iterable[str]) -> dict[str, Institution]:
        wanted = list(dict.fromkeys(institution_ids))
        cursor = self.collection.find({"_id": {"$in": wanted}}, session=self.session)
        found = [Institution.model_validate(_without_id(doc)) async for doc in cursor]
        return {institution.id: institution for institution in found}

    async def all(self) -> list[Institution]:
        cursor = self.collection.find({}, session=self.session).sort("_id", 1).limit(2000)
        return [Institution.model_validate(_without_id(doc)) async for doc in cursor]

    async def save(self, institution: Institution) -> None:
        await self.collection.replace_one(
            {"_id": institution.id},
            {"_id": institution.id, **_dump(institution)},
            upsert=True,
            session=self.session,
        )
