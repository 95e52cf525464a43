"""Development-only routes (mounted only when `settings.dev_mode` is true)."""

from __future__ import annotations

from fastapi import APIRouter

from pesnet.agenda.domain.commands import SeedAgenda
from pesnet.agenda.entrypoints.dependencies import Dependencies, UnitOfWork
from pesnet.agenda.service_layer.seed import seed_agenda
from pesnet.shared.http import Secretariat

router = APIRouter()


@router.post("/dev/seed", dependencies=[Secretariat], tags=["development"])
async def seed(uow: UnitOfWork, deps: Dependencies) -> dict[str, str]:
    """Load the 4th meeting (pesnet-4), its draft programme, its people and the
    chairmanship history; a second call changes nothing."""
    return await seed_agenda(SeedAgenda(), uow, clock=deps.clock)
