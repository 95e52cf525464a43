"""The final communiqué's use cases on the in-memory unit of work: drafted, amended in
the closing session, adopted at a recorded time, published as a public event."""

from __future__ import annotations

import pytest

from pesnet.agenda.domain.commands import (
    AdoptCommunique,
    DecideAmendment,
    DraftCommunique,
    ProposeAmendment,
    PublishCommunique,
)
from pesnet.agenda.domain.communique import Paragraph
from pesnet.agenda.service_layer import communique
from pesnet.agenda.service_layer.seed import MEETING_ID
from pesnet.shared.catalog import PublicPayload
from pesnet.shared.errors import Conflict, InvalidInput, NotFound
from pesnet.shared.events.agenda import (
    CommuniqueAdopted,
    CommuniqueAmendmentProposed,
    CommuniquePublished,
)
from pesnet.shared.i18n import Localized
from tests.unit.agenda.fakes import NOW, FakeAgendaUnitOfWork, clock

MEETING = "pesnet-demo"


def text(word: str) -> Localized:
    return Localized(ar=f"نص {word}", en=f"text {word}", fr=f"texte {word}")


DRAFT = DraftCommunique(
    MEETING,
    (
        Paragraph(id="p1", kind="decision", text=text("one")),
        Paragraph(id="p2", kind="recommendation", text=text("two")),
    ),
)


async def test_a_communique_is_amended_adopted_and_published(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await communique.draft_communique(DRAFT, seeded, clock=clock)
    changed = await communique.propose_amendment(
        ProposeAmendment(MEETING, "MAR", text("amended"), paragraph_id="p1"), seeded, clock=clock
    )
    added = await communique.propose_amendment(
        ProposeAmendment(MEETING, "SEN", text("new")), seeded, clock=clock
    )
    refused = await communique.propose_amendment(
        ProposeAmendment(MEETING, "TUR", text("refused"), paragraph_id="p2"), seeded, clock=clock
    )
    with pytest.raises(Conflict):  # an amendment is still pending
        await communique.adopt_communique(AdoptCommunique(MEETING), seeded, clock=clock)
    for amendment, accepted in ((changed, True), (added, True), (refused, False)):
        await communique.decide_amendment(
            DecideAmendment(MEETING, amendment.id, accepted), seeded, clock=clock
        )
    adopted = await communique.adopt_communique(AdoptCommunique(MEETING), seeded, clock=clock)
    assert adopted.communique.adopted_at == NOW
    with pytest.raises(NotFound):  # not public before it is published
        await communique.communique(MEETING, seeded, published_only=True)
    await communique.publish_communique(PublishCommunique(MEETING), seeded, clock=clock)

    found = await communique.communique(MEETING, seeded, published_only=True)
    numbered = found.communique.numbered()
    assert [(p.number, p.text.en) for p in numbered] == [
        (1, "text amended"),
        (2, "text two"),
        (3, "text new"),
    ]
    assert [a.status for a in found.communique.amendments] == ["accepted", "accepted", "rejected"]
    proposed = seeded.events(CommuniqueAmendmentProposed)
    assert [e.proposed_by for e in proposed] == ["MAR", "SEN", "TUR"]  # type: ignore[attr-defined]
    (published,) = seeded.events(CommuniquePublished)
    assert isinstance(published, PublicPayload)
    assert isinstance(published, CommuniquePublished)
    assert [p.text.ar for p in published.paragraphs][2] == "نص new"
    assert seeded.events(CommuniqueAdopted)


async def test_an_adopted_communique_changes_no_more(seeded: FakeAgendaUnitOfWork) -> None:
    await communique.draft_communique(DRAFT, seeded, clock=clock)
    await communique.adopt_communique(AdoptCommunique(MEETING), seeded, clock=clock)
    with pytest.raises(Conflict):
        await communique.draft_communique(DRAFT, seeded, clock=clock)
    with pytest.raises(Conflict):
        await communique.propose_amendment(
            ProposeAmendment(MEETING, "MAR", text("late")), seeded, clock=clock
        )


async def test_a_paragraph_needs_its_three_languages(seeded: FakeAgendaUnitOfWork) -> None:
    draft = DraftCommunique(
        MEETING, (Paragraph(id="p1", kind="decision", text=Localized(en="only English")),)
    )
    with pytest.raises(InvalidInput) as refused:
        await communique.draft_communique(draft, seeded, clock=clock)
    assert refused.value.field == "paragraphs.0.text.ar"


async def test_an_amendment_is_a_member_states_delegation(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await communique.draft_communique(DRAFT, seeded, clock=clock)
    with pytest.raises(InvalidInput) as refused:
        await communique.propose_amendment(
            ProposeAmendment(MEETING, "FRA", text("x")), seeded, clock=clock
        )
    assert refused.value.field == "proposed_by"
    with pytest.raises(NotFound):
        await communique.propose_amendment(
            ProposeAmendment(MEETING, "MAR", text("x"), paragraph_id="p9"), seeded, clock=clock
        )


async def test_the_seeded_fourth_meeting_has_its_published_communique(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    found = await communique.communique(MEETING_ID, seeded, published_only=True)
    kinds = {p.kind for p in found.communique.paragraphs}
    assert kinds == {"decision", "recommendation"}
    assert all(p.text.complete for p in found.communique.paragraphs)
    assert found.communique.illustrative  # the concept note gives no text: marked so
