"""Publishing the programme and reading its versions, on the in-memory unit of work."""

from __future__ import annotations

import pytest

from pesnet.agenda.domain.commands import (
    ForgetParticipants,
    MoveSession,
    PublishProgramme,
    RecordParticipant,
)
from pesnet.agenda.domain.meeting import Meeting
from pesnet.agenda.domain.release import ProgrammeView
from pesnet.agenda.service_layer import editing, releases
from pesnet.agenda.service_layer.participants import forget_participants, record_participant
from pesnet.agenda.service_layer.seed import MEETING_ID
from pesnet.shared.errors import Conflict, InvalidInput, NotFound
from pesnet.shared.events.agenda import ProgrammeReleased, ReleaseNoticesPrepared
from pesnet.shared.events.common import ParticipantStatus
from pesnet.shared.i18n import Localized
from tests.unit.agenda.fakes import NOW, FakeAgendaUnitOfWork, FakeCalendar, clock, participant

SESSION_2_PEOPLE = {"souhail", "el-kasbaoui", "el-harrane", "jai-kumar", "abboudou"}
PUBLISH = PublishProgramme(MEETING_ID)


async def programme_people(uow: FakeAgendaUnitOfWork) -> list[str]:
    meeting = await uow.meetings.get(MEETING_ID)
    assert isinstance(meeting, Meeting)
    return list(meeting.people)


async def confirm_everyone(uow: FakeAgendaUnitOfWork) -> None:
    for person_id in await programme_people(uow):
        await record_participant(RecordParticipant(participant(person_id)), uow)


def released_versions(uow: FakeAgendaUnitOfWork) -> list[int]:
    return [e.version for e in uow.events(ProgrammeReleased) if isinstance(e, ProgrammeReleased)]


async def test_nothing_is_published_while_a_speaker_is_not_confirmed(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)
    assert refused.value.field == "sessions.opening.speakers"
    assert await seeded.releases.latest(MEETING_ID) is None
    assert seeded.events() == []


async def test_version_1_lists_every_session_and_concerns_every_confirmed_person(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await confirm_everyone(seeded)

    published = await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)

    assert (published.release.version, published.release.released_at) == (1, NOW)
    assert {c.kind for c in published.release.changes} == {"added"}
    assert len(published.release.changes) == 16
    assert {a.registration_id for a in published.affected} == {
        f"reg-{p}" for p in await programme_people(seeded)
    }
    [event] = seeded.events(ProgrammeReleased)
    assert event == published.event
    assert isinstance(event, ProgrammeReleased)
    assert event.sessions[0].starts_at.isoformat() == "2024-02-29T09:00:00+01:00"
    [notices] = seeded.events(ReleaseNoticesPrepared)
    assert notices == published.notices
    assert isinstance(notices, ReleaseNoticesPrepared)
    assert notices.affected == published.affected
    assert notices.ics == "calendar v1 en (16 sessions)"
    assert notices.ics_by_language == {
        lang: f"calendar v1 {lang} (16 sessions)" for lang in ("ar", "en", "fr")
    }
    assert seeded.releases.affected[(MEETING_ID, 1)] == published.affected


async def test_version_2_names_the_moved_session_and_exactly_its_people(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await confirm_everyone(seeded)
    await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)
    await editing.move_session(MoveSession(MEETING_ID, "session-2", by_minutes=30), seeded)

    second = await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)

    assert second.release.version == 2
    assert [(c.kind, c.session_id) for c in second.release.changes] == [("moved", "session-2")]
    assert {a.registration_id: a.session_ids for a in second.affected} == {
        f"reg-{p}": ["session-2"] for p in SESSION_2_PEOPLE
    }
    assert released_versions(seeded) == [1, 2]


async def test_publishing_an_unchanged_draft_again_is_a_conflict(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await confirm_everyone(seeded)
    await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)

    with pytest.raises(Conflict):
        await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)
    assert released_versions(seeded) == [1]


async def test_every_version_stays_readable_and_the_history_is_newest_first(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await confirm_everyone(seeded)
    await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)
    await editing.move_session(MoveSession(MEETING_ID, "session-2", by_minutes=30), seeded)
    await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)

    def start_of_session_2(view: ProgrammeView) -> str:
        return next(f"{s.start:%H:%M}" for s in view.sessions if s.id == "session-2")

    latest = await releases.programme(MEETING_ID, seeded)
    first = await releases.programme(MEETING_ID, seeded, version=1)
    history = await releases.release_history(MEETING_ID, seeded)

    assert (latest.version, start_of_session_2(latest)) == (2, "16:15")
    assert (first.version, start_of_session_2(first)) == (1, "15:45")
    assert [(h.version, len(h.changes)) for h in history] == [(2, 1), (1, 16)]
    with pytest.raises(NotFound) as missing:
        await releases.programme(MEETING_ID, seeded, version=3)
    assert missing.value.field == "query.version"  # where the request said it


