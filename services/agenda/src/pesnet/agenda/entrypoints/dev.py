"""Development-only routes (mounted only when `settings.dev_mode` is true)."""

from __future__ import annotations

from fastapi import APIRouter

from pesnet.agenda.domain.commands import PublishProgramme, SeedAgenda
from pesnet.agenda.entrypoints.dependencies import Dependencies, UnitOfWork
from pesnet.agenda.service_layer.releases import publish_as_held
from pesnet.agenda.service_layer.seed import MEETING_ID, seed_agenda
from pesnet.shared.credentials import StaffRole
from pesnet.shared.http import require

router = APIRouter(dependencies=[require(StaffRole.administrator)])


@router.post("/dev/seed", tags=["development"])
async def seed(uow: UnitOfWork, deps: Dependencies) -> dict[str, str]:
    """Load the 4th meeting (pesnet-4, held), its draft programme, its people, the
    chairmanship history and the demonstration meeting pesnet-demo (open for
    registration); a second call changes nothing."""
    return await seed_agenda(SeedAgenda(), uow, clock=deps.clock)


@router.post("/dev/seed/history", tags=["development"])
async def seed_history(uow: UnitOfWork, deps: Dependencies) -> dict[str, int | None]:
    """Publish the held 4th meeting's programme as it was (version 1); again: nothing."""
    published = await publish_as_held(
        PublishProgramme(MEETING_ID), uow, calendar=deps.renderer, clock=deps.clock
    )
    return {"version": published.release.version if published else None}
