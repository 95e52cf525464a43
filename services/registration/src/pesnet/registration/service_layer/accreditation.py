"""Accreditation, quotas and the waitlist: confirm (a place if the delegation's quota
and the meeting's capacity have one, else the waitlist), reject, withdraw, and the
promotion of the oldest waitlisted registration when a place is freed."""

from __future__ import annotations

from pesnet.registration.domain.badges import issue_badge_token
from pesnet.registration.domain.model import (
    Action,
    Actor,
    Places,
    Status,
    check_transition,
    counts_against_quota,
    delegation_key,
)
from pesnet.registration.service_layer.context import (
    Result,
    ServiceContext,
    participant_event,
    registration_subject,
)
from pesnet.registration.service_layer.delegations import Delegations, Pending
from pesnet.registration.service_layer.idempotency import idempotent
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Conflict
from pesnet.shared.events.registration import (
    ParticipantConfirmed,
    ParticipantRejected,
    ParticipantWaitlisted,
    ParticipantWithdrawn,
)
from pesnet.shared.logging import get_logger
from pesnet.shared.mongo import DbSession, Document

log = get_logger(__name__)


class Accreditation:
    def __init__(self, ctx: ServiceContext, delegations: Delegations) -> None:
        self.ctx = ctx
        self.delegations = delegations

    async def confirm(
        self, actor: Actor, registration_id: str, idempotency_key: str | None = None
    ) -> Result:
        async def work(session: DbSession) -> Result:
            doc = await self._load_for(session, actor, "confirm", registration_id)
            # an unknown meeting is a 404 even when the registration is already confirmed
            await self.ctx.meeting(doc["meeting_id"], session)
            pending: Pending = {}
            after, reason = await self._accredit(session, doc, actor.label, pending)
            await self.delegations.announce(session, pending)
            body = self.ctx.view(after)
            if reason is not None:
                body["waitlist_reason"] = reason
                body["waitlist_position"] = await self.waitlist_position(after, session)
            return Result(200, body)

        return await idempotent(self.ctx, idempotency_key, f"confirm|{registration_id}", {}, work)

    async def reject(
        self,
        actor: Actor,
        registration_id: str,
        reason: str | None,
        idempotency_key: str | None = None,
    ) -> Result:
        async def work(session: DbSession) -> Result:
            doc = await self._load_for(session, actor, "reject", registration_id)
            after = await self.ctx.repo.mark_rejected(
                registration_id, reason=reason, at=utcnow(), session=session
            )
            await self.ctx.emit(
                session,
                participant_event(ParticipantRejected, after, reason=reason),
                registration_subject(registration_id),
            )
            pending: Pending = {}
            await self.delegations.count(session, after, doc["status"], Status.rejected, pending)
            await self.delegations.announce(session, pending)
            return Result(200, self.ctx.view(after))

        return await idempotent(
            self.ctx, idempotency_key, f"reject|{registration_id}", {"reason": reason}, work
        )

    async def withdraw(
        self, actor: Actor, registration_id: str, idempotency_key: str | None = None
    ) -> Result:
        async def work(session: DbSession) -> Result:
            doc = await self._load_for(session, actor, "withdraw", registration_id)
            after = await self.ctx.repo.mark_withdrawn(
                registration_id, at=utcnow(), session=session
            )
            await self.ctx.emit(
                session,
                participant_event(ParticipantWithdrawn, after, withdrawn_by=actor.label),
                registration_subject(registration_id),
            )
            pending: Pending = {}
            await self.delegations.count(session, after, doc["status"], Status.withdrawn, pending)
            body = self.ctx.view(after)
            body["promoted_registration_id"] = None
            if doc["status"] == Status.confirmed and doc.get("country"):
                # a place of the delegation (or of the meeting's capacity) was freed
                promoted = await self._promote_next(session, doc, pending)
                body["promoted_registration_id"] = promoted
            await self.delegations.announce(session, pending)
            return Result(200, body)

        return await idempotent(self.ctx, idempotency_key, f"withdraw|{registration_id}", {}, work)

    async def waitlist_position(self, doc: Document, session: DbSession | None = None) -> int:
        return await self.ctx.repo.waitlisted_before(doc, session) + 1

    async def _load_for(
        self, session: DbSession, actor: Actor, action: Action, registration_id: str
    ) -> Document:
        doc = await self.ctx.registration(registration_id, session)
        actor.check_action(action, registration_id, doc.get("country"))
        if doc.get("personal_data_purged_at") is not None:
            raise Conflict("the personal data of this registration has been purged")
        check_transition(action, doc["status"])
        return doc

    async def _places(self, session: DbSession, doc: Document) -> Places:
        meeting = await self.ctx.meeting(doc["meeting_id"], session)
        counters = await self.ctx.repo.get_delegation(
            doc["meeting_id"], delegation_key(doc.get("country"), doc.get("institution")), session
        )
        return Places(
            delegation_confirmed=int((counters or {}).get("quota_used", 0)),
            # a quota bounds a member state's delegation; OIC institutions, partners,
            # speakers, moderators and the secretariat only the meeting's capacity
            quota=meeting.quota if counts_against_quota(doc.get("country"), doc["role"]) else None,
            meeting_confirmed=meeting.confirmed_total,
            capacity=meeting.capacity,
        )

    async def _accredit(
        self,
        session: DbSession,
        doc: Document,
        confirmed_by: str,
        pending: Pending,
        *,
        promoted: bool = False,
    ) -> tuple[Document, str | None]:
        """Give the registration a place if its delegation has one, else waitlist it.
        Returns the document after and, when waitlisted, why."""
        if doc["status"] == Status.confirmed:
            return doc, None
        places = await self._places(session, doc)
        now = utcnow()
        subject = registration_subject(doc["_id"])
        if places.available():
            _, nonce = issue_badge_token(self.ctx.badge_secret, doc["_id"])
            after = await self.ctx.repo.mark_confirmed(
                doc["_id"],
                at=now,
                badge_nonce=nonce,
                promoted=promoted,
                confirmed_by=confirmed_by,
                session=session,
            )
            await self.ctx.emit(
                session,
                participant_event(
                    ParticipantConfirmed,
                    after,
                    confirmed_by=confirmed_by,
                    promoted_from_waitlist=promoted,
                    badge_token=self.ctx.badge_token(after),
                ),
                subject,
            )
            await self.delegations.count(session, after, doc["status"], Status.confirmed, pending)
            return after, None
        reason = places.why_not()
        if doc["status"] == Status.waitlisted:
            return doc, reason
        after = await self.ctx.repo.mark_waitlisted(doc["_id"], at=now, session=session)
        position = await self.waitlist_position(after, session)
        await self.ctx.emit(
            session,
            participant_event(ParticipantWaitlisted, after, waitlist_position=position),
            subject,
        )
        await self.delegations.count(session, after, doc["status"], Status.waitlisted, pending)
        return after, reason

    async def _promote_next(
        self, session: DbSession, freed: Document, pending: Pending
    ) -> str | None:
        """A place of the delegation was freed: the oldest waitlisted registration of the
        same country (by registration time) gets it, in the same transaction."""
        candidate = await self.ctx.repo.oldest_waitlisted(
            freed["meeting_id"], freed["country"], session
        )
        if candidate is None:
            return None
        after, reason = await self._accredit(session, candidate, "system", pending, promoted=True)
        if reason is not None:
            return None
        log.info(
            "waitlisted registration promoted",
            registration_id=after["_id"],
            meeting_id=after["meeting_id"],
            country=after.get("country"),
        )
        return str(after["_id"])