async def test_nothing_published_is_not_found(seeded: FakeAgendaUnitOfWork) -> None:
    with pytest.raises(NotFound):
        await releases.programme(MEETING_ID, seeded)
    assert await releases.release_history(MEETING_ID, seeded) == []
    with pytest.raises(NotFound):
        await releases.release_history("pesnet-99", seeded)


PLENARIES = [
    "registration",
    "dinner",
    "action-plan",
    "action-plan-continued",
    "exchange-of-views",
    "closing",
    "cultural-visit",
]


async def test_a_participant_sees_their_own_sessions_and_the_plenaries(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await confirm_everyone(seeded)
    await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)

    mine = await releases.programme(MEETING_ID, seeded, registration_id="reg-dur")

    assert sorted(s.id for s in mine.sessions) == sorted([*PLENARIES, "opening", "session-1"])


async def test_a_confirmed_delegate_without_a_role_has_the_plenaries_as_calendar(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await confirm_everyone(seeded)
    await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)
    await record_participant(RecordParticipant(participant("delegate")), seeded)

    mine = await releases.programme(MEETING_ID, seeded, registration_id="reg-delegate")

    assert sorted(s.id for s in mine.sessions) == sorted([*PLENARIES, "opening"])


async def test_a_registration_without_a_role_in_the_programme_has_no_calendar(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await confirm_everyone(seeded)
    await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)
    await record_participant(
        RecordParticipant(participant("delegate", ParticipantStatus.registered)), seeded
    )

    for registration_id in ("reg-delegate", "reg-unknown"):
        with pytest.raises(NotFound) as refused:
            await releases.programme(MEETING_ID, seeded, registration_id=registration_id)
        assert refused.value.field == "registration_id"


async def test_the_public_release_names_nobody_and_the_notices_say_whom_to_tell(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await confirm_everyone(seeded)
    published = await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)
    named = Localized(ar="أُضيف: سهيل", en="added Souhail", fr="ajout : Souhail")
    change = published.notices.changes[0].model_copy(
        update={"kind": "speakers_changed", "summary": named}
    )
    notices = published.notices.model_copy(update={"changes": [change]})

    public = releases.programme_released(notices).model_dump(mode="json")

    assert not {"affected", "ics", "ics_by_language"} & set(public)
    assert "Souhail" not in str(public)
    assert public["changes"][0]["summary"]["en"] == "Speakers or moderators changed"
    assert "reg-" not in str(published.event.model_dump(mode="json"))


async def test_after_the_purge_the_programme_is_released_as_it_stands_telling_nobody(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await confirm_everyone(seeded)
    await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)
    await forget_participants(ForgetParticipants(MEETING_ID), seeded)
    draft = await seeded.drafts.get(MEETING_ID)
    retitled = [
        s.model_copy(update={"title": s.title.model_copy(update={"en": "Opening"})})
        if s.id == "opening"
        else s
        for s in draft.sessions
    ]
    await seeded.drafts.save(draft.model_copy(update={"sessions": tuple(retitled)}))

    second = await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)

    assert second.release.version == 2
    assert second.affected == []


async def test_the_draft_shows_its_changes_against_the_last_release(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await confirm_everyone(seeded)
    before_any = await editing.get_draft(MEETING_ID, seeded)
    assert len(before_any.changes) == 16
    assert {c.kind for c in before_any.changes} == {"added"}
    await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)
    assert (await editing.get_draft(MEETING_ID, seeded)).changes == []

    await editing.move_session(MoveSession(MEETING_ID, "session-2", by_minutes=30), seeded)

    draft = await editing.get_draft(MEETING_ID, seeded)
    assert [(c.kind, c.session_id) for c in draft.changes] == [("moved", "session-2")]
    assert draft.overlaps == []


async def test_a_session_moved_over_the_tea_break_is_flagged_and_released_only_if_confirmed(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await confirm_everyone(seeded)
    await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)
    # one room: session 1 (14:00-15:30) moved by 15 minutes runs into the tea break
    await editing.move_session(MoveSession(MEETING_ID, "session-1", by_minutes=15), seeded)

    draft = await editing.get_draft(MEETING_ID, seeded)
    assert [(o.first, o.second) for o in draft.overlaps] == [("session-1", "tea-break-day-1")]
    with pytest.raises(Conflict) as refused:
        await releases.publish(PUBLISH, seeded, calendar=FakeCalendar(), clock=clock)
    assert refused.value.field == "confirm_overlaps"
    assert "session-1 / tea-break-day-1" in refused.value.text

    confirmed = PublishProgramme(MEETING_ID, confirm_overlaps=True)
    second = await releases.publish(confirmed, seeded, calendar=FakeCalendar(), clock=clock)
    assert second.release.version == 2
