"""The secretariat writes to a meeting's participants: an announcement in the three
languages to an audience (everyone registered who has not withdrawn or been rejected,
or one delegation, one role, one state). Registration knows who that is; notifications
tells each person once, in their language (`AnnouncementMade`, through the outbox)."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass

from pesnet.registration.domain.access import Status
from pesnet.registration.domain.commands import Announce, Audience
from pesnet.registration.domain.registration import Registration
from pesnet.registration.service_layer.meetings import require_meeting
from pesnet.registration.service_layer.participants import ANNOUNCED
from pesnet.registration.service_layer.unit_of_work import (
    Clock,
    RegistrationUnitOfWork,
    now_ms,
)
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.errors import Forbidden
from pesnet.shared.events.common import Role
from pesnet.shared.events.registration import AnnouncementMade
from pesnet.shared.terms import STAFF_ROLES, listing
from pesnet.shared.translation import _

U = RegistrationUnitOfWork


@dataclass(frozen=True)
class Recipients:
    """Who an announcement reaches, and how many in each language (the preview)."""

    registrations: list[Registration]

    @property
    def by_language(self) -> dict[str, int]:
        counts = Counter(r.language.value for r in self.registrations)
        return {lang: counts.get(lang, 0) for lang in ("ar", "en", "fr")}


@dataclass(frozen=True)
class Announced:
    announcement_id: str
    recipients: Recipients


def _check_secretariat(actor: Actor) -> None:
    if not actor.has(StaffRole.accreditation_officer):
        raise Forbidden(
            _("this needs one of the roles: {roles}"),
            params={"roles": listing([STAFF_ROLES[StaffRole.accreditation_officer]])},
        )


async def recipients(audience: Audience, actor: Actor, uow: U) -> Recipients:
    """The audience's registrations (the preview of an announcement)."""
    _check_secretariat(actor)
    await require_meeting(uow, audience.meeting_id)
    found = await uow.registrations.of_meeting(
        audience.meeting_id,
        status=Status(audience.status) if audience.status else None,
        country=audience.country,
        role=Role(audience.role) if audience.role else None,
    )
    return Recipients([r for r in found if r.status in ANNOUNCED and r.email and not r.purged])


async def announce(cmd: Announce, uow: U, *, clock: Clock = now_ms) -> Announced:
    """The announcement made (its event names the recipients' registrations; its audit
    entry, the count)."""
    uow.actor = cmd.actor
    found = await recipients(cmd.audience, cmd.actor, uow)
    announcement_id = uuid.uuid4().hex

    async def work(uow: U) -> Announced:
        uow.emit(
            AnnouncementMade(
                announcement_id=announcement_id,
                meeting_id=cmd.audience.meeting_id,
                title=cmd.title,
                body=cmd.body,
                critical=cmd.critical,
                registration_ids=[r.id for r in found.registrations],
                announced_at=clock(),
            ),
            subject=f"announcement/{announcement_id}",
        )
        return Announced(announcement_id, found)

    return await uow.run(work)
