"""The registration service's use cases: async functions of (command, unit of work),
plus the collaborators they need (the badge key, the public URL, a renderer).
Each one that changes state does it in `uow.run(work)`: load through the
repositories, ask the domain, save, and `uow.emit` the events, all in one
transaction. They return domain objects; the entrypoints make responses of them.

Read top to bottom: registering, accreditation (quota, waitlist, promotion),
check-in and badges, meetings, delegations, privacy, focal points and tokens.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar, cast

from pesnet.registration.domain.badges import BadgeKey
from pesnet.registration.domain.commands import (
    CheckIn,
    Confirm,
    Correct,
    NewFocalPoint,
    OpenMeeting,
    PurgePersonalData,
    Register,
    Reject,
    Withdraw,
)
from pesnet.registration.domain.labels import ROLE_LABELS
from pesnet.registration.domain.model import (
    Accredited,
    Action,
    Badge,
    CheckedIn,
    Delegation,
    FocalPoint,
    Meeting,
    MeetingSource,
    Outcome,
    Registered,
    Registration,
    Rejected,
    Status,
    Withdrawn,
    check_nomination,
    check_reader,
    check_right,
    delegation_key,
    label_of,
    listing_country,
)
from pesnet.registration.service_layer.institutions import require_institution
from pesnet.registration.service_layer.unit_of_work import RegistrationUnitOfWork, Replay
from pesnet.shared.credentials import Actor, ActorKind, TokenPrefix
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Conflict, InvalidInput, NotFound
from pesnet.shared.events.registration import (
    DelegationUpdated,
    FocalPointNominated,
    FocalPointWithdrawn,
    ParticipantCheckedIn,
    ParticipantConfirmed,
    ParticipantEvent,
    ParticipantRegistered,
    ParticipantRejected,
    ParticipantUpdated,
    ParticipantWaitlisted,
    ParticipantWithdrawn,
    PersonalDataPurged,
)
from pesnet.shared.i18n import Localized
from pesnet.shared.logging import get_logger
from pesnet.shared.reference import member_states
from pesnet.shared.terms import PARTICIPANT_STATUSES
from pesnet.shared.translation import Message, _

log = get_logger(__name__)

OutcomeT = TypeVar("OutcomeT", bound=Outcome)
U = RegistrationUnitOfWork


# registering ---------------------------------------------------------------------


async def register(cmd: Register, uow: U, *, public_url: str) -> Registered:
    """Register for a meeting (oneself, or nominated by a focal point or the
    secretariat). The outcome carries the private manage token and link. The
    institution is named in free text, or by its id in the reference (then, without
    free text, by its name in the registrant's language)."""
    details = cmd.details
    check_nomination(cmd.actor, details.country, details.role)
    meeting = await _meeting(uow, cmd.meeting_id)
    meeting.check_open(_now())
    if details.institution_id is not None:
        institution = await require_institution(uow, details.institution_id, "institution_id")
        if details.institution is None:
            details = details.model_copy(
                update={"institution": institution.name.get(details.language)}
            )
    await uow.delegations.ensure(
        cmd.meeting_id,
        delegation_key(details.country, details.institution, details.institution_id),
        details.country,
        details.institution,
    )

    async def work(uow: U) -> Registered:
        registration, manage_token = Registration.new(
            id=uuid.uuid4().hex,
            meeting_id=cmd.meeting_id,
            actor=cmd.actor,
            at=_now(),
            **details.model_dump(),
        )
        await uow.registrations.add(registration)
        manage_url = (
            f"{public_url.rstrip('/')}/registrations/{registration.id}?token={manage_token}"
        )
        _emit(
            uow,
            ParticipantRegistered,
            registration,
            registered_at=registration.registered_at,
            manage_url=manage_url,
        )
        tally = Tally(uow)
        await tally.count(registration, None)
        await tally.close()
        _audit(uow, "participant.registered", registration, cmd.actor)
        return Registered(registration, manage_token, manage_url)

    actor = cmd.actor
    scope = f"register|{cmd.meeting_id}|{actor.kind}:{actor.country or actor.registration_id or ''}"
    outcome = await _once(uow, cmd.idempotency_key, scope, details.model_dump(mode="json"), work)
    log.info(
        "registration received",
        meeting_id=cmd.meeting_id,
        registration_id=outcome.registration.id,
    )
    return outcome


async def read_registration(registration_id: str, actor: Actor, uow: U) -> Registration:
    check_reader(actor)
    registration = await _registration(uow, registration_id)
    registration.check_readable_by(actor)
    return registration


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
    await _meeting(uow, meeting_id)
    return await uow.registrations.of_meeting(meeting_id, status=status, country=country)


async def correct(cmd: Correct, uow: U) -> Registration:
    check_right(cmd.actor, Action.correct)
    changes = cmd.correction.changes()

    async def work(uow: U) -> Registration:
        registration = await _registration(uow, cmd.registration_id)
        registration.authorize(cmd.actor, Action.correct)
        registration.check_transition(Action.correct)
        registration.correct(changes, at=_now())
        await uow.registrations.save(registration)
        _emit(uow, ParticipantUpdated, registration)
        _audit(uow, "participant.corrected", registration, cmd.actor)
        return registration

    return await uow.run(work)


# accreditation: quota, waitlist, promotion -------------------------------------


async def confirm(cmd: Confirm, uow: U, *, badges: BadgeKey) -> Accredited:
    """Confirmed if the delegation's quota and the meeting's capacity have a place,
    else waitlisted (the outcome says why, and the place in the waitlist)."""
    check_right(cmd.actor, Action.confirm)

    async def work(uow: U) -> Accredited:
        registration = await _decidable(uow, cmd.registration_id, cmd.actor, Action.confirm)
        tally = Tally(uow)
        # an unknown meeting is a 404 even when the registration is already confirmed
        await tally.meeting(registration.meeting_id)
        reason = await _accredit(uow, tally, registration, label_of(cmd.actor), badges)
        await tally.close()
        verb = "confirmed" if registration.status is Status.confirmed else "waitlisted"
        _audit(uow, f"participant.{verb}", registration, cmd.actor)
        if reason is None:
            return Accredited(registration)
        return Accredited(registration, reason, await waitlist_position(uow, registration))

    return await _once(uow, cmd.idempotency_key, f"confirm|{cmd.registration_id}", {}, work)


async def reject(cmd: Reject, uow: U) -> Rejected:
    check_right(cmd.actor, Action.reject)

    async def work(uow: U) -> Rejected:
        registration = await _decidable(uow, cmd.registration_id, cmd.actor, Action.reject)
        before = registration.status
        registration.reject(reason=cmd.reason, at=_now())
        await uow.registrations.save(registration)
        _emit(uow, ParticipantRejected, registration, reason=cmd.reason)
        _audit(uow, "participant.rejected", registration, cmd.actor)
        tally = Tally(uow)
        await tally.count(registration, before)
        await tally.close()
        return Rejected(registration)

    request = {"reason": cmd.reason}
    return await _once(uow, cmd.idempotency_key, f"reject|{cmd.registration_id}", request, work)


async def withdraw(cmd: Withdraw, uow: U, *, badges: BadgeKey) -> Withdrawn:
    """Withdraw (the registrant, their focal point, the secretariat). A place freed
    in a member state's delegation goes to its oldest waitlisted registration, in
    the same transaction."""
    check_right(cmd.actor, Action.withdraw)

    async def work(uow: U) -> Withdrawn:
        registration = await _decidable(uow, cmd.registration_id, cmd.actor, Action.withdraw)
        before = registration.status
        registration.withdraw(at=_now())
        await uow.registrations.save(registration)
        _emit(uow, ParticipantWithdrawn, registration, withdrawn_by=label_of(cmd.actor))
        _audit(uow, "participant.withdrawn", registration, cmd.actor)
        tally = Tally(uow)
        await tally.count(registration, before)
        promoted = None
        if before is Status.confirmed and registration.country:
            promoted = await _promote_next(
                uow, tally, registration.meeting_id, registration.country, badges
            )
        await tally.close()
        return Withdrawn(registration, promoted)

    return await _once(uow, cmd.idempotency_key, f"withdraw|{cmd.registration_id}", {}, work)


async def _decidable(uow: U, registration_id: str, actor: Actor, action: Action) -> Registration:
    registration = await _registration(uow, registration_id)
    registration.authorize(actor, action)
    registration.check_not_purged()
    registration.check_transition(action)
    return registration


async def _accredit(
    uow: U,
    tally: Tally,
    registration: Registration,
    confirmed_by: str,
    badges: BadgeKey,
    *,
    promoted: bool = False,
) -> Message | None:
    """Give the registration a place if its delegation and meeting have one, else
    waitlist it; returns why it was waitlisted (None: confirmed)."""
    if registration.status is Status.confirmed:
        return None
    meeting = await tally.meeting(registration.meeting_id)
    places = meeting.places_for(registration, await tally.delegation(registration))
    before = registration.status
    if places.available():
        registration.confirm(at=_now(), by=confirmed_by, promoted=promoted)
        await uow.registrations.save(registration)
        _emit(
            uow,
            ParticipantConfirmed,
            registration,
            confirmed_by=confirmed_by,
            promoted_from_waitlist=promoted,
            badge_token=registration.badge_token(badges),
        )
        await tally.count(registration, before)
        return None
    reason = places.why_not()
    if before is Status.waitlisted:
        return reason
    delegation = await tally.delegation(registration)
    registration.waitlist(at=_now(), turn=delegation.next_waitlist_turn())
    await uow.registrations.save(registration)
    position = await waitlist_position(uow, registration)
    _emit(uow, ParticipantWaitlisted, registration, waitlist_position=position)
    await tally.count(registration, before)
    return reason


async def waitlist_position(uow: U, registration: Registration) -> int | None:
    """The place of a waitlisted registration in its delegation's waitlist (1: the next
    to be promoted), in the order promotion follows (registration time, then id). Read
    in the transaction that decided, which every decision about the delegation's places
    writes to (its counters): concurrent decisions are serialized, and each sees the
    others' waitlisted registrations."""
    if registration.status is not Status.waitlisted:
        return None
    queue = await uow.registrations.of_meeting(
        registration.meeting_id, status=Status.waitlisted, country=registration.country
    )
    queue = [r for r in queue if r.delegation_key == registration.delegation_key]
    queue.sort(key=lambda r: r.waitlist_order)
    return next((i for i, r in enumerate(queue, 1) if r.id == registration.id), len(queue) + 1)


async def _promote_next(
    uow: U, tally: Tally, meeting_id: str, country: str, badges: BadgeKey
) -> str | None:
    """The oldest waitlisted registration of the country (by registration time) gets
    the freed place, if the meeting's capacity lets it."""
    candidate = await uow.registrations.oldest_waitlisted(meeting_id, country)
    if candidate is None:
        return None
    if await _accredit(uow, tally, candidate, "system", badges, promoted=True) is not None:
        return None
    log.info(
        "waitlisted registration promoted",
        registration_id=candidate.id,
        meeting_id=meeting_id,
        country=country,
    )
    return candidate.id


class Tally:
    """The counters one transaction's status changes move: each delegation's (and the
    meeting's confirmed total), loaded once and saved at the end, with one public
    `DelegationUpdated` per delegation (a withdrawal and the promotion it causes
    are one change to the public)."""

    def __init__(self, uow: U) -> None:
        self.uow = uow
        self._meetings: dict[str, Meeting] = {}
        self._delegations: dict[str, Delegation] = {}
        self._changed_meetings: set[str] = set()
        self._changed_delegations: set[str] = set()

    async def meeting(self, meeting_id: str) -> Meeting:
        if meeting_id not in self._meetings:
            self._meetings[meeting_id] = await _meeting(self.uow, meeting_id)
        return self._meetings[meeting_id]

    async def delegation(self, registration: Registration) -> Delegation:
        key = f"{registration.meeting_id}|{registration.delegation_key}"
        if key not in self._delegations:
            found = await self.uow.delegations.get(
                registration.meeting_id, registration.delegation_key
            )
            if found is None:  # pragma: no cover - created when the registration was
                raise RuntimeError(f"delegation counters missing for {key}")
            self._delegations[key] = found
        return self._delegations[key]

    async def count(self, registration: Registration, before: Status | None) -> None:
        if before is registration.status:
            return
        delegation = await self.delegation(registration)
        change = delegation.count(registration, before)
        self._changed_delegations.add(delegation.id)
        if change:
            meeting = await self.meeting(registration.meeting_id)
            meeting.confirmed_total += change
            self._changed_meetings.add(meeting.id)

    async def close(self) -> None:
        for meeting_id in sorted(self._changed_meetings):
            await self.uow.meetings.save(self._meetings[meeting_id])
        for delegation in self._delegations.values():
            if delegation.id in self._changed_delegations:
                await self.uow.delegations.save(delegation)
                self.uow.emit(
                    delegation_updated(delegation), subject=f"delegation/{delegation.key}"
                )


# check-in and badges ---------------------------------------------------------------


async def check_in(cmd: CheckIn, uow: U, *, badges: BadgeKey) -> CheckedIn:
    """Idempotent: a second check-in answers "already checked in" with the first time."""
    check_right(cmd.actor, Action.check_in)
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
        registration = await _registration(uow, registration_id)
        registration.authorize(cmd.actor, Action.check_in)
        if cmd.meeting_id is not None and nonce is not None:
            registration.check_badge(cmd.meeting_id, nonce)
        registration.check_transition(Action.check_in)
        meeting = await _meeting(uow, registration.meeting_id)
        if registration.checked_in_at is None:
            meeting.check_in_day(_now())
        if not registration.check_in(at=_now()):
            return CheckedIn(registration, meeting, already=True)
        await uow.registrations.save(registration)
        _emit(uow, ParticipantCheckedIn, registration, checked_in_at=registration.checked_in_at)
        _audit(uow, "participant.checked_in", registration, cmd.actor)
        return CheckedIn(registration, meeting, already=False)

    return await uow.run(work)


async def check_in_list(
    meeting_id: str, uow: U, *, export: bool = False
) -> tuple[Meeting, list[Registration]]:
    """The meeting and its confirmed participants (checked in or not); an `export`
    (a file of personal data leaving the service) is recorded in the audit trail."""
    meeting = await _meeting(uow, meeting_id)
    if export:

        async def work(uow: U) -> None:
            uow.audit("check_ins.exported", meeting_id=meeting_id)

        await uow.run(work)
    return meeting, await uow.registrations.confirmed_of(meeting_id)


async def badge(registration_id: str, actor: Actor, uow: U, *, badges: BadgeKey) -> Badge:
    """The badge of a confirmed registration, for someone who may see it."""
    check_reader(actor)
    registration = await _registration(uow, registration_id)
    registration.check_readable_by(actor)
    # a purged registration may still be confirmed: it has no name left to print
    registration.check_not_purged()
    token = registration.badge_token(badges)
    if token is None:
        raise Conflict(
            _("no badge: the registration is {status}, not confirmed"),
            params={"status": PARTICIPANT_STATUSES[registration.status]},
        )
    return Badge(registration, await _meeting(uow, registration.meeting_id), token)


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
    """The printable trilingual badge of a confirmed participant."""
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
        role=ROLE_LABELS[registration.role],
        delegation=delegation,
        institution=institution,
        badge_token=subject.token,
    )


