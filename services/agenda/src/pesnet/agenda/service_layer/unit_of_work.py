"""The agenda's unit of work: one transaction over its repositories and the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pesnet.agenda.service_layer.repositories import (
    ChairmanshipRepository,
    CommuniqueRepository,
    DraftRepository,
    InstitutionRepository,
    MeetingRepository,
    ParticipantRepository,
    ReleaseRepository,
)
from pesnet.shared.unit_of_work import UnitOfWork


class AgendaUnitOfWork(UnitOfWork):
    """Outside `run`, the repositories read without a transaction (queries)."""

    meetings: MeetingRepository
    drafts: DraftRepository
    releases: ReleaseRepository
    chairmanship: ChairmanshipRepository
    communiques: CommuniqueRepository
    participants: ParticipantRepository
    institutions: InstitutionRepository


UnitOfWorkFactory = Callable[[], AgendaUnitOfWork]
# what use cases that stamp a time take (tests give a fixed one)
Clock = Callable[[], datetime]
