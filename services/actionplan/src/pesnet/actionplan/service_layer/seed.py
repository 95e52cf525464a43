"""`POST /dev/seed`: the network's two action plans as records, from the facts of the
4th meeting's programme (network history): the 2021-2022 plan adopted at the 3rd
meeting (2-3 June 2021), the 2024-2026 plan a draft discussed at the 4th. Their
content (thematic areas, activities, indicators) is not in the sources, so none is
invented: a record with a period, a status and its meetings. Idempotent, through the
same use cases as real requests (the adoption event goes through the outbox)."""

from __future__ import annotations

from datetime import date

from pesnet.actionplan.domain.commands import AdoptPlan, CreatePlan
from pesnet.actionplan.service_layer.plans import adopt_plan, create_plan, require_plan
from pesnet.actionplan.service_layer.ports import Clock
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.envelope import utcnow

THIRD_MEETING = "pesnet-3"
FOURTH_MEETING = "pesnet-4"
# The 3rd meeting met on 2-3 June 2021 and adopted the plan; the sources give no
# day, so the record carries the meeting's closing day.
THIRD_MEETING_CLOSING_DAY = date(2021, 6, 3)


async def seed(uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow) -> dict[str, str]:
    """The changes made, by period (nothing the second time)."""
    done: dict[str, str] = {}
    existing = {p.period for p in await uow.plans.all()}
    if "2021-2022" not in existing:
        await create_plan(CreatePlan("2021-2022"), uow, clock=clock)
        done["2021-2022"] = "created"
    if (await require_plan(uow, "2021-2022")).status == "draft":
        adopt = AdoptPlan("2021-2022", THIRD_MEETING, THIRD_MEETING_CLOSING_DAY)
        await adopt_plan(adopt, uow, clock=clock)
        done["2021-2022"] = "adopted"
    if "2024-2026" not in existing:
        draft = CreatePlan("2024-2026", draft_meeting_id=FOURTH_MEETING)
        await create_plan(draft, uow, clock=clock)
        done["2024-2026"] = "created"
    return done