async def badge_qr_png(
    registration_id: str, actor: Actor, uow: U, *, badges: BadgeKey, renderer: BadgeRenderer
) -> bytes:
    subject = await badge(registration_id, actor, uow, badges=badges)
    return renderer.qr_png(subject.token)


# meetings ---------------------------------------------------------------------------


async def open_meeting(cmd: OpenMeeting, uow: U, *, default_quota: int | None) -> bool:
    """Open (or update) a meeting for registration; False when the announcement does
    not apply (see `Meeting.takes_announcement`). A quota the agenda does not give
    is the service's default."""
    announced = cmd.announcement

    async def work(uow: U) -> bool:
        existing = await uow.meetings.get(announced.meeting_id)
        if existing is not None and not existing.takes_announcement(cmd.source, cmd.announced_at):
            if cmd.source is MeetingSource.agenda:
                log.info("older meeting announcement ignored", meeting_id=announced.meeting_id)
            return False
        quota = (
            announced.delegation_quota if announced.delegation_quota is not None else default_quota
        )
        meeting = Meeting(
            id=announced.meeting_id,
            number=announced.number,
            title=announced.title,
            city=announced.city,
            country=announced.country,
            timezone=announced.timezone,
            status=announced.status,
            start_date=announced.start_date,
            end_date=announced.end_date,
            registration_opens_at=announced.registration_opens_at,
            registration_closes_at=announced.registration_closes_at,
            delegation_quota=quota,
            capacity=announced.capacity,
            source=cmd.source,
            announced_at=cmd.announced_at,
            confirmed_total=existing.confirmed_total if existing else 0,
            personal_data_purged_at=existing.personal_data_purged_at if existing else None,
        )
        await uow.meetings.save(meeting)
        uow.audit("meeting.opened", meeting_id=meeting.id, subject=cmd.source.value)
        log.info(
            "meeting open for registration",
            meeting_id=meeting.id,
            source=cmd.source.value,
            quota=quota,
            capacity=meeting.capacity,
        )
        return True

    return await uow.run(work)


