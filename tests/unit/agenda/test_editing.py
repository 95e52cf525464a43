"""Editing the draft programme on the in-memory unit of work: each use case answers
the session as it now is, and a refused edit leaves the draft as it was."""

from __future__ import annotations

from datetime import UTC, date, time, timedelta, timezone
from typing import Any

import pytest

from pesnet.agenda.domain.commands import (
    AddSession,
    EditSession,
    MoveSession,
    RemoveSession,
    ReplaceDraft,
)
from pesnet.agenda.domain.programme import Session, SessionEdit
from pesnet.agenda.service_layer import editing
from pesnet.agenda.service_layer.seed import MEETING_ID, seed_sessions
from pesnet.shared.catalog import PublicPayload
from pesnet.shared.credentials import StaffRole, account_actor
from pesnet.shared.errors import Conflict, InvalidInput, NotFound
from pesnet.shared.events.agenda import SessionAdded
from pesnet.shared.i18n import Localized
from tests.unit.agenda.fakes import FakeAgendaUnitOfWork

PLUS_ONE = timezone(timedelta(hours=1))


def side_event(**overrides: object) -> Session:
    values: dict[str, object] = {
        "id": "side-event",
        "kind": "presentation",
        "title": Localized(ar="عرض جانبي", en="Side event", fr="Événement parallèle"),
        "day": date(2024, 2, 29),
        "start": time(17, 30),
        "end": time(18, 30),
        "room": "Atlas",
    }
    values.update(overrides)
    return Session.model_validate(values)


async def session_in_draft(uow: FakeAgendaUnitOfWork, session_id: str) -> Session:
    return (await uow.drafts.get(MEETING_ID)).get(session_id)


async def test_an_added_session_is_in_the_draft_in_local_time(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    given = side_event(start=time(17, 30, tzinfo=PLUS_ONE), speakers=("erol",))

    added = await editing.add_session(AddSession(MEETING_ID, given), seeded)

    assert added.meeting.id == MEETING_ID
    assert (added.session.start, added.session.start.tzinfo) == (time(17, 30), None)
    assert added.session.starts_at(added.meeting).isoformat() == "2024-02-29T17:30:00+01:00"
    assert await session_in_draft(seeded, "side-event") == added.session
    # a draft's change is recorded for the audit trail, and published to nobody
    [event] = seeded.events()
    assert (type(event), seeded.committed[-1].subject) == (SessionAdded, "session/side-event")
    assert not isinstance(event, PublicPayload)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"day": date(2024, 3, 2)}, "day"),
        ({"end": time(17, 0)}, "end"),
        ({"speakers": ("nobody",)}, "speakers.0"),
        ({"start": time(17, 30, tzinfo=UTC)}, "start"),  # 18:30 there: never shifted
        ({"id": "opening"}, "id"),
    ],
)
async def test_a_session_that_breaks_a_rule_is_refused_naming_the_field(
    seeded: FakeAgendaUnitOfWork, overrides: dict[str, object], field: str
) -> None:
    before = await seeded.drafts.get(MEETING_ID)
    with pytest.raises((InvalidInput, Conflict)) as refused:
        await editing.add_session(AddSession(MEETING_ID, side_event(**overrides)), seeded)
    assert refused.value.field == field
    assert await seeded.drafts.get(MEETING_ID) == before


async def test_an_edit_changes_only_the_fields_given(seeded: FakeAgendaUnitOfWork) -> None:
    before = await session_in_draft(seeded, "session-2")
    edit = SessionEdit(
        given=frozenset({"room", "title", "kind"}),
        room="Atlas",
        title=Localized(ar="ع", en="T", fr="T"),
        kind=None,  # given as null: a kind cannot be removed, so it stays
    )

    edited = await editing.edit_session(EditSession(MEETING_ID, "session-2", edit), seeded)

    assert edited.session == before.model_copy(
        update={"room": "Atlas", "title": Localized(ar="ع", en="T", fr="T")}
    )
    assert await session_in_draft(seeded, "session-2") == edited.session


