"""Fixtures of the agenda's use-case tests: an in-memory unit of work, empty or with
the seed (the 4th meeting, its draft of 16 sessions, the chairmanship history)."""

from __future__ import annotations

import pytest

from pesnet.agenda.domain.commands import SeedAgenda
from pesnet.agenda.service_layer.seed import seed_agenda
from tests.unit.agenda.fakes import FakeAgendaUnitOfWork, clock


@pytest.fixture
def uow() -> FakeAgendaUnitOfWork:
    return FakeAgendaUnitOfWork()


@pytest.fixture
async def seeded() -> FakeAgendaUnitOfWork:
    """The seed loaded; what it emitted is forgotten, so a test sees only its own events."""
    uow = FakeAgendaUnitOfWork()
    await seed_agenda(SeedAgenda(), uow, clock=clock)
    uow.committed.clear()
    return uow