# delegations ------------------------------------------------------------------------


def delegation_updated(delegation: Delegation) -> DelegationUpdated:
    """The public, PII-free counts of one delegation."""
    return DelegationUpdated(
        meeting_id=delegation.meeting_id,
        country=delegation.country,
        institution=delegation.institution,
        by_status=delegation.counted_statuses,
        by_role=delegation.counted_roles,
        confirmed=delegation.confirmed,
    )


async def delegations(meeting_id: str, uow: U) -> tuple[Meeting, list[Delegation]]:
    """The meeting (its quota) and its delegations that count anyone (public: no names)."""
    meeting = await _meeting(uow, meeting_id)
    found = [d for d in await uow.delegations.of_meeting(meeting_id) if d.counted_statuses]
    return meeting, found


# privacy ----------------------------------------------------------------------------


async def purge_personal_data(cmd: PurgePersonalData, uow: U) -> int:
    """Erase the personal data of a meeting's registrations once it ended at least
    `older_than_days` ago; statuses, roles, countries and counts remain. Returns
    how many registrations were purged."""
    meeting = await _meeting(uow, cmd.meeting_id)
    meeting.check_purgeable(_now().date(), cmd.older_than_days)

    async def work(uow: U) -> int:
        now = _now()
        registrations = await uow.registrations.not_purged_of(cmd.meeting_id)
        for registration in registrations:
            registration.purge(at=now)
            await uow.registrations.save(registration)
        await uow.replays.forget_meeting(cmd.meeting_id)
        # the published participant events (names, addresses) of the meeting
        await uow.forget_published_events(cmd.meeting_id)
        meeting = await _meeting(uow, cmd.meeting_id)
        meeting.personal_data_purged_at = now
        await uow.meetings.save(meeting)
        uow.emit(
            PersonalDataPurged(
                meeting_id=cmd.meeting_id, registrations=len(registrations), purged_at=now
            ),
            subject=f"meeting/{cmd.meeting_id}",
        )
        uow.audit("personal_data.purged", meeting_id=cmd.meeting_id)
        return len(registrations)

    purged = await uow.run(work)
    log.info("personal data purged", meeting_id=cmd.meeting_id, registrations=purged)
    return purged


