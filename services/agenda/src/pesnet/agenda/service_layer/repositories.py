"""The agenda's repositories as the use cases see them: they take and return
domain objects. `adapters/repository.py` implements them on MongoDB, the unit
tests' fakes in memory."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence

from pesnet.agenda.domain.chairmanship import Chairmanship
from pesnet.agenda.domain.communique import Communique
from pesnet.agenda.domain.meeting import Meeting
from pesnet.agenda.domain.participants import Participant
from pesnet.agenda.domain.programme import Draft
from pesnet.agenda.domain.release import Release, ReleaseSummary
from pesnet.shared.events.agenda import AffectedParticipant
from pesnet.shared.institutions import Institution


class MeetingRepository(ABC):
    @abstractmethod
    async def get(self, meeting_id: str) -> Meeting | None: ...

    async def recent(self, meeting_id: str) -> Meeting | None:
        """The meeting as read in the last few seconds (`pesnet.shared.recent`): for a
        look that changes nothing of it (is this registration one of the programme's
        people?), not for an edit, which reads it with its version."""
        return await self.get(meeting_id)

    @abstractmethod
    async def numbered(self, number: int) -> Meeting | None: ...

    @abstractmethod
    async def all(self) -> list[Meeting]:
        """Every meeting, by number."""

    @abstractmethod
    async def save(self, meeting: Meeting) -> None: ...


class DraftRepository(ABC):
    @abstractmethod
    async def get(self, meeting_id: str) -> Draft:
        """The meeting's draft (an empty one if nothing was drafted yet)."""

    @abstractmethod
    async def save(self, draft: Draft) -> None: ...


class ReleaseRepository(ABC):
    @abstractmethod
    async def latest(self, meeting_id: str) -> Release | None: ...

    @abstractmethod
    async def get(self, meeting_id: str, version: int) -> Release | None: ...

    @abstractmethod
    async def history(self, meeting_id: str) -> list[ReleaseSummary]:
        """Every version with its changelog, newest first."""

    @abstractmethod
    async def add(self, release: Release, affected: Sequence[AffectedParticipant]) -> None:
        """Raises `Conflict` if that version exists already (published concurrently)."""

    @abstractmethod
    async def of_meeting(self, meeting_id: str) -> list[Release]:
        """Every version of the meeting's programme, oldest first."""

    @abstractmethod
    async def replace(self, release: Release) -> None:
        """Store `release` over its version (the purge): whom it concerned goes too."""


class ChairmanshipRepository(ABC):
    @abstractmethod
    async def get(self) -> Chairmanship: ...

    @abstractmethod
    async def save(self, chairmanship: Chairmanship) -> None: ...


class CommuniqueRepository(ABC):
    @abstractmethod
    async def get(self, meeting_id: str) -> Communique | None: ...

    @abstractmethod
    async def save(self, communique: Communique) -> None: ...


class ParticipantRepository(ABC):
    @abstractmethod
    async def get(self, registration_id: str) -> Participant | None: ...

    @abstractmethod
    async def save(self, participant: Participant) -> None: ...

    async def record(self, participant: Participant) -> Participant | None:
        """Store a registration's state unless what is stored is newer
        (`Participant.is_newer_than`); returns what was stored before (None: nothing).
        A database may do it in one write (`MongoParticipantRepository.record`)."""
        stored = await self.get(participant.registration_id)
        if participant.is_newer_than(stored):
            await self.save(participant)
        return stored

    async def record_unread(self, participant: Participant) -> None:
        """`record` where what was stored before does not matter: the write may go with
        the transaction's last batch, without a round trip of its own."""
        await self.record(participant)

    @abstractmethod
    async def confirmed(self, meeting_id: str) -> dict[str, str]:
        """e-mail (lower case) → registration id of the meeting's confirmed participants."""

    @abstractmethod
    async def of_meeting(self, meeting_id: str, status: str | None = None) -> list[Participant]:
        """The meeting's participants (of one status, if given), by e-mail."""

    @abstractmethod
    async def forget_meeting(self, meeting_id: str) -> int:
        """Delete the meeting's participants; returns how many there were."""


class InstitutionRepository(ABC):
    """The projection of registration's reference of institutions."""

    @abstractmethod
    async def get(self, institution_id: str) -> Institution | None: ...

    @abstractmethod
    async def get_many(self, institution_ids: Iterable[str]) -> dict[str, Institution]:
        """The reference's institutions among `institution_ids`, by id."""

    @abstractmethod
    async def all(self) -> list[Institution]:
        """The whole reference (the meeting form's host to pick from)."""

    @abstractmethod
    async def save(self, institution: Institution) -> None: ...
