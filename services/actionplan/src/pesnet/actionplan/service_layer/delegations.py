"""Heads of delegation's consultation links: registration's participant events kept as
the newest state of each registration (`domain/delegations.py`), and what a presented
link is worth now (genuine, not expired, its registration still its delegation's
confirmed head)."""

from __future__ import annotations

from datetime import datetime

from pesnet.actionplan.domain.delegations import DelegationRegistration, Standing, standing_of
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.delegation_links import DelegationLink, DelegationLinks
from pesnet.shared.envelope import CloudEvent
from pesnet.shared.events import CATALOG
from pesnet.shared.events.common import Role
from pesnet.shared.events.registration import ParticipantRegistered, PersonalDataPurged
from pesnet.shared.logging import get_logger

log = get_logger(__name__)


async def record_registration(
    registration: DelegationRegistration, uow: ActionPlanUnitOfWork
) -> bool:
    """Keep the registration's newest state; False when a newer one is kept already."""

    async def work(uow: ActionPlanUnitOfWork) -> bool:
        kept = await uow.delegations.get(registration.registration_id)
        if kept is not None and not kept.replaced_by(registration.as_of):
            return False
        await uow.delegations.save(registration)
        return True

    recorded = await uow.run(work)
    if not recorded:
        log.info("older registration event ignored", registration_id=registration.registration_id)
    return recorded


REGISTERED = CATALOG.type_of(ParticipantRegistered)


async def may_speak_for_a_delegation(event: CloudEvent, uow: ActionPlanUnitOfWork) -> bool:
    """Whether a participant event can change what a consultation link is worth (a look
    before the transaction: most participants are no head of delegation, and their
    events then cost nothing): one of a head of delegation, or of a registration kept
    as one (its role or status moved on). A new registration of anyone else holds no
    link and is not even looked up."""
    data = event.data or {}
    if data.get("role") == Role.head_of_delegation.value:
        return True
    if event.type == REGISTERED:
        return False
    return await uow.delegations.get(str(data.get("registration_id"))) is not None


async def forget_meeting(event: PersonalDataPurged, uow: ActionPlanUnitOfWork) -> int:
    """The meeting's personal data was erased: its registrations speak no more."""

    async def work(uow: ActionPlanUnitOfWork) -> int:
        return await uow.delegations.purge_meeting(event.meeting_id, event.purged_at)

    return await uow.run(work)


async def standing(
    links: DelegationLinks | None, token: str, uow: ActionPlanUnitOfWork, *, now: datetime
) -> tuple[Standing, DelegationLink | None]:
    """What the link of `token` is worth now, and what it says when it is genuine."""
    link = links.read(token) if links is not None else None
    known = await uow.delegations.get(link.registration_id) if link is not None else None
    return standing_of(link, known, now), link
