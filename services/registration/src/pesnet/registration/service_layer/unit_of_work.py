"""The registration service's unit of work and the repositories it holds. The
service layer declares them; `adapters` implements them on MongoDB, and the unit
tests in memory. Repositories take and return domain objects.

Methods of a repository used inside `uow.run(work)` act in that transaction; used
outside it (reads that need none), they act on their own. A repository of aggregates
notes (`saw`) every aggregate it hands out or is given, so that the unit of work
writes the events they recorded."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pesnet.registration.domain.access import Status
from pesnet.registration.domain.delegation import Delegation
from pesnet.registration.domain.focal_point import FocalPoint
from pesnet.registration.domain.institution import Institution
from pesnet.registration.domain.meeting import Meeting
from pesnet.registration.domain.outcomes import Outcome
from pesnet.registration.domain.registration import Registration
from pesnet.registration.domain.roster import Listed
from pesnet.shared.aggregate import Repository
from pesnet.shared.envelope import utcnow
from pesnet.shared.events.common import Role
from pesnet.shared.translation import N_
from pesnet.shared.unit_of_work import UnitOfWork

# what use cases that stamp a time take (tests give a fixed one)
Clock = Callable[[], datetime]


def now_ms() -> datetime:
    """The current instant at MongoDB's precision (milliseconds), so that what a use
    case answers is what a later read of the same record answers."""
    now = utcnow()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


EMAIL_TAKEN = N_("this e-mail address is already registered for this meeting")
INSTITUTION_TAKEN = N_("the reference has an institution {institution_id} already")


class Registrations(Repository, ABC):
    @abstractmethod
    async def get(self, registration_id: str) -> Registration | None: ...

    @abstractmethod
    async def add(self, registration: Registration) -> None:
        """A second registration with the same e-mail key for the meeting is a
        `Conflict(EMAIL_TAKEN, field="email")`, decided by the store (a unique
        index), not by a read before the write."""

    @abstractmethod
    async def save(self, registration: Registration) -> None:
        """Write back a loaded registration (same e-mail rule as `add`)."""

    @abstractmethod
    async def of_meeting(
        self,
        meeting_id: str,
        *,
        status: Status | None = None,
        country: str | None = None,
        role: Role | None = None,
    ) -> list[Registration]:
        """In registration order."""

    @abstractmethod
    async def listed_of(
        self,
        meeting_id: str,
        *,
        status: Status | tuple[Status, ...] | None = None,
        country: str | None = None,
        role: Role | None = None,
    ) -> list[Listed]:
        """What `of_meeting` gives, as the rows of a list (in registration order); with
        several statuses, those in any of them."""

    @abstractmethod
    async def page_of_meeting(
        self,
        meeting_id: str,
        *,
        status: Status | None = None,
        country: str | None = None,
        role: Role | None = None,
        skip: int,
        limit: int,
    ) -> tuple[int, list[Listed]]:
        """How many `of_meeting` gives, and the rows of `limit` of them after the
        first `skip`."""

    @abstractmethod
    async def with_short_code(self, meeting_id: str, code: str) -> Registration | None:
        """The registration whose badge carries `code` in the meeting."""

    @abstractmethod
    async def named(self, meeting_id: str, words: list[str], limit: int) -> list[Registration]:
        """Registrations of the meeting each of whose folded `words` (`domain/search.py`)
        starts one of the person's name keys; by family and given name, at most `limit`."""

    @abstractmethod
    async def confirmed_of(self, meeting_id: str) -> list[Listed]:
        """The check-in list's rows: by country, family name and given name."""

    @abstractmethod
    async def not_purged_of(self, meeting_id: str) -> list[Registration]: ...

    @abstractmethod
    async def oldest_waitlisted(self, meeting_id: str, country: str) -> Registration | None:
        """The next to get a freed place of the country's delegation."""

    @abstractmethod
    async def waitlisted_before(self, registration: Registration) -> int:
        """How many of its country's waitlisted registrations registered earlier."""

    @abstractmethod
    async def id_with_manage_token(self, token_hash: str) -> str | None: ...


class Meetings(Repository, ABC):
    @abstractmethod
    async def get(self, meeting_id: str) -> Meeting | None: ...

    @abstractmethod
    async def all(self) -> list[Meeting]:
        """Every meeting registration knows (the staff pages' meeting picker)."""

    @abstractmethod
    async def save(self, meeting: Meeting) -> None: ...


class Delegations(Repository, ABC):
    @abstractmethod
    async def ensure(
        self, meeting_id: str, key: str, country: str | None, institution: str | None
    ) -> None:
        """Create the delegation's counters if they do not exist. Called outside any
        transaction: concurrent creations of one delegation inside transactions
        would fail instead of retrying."""

    @abstractmethod
    async def get(self, meeting_id: str, key: str) -> Delegation | None: ...

    @abstractmethod
    async def save(self, delegation: Delegation) -> None: ...

    @abstractmethod
    async def of_meeting(self, meeting_id: str) -> list[Delegation]: ...


class FocalPoints(Repository, ABC):
    @abstractmethod
    async def add(self, focal_point: FocalPoint) -> None: ...

    @abstractmethod
    async def get(self, focal_point_id: str) -> FocalPoint | None: ...

    @abstractmethod
    async def save(self, focal_point: FocalPoint) -> None: ...

    @abstractmethod
    async def active_with_token(self, token_hash: str) -> FocalPoint | None: ...

    @abstractmethod
    async def listed(self, country: str | None) -> list[FocalPoint]:
        """By country, oldest first."""


class Institutions(Repository, ABC):
    """The network's reference of institutions."""

    @abstractmethod
    async def get(self, institution_id: str) -> Institution | None: ...

    @abstractmethod
    async def add(self, institution: Institution) -> None:
        """`Conflict(INSTITUTION_TAKEN, field="id")` if the reference has an institution
        with this id already (decided by the store)."""

    @abstractmethod
    async def save(self, institution: Institution) -> None: ...

    @abstractmethod
    async def listed(self, country: str | None = None) -> list[Institution]:
        """By country (OIC institutions and partners, without one, last), then id."""


@dataclass(frozen=True)
class Replay:
    """The first outcome of a request that carried an `Idempotency-Key`, and the
    fingerprint of that request."""

    fingerprint: str
    outcome: Outcome


class Replays(ABC):
    """First outcomes kept for `Idempotency-Key` retries (a day long)."""

    @abstractmethod
    async def get(self, record_id: str) -> Replay | None: ...

    @abstractmethod
    async def add(self, record_id: str, replay: Replay, meeting_id: str) -> None:
        """A record with this id already there is a `Conflict` (a concurrent
        request with the same key won)."""

    @abstractmethod
    async def forget_meeting(self, meeting_id: str) -> None:
        """Kept outcomes carry personal data: a purge deletes the meeting's."""


class RegistrationUnitOfWork(UnitOfWork):
    registrations: Registrations
    meetings: Meetings
    delegations: Delegations
    focal_points: FocalPoints
    institutions: Institutions
    replays: Replays