# focal points and tokens ----------------------------------------------------------


async def issue_focal_point(cmd: NewFocalPoint, uow: U) -> tuple[FocalPoint, str]:
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
            at=_now(),
            institution_id=cmd.institution_id,
            email=cmd.email,
            language=cmd.language,
        )
        await uow.focal_points.add(focal_point)
        uow.emit(
            FocalPointNominated(
                focal_point_id=focal_point.id,
                country=focal_point.country,
                institution_id=focal_point.institution_id,
                name=focal_point.name,
                email=focal_point.email,
                language=focal_point.language,
                token_digest=focal_point.token_hash,
                nominated_at=focal_point.created_at,
                version=focal_point.version,
            ),
            subject=f"focal-point/{focal_point.id}",
        )
        uow.audit("focal_point.issued", subject=focal_point.id)
        return focal_point, token

    focal_point, token = await uow.run(work)
    log.info("focal-point token issued", focal_point_id=focal_point.id, country=cmd.country)
    return focal_point, token


async def focal_points(country: str | None, uow: U) -> list[FocalPoint]:
    return await uow.focal_points.listed(country)


async def revoke_focal_point(focal_point_id: str, uow: U) -> None:
    async def work(uow: U) -> None:
        focal_point = await uow.focal_points.get(focal_point_id)
        if focal_point is None or not focal_point.active:
            raise NotFound(_("no active focal-point token {id}"), params={"id": focal_point_id})
        at = _now()
        focal_point.revoke(at=at)
        await uow.focal_points.save(focal_point)
        uow.emit(
            FocalPointWithdrawn(
                focal_point_id=focal_point.id,
                country=focal_point.country,
                institution_id=focal_point.institution_id,
                withdrawn_at=at,
                version=focal_point.version,
            ),
            subject=f"focal-point/{focal_point.id}",
        )
        uow.audit("focal_point.revoked", subject=focal_point.id)

    await uow.run(work)


