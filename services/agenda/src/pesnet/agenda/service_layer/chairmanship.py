"""The network's chairmanship: its history, and handing the chair over. The chair's
institutions are named as the reference of institutions names them."""

from __future__ import annotations

from dataclasses import dataclass

from pesnet.agenda.domain.chairmanship import ChairHolder, Chairmanship, ChairTerm
from pesnet.agenda.domain.commands import HandOverChair, RecordChairTerm
from pesnet.agenda.service_layer.meetings import meeting_of
from pesnet.agenda.service_layer.unit_of_work import AgendaUnitOfWork
from pesnet.shared.events.agenda import (
    ChairInstitution,
    ChairmanshipTransferred,
    ChairTermRecorded,
)
from pesnet.shared.i18n import Localized
from pesnet.shared.institutions import Names


@dataclass(frozen=True)
class NamedChairmanship:
    """The chairmanship and the reference's entries of its institutions (by id)."""

    state: Chairmanship
    names: Names


def _chair(holder: ChairHolder) -> ChairInstitution:
    return ChairInstitution(
        institution=holder.institution,
        name=holder.name or Localized.everywhere(holder.institution),
        country=holder.country,
        oic_group=holder.oic_group,
    )


async def _named(holder: ChairHolder, field: str, uow: AgendaUnitOfWork) -> ChairHolder:
    return holder.named_by(await uow.institutions.get(holder.institution), field)


async def _named_term(term: ChairTerm, uow: AgendaUnitOfWork) -> ChairTerm:
    vice_chair = await _named(term.vice_chair, "vice_chair", uow) if term.vice_chair else None
    holder = await _named(term.holder, "holder", uow)
    return term.model_copy(update={"holder": holder, "vice_chair": vice_chair})


async def record_chair_term(cmd: RecordChairTerm, uow: AgendaUnitOfWork) -> Chairmanship:
    """A term from before the platform: history only, no event."""

    async def work(uow: AgendaUnitOfWork) -> Chairmanship:
        term = await _named_term(cmd.term, uow)
        state = (await uow.chairmanship.get()).record_term(term)
        await uow.chairmanship.save(state)
        uow.emit(
            ChairTermRecorded(term=term.term or "", institution=term.holder.institution),
            subject=term.term,
        )
        return state

    return await uow.run(work)


async def hand_over_chair(cmd: HandOverChair, uow: AgendaUnitOfWork) -> Chairmanship:
    """Close the current term, open the incoming one, and tell the other services."""

    async def work(uow: AgendaUnitOfWork) -> Chairmanship:
        if cmd.meeting_id is not None:
            await meeting_of(uow, cmd.meeting_id)
        incoming = await _named(cmd.incoming, "incoming", uow)
        vice_chair = await _named(cmd.vice_chair, "vice_chair", uow) if cmd.vice_chair else None
        state, outgoing, _ = (await uow.chairmanship.get()).hand_over(
            incoming,
            effective_date=cmd.effective_date,
            term=cmd.term,
            meeting_id=cmd.meeting_id,
            vice_chair=vice_chair,
        )
        await uow.chairmanship.save(state)
        uow.emit(
            ChairmanshipTransferred(
                meeting_id=cmd.meeting_id,
                effective_date=cmd.effective_date,
                term=cmd.term,
                outgoing=_chair(outgoing.holder) if outgoing else None,
                incoming=_chair(incoming),
            ),
            subject=cmd.term,
        )
        return state

    return await uow.run(work)


async def get_chairmanship(uow: AgendaUnitOfWork) -> NamedChairmanship:
    state = await uow.chairmanship.get()
    held_by = [i.institution for t in state.terms for i in (t.holder, t.vice_chair) if i]
    return NamedChairmanship(state, await uow.institutions.get_many(held_by))
