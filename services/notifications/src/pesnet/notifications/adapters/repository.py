"""MongoDB collections of the notifications service and their indexes.

- `recipients`: one per e-mail address (lower-cased `_id`): name, language, the
  preferences the person chose, and where we know them from. Built only from events.
- `participations`: one per registration id (from registration events): who, which
  meeting, which status. Agenda events name people by registration id only.
- `meetings`: what `agenda.meeting.scheduled` said (title, time zone, dates).
- `deliveries`: one per (event, recipient, channel), ever (unique index); the
  rendered mail, its status and attempts.
- `digests`: one per (recipient, meeting) for programme notices held back to be
  sent together.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pesnet.notifications.domain.notices import Meeting
from pesnet.shared.i18n import Localized
from pesnet.shared.mongo import Database, DbSession, Document, IndexSpec

RECIPIENTS = "recipients"
PARTICIPATIONS = "participations"
MEETINGS = "meetings"
DELIVERIES = "deliveries"
DIGESTS = "digests"

INDEXES = (
    IndexSpec(
        DELIVERIES, [("event_id", 1), ("recipient", 1), ("channel", 1)], unique=True, name="once"
    ),
    IndexSpec(DELIVERIES, [("status", 1), ("digest_key", 1), ("due_at", 1)], name="due"),
    IndexSpec(DELIVERIES, [("recipient", 1), ("created_at", -1)], name="log"),
    IndexSpec(DELIVERIES, [("digest_key", 1), ("status", 1)], name="digest_items"),
    IndexSpec(DIGESTS, [("due_at", 1)], name="digest_due"),
    IndexSpec(PARTICIPATIONS, [("meeting_id", 1), ("status", 1)], name="by_meeting"),
    IndexSpec(PARTICIPATIONS, [("email", 1)], name="by_email"),
)


def _localized(value: Any) -> Localized | None:
    return Localized.model_validate(value) if isinstance(value, dict) else None


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


class Repository:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.recipients = db[RECIPIENTS]
        self.participations = db[PARTICIPATIONS]
        self.meetings = db[MEETINGS]
        self.deliveries = db[DELIVERIES]
        self.digests = db[DIGESTS]

    # --- projections -------------------------------------------------------
    async def recipient(self, session: DbSession | None, address: str) -> Document | None:
        doc: Document | None = await self.recipients.find_one({"_id": address}, session=session)
        return doc

    async def upsert_recipient(
        self,
        session: DbSession,
        address: str,
        *,
        email: str,
        name: str,
        language: str,
        role: str,
        source: str,
        institution: str | None,
        seen_at: datetime,
    ) -> None:
        add: dict[str, Any] = {"roles": role, "sources": source}
        if institution:
            add["institutions"] = institution
        await self.recipients.update_one(
            {"_id": address},
            {
                "$set": {"email": email, "name": name, "language": language, "seen_at": seen_at},
                "$addToSet": add,
                "$setOnInsert": {"preferred_language": None, "opted_out": False},
            },
            upsert=True,
            session=session,
        )

    async def all_recipients(self, session: DbSession) -> list[Document]:
        return [doc async for doc in self.recipients.find({}, session=session).sort("_id", 1)]

    async def set_preferences(self, address: str, changes: dict[str, Any]) -> Document | None:
        await self.recipients.update_one({"_id": address}, {"$set": changes})
        return await self.recipient(None, address)

    async def participation(self, session: DbSession, registration_id: str) -> Document | None:
        doc: Document | None = await self.participations.find_one(
            {"_id": registration_id}, session=session
        )
        return doc

    async def save_participation(
        self, session: DbSession, registration_id: str, doc: Document
    ) -> None:
        await self.participations.update_one(
            {"_id": registration_id}, {"$set": doc}, upsert=True, session=session
        )

    async def participants_of(
        self, session: DbSession, meeting_id: str, statuses: list[str]
    ) -> list[Document]:
        cursor = self.participations.find(
            {"meeting_id": meeting_id, "status": {"$in": statuses}}, session=session
        )
        return [doc async for doc in cursor.sort("_id", 1)]

    async def participations_by_id(self, session: DbSession, ids: list[str]) -> list[Document]:
        cursor = self.participations.find({"_id": {"$in": ids}}, session=session)
        return [doc async for doc in cursor]

    async def save_meeting(self, session: DbSession, meeting_id: str, doc: Document) -> None:
        await self.meetings.update_one(
            {"_id": meeting_id}, {"$set": doc}, upsert=True, session=session
        )

    async def meeting(self, session: DbSession | None, meeting_id: str | None) -> Meeting:
        if not meeting_id:
            return Meeting(meeting_id="")
        doc = await self.meetings.find_one({"_id": meeting_id}, session=session)
        if doc is None:
            return Meeting(meeting_id=meeting_id)
        return Meeting(
            meeting_id=meeting_id,
            timezone=doc.get("timezone") or "UTC",
            title=_localized(doc.get("title")),
            city=_localized(doc.get("city")),
            venue=_localized(doc.get("venue")),
            start_date=_date(doc.get("start_date")),
            end_date=_date(doc.get("end_date")),
        )

    # --- deliveries --------------------------------------------------------
    async def add_delivery(self, session: DbSession, doc: Document) -> bool:
        """Insert unless this (event, recipient, channel) already has one; True if new."""
        result = await self.deliveries.update_one(
            {"event_id": doc["event_id"], "recipient": doc["recipient"], "channel": doc["channel"]},
            {"$setOnInsert": doc},
            upsert=True,
            session=session,
        )
        return result.upserted_id is not None

    async def log(self, address: str, limit: int = 200) -> list[Document]:
        cursor = self.deliveries.find(
            {"recipient": address},
            projection={"html": 0, "text": 0, "attachments": 0, "digest_item": 0},
        )
        return [doc async for doc in cursor.sort("created_at", -1).limit(limit)]
