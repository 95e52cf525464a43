"""National focal points: the secretariat nominates them (a token scoped to a country
and, when named, to an institution of the reference; shown once) and withdraws them;
the tokens this service issued are resolved here for the kernel's `resolve_actor`."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from pesnet.registration.domain.commands import NominateFocalPoint
from pesnet.registration.domain.focal_point import FocalPoint
from pesnet.registration.service_layer.institutions import require_institution
from pesnet.registration.service_layer.unit_of_work import (
    Clock,
    RegistrationUnitOfWork,
    now_ms,
)
from pesnet.shared.credentials import Actor, ActorKind, TokenPrefix
from pesnet.shared.errors import NotFound
from pesnet.shared.logging import get_logger
from pesnet.shared.manage_links import ManageLinks
from pesnet.shared.translation import _

log = get_logger(__name__)

U = RegistrationUnitOfWork


async def issue_focal_point(
    cmd: NominateFocalPoint, uow: U, *, clock: Clock = now_ms
) -> tuple[FocalPoint, str]:
    """Nominate a national focal point: a token scoped to one country (shown once)
    and, when the nomination names one, to an institution of that country in the
    reference. The nomination is announced (`FocalPointNominated`, internal, with the
    token's digest, never the token): the action plan's focal points are these."""

    async def work(uow: U) -> tuple[FocalPoint, str]:
        if cmd.institution_id is not None:
            institution = await require_institution(uow, cmd.institution_id, "institution_id")
            institution.check_country(cmd.country, "institution_id")
        focal_point, token = FocalPoint.issue(
            id=uuid.uuid4().hex,
            country=cmd.country,
            name=cmd.name,
            at=clock(),
            institution_id=cmd.institution_id,
            email=cmd.email,
            language=cmd.language,
        )
        await uow.focal_points.add(focal_point)
        return focal_point, token

    focal_point, token = await uow.run(work)
    log.info("focal-point token issued", focal_point_id=focal_point.id, country=cmd.country)
    return focal_point, token


async def focal_points(country: str | None, uow: U) -> list[FocalPoint]:
    return await uow.focal_points.listed(country)


async def revoke_focal_point(focal_point_id: str, uow: U, *, clock: Clock = now_ms) -> None:
    async def work(uow: U) -> None:
        focal_point = await uow.focal_points.get(focal_point_id)
        if focal_point is None or not focal_point.active:
            raise NotFound(_("no active focal-point token {id}"), params={"id": focal_point_id})
        focal_point.revoke(at=clock())
        await uow.focal_points.save(focal_point)

    await uow.run(work)


class RegistrationTokens:
    """The tokens this service issued, for the kernel's `resolve_actor`: focal-point
    tokens and the manage tokens of registrations."""

    def __init__(self, unit_of_work: Callable[[], U], manage_links: ManageLinks) -> None:
        self.unit_of_work = unit_of_work
        self.manage_links = manage_links

    async def actor_for_link(self, token: str) -> Actor | None:
        """A signed manage link stands for its registrant while it is the registration's
        current link (not rotated since, not purged)."""
        read = self.manage_links.read(token)
        if read is None:
            return None
        registration_id, version = read
        registration = await self.unit_of_work().registrations.get(registration_id)
        if registration is None or registration.manage_link_version != version:
            return None
        return Actor(ActorKind.registrant, registration_id=registration_id)

    async def actor_for(self, prefix: TokenPrefix, token_hash: str) -> Actor | None:
        uow = self.unit_of_work()
        if prefix is TokenPrefix.focal_point:
            focal_point = await uow.focal_points.active_with_token(token_hash)
            return None if focal_point is None else focal_point.actor()
        if prefix is TokenPrefix.manage:
            registration_id = await uow.registrations.id_with_manage_token(token_hash)
            if registration_id is not None:
                return Actor(ActorKind.registrant, registration_id=registration_id)
        return None
