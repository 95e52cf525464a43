"""Focal points: registration's nominations recorded from its events (the newest
version wins, so a withdrawal is never undone by a late nomination), the action-plan
officer's override (an interim focal point named here, for an institution of the
reference, with a token shown once) and its revocation; the service resolves a
presented token to the focal point's `Actor` (its `TokenStore`) and finds an
institution's contacts for the events that must reach them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pesnet.actionplan.domain.commands import (
    RecordNomination,
    RecordWithdrawal,
    RegisterFocalPoint,
    RevokeFocalPoint,
)
from pesnet.actionplan.domain.focal_points import FocalPoint
from pesnet.actionplan.domain.institutions import UNKNOWN_INSTITUTION
from pesnet.actionplan.service_layer.institutions import Named, names_of
from pesnet.actionplan.service_layer.ports import Clock, UnitOfWorkFactory
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.credentials import Actor, TokenPrefix
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import InvalidInput, NotFound
from pesnet.shared.events.actionplan import InterimFocalPointIssued, InterimFocalPointRevoked
from pesnet.shared.events.common import Contact
from pesnet.shared.logging import get_logger
from pesnet.shared.translation import N_, _

log = get_logger(__name__)

OTHER_COUNTRY = N_("{institution} is an institution of {institution_country}, not of {country}")


@dataclass(frozen=True)
class IssuedFocalPoint:
    focal_point: FocalPoint
    # the token in clear: it exists only in this answer
    token: str


# -- registration's nominations -----------------------------------------------------------


async def record_nomination(cmd: RecordNomination, uow: ActionPlanUnitOfWork) -> bool:
    """A focal point nominated in registration acts here with the same token (its
    digest came with the event); False when a newer state is kept already."""

    async def work(uow: ActionPlanUnitOfWork) -> bool:
        kept = await uow.focal_points.get(cmd.focal_point_id)
        if kept is not None and not kept.replaced_by(cmd.version):
            return False
        await uow.focal_points.save(
            FocalPoint.nominated(
                focal_point_id=cmd.focal_point_id,
                institution=cmd.institution,
                country=cmd.country,
                name=cmd.name,
                email=cmd.email,
                language=cmd.language,
                token_digest=cmd.token_digest,
                at=cmd.nominated_at,
                version=cmd.version,
            )
        )
        return True

    recorded = await uow.run(work)
    if recorded:
        log.info("focal point nominated", focal_point_id=cmd.focal_point_id)
    return recorded


async def record_withdrawal(cmd: RecordWithdrawal, uow: ActionPlanUnitOfWork) -> bool:
    """The nomination was withdrawn: its token stops acting here."""

    async def work(uow: ActionPlanUnitOfWork) -> bool:
        kept = await uow.focal_points.get(cmd.focal_point_id)
        if kept is None:
            # the withdrawal overtook the nomination: keep it, so that the late
            # nomination (an older version) cannot bring the token back
            kept = FocalPoint.withdrawn(
                focal_point_id=cmd.focal_point_id,
                institution=cmd.institution,
                country=cmd.country,
                at=cmd.withdrawn_at,
                version=cmd.version,
            )
        elif kept.replaced_by(cmd.version):
            kept.withdraw(at=cmd.withdrawn_at, version=cmd.version)
        else:
            return False
        await uow.focal_points.save(kept)
        return True

    recorded = await uow.run(work)
    if recorded:
        log.info("focal point withdrawn", focal_point_id=cmd.focal_point_id)
    return recorded


async def list_focal_points(uow: ActionPlanUnitOfWork) -> Named[list[FocalPoint]]:
    found = await uow.focal_points.all()
    return Named(found, await names_of(uow, (f.institution for f in found if f.institution)))


# -- the officer's override ---------------------------------------------------------------


async def register_focal_point(
    cmd: RegisterFocalPoint, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow
) -> IssuedFocalPoint:
    """An interim focal point named by the action-plan officer, for an institution of
    the reference (its country is the institution's)."""

    async def work(uow: ActionPlanUnitOfWork) -> IssuedFocalPoint:
        institution = await uow.institutions.get(cmd.institution)
        if institution is None:
            raise InvalidInput(
                UNKNOWN_INSTITUTION,
                field="institution",
                params={"institution_id": cmd.institution},
            )
        if cmd.country and institution.country and cmd.country != institution.country:
            raise InvalidInput(
                OTHER_COUNTRY,
                field="country",
                params={
                    "institution": institution.id,
                    "institution_country": institution.country,
                    "country": cmd.country,
                },
            )
        focal_point, token = FocalPoint.issue(
            institution=cmd.institution,
            country=cmd.country or institution.country,
            name=cmd.name,
            email=cmd.email,
            language=cmd.language,
            now=clock(),
        )
        await uow.focal_points.add(focal_point)
        uow.emit(
            InterimFocalPointIssued(
                focal_point_id=focal_point.id, institution=focal_point.institution
            ),
            subject=focal_point.id,
        )
        return IssuedFocalPoint(focal_point, token)

    return await uow.run(work)


async def revoke_focal_point(
    cmd: RevokeFocalPoint, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow
) -> None:
    """Revoke an overriding focal point (a nomination is withdrawn in registration)."""

    async def work(uow: ActionPlanUnitOfWork) -> None:
        focal_point = await uow.focal_points.get(cmd.focal_point_id)
        if focal_point is None:
            raise NotFound(_("no focal point {id}"), params={"id": cmd.focal_point_id})
        focal_point.revoke(now=clock())
        await uow.focal_points.save(focal_point)
        uow.emit(
            InterimFocalPointRevoked(
                focal_point_id=focal_point.id, institution=focal_point.institution
            ),
            subject=focal_point.id,
        )

    await uow.run(work)


async def contacts_of(
    uow: ActionPlanUnitOfWork, institutions: Iterable[str]
) -> dict[str, list[Contact]]:
    """The active focal points' contacts of each institution (an empty list for none)."""
    wanted = list(institutions)
    contacts: dict[str, list[Contact]] = {i: [] for i in wanted}
    for focal_point in await uow.focal_points.of_institutions(wanted):
        contact = focal_point.contact
        if contact is not None and focal_point.institution is not None:
            contacts[focal_point.institution].append(contact)
    return contacts


class FocalPointTokens:
    """The service's `TokenStore`: a focal-point token (registration's, whose digest its
    nomination carried, or the officer's override) stands for its focal point until it
    is withdrawn or revoked; the service issues no other kind."""

    def __init__(self, unit_of_work: UnitOfWorkFactory) -> None:
        self.unit_of_work = unit_of_work

    async def actor_for_link(self, token: str) -> Actor | None:
        return None  # manage links are registration's

    async def actor_for(self, prefix: TokenPrefix, token_hash: str) -> Actor | None:
        if prefix is not TokenPrefix.focal_point:
            return None
        focal_point = await self.unit_of_work().focal_points.by_token_hash(token_hash)
        return focal_point.actor if focal_point is not None else None
