"""Development-only routes (mounted when `settings.dev_mode`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from pesnet.actionplan.entrypoints.dependencies import UoW
from pesnet.actionplan.service_layer.plans import list_plans
from pesnet.actionplan.service_layer.seed import seed
from pesnet.shared.credentials import StaffRole
from pesnet.shared.http import require

router = APIRouter(
    prefix="/dev", tags=["development"], dependencies=[require(StaffRole.administrator)]
)


@router.post("/seed")
async def dev_seed(uow: UoW) -> dict[str, Any]:
    changes = await seed(uow)
    return {"changes": changes, "plans": [p.period for p in await list_plans(uow)]}
