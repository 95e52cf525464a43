"""Registering for a meeting, and what a registrant, their focal point or the
secretariat then reads and corrects of a registration."""

from __future__ import annotations

import dataclasses
import uuid

from pesnet.registration.domain.access import (
    Action,
    Status,
    check_nomination,
    check_reader,
    check_right,
    listing_country,
)
from pesnet.registration.domain.commands import Correct, Register
from pesnet.registration.domain.delegation import delegation_key
from pesnet.registration.domain.outcomes import Registered
from pesnet.registration.domain.registration import Registration
from pesnet.registration.domain.roster import Listed
from pesnet.registration.service_layer.idempotency import once, requester
from pesnet.registration.service_layer.institutions import require_institution
from pesnet.registration.service_layer.meetings import require_meeting
from pesnet.registration.service_layer.tally import Tally
from pesnet.registration.service_layer.unit_of_work import (
    Clock,
    RegistrationUnitOfWork,
    now_ms,
)
from pesnet.shared.audit import AuditAction
from pesnet.shared.credentials import Actor, ActorKind
from pesnet.shared.errors import NotFound
from pesnet.shared.logging import get_logger
from pesnet.shared.translation import _

log = get_logger(__name__)

U = RegistrationUnitOfWork


async def register(cmd: Register, uow: U, *, public_url: str, clock: Clock = now_ms) -> Registered:
    """Register for a meeting (oneself, or nominated by a focal point or the
    secretariat). The entrypoints answer it with the registrant's signed manage link. The
    institution is named in free text, or by its id in the reference (then, without
    free text, by its name in the registrant's language)."""
    details = cmd.details
    check_nomination(cmd.actor, details.country, details.role)
    uow.actor = cmd.actor  # who acts: in the audit entries of the events it causes
    meeting = await require_meeting(uow, cmd.meeting_id)
    meeting.check_open(clock())
    details = dataclasses.replace(details, attendance=meeting.attendance_of(details.attendance))
    if details.institution_id is not None:
        institution = await require_institution(uow, details.institution_id, "institution_id")
        if details.institution is None:
            details = dataclasses.replace(
                details, institution=institution.name.get(details.language)
            )
    await uow.delegations.ensure(
        cmd.meeting_id,
        delegation_key(details.country, details.institution, details.institution_id),
        details.country,
        details.institution,
    )

    async def work(uow: U) -> Registered:
        registration = Registration.new(
            id=uuid.uuid4().hex,
            meeting_id=cmd.meeting_id,
            actor=cmd.actor,
            at=clock(),
            details=details,
            public_url=public_url,
        )
        await uow.registrations.add(registration)
        tally = Tally(uow)
        await tally.count(registration, None)
        await tally.close()
        return Registered(registration)

    outcome = await once(
        uow,
        cmd.idempotency_key,
        f"register|{cmd.meeting_id}",
        dataclasses.asdict(details),
        work,
        who=requester(cmd.actor, cmd.proof),
    )
    log.info(
        "registration received",
        meeting_id=cmd.meeting_id,
        registration_id=outcome.registration.id,
    )
    return outcome


async def require_registration(uow: U, registration_id: str) -> Registration:
    registration = await uow.registrations.get(registration_id)
    if registration is None:
        raise NotFound(_("no registration {id}"), params={"id": registration_id})
    return registration


async def read_registration(registration_id: str, actor: Actor, uow: U) -> Registration:
    check_reader(actor)
    registration = await require_registration(uow, registration_id)
    registration.check_readable_by(actor)
    await audit_read(uow, actor, registration.meeting_id, registration.id)
    return registration


async def audit_read(uow: U, actor: Actor, meeting_id: str, subject: str | None = None) -> None:
    """Someone other than the person read a person's data (staff, a focal point): the
    audit trail records it, in a transaction of its own (no event does)."""
    if actor.kind is ActorKind.registrant:
        return
    uow.actor = actor

    async def work(uow: U) -> None:
        uow.audit(AuditAction.personal_data_read, meeting_id=meeting_id, subject=subject)

    await uow.run(work)


async def read_registration_with_place(
    registration_id: str, actor: Actor, uow: U
) -> tuple[Registration, int | None]:
    """The registration and, while it is waitlisted, its place in the waitlist."""
    registration = await read_registration(registration_id, actor, uow)
    return registration, await waitlist_position(uow, registration)


async def list_registrations(
    meeting_id: str, actor: Actor, uow: U, *, status: Status | None, country: str | None
) -> list[Registration]:
    """The secretariat sees all; a focal point their country's registrations."""
    country = listing_country(actor, country)
    await require_meeting(uow, meeting_id)
    found = await uow.registrations.of_meeting(meeting_id, status=status, country=country)
    await audit_read(uow, actor, meeting_id)
    return found


async def listed(
    meeting_id: str,
    actor: Actor,
    uow: U,
    *,
    status: Status | tuple[Status, ...] | None,
    country: str | None,
) -> list[Listed]:
    """What `list_registrations` gives (read and audited the same way), as the rows
    of a list; with several statuses, those in any of them."""
    country = listing_country(actor, country)
    await require_meeting(uow, meeting_id)
    found = await uow.registrations.listed_of(meeting_id, status=status, country=country)
    await audit_read(uow, actor, meeting_id)
    return found


async def correct(cmd: Correct, uow: U, *, clock: Clock = now_ms) -> Registration:
    check_right(cmd.actor, Action.correct)
    uow.actor = cmd.actor  # who acts: in the audit entries of the events it causes

    async def work(uow: U) -> Registration:
        registration = await require_registration(uow, cmd.registration_id)
        registration.authorize(cmd.actor, Action.correct)
        registration.check_transition(Action.correct)
        changes = dict(cmd.changes)
        if "attendance" in changes:
            # only a hybrid meeting's participant chooses (and must choose one)
            meeting = await require_meeting(uow, registration.meeting_id)
            changes["attendance"] = meeting.attendance_of(changes["attendance"])
        registration.correct(changes, at=clock())
        await uow.registrations.save(registration)
        return registration

    return await uow.run(work)


async def rotate_manage_link(
    registration_id: str, actor: Actor, uow: U, *, clock: Clock = now_ms
) -> Registration:
    """A new manage link (whoever may correct the registration may ask for one): every
    earlier link stops working at once."""
    check_right(actor, Action.correct)
    uow.actor = actor

    async def work(uow: U) -> Registration:
        registration = await require_registration(uow, registration_id)
        registration.authorize(actor, Action.correct)
        registration.check_not_purged()
        registration.rotate_manage_link(at=clock())
        await uow.registrations.save(registration)
        return registration

    return await uow.run(work)


async def waitlisted_before(uow: U, registration: Registration) -> list[Registration]:
    """The waitlist of a registration's delegation, in the order promotion follows
    (its turn, then registration time and id), without the registration itself."""
    queue = await uow.registrations.of_meeting(
        registration.meeting_id, status=Status.waitlisted, country=registration.country
    )
    queue = [
        r
        for r in queue
        if r.delegation_key == registration.delegation_key and r.id != registration.id
    ]
    return sorted(queue, key=lambda r: r.waitlist_order)


async def waitlist_position(uow: U, registration: Registration) -> int | None:
    """The place of a waitlisted registration in its delegation's waitlist (1: the next
    to be promoted). Read in the transaction that decided, which every decision about
    the delegation's places writes to (its counters): concurrent decisions are
    serialized, and each sees the others' waitlisted registrations."""
    if registration.status is not Status.waitlisted:
        return None
    queue = await waitlisted_before(uow, registration)
    return sum(1 for r in queue if r.waitlist_order < registration.waitlist_order) + 1
