"""The reference of institutions, as the agenda keeps it: registration's events
recorded (the newest version wins: an older or repeated announcement changes nothing),
so that a meeting's host and the chair are named as the reference names them now."""

from __future__ import annotations

from pesnet.agenda.service_layer.unit_of_work import AgendaUnitOfWork
from pesnet.shared.institutions import Institution, keep_newest


async def record_institution(announced: Institution, uow: AgendaUnitOfWork) -> bool:
    """Keep the institution as announced, unless a newer version is kept already."""
    return await uow.run(lambda uow: keep_newest(uow.institutions, announced))
