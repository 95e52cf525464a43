"""MongoDB persistence of the agenda: meetings, programme drafts, releases, the
chairmanship history and the projection of registrations.

Documents are the domain models dumped to JSON-compatible values (dates as ISO
strings), so that a stored release reads back exactly as it was published.
"""

from __future__ import annotations

from typing import Any

from pesnet.agenda.domain.chairmanship import Chairmanship
from pesnet.agenda.domain.meeting import Meeting
from pesnet.agenda.domain.programme import Draft
from pesnet.agenda.domain.release import Release
from pesnet.shared.mongo import Database, DbSession, Document, IndexSpec

MEETINGS = "meetings"
DRAFTS = "drafts"
RELEASES = "releases"
NETWORK = "network"
PARTICIPANTS = "participants"
CHAIRMANSHIP_ID = "chairmanship"

INDEXES = (
    IndexSpec(RELEASES, [("meeting_id", 1), ("version", 1)], unique=True, name="one_version"),
    IndexSpec(MEETINGS, [("number", 1)], unique=True, name="one_number"),
    IndexSpec(PARTICIPANTS, [("meeting_id", 1), ("email", 1)], name="by_email"),
    IndexSpec(PARTICIPANTS, [("meeting_id", 1), ("status", 1)], name="by_status"),
)

CONFIRMED_STATUSES = ("confirmed", "checked_in")


def _dump(model: Any) -> Document:
    doc: Document = model.model_dump(mode="json")
    return doc


class AgendaRepository:
    def __init__(self, db: Database) -> None:
        self.meetings = db[MEETINGS]
        self.drafts = db[DRAFTS]
        self.releases = db[RELEASES]
        self.network = db[NETWORK]
        self.participants = db[PARTICIPANTS]

    # meetings --------------------------------------------------------------
    async def get_meeting(
        self, meeting_id: str, session: DbSession | None = None
    ) -> Meeting | None:
        doc = await self.meetings.find_one({"_id": meeting_id}, session=session)
        if doc is None:
            return None
        doc.pop("_id")
        return Meeting.model_validate(doc)

    async def meeting_numbered(
        self, number: int, session: DbSession | None = None
    ) -> Meeting | None:
        doc = await self.meetings.find_one({"number": number}, session=session)
        if doc is None:
            return None
        doc.pop("_id")
        return Meeting.model_validate(doc)

    async def list_meetings(self) -> list[Meeting]:
        result = []
        async for doc in self.meetings.find({}).sort("number", 1):
            doc.pop("_id")
            result.append(Meeting.model_validate(doc))
        return result

    async def save_meeting(self, meeting: Meeting, session: DbSession) -> None:
        await self.meetings.replace_one(
            {"_id": meeting.id}, {"_id": meeting.id, **_dump(meeting)}, upsert=True, session=session
        )

    # drafts ----------------------------------------------------------------
    async def get_draft(self, meeting_id: str, session: DbSession | None = None) -> Draft:
        doc = await self.drafts.find_one({"_id": meeting_id}, session=session)
        if doc is None:
            return Draft(meeting_id=meeting_id)
        doc.pop("_id")
        return Draft.model_validate(doc)

    async def save_draft(self, draft: Draft, session: DbSession) -> None:
        await self.drafts.replace_one(
            {"_id": draft.meeting_id},
            {"_id": draft.meeting_id, **_dump(draft)},
            upsert=True,
            session=session,
        )

    # releases --------------------------------------------------------------
    async def latest_release(
        self, meeting_id: str, session: DbSession | None = None
    ) -> Release | None:
        doc = await self.releases.find_one(
            {"meeting_id": meeting_id}, sort=[("version", -1)], session=session
        )
        return _release(doc)

    async def get_release(self, meeting_id: str, version: int) -> Release | None:
        doc = await self.releases.find_one({"meeting_id": meeting_id, "version": version})
        return _release(doc)

    async def list_releases(self, meeting_id: str) -> list[Document]:
        """Version, date and changelog of every release, newest first (no sessions)."""
        cursor = self.releases.find(
            {"meeting_id": meeting_id},
            {"_id": 0, "version": 1, "released_at": 1, "changes": 1, "affected": 1},
        ).sort("version", -1)
        return [doc async for doc in cursor]

    async def add_release(
        self, release: Release, affected: list[Document], session: DbSession
    ) -> None:
        await self.releases.insert_one(
            {
                "_id": f"{release.meeting_id}:{release.version}",
                **_dump(release),
                "affected": affected,
            },
            session=session,
        )

    # chairmanship ----------------------------------------------------------
    async def get_chairmanship(self, session: DbSession | None = None) -> Chairmanship:
        doc = await self.network.find_one({"_id": CHAIRMANSHIP_ID}, session=session)
        if doc is None:
            return Chairmanship()
        doc.pop("_id")
        return Chairmanship.model_validate(doc)

    async def save_chairmanship(self, chairmanship: Chairmanship, session: DbSession) -> None:
        await self.network.replace_one(
            {"_id": CHAIRMANSHIP_ID},
            {"_id": CHAIRMANSHIP_ID, **_dump(chairmanship)},
            upsert=True,
            session=session,
        )

    # the projection of registrations ---------------------------------------
    async def participant(
        self, registration_id: str, session: DbSession | None = None
    ) -> Document | None:
        return await self.participants.find_one({"_id": registration_id}, session=session)

    async def save_participant(self, doc: Document, session: DbSession) -> None:
        await self.participants.replace_one({"_id": doc["_id"]}, doc, upsert=True, session=session)

    async def confirmed_registrations(
        self, meeting_id: str, session: DbSession | None = None
    ) -> dict[str, str]:
        """e-mail (lower case) → registration id of the meeting's confirmed participants."""
        cursor = self.participants.find(
            {"meeting_id": meeting_id, "status": {"$in": list(CONFIRMED_STATUSES)}},
            {"email": 1},
            session=session,
        )
        return {doc["email"]: doc["_id"] async for doc in cursor}

    async def forget_participants(self, meeting_id: str, session: DbSession) -> int:
        result = await self.participants.delete_many({"meeting_id": meeting_id}, session=session)
        return result.deleted_count

    async def list_participants(self, meeting_id: str, status: str | None = None) -> list[Document]:
        query: Document = {"meeting_id": meeting_id}
        if status is not None:
            query["status"] = status
        cursor = self.participants.find(query).sort("email", 1)
        return [doc async for doc in cursor]


def _release(doc: Document | None) -> Release | None:
    if doc is None:
        return None
    doc = dict(doc)
    for key in ("_id", "affected"):
        doc.pop(key, None)
    return Release.model_validate(doc)
