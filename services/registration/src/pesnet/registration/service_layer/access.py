"""Who is calling (the secretariat, a focal point, a registrant, or nobody) and the
focal-point tokens the secretariat issues, lists and revokes. Focal-point and
manage tokens are stored as SHA-256 digests only."""

from __future__ import annotations

import hmac
import uuid
from typing import Any

from pesnet.registration.domain.badges import hash_secret_token, new_secret_token
from pesnet.registration.domain.model import Actor
from pesnet.registration.service_layer.commands import NewFocalPoint
from pesnet.registration.service_layer.context import ServiceContext, iso
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import NotFound, Unauthorized
from pesnet.shared.logging import get_logger

log = get_logger(__name__)


class Access:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def actor_for(self, token: str | None, secretariat_token: str | None) -> Actor:
        if token is None:
            return Actor("anonymous")
        if secretariat_token is not None and hmac.compare_digest(
            token.encode(), secretariat_token.encode()
        ):
            return Actor("secretariat")
        digest = hash_secret_token(token)
        if token.startswith("fp_"):
            focal = await self.ctx.repo.active_focal_point(digest)
            if focal is not None:
                return Actor("focal_point", country=focal["country"], focal_point_id=focal["_id"])
        elif token.startswith("mt_"):
            registration_id = await self.ctx.repo.registration_id_with_manage_token(digest)
            if registration_id is not None:
                return Actor("registrant", registration_id=registration_id)
        raise Unauthorized("unknown or revoked token")

    async def issue_focal_point(self, command: NewFocalPoint) -> dict[str, Any]:
        token = new_secret_token("fp")
        focal_id = uuid.uuid4().hex
        await self.ctx.repo.add_focal_point(
            {
                "_id": focal_id,
                "country": command.country,
                "name": command.name,
                "token_hash": hash_secret_token(token),
                "created_at": utcnow(),
                "revoked_at": None,
            }
        )
        log.info("focal-point token issued", focal_point_id=focal_id, country=command.country)
        return {"id": focal_id, "country": command.country, "name": command.name, "token": token}

    async def focal_points(self, country: str | None) -> list[dict[str, Any]]:
        return [
            {
                "id": doc["_id"],
                "country": doc["country"],
                "name": doc.get("name"),
                "created_at": iso(doc.get("created_at")),
                "revoked_at": iso(doc.get("revoked_at")),
            }
            for doc in await self.ctx.repo.list_focal_points(country)
        ]

    async def revoke_focal_point(self, focal_point_id: str) -> None:
        if not await self.ctx.repo.revoke_focal_point(focal_point_id, utcnow()):
            raise NotFound(f"no active focal-point token {focal_point_id!r}")