async def test_an_edit_can_open_the_end_and_empty_a_list(seeded: FakeAgendaUnitOfWork) -> None:
    edit = SessionEdit(given=frozenset({"end", "speakers", "description"}))

    edited = await editing.edit_session(EditSession(MEETING_ID, "session-2", edit), seeded)

    assert (edited.session.end, edited.session.speakers, edited.session.description) == (
        None,
        (),
        None,
    )


async def test_an_edit_that_puts_a_person_in_two_sessions_at_once_is_refused(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await editing.add_session(AddSession(MEETING_ID, side_event(speakers=("erol",))), seeded)
    await editing.move_session(MoveSession(MEETING_ID, "session-2", start=time(17)), seeded)
    before = await session_in_draft(seeded, "session-2")

    edit = SessionEdit(given=frozenset({"speakers"}), speakers=("erol",))
    with pytest.raises(InvalidInput) as refused:
        await editing.edit_session(EditSession(MEETING_ID, "session-2", edit), seeded)

    assert refused.value.field == "speakers"
    assert "side-event" in str(refused.value)
    assert await session_in_draft(seeded, "session-2") == before


async def test_a_move_keeps_the_duration(seeded: FakeAgendaUnitOfWork) -> None:
    later = await editing.move_session(MoveSession(MEETING_ID, "session-2", by_minutes=30), seeded)
    next_day = await editing.move_session(
        MoveSession(MEETING_ID, "session-2", day=date(2024, 3, 1), start=time(14)), seeded
    )

    assert (later.session.start, later.session.end) == (time(16, 15), time(17, 45))
    assert (next_day.session.day, next_day.session.start, next_day.session.end) == (
        date(2024, 3, 1),
        time(14),
        time(15, 30),
    )


@pytest.mark.parametrize(
    ("move", "field"),
    [
        ({"by_minutes": 30, "start": time(9)}, "by_minutes"),
        ({"by_minutes": 24 * 60}, "by_minutes"),
        ({}, "start"),
        ({"start": time(23)}, "start"),  # would end after midnight
    ],
)
async def test_a_move_that_cannot_be_made_names_the_field(
    seeded: FakeAgendaUnitOfWork, move: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await editing.move_session(MoveSession(MEETING_ID, "session-2", **move), seeded)
    assert refused.value.field == field


async def test_a_removed_session_is_gone_and_a_second_removal_is_not_found(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await editing.remove_session(RemoveSession(MEETING_ID, "dinner"), seeded)

    found = await editing.get_draft(MEETING_ID, seeded)
    assert "dinner" not in {s.id for s in found.draft.sessions}
    assert len(found.draft.sessions) == 15
    with pytest.raises(NotFound):
        await editing.remove_session(RemoveSession(MEETING_ID, "dinner"), seeded)
    with pytest.raises(NotFound):
        await editing.get_draft("pesnet-99", seeded)


async def test_the_whole_draft_is_replaced_only_if_every_session_is_valid(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    sessions = tuple(seed_sessions()[:3])
    draft = await editing.replace_draft(ReplaceDraft(MEETING_ID, sessions), seeded)
    assert draft.sessions == sessions

    clash = (*sessions, sessions[1].model_copy(update={"id": "twin"}))
    with pytest.raises(InvalidInput):
        await editing.replace_draft(ReplaceDraft(MEETING_ID, clash), seeded)
    assert (await seeded.drafts.get(MEETING_ID)).sessions == sessions


async def test_every_edit_is_in_the_audit_trail_with_its_actor(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    seeded.audited.clear()
    seeded.actor = account_actor("acc_editor", "sara", frozenset({StaffRole.programme_editor}))
    await editing.add_session(AddSession(MEETING_ID, side_event()), seeded)
    await editing.move_session(MoveSession(MEETING_ID, "side-event", by_minutes=15), seeded)
    await editing.remove_session(RemoveSession(MEETING_ID, "side-event"), seeded)
    assert [(e.actor, e.action, e.meeting_id, e.subject) for e in seeded.audited] == [
        ("acc_editor", "session.added", MEETING_ID, "side-event"),
        ("acc_editor", "session.moved", MEETING_ID, "side-event"),
        ("acc_editor", "session.removed", MEETING_ID, "side-event"),
    ]
    assert seeded.audited[0].roles == ("programme_editor",)
