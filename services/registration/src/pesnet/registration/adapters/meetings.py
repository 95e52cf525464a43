"""Meetings and their delegations' counters on MongoDB (`meetings`, `delegations`).
Every status change of a registration writes its delegation's document in the same
transaction, so two transactions that decide about the same delegation's places
always write the same document and MongoDB makes one of them retry (write conflict):
the quota cannot be overrun."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import ClassVar

from pymongo.errors import DuplicateKeyError

from pesnet.registration.adapters.collections import DELEGATIONS, MEETINGS
from pesnet.registration.domain.delegation import Delegation
from pesnet.registration.domain.meeting import Meeting, MeetingSource
from pesnet.registration.service_layer.unit_of_work import Delegations, Meetings
from pesnet.shared.envelope import utcnow
from pesnet.shared.i18n import Localized
from pesnet.shared.mongo import Database, DbSession, Document, deferred
from pesnet.shared.recent import MEETINGS as RECENT_MEETINGS

# meetings --------------------------------------------------------------------------


def meeting_of(doc: Document) -> Meeting:
    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    return Meeting(
        id=str(doc["_id"]),
        title=Localized.model_validate(doc.get("title") or {}),
        timezone=str(doc.get("timezone") or "UTC"),
        status=str(doc.get("status") or "scheduled"),
        number=doc.get("number"),
        city=Localized.model_validate(doc["city"]) if doc.get("city") else None,
        venue=Localized.model_validate(doc["venue"]) if doc.get("venue") else None,
        country=doc.get("country"),
        start_date=day(doc.get("start_date")),
        end_date=day(doc.get("end_date")),
        registration_opens_at=doc.get("registration_opens_at"),
        registration_closes_at=doc.get("registration_closes_at"),
        delegation_quota=doc.get("delegation_quota"),
        capacity=doc.get("capacity"),
        source=MeetingSource(doc.get("source") or MeetingSource.agenda),
        announced_at=doc.get("announced_at"),
        confirmed_total=int(doc.get("confirmed_total", 0)),
        personal_data_purged_at=doc.get("personal_data_purged_at"),
        attendance_mode=str(doc.get("attendance_mode") or "in_person"),
        join_url=doc.get("join_url"),
    )


class MongoMeetings(Meetings):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[MEETINGS]
        self.session = session

    def _saw(self, found: Meeting | None) -> Meeting | None:
        self.saw(found)
        return found

    async def get(self, meeting_id: str) -> Meeting | None:
        if self.session is None:
            # outside a transaction (a registration's window, a page's title): as read in
            # the last few seconds (`pesnet.shared.recent`); in one, where the confirmed
            # total is counted, from the database
            doc = await RECENT_MEETINGS.read(
                (self.collection.full_name, meeting_id),
                lambda: self.collection.find_one({"_id": meeting_id}),
            )
        else:
            doc = await self.collection.find_one({"_id": meeting_id}, session=self.session)
        return self._saw(None if doc is None else meeting_of(doc))

    async def all(self) -> list[Meeting]:
        cursor = self.collection.find({}, session=self.session).sort("_id", 1).limit(500)
        return [meeting_of(doc) async for doc in cursor]

    async def save(self, meeting: Meeting) -> None:
        self.saw(meeting)
        RECENT_MEETINGS.forget((self.collection.full_name, meeting.id))
        fields: Document = {
            "number": meeting.number,
            "title": meeting.title.model_dump(),
            "city": meeting.city.model_dump() if meeting.city else None,
            "venue": meeting.venue.model_dump() if meeting.venue else None,
            "country": meeting.country,
            "timezone": meeting.timezone,
            "status": meeting.status,
            "start_date": meeting.start_date.isoformat() if meeting.start_date else None,
            "end_date": meeting.end_date.isoformat() if meeting.end_date else None,
            "registration_opens_at": meeting.registration_opens_at,
            "registration_closes_at": meeting.registration_closes_at,
            "delegation_quota": meeting.delegation_quota,
            "capacity": meeting.capacity,
            "source": meeting.source.value,
            "announced_at": meeting.announced_at,
            "confirmed_total": meeting.confirmed_total,
            "personal_data_purged_at": meeting.personal_data_purged_at,
            "attendance_mode": meeting.attendance_mode,
            "join_url": meeting.join_url,
        }
        await self.collection.update_one(
            {"_id": meeting.id}, {"$set": fields}, upsert=True, session=self.session
        )


# delegations -----------------------------------------------------------------------


def delegation_of(doc: Document) -> Delegation:
    return Delegation(
        meeting_id=doc["meeting_id"],
        key=str(doc["_id"]).split("|", 1)[1],
        country=doc.get("country"),
        institution=doc.get("institution"),
        by_status=dict(doc.get("by_status") or {}),
        by_role=dict(doc.get("by_role") or {}),
        confirmed=int(doc.get("confirmed", 0)),
        quota_used=int(doc.get("quota_used", 0)),
        waitlist_issued=int(doc.get("waitlist_issued", 0)),
    )


class MongoDelegations(Delegations):
    # delegations this process knows exist (never deleted: counters stay), so that a
    # registration to one costs no write to create it again (bounded: forgotten at 10k)
    _existing: ClassVar[set[tuple[str, str]]] = set()

    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[DELEGATIONS]
        self.session = session

    def _saw(self, found: Delegation | None) -> Delegation | None:
        self.saw(found)
        return found

    async def ensure(
        self, meeting_id: str, key: str, country: str | None, institution: str | None
    ) -> None:
        new = Delegation(
            meeting_id=meeting_id,
            key=key,
            country=country,
            institution=None if country else institution,
        )
        known = (self.collection.full_name, new.id)
        if known in self._existing:
            return
        # created concurrently by another request: what we wanted
        with contextlib.suppress(DuplicateKeyError):
            await self.collection.update_one(
                {"_id": new.id},
                {"$setOnInsert": self._fields(new)},
                upsert=True,
                session=self.session,
            )
        if self.session is None:  # committed (in a transaction, it might not be)
            if len(self._existing) >= 10_000:
                self._existing.clear()
            self._existing.add(known)

    @staticmethod
    def _fields(delegation: Delegation) -> Document:
        return {
            "meeting_id": delegation.meeting_id,
            "country": delegation.country,
            "institution": delegation.institution,
            "by_status": delegation.by_status,
            "by_role": delegation.by_role,
            "confirmed": delegation.confirmed,
            "quota_used": delegation.quota_used,
            "waitlist_issued": delegation.waitlist_issued,
        }

    async def get(self, meeting_id: str, key: str) -> Delegation | None:
        doc = await self.collection.find_one({"_id": f"{meeting_id}|{key}"}, session=self.session)
        return self._saw(None if doc is None else delegation_of(doc))

    async def save(self, delegation: Delegation) -> None:
        self.saw(delegation)
        where = {"_id": delegation.id}
        update = {"$set": {**self._fields(delegation), "updated_at": utcnow()}}
        if (batch := deferred(self.session)) is not None:
            batch.update(self.collection, where, update)  # nothing reads it back before
            return
        await self.collection.update_one(where, update, session=self.session)

    async def of_meeting(self, meeting_id: str) -> list[Delegation]:
        cursor = self.collection.find({"meeting_id": meeting_id}, session=self.session)
        return [delegation_of(doc) async for doc in cursor.sort("_id", 1)]
