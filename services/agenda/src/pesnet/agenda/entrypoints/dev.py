"""Development-only routes (mounted only when `settings.dev_mode` is true)."""

from __future__ import annotations

from fastapi import APIRouter

from pesnet.agenda.entrypoints.http import AgendaDep
from pesnet.agenda.service_layer.seed import seed_agenda
from pesnet.shared.http import Secretariat

router = APIRouter()


@router.post("/dev/seed", dependencies=[Secretariat], tags=["development"])
async def seed(agenda: AgendaDep) -> dict[str, str]:
    """Load the 4th meeting (pesnet-4), its draft programme, its people and the
    chairmanship history; a second call changes nothing."""
    return await seed_agenda(agenda)
