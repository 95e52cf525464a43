"""The chairmanship use cases on the in-memory unit of work."""

from __future__ import annotations

from datetime import date

import pytest

from pesnet.agenda.domain.chairmanship import AlreadyRecorded, ChairHolder, ChairTerm
from pesnet.agenda.domain.commands import HandOverChair, RecordChairTerm
from pesnet.agenda.service_layer import chairmanship
from pesnet.shared.errors import InvalidInput, NotFound
from pesnet.shared.events.agenda import ChairmanshipTransferred
from pesnet.shared.i18n import Localized
from tests.unit.agenda.fakes import FakeAgendaUnitOfWork

ISKUR = ChairHolder(
    institution="iskur",
    name=Localized(ar="إ", en="İŞKUR", fr="İŞKUR"),
    country="TUR",
    oic_group="asian",
)
ANAPEC = ChairHolder(
    institution="anapec",
    name=Localized(ar="أ", en="ANAPEC", fr="ANAPEC"),
    country="MAR",
    oic_group="arab",
)
HANDOVER = HandOverChair(ANAPEC, effective_date=date(2024, 2, 29), term="2024-2026")


async def test_a_past_term_is_history_and_announces_nothing(uow: FakeAgendaUnitOfWork) -> None:
    state = await chairmanship.record_chair_term(
        RecordChairTerm(ChairTerm(holder=ISKUR, term="2021-2023")), uow
    )

    assert state.current is not None
    assert state.current.holder == ISKUR
    assert (await chairmanship.get_chairmanship(uow)).state == state
    # recorded (and so audited), announced to no one: no handover
    assert uow.events(ChairmanshipTransferred) == []
    assert [e.action for e in uow.audited] == ["chair_term.recorded"]
    with pytest.raises(AlreadyRecorded):
        await chairmanship.record_chair_term(
            RecordChairTerm(ChairTerm(holder=ISKUR, term="2021-2023")), uow
        )


async def test_a_handover_closes_the_term_opens_the_next_and_announces_it(
    uow: FakeAgendaUnitOfWork,
) -> None:
    await chairmanship.record_chair_term(
        RecordChairTerm(ChairTerm(holder=ISKUR, term="2021-2023")), uow
    )

    state = await chairmanship.hand_over_chair(HANDOVER, uow)

    assert state.current is not None
    assert (state.current.holder, state.current.from_date) == (ANAPEC, date(2024, 2, 29))
    assert [(t.holder.institution, t.to_date) for t in state.past] == [("iskur", date(2024, 2, 29))]
    assert (await chairmanship.get_chairmanship(uow)).state == state
    [event] = uow.events(ChairmanshipTransferred)
    assert isinstance(event, ChairmanshipTransferred)
    assert event.outgoing is not None
    assert (event.outgoing.institution, event.incoming.institution) == ("iskur", "anapec")
    assert event.term == "2024-2026"
    handover = uow.audited[-1]
    assert (handover.action, handover.subject) == ("chairmanship.transferred", "2024-2026")


async def test_a_repeated_or_invalid_handover_changes_nothing(uow: FakeAgendaUnitOfWork) -> None:
    await chairmanship.hand_over_chair(HANDOVER, uow)
    wrong_group = HandOverChair(
        ANAPEC.model_copy(update={"institution": "x", "oic_group": "asian"}),
        effective_date=date(2025, 1, 1),
        term="2025-2027",
    )

    with pytest.raises(AlreadyRecorded):
        await chairmanship.hand_over_chair(HANDOVER, uow)
    with pytest.raises(InvalidInput) as refused:
        await chairmanship.hand_over_chair(wrong_group, uow)
    with pytest.raises(NotFound):
        await chairmanship.hand_over_chair(
            HandOverChair(ISKUR, date(2025, 1, 1), "2025-2027", meeting_id="pesnet-99"), uow
        )

    assert refused.value.field == "incoming.oic_group"
    assert len(uow.events(ChairmanshipTransferred)) == 1
    assert len((await chairmanship.get_chairmanship(uow)).state.terms) == 1


async def test_a_handover_takes_effect_on_its_date_not_when_it_is_recorded(
    uow: FakeAgendaUnitOfWork,
) -> None:
    await chairmanship.record_chair_term(
        RecordChairTerm(ChairTerm(holder=ISKUR, term="2021-2023")), uow
    )
    later = HandOverChair(ANAPEC, effective_date=date(2027, 3, 1), term="2027-2029")

    state = await chairmanship.hand_over_chair(later, uow)

    before = state.standing(date(2026, 7, 1))
    assert before.current is not None
    assert before.current.holder == ISKUR
    assert [t.holder for t in before.upcoming] == [ANAPEC]
    assert before.past == ()
    on_the_day = state.standing(date(2027, 3, 1))
    assert on_the_day.current is not None
    assert on_the_day.current.holder == ANAPEC
    assert on_the_day.upcoming == ()
    assert [t.holder for t in on_the_day.past] == [ISKUR]
