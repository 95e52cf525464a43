"""A meeting's participants as the secretariat sees them: the list and its exports,
the printed badges, and the desk's search (by name, short code or badge token).
Each is one indexed query of the meeting's registrations; an export or a badge sheet
(a file of personal data leaving the service) is in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pesnet.registration.domain.access import Action, Status, check_right, listing_country
from pesnet.registration.domain.badges import BadgeKey, normalized_short_code
from pesnet.registration.domain.commands import Audience
from pesnet.registration.domain.institution import Institution, known_as
from pesnet.registration.domain.meeting import Meeting
from pesnet.registration.domain.registration import Registration
from pesnet.registration.domain.roster import Listed
from pesnet.registration.domain.search import query_words
from pesnet.registration.service_layer.meetings import require_meeting
from pesnet.registration.service_layer.unit_of_work import RegistrationUnitOfWork
from pesnet.shared.audit import AuditAction
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.events.common import Role
from pesnet.shared.i18n import Localized
from pesnet.shared.reference import member_states
from pesnet.shared.terms import ROLES

U = RegistrationUnitOfWork
SEARCH_LIMIT = 20
# who an announcement to "all" reaches: everyone registered who has not left
ANNOUNCED = (Status.registered, Status.waitlisted, Status.confirmed)


async def participants(
    audience: Audience, actor: Actor, uow: U, *, export: bool = False
) -> tuple[Meeting, list[Listed]]:
    """The meeting and the rows of its registrations in registration order, narrowed
    by the audience (a focal point sees their country only); an `export` is audited."""
    country = listing_country(actor, audience.country)
    meeting = await require_meeting(uow, audience.meeting_id)
    found = await uow.registrations.listed_of(
        audience.meeting_id,
        status=Status(audience.status) if audience.status else None,
        country=country,
        role=Role(audience.role) if audience.role else None,
    )
    if export:
        await _audit_export(uow, audience.meeting_id)
    return meeting, found


async def participants_page(
    audience: Audience, actor: Actor, uow: U, *, skip: int, limit: int
) -> tuple[Meeting, int, list[Listed]]:
    """The meeting, how many registrations the audience has, and `limit` of them after
    the first `skip`, in registration order (a page of the list: `participants`)."""
    country = listing_country(actor, audience.country)
    meeting = await require_meeting(uow, audience.meeting_id)
    status = Status(audience.status) if audience.status else None
    role = Role(audience.role) if audience.role else None
    total, found = await uow.registrations.page_of_meeting(
        audience.meeting_id, status=status, country=country, role=role, skip=skip, limit=limit
    )
    return meeting, total, found


@dataclass(frozen=True)
class PrintedBadge:
    """What one badge of a printed sheet says (the single badge says the same)."""

    full_name: str
    name_latin: str | None
    role: Localized
    delegation: Localized
    institution: str
    badge_token: str
    short_code: str | None


class SheetRenderer(Protocol):
    def badge_sheet_pdf(self, *, meeting_title: Localized, badges: list[PrintedBadge]) -> bytes: ...


def printed_badge(
    registration: Registration, token: str, reference: Institution | None = None
) -> PrintedBadge:
    """A badge: the institution as the reference names it (in the three languages for
    the delegation line, in the holder's own for theirs) when it names one."""
    institution = registration.institution or ""
    if reference is not None:
        institution = reference.label(registration.language)
    delegation = (
        member_states()[registration.country].name
        if registration.country
        else reference.name
        if reference is not None
        else Localized(ar=institution, en=institution, fr=institution)
    )
    return PrintedBadge(
        full_name=f"{registration.given_name} {registration.family_name}",
        name_latin=registration.name_latin,
        role=ROLES[registration.role].localized(),
        delegation=delegation,
        institution=institution,
        badge_token=token,
        short_code=registration.short_code,
    )


async def badge_sheet_pdf(
    meeting_id: str,
    actor: Actor,
    uow: U,
    *,
    badges: BadgeKey,
    renderer: SheetRenderer,
    country: str | None = None,
) -> bytes:
    """The badges of a meeting's confirmed participants (or one delegation's), by
    country and name, several to a page for printing: audited as an export."""
    if not actor.has(StaffRole.check_in_clerk):  # the desk prints them too
        country = listing_country(actor, country)
    meeting = await require_meeting(uow, meeting_id)
    confirmed = await uow.registrations.of_meeting(
        meeting_id, status=Status.confirmed, country=country
    )
    confirmed.sort(key=lambda r: (r.country or "", r.family_name or "", r.given_name or ""))
    reference = await uow.institutions.listed()
    by_id = {i.id: i for i in reference}
    sheet = [
        printed_badge(
            r, token, by_id.get(r.institution_id or "") or known_as(reference, r.institution)
        )
        for r in confirmed
        if not r.purged and (token := r.badge_token(badges)) is not None
    ]
    await _audit_export(uow, meeting_id)
    return renderer.badge_sheet_pdf(meeting_title=meeting.title, badges=sheet)


async def find(
    meeting_id: str, typed: str, actor: Actor, uow: U, *, badges: BadgeKey
) -> list[Registration]:
    """Who the desk means by what it typed or scanned: a badge's token (a scanner
    types it), its short code, else the words of a name (Arabic or Latin, any case,
    accents ignored)."""
    check_right(actor, Action.check_in)
    await require_meeting(uow, meeting_id)
    typed = typed.strip()
    genuine = badges.read(typed) if typed.startswith("b1.") else None
    if genuine is not None:
        found = await uow.registrations.get(genuine[0])
        return [found] if found is not None and found.meeting_id == meeting_id else []
    code = normalized_short_code(typed)
    if code is not None:
        found = await uow.registrations.with_short_code(meeting_id, code)
        if found is not None:
            return [found]
    return await uow.registrations.named(meeting_id, query_words(typed), SEARCH_LIMIT)


async def _audit_export(uow: U, meeting_id: str) -> None:
    async def work(uow: U) -> None:
        uow.audit(AuditAction.personal_data_exported, meeting_id=meeting_id)

    await uow.run(work)
