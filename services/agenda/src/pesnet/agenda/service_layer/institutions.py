"""The reference of institutions, as the agenda keeps it: registration's events
recorded (the newest version wins: an older or repeated announcement changes nothing),
so that a meeting's host and the chair are named as the reference names them now."""

from __future__ import annotations

from pesnet.agenda.service_layer.unit_of_work import AgendaUnitOfWork
from pesnet.shared.institutions import Institution
from pesnet.shared.logging import get_logger

log = get_logger(__name__)


async def record_institution(announced: Institution, uow: AgendaUnitOfWork) -> bool:
    """Keep the institution as announced, unless a newer version is kept already."""

    async def work(uow: AgendaUnitOfWork) -> bool:
        if not announced.newer_than(await uow.institutions.get(announced.id)):
            log.info(
                "older institution announcement ignored",
                institution_id=announced.id,
                version=announced.version,
            )
            return False
        await uow.institutions.save(announced)
        return True

    return await uow.run(work)