class RegistrationTokens:
    """The tokens this service issued, for the kernel's `resolve_actor`: focal-point
    tokens and the manage tokens of registrations."""

    def __init__(self, unit_of_work: Callable[[], U]) -> None:
        self.unit_of_work = unit_of_work

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


# shared steps ------------------------------------------------------------------------


def _audit(uow: U, action: str, registration: Registration, actor: Actor) -> None:
    """`actor` did `action` to a registration: in the audit trail, with the change."""
    uow.actor = actor
    uow.audit(action, meeting_id=registration.meeting_id, subject=registration.id)


def _now() -> datetime:
    """The current instant at MongoDB's precision (milliseconds), so that what a use
    case answers is what a later read of the same registration answers."""
    now = utcnow()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


async def _meeting(uow: U, meeting_id: str) -> Meeting:
    meeting = await uow.meetings.get(meeting_id)
    if meeting is None:
        raise NotFound(
            _("no meeting {meeting} is open for registration"), params={"meeting": meeting_id}
        )
    return meeting


async def _registration(uow: U, registration_id: str) -> Registration:
    registration = await uow.registrations.get(registration_id)
    if registration is None:
        raise NotFound(_("no registration {id}"), params={"id": registration_id})
    return registration


def _emit(uow: U, model: type[ParticipantEvent], registration: Registration, **extra: Any) -> None:
    """An internal participant event (with personal data): the registration as it
    stands after the change."""
    uow.emit(
        model(
            registration_id=registration.id,
            meeting_id=registration.meeting_id,
            institution_id=registration.institution_id,
            given_name=registration.given_name,
            family_name=registration.family_name,
            name_latin=registration.name_latin,
            honorific=registration.honorific,
            email=registration.email,
            country=registration.country,
            institution=registration.institution,
            position=registration.position,
            role=registration.role,
            language=registration.language,
            status=registration.status,
            **extra,
        ),
        subject=f"registration/{registration.id}",
    )


