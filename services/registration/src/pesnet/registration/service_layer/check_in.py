"""Badges and check-in at the meeting's desk: by registration or by scanning the
badge's signed token (idempotent: a second scan answers "already checked in"),
the check-in list, and who may fetch a badge."""

from __future__ import annotations

from typing import Any

from pesnet.registration.domain.badges import read_badge_token
from pesnet.registration.domain.labels import ALREADY_CHECKED_IN, CHECKED_IN
from pesnet.registration.domain.model import Actor, check_transition
from pesnet.registration.service_layer.context import (
    MeetingView,
    Result,
    ServiceContext,
    iso,
    participant_event,
    registration_subject,
)
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Conflict, InvalidInput
from pesnet.shared.events.registration import ParticipantCheckedIn
from pesnet.shared.i18n import format_local_datetime
from pesnet.shared.mongo import DbSession, Document


class CheckIn:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def check_in(
        self,
        actor: Actor,
        registration_id: str | None = None,
        *,
        badge_token: str | None = None,
        meeting_id: str | None = None,
    ) -> Result:
        if badge_token is not None:
            parsed = read_badge_token(self.ctx.badge_secret, badge_token)
            if parsed is None:
                raise InvalidInput("not a genuine badge", field="badge_token")
            registration_id, nonce = parsed
        else:
            nonce = None
        assert registration_id is not None

        async def work(session: DbSession) -> Result:
            doc = await self.ctx.registration(registration_id, session)
            actor.check_action("check_in", registration_id, doc.get("country"))
            if meeting_id is not None and doc["meeting_id"] != meeting_id:
                raise Conflict(f"this badge is for {doc['meeting_id']}, not {meeting_id}")
            if nonce is not None and doc.get("badge_nonce") != nonce:
                raise Conflict("this badge is no longer valid (withdrawn or re-issued)")
            check_transition("check_in", doc["status"])
            meeting = await self.ctx.meeting(doc["meeting_id"], session)
            if doc.get("checked_in_at") is not None:
                return Result(200, self._answer(doc, meeting, already=True))
            now = utcnow()
            after = await self.ctx.repo.mark_checked_in(registration_id, at=now, session=session)
            await self.ctx.emit(
                session,
                participant_event(ParticipantCheckedIn, after, checked_in_at=now),
                registration_subject(registration_id),
            )
            return Result(200, self._answer(after, meeting, already=False))

        return await self.ctx.transaction(work)

    def _answer(self, doc: Document, meeting: MeetingView, *, already: bool) -> dict[str, Any]:
        at = doc["checked_in_at"]
        template = ALREADY_CHECKED_IN if already else CHECKED_IN
        messages = {
            lang: (template.get(lang)).format(
                time=format_local_datetime(at, meeting.timezone, lang, "short")
            )
            for lang in ("ar", "en", "fr")
        }
        return {
            **self.ctx.view(doc),
            "already_checked_in": already,
            "message": messages["en"],
            "messages": messages,
        }

    async def check_in_list(self, meeting_id: str) -> list[dict[str, Any]]:
        meeting = await self.ctx.meeting(meeting_id)
        rows = []
        for doc in await self.ctx.repo.confirmed_participants(meeting_id):
            at = doc.get("checked_in_at")
            rows.append(
                {
                    "id": doc["_id"],
                    "given_name": doc.get("given_name"),
                    "family_name": doc.get("family_name"),
                    "name_latin": doc.get("name_latin"),
                    "country": doc.get("country"),
                    "institution": doc.get("institution"),
                    "role": doc["role"],
                    "checked_in": at is not None,
                    "checked_in_at": iso(at),
                    "checked_in_local": (
                        format_local_datetime(at, meeting.timezone, "en", "yyyy-MM-dd HH:mm")
                        if at is not None
                        else None
                    ),
                }
            )
        return rows

    async def badge_subject(
        self, actor: Actor, registration_id: str
    ) -> tuple[Document, MeetingView, str]:
        """The registration, its meeting and badge token, for someone who may see it;
        409 unless it is confirmed."""
        doc = await self.ctx.registration(registration_id)
        actor.check_read(registration_id, doc.get("country"))
        token = self.ctx.badge_token(doc)
        if token is None:
            raise Conflict(f"no badge: the registration is {doc['status']}, not confirmed")
        return doc, await self.ctx.meeting(doc["meeting_id"]), token
