"""Notifications' projection of the meetings: what a mail says of its meeting (title,
place, dates, time zone, how to join), read through this process's recent meetings
(`pesnet.shared.recent`) for the mails' wording."""

from __future__ import annotations

from pesnet.notifications.adapters.repository import MEETINGS, _date, _localized
from pesnet.notifications.domain.notices import Meeting
from pesnet.notifications.service_layer.unit_of_work import MeetingRepository
from pesnet.shared.mongo import Database, DbSession, Document
from pesnet.shared.recent import MEETINGS as RECENT_MEETINGS


class MongoMeetings(MeetingRepository):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[MEETINGS]
        self.session = session

    async def get(self, meeting_id: str | None) -> Meeting:
        if not meeting_id:
            return Meeting(meeting_id="")
        doc = await self.collection.find_one({"_id": meeting_id}, session=self.session)
        return _meeting(meeting_id, doc)

    async def recent(self, meeting_id: str | None) -> Meeting:
        if not meeting_id:
            return Meeting(meeting_id="")
        doc = await RECENT_MEETINGS.read(
            (self.collection.full_name, meeting_id),
            lambda: self.collection.find_one({"_id": meeting_id}, session=self.session),
        )
        return _meeting(meeting_id, doc)

    async def save(self, meeting: Meeting) -> None:
        RECENT_MEETINGS.forget((self.collection.full_name, meeting.meeting_id))
        doc = {
            "title": meeting.title.model_dump() if meeting.title else None,
            "city": meeting.city.model_dump() if meeting.city else None,
            "venue": meeting.venue.model_dump() if meeting.venue else None,
            "timezone": meeting.timezone,
            "start_date": meeting.start_date.isoformat() if meeting.start_date else None,
            "end_date": meeting.end_date.isoformat() if meeting.end_date else None,
            "attendance_mode": meeting.attendance_mode,
            "join_url": meeting.join_url,
        }
        await self.collection.update_one(
            {"_id": meeting.meeting_id}, {"$set": doc}, upsert=True, session=self.session
        )


def _meeting(meeting_id: str, doc: Document | None) -> Meeting:
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
        attendance_mode=doc.get("attendance_mode") or "in_person",
        join_url=doc.get("join_url"),
    )
