"""The agenda's unit of work in memory: dict-backed repositories, a rollback that
restores them, and the events it committed (`uow.events(PayloadClass)`); a fixed
clock, a calendar renderer that only says what it rendered, and registrations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from pesnet.agenda.domain.chairmanship import Chairmanship
from pesnet.agenda.domain.meeting import Meeting
from pesnet.agenda.domain.participants import Participant
from pesnet.agenda.domain.programme import Draft
from pesnet.agenda.domain.release import ProgrammeView, Release, ReleaseSummary
from pesnet.agenda.service_layer.repositories import (
    ChairmanshipRepository,
    DraftRepository,
    InstitutionRepository,
    MeetingRepository,
    ParticipantRepository,
    ReleaseRepository,
)
from pesnet.agenda.service_layer.seed import MEETING_ID
from pesnet.agenda.service_layer.unit_of_work import AgendaUnitOfWork
from pesnet.shared.errors import Conflict
from pesnet.shared.events.agenda import AffectedParticipant
from pesnet.shared.events.common import ParticipantStatus, Role
from pesnet.shared.i18n import Language
from pesnet.shared.institutions import Institution
from pesnet.shared.unit_of_work import FakeUnitOfWork

NOW = datetime(2024, 2, 20, 10, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


class FakeMeetings(MeetingRepository):
    def __init__(self) -> None:
        self.items: dict[str, Meeting] = {}

    async def get(self, meeting_id: str) -> Meeting | None:
        return self.items.get(meeting_id)

    async def numbered(self, number: int) -> Meeting | None:
        return next((m for m in self.items.values() if m.number == number), None)

    async def all(self) -> list[Meeting]:
        return sorted(self.items.values(), key=lambda m: m.number)

    async def save(self, meeting: Meeting) -> None:
        self.items[meeting.id] = meeting


class FakeDrafts(DraftRepository):
    def __init__(self) -> None:
        self.items: dict[str, Draft] = {}

    async def get(self, meeting_id: str) -> Draft:
        return self.items.get(meeting_id) or Draft(meeting_id=meeting_id)

    async def save(self, draft: Draft) -> None:
        self.items[draft.meeting_id] = draft


class FakeReleases(ReleaseRepository):
    def __init__(self) -> None:
        self.items: dict[tuple[str, int], Release] = {}
        self.affected: dict[tuple[str, int], list[AffectedParticipant]] = {}

    async def latest(self, meeting_id: str) -> Release | None:
        versions = [r for (m, _), r in self.items.items() if m == meeting_id]
        return max(versions, key=lambda r: r.version, default=None)

    async def get(self, meeting_id: str, version: int) -> Release | None:
        return self.items.get((meeting_id, version))

    async def history(self, meeting_id: str) -> list[ReleaseSummary]:
        releases = sorted(
            (r for (m, _), r in self.items.items() if m == meeting_id),
            key=lambda r: -r.version,
        )
        return [
            ReleaseSummary(version=r.version, released_at=r.released_at, changes=r.changes)
            for r in releases
        ]

    async def add(self, release: Release, affected: Sequence[AffectedParticipant]) -> None:
        key = (release.meeting_id, release.version)
        if key in self.items:
            raise Conflict(f"version {release.version} was published at the same time")
        self.items[key] = release
        self.affected[key] = list(affected)

    async def of_meeting(self, meeting_id: str) -> list[Release]:
        return sorted(
            (r for (m, _), r in self.items.items() if m == meeting_id), key=lambda r: r.version
        )

    async def replace(self, release: Release) -> None:
        key = (release.meeting_id, release.version)
        self.items[key] = release
        self.affected[key] = []


class FakeChairmanship(ChairmanshipRepository):
    def __init__(self) -> None:
        self.state = Chairmanship()

    async def get(self) -> Chairmanship:
        return self.state

    async def save(self, chairmanship: Chairmanship) -> None:
        self.state = chairmanship


class FakeParticipants(ParticipantRepository):
    def __init__(self) -> None:
        self.items: dict[str, Participant] = {}

    async def get(self, registration_id: str) -> Participant | None:
        return self.items.get(registration_id)

    async def save(self, participant: Participant) -> None:
        self.items[participant.registration_id] = participant

    async def confirmed(self, meeting_id: str) -> dict[str, str]:
        return {
            p.email: p.registration_id
            for p in self.items.values()
            if p.meeting_id == meeting_id and p.confirmed
        }

    async def of_meeting(self, meeting_id: str, status: str | None = None) -> list[Participant]:
        found = [
            p
            for p in self.items.values()
            if p.meeting_id == meeting_id and (status is None or p.status == status)
        ]
        return sorted(found, key=lambda p: p.email)

    async def forget_meeting(self, meeting_id: str) -> int:
        gone = [k for k, p in self.items.items() if p.meeting_id == meeting_id]
        for key in gone:
            del self.items[key]
        return len(gone)


class FakeInstitutions(InstitutionRepository):
    def __init__(self) -> None:
        self.items: dict[str, Institution] = {}

    async def get(self, institution_id: str) -> Institution | None:
        return self.items.get(institution_id)

    async def get_many(self, institution_ids: Iterable[str]) -> dict[str, Institution]:
        return {i: self.items[i] for i in institution_ids if i in self.items}

    async def all(self) -> list[Institution]:
        return sorted(self.items.values(), key=lambda i: i.id)

    async def save(self, institution: Institution) -> None:
        self.items[institution.id] = institution


class FakeCalendar:
    def ics(self, view: ProgrammeView, lang: str) -> str:
        return f"calendar v{view.version} {lang} ({len(view.sessions)} sessions)"

    def meeting_ics(self, meeting: Meeting, lang: str, stamp: datetime) -> str:
        return f"meeting {meeting.id} {meeting.start_date}–{meeting.end_date} {lang}"


class FakeAgendaUnitOfWork(FakeUnitOfWork, AgendaUnitOfWork):
    stores = ("meetings", "drafts", "releases", "chairmanship", "participants", "institutions")
    meetings: FakeMeetings
    drafts: FakeDrafts
    releases: FakeReleases
    chairmanship: FakeChairmanship
    participants: FakeParticipants
    institutions: FakeInstitutions

    def __init__(self) -> None:
        super().__init__()
        self.meetings = FakeMeetings()
        self.drafts = FakeDrafts()
        self.releases = FakeReleases()
        self.chairmanship = FakeChairmanship()
        self.participants = FakeParticipants()
        self.institutions = FakeInstitutions()


def participant(
    person_id: str,
    status: ParticipantStatus = ParticipantStatus.confirmed,
    *,
    as_of: datetime = NOW,
    email: str | None = None,
    meeting_id: str = MEETING_ID,
) -> Participant:
    """The registration of a programme person (seed addresses: `<person-id>@example.org`)."""
    return Participant(
        registration_id=f"reg-{person_id}",
        meeting_id=meeting_id,
        email=email or f"{person_id}@example.org",
        given_name=person_id.title(),
        family_name="Demo",
        language=Language.en,
        role=Role.speaker,
        country="MAR",
        status=status,
        as_of=as_of,
    )
