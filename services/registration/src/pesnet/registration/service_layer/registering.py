"""Registering for a meeting and self-service: register (or a focal point nominates),
read, list, and correct one's details."""

from __future__ import annotations

import uuid
from typing import Any

from pesnet.registration.domain.badges import hash_secret_token, new_secret_token
from pesnet.registration.domain.model import (
    ROLES_NEEDING_COUNTRY,
    Actor,
    Status,
    check_transition,
    email_key,
)
from pesnet.registration.service_layer.commands import Correction, NewRegistration
from pesnet.registration.service_layer.context import (
    Result,
    ServiceContext,
    participant_event,
    registration_subject,
)
from pesnet.registration.service_layer.delegations import Delegations, Pending
from pesnet.registration.service_layer.idempotency import idempotent
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Conflict, Forbidden, InvalidInput, Unauthorized
from pesnet.shared.events.registration import ParticipantRegistered, ParticipantUpdated
from pesnet.shared.logging import get_logger
from pesnet.shared.mongo import DbSession, Document

log = get_logger(__name__)

# Fields a correction may not set to null (the others may be cleared).
REQUIRED_DETAILS = ("given_name", "family_name", "email", "institution", "position", "language")


class Registering:
    def __init__(self, ctx: ServiceContext, delegations: Delegations) -> None:
        self.ctx = ctx
        self.delegations = delegations

    async def register(
        self,
        actor: Actor,
        meeting_id: str,
        command: NewRegistration,
        idempotency_key: str | None = None,
    ) -> Result:
        if command.country is None and command.role in ROLES_NEEDING_COUNTRY:
            raise InvalidInput(
                f"a {command.role} represents a member state: give its ISO alpha-3 code",
                field="country",
            )
        if actor.kind == "focal_point" and command.country != actor.country:
            raise Forbidden(
                f"a focal point of {actor.country} may nominate delegates of {actor.country} only"
            )
        meeting = await self.ctx.meeting(meeting_id)
        refusal = meeting.window.refusal(utcnow())
        if refusal is not None:
            raise Conflict(f"registration for {meeting_id} is not open: {refusal}")
        await self.delegations.ensure(meeting_id, command.country, command.institution)
        # "secretariat", "focal_point", or "registrant" (oneself, with or without a token)
        nominated_by = actor.label

        async def work(session: DbSession) -> Result:
            now = utcnow()
            registration_id = uuid.uuid4().hex
            manage_token = new_secret_token("mt")
            doc: Document = {
                "_id": registration_id,
                "meeting_id": meeting_id,
                **command.model_dump(),
                "email_key": email_key(command.email),
                "status": Status.registered.value,
                "nominated_by": nominated_by,
                "focal_point_id": actor.focal_point_id,
                "manage_token_hash": hash_secret_token(manage_token),
                "registered_at": now,
                "updated_at": now,
            }
            await self.ctx.repo.add_registration(doc, session)
            manage_url = (
                f"{self.ctx.public_url}/registrations/{registration_id}?token={manage_token}"
            )
            await self.ctx.emit(
                session,
                participant_event(
                    ParticipantRegistered, doc, registered_at=now, manage_url=manage_url
                ),
                registration_subject(registration_id),
            )
            pending: Pending = {}
            await self.delegations.count(session, doc, None, Status.registered, pending)
            await self.delegations.announce(session, pending)
            body = self.ctx.view(doc)
            body["manage_token"] = manage_token
            body["manage_url"] = manage_url
            return Result(201, body)

        result = await idempotent(
            self.ctx,
            idempotency_key,
            f"register|{meeting_id}|{actor.kind}:{actor.country or actor.registration_id or ''}",
            command.model_dump(mode="json"),
            work,
            meeting_id=meeting_id,
        )
        log.info("registration received", meeting_id=meeting_id, registration_id=result.body["id"])
        return result

    async def read(self, actor: Actor, registration_id: str) -> dict[str, Any]:
        doc = await self.ctx.registration(registration_id)
        actor.check_read(registration_id, doc.get("country"))
        return self.ctx.view(doc)

    async def list_registrations(
        self, actor: Actor, meeting_id: str, status: str | None, country: str | None
    ) -> list[dict[str, Any]]:
        await self.ctx.meeting(meeting_id)
        if actor.kind == "focal_point":
            if country is not None and country != actor.country:
                raise Forbidden(f"a focal point of {actor.country} sees {actor.country} only")
            country = actor.country
        elif not actor.is_secretariat:
            raise Unauthorized("a secretariat or focal-point token is required")
        docs = await self.ctx.repo.list_registrations(meeting_id, status=status, country=country)
        return [self.ctx.view(doc) for doc in docs]

    async def correct(
        self,
        actor: Actor,
        registration_id: str,
        correction: Correction,
    ) -> Result:
        changes = correction.model_dump(exclude_unset=True)
        for field in REQUIRED_DETAILS:
            if field in changes and changes[field] is None:
                raise InvalidInput("must not be null", field=field)
        if not changes:
            raise InvalidInput("nothing to correct", field="body")

        async def work(session: DbSession) -> Result:
            doc = await self.ctx.registration(registration_id, session)
            actor.check_action("correct", registration_id, doc.get("country"))
            check_transition("correct", doc["status"])
            update = {**changes, "updated_at": utcnow()}
            if "email" in changes:
                update["email_key"] = email_key(changes["email"])
            if doc.get("country") is None and "institution" in changes:
                # the institution names the delegation of a registration without country
                raise InvalidInput(
                    "the institution of an OIC-institution registration decides its delegation:"
                    " withdraw and register again",
                    field="institution",
                )
            after = await self.ctx.repo.correct_registration(registration_id, update, session)
            await self.ctx.emit(
                session,
                participant_event(ParticipantUpdated, after),
                registration_subject(registration_id),
            )
            return Result(200, self.ctx.view(after))

        return await self.ctx.transaction(work)