_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


async def _once(
    uow: U, key: str | None, scope: str, request: Any, work: Callable[[U], Awaitable[OutcomeT]]
) -> OutcomeT:
    """Run `work` in a transaction; with an `Idempotency-Key`, its outcome is kept in
    the same transaction and a retry with the same key and request gets it back
    instead of acting twice (another request with that key is refused)."""
    if key is None:
        return await uow.run(work)
    if not _IDEMPOTENCY_KEY.match(key):
        raise InvalidInput(
            _("must be 1 to 200 printable ASCII characters"), field="Idempotency-Key"
        )
    record_id = f"{scope}|{key}"
    fingerprint = hashlib.sha256(
        json.dumps(request, sort_keys=True, default=str).encode()
    ).hexdigest()

    async def first_or_replay(uow: U) -> OutcomeT:
        kept = await uow.replays.get(record_id)
        if kept is not None:
            return cast(OutcomeT, _replay(kept, fingerprint))
        outcome = await work(uow)
        await uow.replays.add(
            record_id, Replay(fingerprint, outcome), outcome.registration.meeting_id
        )
        return outcome

    try:
        return await uow.run(first_or_replay)
    except Conflict:
        # A concurrent request with the same key won the race (its kept outcome, or
        # the registration it created, collided with ours): answer with its outcome.
        kept = await uow.replays.get(record_id)
        if kept is None:
            raise
        return cast(OutcomeT, _replay(kept, fingerprint))


def _replay(kept: Replay, fingerprint: str) -> Outcome:
    if kept.fingerprint != fingerprint:
        raise InvalidInput(
            _("this Idempotency-Key was already used for a different request"),
            field="Idempotency-Key",
        )
    return kept.outcome
