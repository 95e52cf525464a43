"""Accreditation: confirming a registration if its delegation and the meeting have a
place (else waitlisting it), rejecting it, withdrawing it, and giving a freed place to
the oldest waitlisted registration of the same country, in the same transaction."""

from __future__ import annotations

from datetime import datetime

from pesnet.registration.domain.access import Action, Status, check_right, label_of
from pesnet.registration.domain.badges import BadgeKey
from pesnet.registration.domain.commands import Confirm, Reject, Withdraw
from pesnet.registration.domain.outcomes import Accredited, Rejected, Withdrawn
from pesnet.registration.domain.registration import ConfirmedBy, Registration
from pesnet.registration.service_layer.idempotency import once, requester
from pesnet.registration.service_layer.registering import (
    require_registration,
    waitlist_position,
    waitlisted_before,
)
from pesnet.registration.service_layer.tally import Tally
from pesnet.registration.service_layer.unit_of_work import (
    Clock,
    RegistrationUnitOfWork,
    now_ms,
)
from pesnet.shared.credentials import Actor
from pesnet.shared.logging import get_logger
from pesnet.shared.translation import Message

log = get_logger(__name__)

U = RegistrationUnitOfWork


async def confirm(cmd: Confirm, uow: U, *, badges: BadgeKey, clock: Clock = now_ms) -> Accredited:
    """Confirmed if the delegation's quota and the meeting's capacity have a place,
    else waitlisted (the outcome says why, and the place in the waitlist)."""
    check_right(cmd.actor, Action.confirm)
    uow.actor = cmd.actor  # who acts: in the audit entries of the events it causes

    async def work(uow: U) -> Accredited:
        registration = await _decidable(uow, cmd.registration_id, cmd.actor, Action.confirm)
        tally = Tally(uow)
        # an unknown meeting is a 404 even when the registration is already confirmed
        await tally.meeting(registration.meeting_id)
        reason = await _accredit(uow, tally, registration, _confirmer(cmd.actor), badges, clock())
        await tally.close()
        if reason is None:
            return Accredited(registration)
        return Accredited(registration, reason, await waitlist_position(uow, registration))

    return await once(
        uow,
        cmd.idempotency_key,
        f"confirm|{cmd.registration_id}",
        {},
        work,
        who=requester(cmd.actor),
    )


async def reject(cmd: Reject, uow: U, *, clock: Clock = now_ms) -> Rejected:
    check_right(cmd.actor, Action.reject)
    uow.actor = cmd.actor  # who acts: in the audit entries of the events it causes

    async def work(uow: U) -> Rejected:
        registration = await _decidable(uow, cmd.registration_id, cmd.actor, Action.reject)
        before = registration.status
        registration.reject(reason=cmd.reason, at=clock())
        await uow.registrations.save(registration)
        tally = Tally(uow)
        await tally.count(registration, before)
        await tally.close()
        return Rejected(registration)

    request = {"reason": cmd.reason}
    return await once(
        uow,
        cmd.idempotency_key,
        f"reject|{cmd.registration_id}",
        request,
        work,
        who=requester(cmd.actor),
    )


async def withdraw(cmd: Withdraw, uow: U, *, badges: BadgeKey, clock: Clock = now_ms) -> Withdrawn:
    """Withdraw (the registrant, their focal point, the secretariat). A place freed
    in a member state's delegation goes to its oldest waitlisted registration, in
    the same transaction."""
    check_right(cmd.actor, Action.withdraw)
    uow.actor = cmd.actor  # who acts: in the audit entries of the events it causes

    async def work(uow: U) -> Withdrawn:
        registration = await _decidable(uow, cmd.registration_id, cmd.actor, Action.withdraw)
        before = registration.status
        now = clock()
        registration.withdraw(at=now, by=cmd.actor)
        await uow.registrations.save(registration)
        tally = Tally(uow)
        await tally.count(registration, before)
        promoted = None
        if before is Status.confirmed and registration.country:
            promoted = await _promote_next(uow, tally, registration, badges, now)
        await tally.close()
        return Withdrawn(registration, promoted)

    return await once(
        uow,
        cmd.idempotency_key,
        f"withdraw|{cmd.registration_id}",
        {},
        work,
        who=requester(cmd.actor),
    )


def _confirmer(actor: Actor) -> ConfirmedBy:
    """Who confirms, as the event says: a focal point, or the secretariat (any staff)."""
    return "focal_point" if label_of(actor) == "focal_point" else "secretariat"


async def _decidable(uow: U, registration_id: str, actor: Actor, action: Action) -> Registration:
    registration = await require_registration(uow, registration_id)
    registration.authorize(actor, action)
    registration.check_not_purged()
    registration.check_transition(action)
    return registration


async def _accredit(
    uow: U,
    tally: Tally,
    registration: Registration,
    confirmed_by: ConfirmedBy,
    badges: BadgeKey,
    now: datetime,
    *,
    promoted: bool = False,
) -> Message | None:
    """Give the registration a place if its delegation and meeting have one, else
    waitlist it; returns why it was waitlisted (None: confirmed)."""
    if registration.status is Status.confirmed:
        return None
    meeting = await tally.meeting(registration.meeting_id)
    delegation = await tally.delegation(registration)
    places = meeting.places_for(registration, delegation)
    before = registration.status
    if places.available():
        registration.confirm(at=now, by=confirmed_by, promoted=promoted, badges=badges)
        await uow.registrations.save(registration)
        await tally.count(registration, before)
        return None
    reason = places.why_not()
    if before is Status.waitlisted:
        return reason
    # it joins the end of its delegation's waitlist (the newest turn)
    ahead = len(await waitlisted_before(uow, registration))
    registration.waitlist(at=now, turn=delegation.next_waitlist_turn(), position=ahead + 1)
    await uow.registrations.save(registration)
    await tally.count(registration, before)
    return reason


async def _promote_next(
    uow: U, tally: Tally, withdrawn: Registration, badges: BadgeKey, now: datetime
) -> str | None:
    """The oldest waitlisted registration of the country (by its turn) gets the freed
    place, if the meeting's capacity lets it."""
    meeting_id, country = withdrawn.meeting_id, withdrawn.country
    assert country is not None
    candidate = await uow.registrations.oldest_waitlisted(meeting_id, country)
    if candidate is None:
        return None
    if await _accredit(uow, tally, candidate, "system", badges, now, promoted=True) is not None:
        return None
    log.info(
        "waitlisted registration promoted",
        registration_id=candidate.id,
        meeting_id=meeting_id,
        country=country,
    )
    return candidate.id
