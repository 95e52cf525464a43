"""On site: checking a confirmed participant in (by registration or by the badge's
QR code), the check-in list and its export, and the printable badge."""

from __future__ import annotations

from typing import Protocol

from pesnet.registration.domain.access import Action, check_reader, check_right
from pesnet.registration.domain.badges import BadgeKey
from pesnet.registration.domain.commands import CheckIn
from pesnet.registration.domain.meeting import Meeting
from pesnet.registration.domain.outcomes import Badge, CheckedIn
from pesnet.registration.domain.roster import Listed
from pesnet.registration.service_layer.meetings import require_meeting
from pesnet.registration.service_layer.registering import audit_read, require_registration
from pesnet.registration.service_layer.unit_of_work import (
    Clock,
    RegistrationUnitOfWork,
    now_ms,
)
from pesnet.shared.audit import AuditAction
from pesnet.shared.credentials import Actor
from pesnet.shared.errors import Conflict, InvalidInput
from pesnet.shared.i18n import Localized
from pesnet.shared.reference import member_states
from pesnet.shared.terms import PARTICIPANT_STATUSES, ROLES
from pesnet.shared.translation import _

U = RegistrationUnitOfWork


async def check_in(cmd: CheckIn, uow: U, *, badges: BadgeKey, clock: Clock = now_ms) -> CheckedIn:
    """Idempotent: a second check-in answers "already checked in" with the first time."""
    check_right(cmd.actor, Action.check_in)
    uow.actor = cmd.actor  # who acts: in the audit entries of the events it causes
    nonce = None
    registration_id = cmd.registration_id
    if cmd.badge_token is not None:
        genuine = badges.read(cmd.badge_token)
        if genuine is None:
            raise InvalidInput(_("not a genuine badge"), field="badge_token")
        registration_id, nonce = genuine
    if registration_id is None:
        raise InvalidInput(_("a registration or a badge is needed"), field="badge_token")

    async def work(uow: U) -> CheckedIn:
        registration = await require_registration(uow, registration_id)
        registration.authorize(cmd.actor, Action.check_in)
        if cmd.meeting_id is not None and nonce is not None:
            registration.check_badge(cmd.meeting_id, nonce)
        registration.check_transition(Action.check_in)
        meeting = await require_meeting(uow, registration.meeting_id)
        now = clock()
        if registration.checked_in_at is None:
            meeting.check_in_day(now)
        if not registration.check_in(at=now):
            return CheckedIn(registration, meeting, already=True)
        await uow.registrations.save(registration)
        return CheckedIn(registration, meeting, already=False)

    return await uow.run(work)


async def check_in_list(
    meeting_id: str, uow: U, *, export: bool = False
) -> tuple[Meeting, list[Listed]]:
    """The meeting and its confirmed participants (checked in or not). The audit trail
    records the read, or the `export` (a file of personal data leaving the service):
    no event records either."""
    meeting = await require_meeting(uow, meeting_id)
    action = AuditAction.personal_data_exported if export else AuditAction.personal_data_read

    async def work(uow: U) -> None:
        uow.audit(action, meeting_id=meeting_id)

    await uow.run(work)
    return meeting, await uow.registrations.confirmed_of(meeting_id)


async def badge(registration_id: str, actor: Actor, uow: U, *, badges: BadgeKey) -> Badge:
    """The badge of a confirmed registration, for someone who may see it."""
    check_reader(actor)
    registration = await require_registration(uow, registration_id)
    registration.check_readable_by(actor)
    # a purged registration may still be confirmed: it has no name left to print
    registration.check_not_purged()
    token = registration.badge_token(badges)
    if token is None:
        raise Conflict(
            _("no badge: the registration is {status}, not confirmed"),
            params={"status": PARTICIPANT_STATUSES[registration.status]},
        )
    await audit_read(uow, actor, registration.meeting_id, registration.id)
    return Badge(registration, await require_meeting(uow, registration.meeting_id), token)


class BadgeRenderer(Protocol):
    def badge_png(
        self,
        *,
        meeting_title: Localized,
        full_name: str,
        name_latin: str | None,
        honorific: str | None,
        role: Localized,
        delegation: Localized,
        institution: str,
        badge_token: str,
    ) -> bytes: ...

    def qr_png(self, data: str) -> bytes: ...


async def badge_png(
    registration_id: str, actor: Actor, uow: U, *, badges: BadgeKey, renderer: BadgeRenderer
) -> bytes:
    """The printable trilingual badge of a confirmed participant: its role as the
    kernel's term says it (as the mails, the programme and the errors do)."""
    subject = await badge(registration_id, actor, uow, badges=badges)
    registration = subject.registration
    institution = registration.institution or ""
    delegation = (
        member_states()[registration.country].name
        if registration.country
        else Localized(ar=institution, en=institution, fr=institution)
    )
    return renderer.badge_png(
        meeting_title=subject.meeting.title,
        full_name=f"{registration.given_name} {registration.family_name}",
        name_latin=registration.name_latin,
        honorific=registration.honorific,
        role=ROLES[registration.role].localized(),
        delegation=delegation,
        institution=institution,
        badge_token=subject.token,
    )


async def badge_qr_png(
    registration_id: str, actor: Actor, uow: U, *, badges: BadgeKey, renderer: BadgeRenderer
) -> bytes:
    subject = await badge(registration_id, actor, uow, badges=badges)
    return renderer.qr_png(subject.token)
