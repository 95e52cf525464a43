"""The in-memory unit of work with a meeting open for registration (`m1`)."""

from __future__ import annotations

import pytest

from tests.unit.registration.fakes import FakeRegistrationUnitOfWork
from tests.unit.registration.scenario import open_meeting


@pytest.fixture
async def uow() -> FakeRegistrationUnitOfWork:
    fake = FakeRegistrationUnitOfWork()
    await open_meeting(fake)
    return fake
