"""Development-only routes (mounted when `settings.dev_mode`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from pesnet.actionplan.entrypoints.http import Service
from pesnet.actionplan.service_layer.seed import seed
from pesnet.shared.http import Secretariat

router = APIRouter(prefix="/dev", tags=["development"])


@router.post("/seed", dependencies=[Secretariat])
async def dev_seed(service: Service) -> dict[str, Any]:
    changes = await seed(service)
    return {"changes": changes, "plans": [p.period for p in await service.list_plans()]}
