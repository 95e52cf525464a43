"""The repositories the use cases work with: they take and return domain objects. The
MongoDB ones are in `adapters/repository.py`, the in-memory ones in the unit tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from pesnet.actionplan.domain.cooperation import Proposal
from pesnet.actionplan.domain.decisions import MeetingOutcome
from pesnet.actionplan.domain.delegations import DelegationRegistration
from pesnet.actionplan.domain.evidence import StoredFile
from pesnet.actionplan.domain.focal_points import FocalPoint
from pesnet.actionplan.domain.institutions import Institution
from pesnet.actionplan.domain.matching import Need, Offer
from pesnet.actionplan.domain.meetings import Meeting
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.domain.reminders import DueReminder


class PlanRepository(Protocol):
    async def get(self, period: str) -> Plan | None: ...

    async def all(self) -> list[Plan]:
        """Every plan, by period."""

    async def add(self, plan: Plan) -> None: ...

    async def save(self, plan: Plan) -> None: ...


class EvidenceRepository(Protocol):
    """The files kept as evidence of progress reports."""

    async def get(self, file_id: str) -> StoredFile | None: ...

    async def add(self, stored: StoredFile) -> None: ...

    async def erase(self, file_ids: list[str]) -> None:
        """Delete these files' bytes (ids not kept are ignored)."""


class FocalPointRepository(Protocol):
    async def get(self, focal_point_id: str) -> FocalPoint | None: ...

    async def by_token_hash(self, token_hash: str) -> FocalPoint | None:
        """The active focal point holding the token with this digest."""

    async def of_institutions(self, institutions: Iterable[str]) -> list[FocalPoint]:
        """The active focal points of these institutions, first named first."""

    async def all(self) -> list[FocalPoint]:
        """Every focal point, active or not, by institution then first named first."""

    async def add(self, focal_point: FocalPoint) -> None: ...

    async def save(self, focal_point: FocalPoint) -> None: ...


class DelegationRepository(Protocol):
    """The projection of registration's registrations (`domain/delegations.py`)."""

    async def get(self, registration_id: str) -> DelegationRegistration | None: ...

    async def save(self, registration: DelegationRegistration) -> None: ...

    async def purge_meeting(self, meeting_id: str, at: datetime) -> int:
        """Every registration of the meeting speaks no more (its personal data was
        erased): keeps only its id, meeting and the purge; returns how many."""


class InstitutionRepository(Protocol):
    """The projection of registration's reference of institutions."""

    async def get(self, institution_id: str) -> Institution | None: ...

    async def get_many(self, institution_ids: Iterable[str]) -> dict[str, Institution]: ...

    async def all(self) -> list[Institution]:
        """By country (those without one last), then id."""

    async def save(self, institution: Institution) -> None:
        """Keep this state (the caller decided it is the newest)."""


class NeedRepository(Protocol):
    async def of_period(self, period: str) -> list[Need]:
        """The needs filed for a plan, in the order they came."""

    async def add(self, need: Need) -> None: ...


class OfferRepository(Protocol):
    async def of_period(self, period: str) -> list[Offer]:
        """The offers filed for a plan, in the order they came."""

    async def add(self, offer: Offer) -> None: ...


class ProposalRepository(Protocol):
    async def get(self, proposal_id: str) -> Proposal | None: ...

    async def find(
        self, period: str | None = None, institution: str | None = None
    ) -> list[Proposal]:
        """Proposals (of one plan, of which `institution` is a party), by period and rank."""

    async def add(self, proposal: Proposal) -> None:
        """`Conflict` if the plan has a proposal with the same natural key."""

    async def save(self, proposal: Proposal) -> None: ...


class MeetingRepository(Protocol):
    async def get_many(self, meeting_ids: Iterable[str]) -> dict[str, Meeting]: ...

    async def all(self) -> list[Meeting]:
        """Every meeting the agenda announced, newest (highest number) first."""

    async def save(self, meeting: Meeting) -> None:
        """Keep the meeting as last announced."""


class ReminderRepository(Protocol):
    async def was_sent(self, key: str) -> bool: ...

    async def add(self, reminder: DueReminder, *, sent_at: datetime) -> None:
        """`Conflict` if a reminder with this key was sent already."""


class OutcomeRepository(Protocol):
    """The projection of the meetings' published communiqués, with their links."""

    async def get(self, meeting_id: str) -> MeetingOutcome | None: ...

    async def all(self) -> list[MeetingOutcome]:
        """Every meeting's outcome, by meeting number."""

    async def save(self, outcome: MeetingOutcome) -> None: ...
