"""`POST /dev/seed`: the network's two action plans as records, from the facts of the
4th meeting's programme (network history): the 2021-2022 plan adopted at the 3rd
meeting (2-3 June 2021), the 2024-2026 plan a draft discussed at the 4th. Their
content (thematic areas, activities, indicators) is not in the sources, so none is
invented: a record with a period, a status and its meetings. Idempotent, through the
same use cases as real requests (the adoption event goes through the outbox)."""

from __future__ import annotations

from datetime import date

from pesnet.actionplan.service_layer.services import ActionPlanService

THIRD_MEETING = "pesnet-3"
FOURTH_MEETING = "pesnet-4"
# The 3rd meeting met on 2-3 June 2021 and adopted the plan; the sources give no
# day, so the record carries the meeting's closing day.
THIRD_MEETING_CLOSING_DAY = date(2021, 6, 3)


async def seed(service: ActionPlanService) -> dict[str, str]:
    done: dict[str, str] = {}
    existing = {p.period: p for p in await service.list_plans()}
    if "2021-2022" not in existing:
        await service.create_plan("2021-2022", None, [])
        done["2021-2022"] = "created"
    plan = await service.get_plan("2021-2022")
    if plan.status == "draft":
        await service.adopt_plan("2021-2022", THIRD_MEETING, THIRD_MEETING_CLOSING_DAY)
        done["2021-2022"] = "adopted"
    if "2024-2026" not in existing:
        await service.create_plan("2024-2026", None, [], draft_meeting_id=FOURTH_MEETING)
        done["2024-2026"] = "created"
    return done
