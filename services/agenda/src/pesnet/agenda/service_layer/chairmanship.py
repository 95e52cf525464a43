"""The network's chairmanship: its history, and handing the chair over."""

from __future__ import annotations

from pesnet.agenda.domain.chairmanship import ChairHolder, Chairmanship
from pesnet.agenda.domain.commands import HandOverChair, RecordChairTerm
from pesnet.agenda.service_layer.meetings import meeting_of
from pesnet.agenda.service_layer.unit_of_work import AgendaUnitOfWork
from pesnet.shared.events.agenda import (
    ChairInstitution,
    ChairmanshipTransferred,
    ChairTermRecorded,
)


def _chair(holder: ChairHolder) -> ChairInstitution:
    return ChairInstitution(
        institution=holder.institution,
        name=holder.name,
        country=holder.country,
        oic_group=holder.oic_group,
    )


async def record_chair_term(cmd: RecordChairTerm, uow: AgendaUnitOfWork) -> Chairmanship:
    """A term from before the platform: history only, no event."""

    async def work(uow: AgendaUnitOfWork) -> Chairmanship:
        state = (await uow.chairmanship.get()).record_term(cmd.term)
        await uow.chairmanship.save(state)
        uow.emit(
            ChairTermRecorded(term=cmd.term.term or "", institution=cmd.term.holder.institution),
            subject=cmd.term.term,
        )
        return state

    return await uow.run(work)


async def hand_over_chair(cmd: HandOverChair, uow: AgendaUnitOfWork) -> Chairmanship:
    """Close the current term, open the incoming one, and tell the other services."""

    async def work(uow: AgendaUnitOfWork) -> Chairmanship:
        if cmd.meeting_id is not None:
            await meeting_of(uow, cmd.meeting_id)
        state, outgoing, _ = (await uow.chairmanship.get()).hand_over(
            cmd.incoming,
            effective_date=cmd.effective_date,
            term=cmd.term,
            meeting_id=cmd.meeting_id,
            vice_chair=cmd.vice_chair,
        )
        await uow.chairmanship.save(state)
        uow.emit(
            ChairmanshipTransferred(
                meeting_id=cmd.meeting_id,
                effective_date=cmd.effective_date,
                term=cmd.term,
                outgoing=_chair(outgoing.holder) if outgoing else None,
                incoming=_chair(cmd.incoming),
            ),
            subject=cmd.term,
        )
        return state

    return await uow.run(work)


async def get_chairmanship(uow: AgendaUnitOfWork) -> Chairmanship:
    return await uow.chairmanship.get()
