"""The reference of institutions, as the action plan keeps it: registration's events
recorded (the newest version wins: an older or repeated announcement changes nothing),
the list for the secretariat, and the names of the institutions a plan, a need, an
offer or a proposal names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pesnet.actionplan.domain.commands import RecordInstitution
from pesnet.actionplan.domain.institutions import Institution, Names
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.institutions import keep_newest

T = TypeVar("T")


@dataclass(frozen=True)
class Named(Generic[T]):
    """What a query found, with the reference's institutions it names (by id), so that
    the answer shows their names."""

    found: T
    names: Names


async def record_institution(cmd: RecordInstitution, uow: ActionPlanUnitOfWork) -> bool:
    """Keep the institution as announced, unless a newer version is kept already."""
    announced = Institution(
        id=cmd.institution_id,
        name=cmd.name,
        acronym=cmd.acronym,
        country=cmd.country,
        version=cmd.version,
    )

    return await uow.run(lambda uow: keep_newest(uow.institutions, announced))


async def list_institutions(uow: ActionPlanUnitOfWork) -> list[Institution]:
    return await uow.institutions.all()


async def names_of(uow: ActionPlanUnitOfWork, institution_ids: Iterable[str]) -> Names:
    """The reference's institutions among `institution_ids`, by id."""
    return await uow.institutions.get_many(institution_ids)


def institutions_of(plan: Plan) -> list[str]:
    """Every institution a plan names: activities' leads and participants, reporters."""
    named = [i for a in plan.activities for i in a.lead_institutions]
    named += [p.institution for a in plan.activities for p in a.participants]
    named += [r.institution for r in plan.progress]
    return list(dict.fromkeys(named))
