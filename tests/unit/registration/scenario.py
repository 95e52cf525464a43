"""What the unit tests of registration's use cases share: a meeting open for
registration, a registrant's details, the committed events of one kind, the actors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from pesnet.registration.domain.badges import BadgeKey
from pesnet.registration.domain.commands import (
    OpenMeeting,
    Register,
)
from pesnet.registration.domain.meeting import MeetingSource
from pesnet.registration.domain.registration import Details
from pesnet.registration.entrypoints.schemas import NewRegistration
from pesnet.registration.service_layer import (
    meetings,
    registering,
)
from pesnet.shared.catalog import EventPayload
from pesnet.shared.credentials import (
    ANONYMOUS,
    Actor,
    ActorKind,
    StaffRole,
    account_actor,
)
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.i18n import Localized
from pesnet.shared.manage_links import ManageLinks
from tests.unit.registration.fakes import FakeRegistrationUnitOfWork

E = TypeVar("E", bound=EventPayload)

BADGES = BadgeKey(b"test-badge-secret")
MANAGE_LINKS = ManageLinks((b"test-manage-link-key",))
URL = "https://registration.example.org"
MOROCCO = Actor(ActorKind.focal_point, country="MAR", focal_point_id="f1")


OFFICER = account_actor("acc_officer", "amina", frozenset({StaffRole.accreditation_officer}))
CLERK = account_actor("acc_clerk", "omar", frozenset({StaffRole.check_in_clerk}))
EDITOR = account_actor("acc_editor", "sara", frozenset({StaffRole.programme_editor}))
MOROCCAN_ACCOUNT = account_actor(
    "acc_fp", "karim", frozenset({StaffRole.focal_point}), country="MAR"
)


TODAY = datetime.now(UTC).date()


def events(uow: FakeRegistrationUnitOfWork, kind: type[E]) -> list[E]:
    """The committed events of one kind, typed."""
    return [e for e in uow.events(kind) if isinstance(e, kind)]


def scheduled(meeting_id: str = "m1", **fields: Any) -> MeetingScheduled:
    """A meeting open for registration, held from today (so check-in is open too)."""
    values: dict[str, Any] = {
        "meeting_id": meeting_id,
        "number": 5,
        "title": Localized(ar="الاجتماع الخامس", en="5th Meeting", fr="5e réunion"),
        "timezone": "UTC",
        "status": "registration_open",
        "start_date": TODAY,
        "end_date": TODAY + timedelta(days=1),
        "delegation_quota": 2,
        **fields,
    }
    return MeetingScheduled(**values)


async def open_meeting(
    uow: FakeRegistrationUnitOfWork, meeting_id: str = "m1", **fields: Any
) -> None:
    command = OpenMeeting(scheduled(meeting_id, **fields), MeetingSource.agenda, datetime.now(UTC))
    assert await meetings.open_meeting(command, uow, default_quota=3)


def body(n: int = 0, **fields: Any) -> NewRegistration:
    values: dict[str, Any] = {
        "given_name": "فاطمة",
        "family_name": f"الزهراء{n}",
        "email": f"fatima{n}@example.org",
        "country": "MAR",
        "institution": "ANAPEC",
        "position": "مديرة",
        "role": "delegate",
        "language": "ar",
        **fields,
    }
    return NewRegistration.model_validate(values)


def details(n: int = 0, **fields: Any) -> Details:
    """A Moroccan delegate's details, in Arabic (`n` makes the name and address unique)."""
    return body(n, **fields).details()


async def register(
    uow: FakeRegistrationUnitOfWork, n: int = 0, actor: Actor = ANONYMOUS, **fields: Any
) -> str:
    """Register person `n` (focal points, speakers, moderators and the secretariat's people are
    registered by an accreditation officer: nobody may claim those roles alone)."""
    if actor is ANONYMOUS and fields.get("role") in (
        "speaker",
        "moderator",
        "secretariat",
        "focal_point",
    ):
        actor = OFFICER
    outcome = await registering.register(
        Register("m1", details(n, **fields), actor), uow, public_url=URL
    )
    return outcome.registration.id


async def held_long_ago(uow: FakeRegistrationUnitOfWork) -> None:
    """The agenda announces m1 held and archived (its dates: 29 Feb - 1 Mar 2024)."""
    announcement = scheduled(
        status="archived", start_date=date(2024, 2, 29), end_date=date(2024, 3, 1)
    )
    later = datetime.now(UTC) + timedelta(seconds=1)
    assert await meetings.open_meeting(
        OpenMeeting(announcement, MeetingSource.agenda, later), uow, default_quota=3
    )
