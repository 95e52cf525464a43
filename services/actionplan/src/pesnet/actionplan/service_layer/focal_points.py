"""Focal points: the secretariat issues a token bound to one institution and revokes it;
the service resolves a presented token to the focal point's `Actor` (its `TokenStore`),
and finds an institution's contacts for the events that must reach them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pesnet.actionplan.domain.commands import RegisterFocalPoint, RevokeFocalPoint
from pesnet.actionplan.domain.focal_points import FocalPoint
from pesnet.actionplan.service_layer.ports import Clock, UnitOfWorkFactory
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.credentials import Actor, TokenPrefix
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import NotFound
from pesnet.shared.events.common import Contact
from pesnet.shared.translation import _


@dataclass(frozen=True)
class IssuedFocalPoint:
    focal_point: FocalPoint
    # the token in clear: it exists only in this answer
    token: str


async def register_focal_point(
    cmd: RegisterFocalPoint, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow
) -> IssuedFocalPoint:
    focal_point, token = FocalPoint.issue(
        institution=cmd.institution,
        country=cmd.country,
        name=cmd.name,
        email=cmd.email,
        language=cmd.language,
        now=clock(),
    )

    async def work(uow: ActionPlanUnitOfWork) -> None:
        await uow.focal_points.add(focal_point)
        uow.audit("focal_point.issued", subject=focal_point.id)

    await uow.run(work)
    return IssuedFocalPoint(focal_point, token)


async def revoke_focal_point(
    cmd: RevokeFocalPoint, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow
) -> None:
    async def work(uow: ActionPlanUnitOfWork) -> None:
        focal_point = await uow.focal_points.get(cmd.focal_point_id)
        if focal_point is None:
            raise NotFound(_("no focal point {id}"), params={"id": cmd.focal_point_id})
        focal_point.revoke(now=clock())
        await uow.focal_points.save(focal_point)
        uow.audit("focal_point.revoked", subject=focal_point.id)

    await uow.run(work)


async def contacts_of(
    uow: ActionPlanUnitOfWork, institutions: Iterable[str]
) -> dict[str, list[Contact]]:
    """The active focal points' contacts of each institution (an empty list for none)."""
    wanted = list(institutions)
    contacts: dict[str, list[Contact]] = {i: [] for i in wanted}
    for focal_point in await uow.focal_points.of_institutions(wanted):
        contacts[focal_point.institution].append(focal_point.contact)
    return contacts


class FocalPointTokens:
    """The service's `TokenStore`: a focal-point token stands for its institution's focal
    point until it is revoked; the service issues no other kind."""

    def __init__(self, unit_of_work: UnitOfWorkFactory) -> None:
        self.unit_of_work = unit_of_work

    async def actor_for(self, prefix: TokenPrefix, token_hash: str) -> Actor | None:
        if prefix is not TokenPrefix.focal_point:
            return None
        focal_point = await self.unit_of_work().focal_points.by_token_hash(token_hash)
        return focal_point.actor if focal_point is not None else None
