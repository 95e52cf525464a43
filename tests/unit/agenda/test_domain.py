"""The agenda's rules, on the domain alone (no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from pesnet.agenda.domain.chairmanship import AlreadyRecorded, ChairHolder, Chairmanship, ChairTerm
from pesnet.agenda.domain.localtime import local_instant, wall_clock, zone_of
from pesnet.agenda.domain.meeting import Meeting, Person, ordinal_title
from pesnet.agenda.domain.programme import Draft, Session
from pesnet.agenda.domain.release import affected_people, release
from pesnet.agenda.service_layer.seed import seed_meeting, seed_sessions
from pesnet.shared.errors import Conflict, InvalidInput
from pesnet.shared.i18n import Localized

CASABLANCA = zone_of("Africa/Casablanca")
NOW = datetime(2024, 2, 20, 10, 0, tzinfo=UTC)
SESSION_2_PEOPLE = {"souhail", "el-kasbaoui", "el-harrane", "jai-kumar", "abboudou"}


@pytest.fixture
def meeting() -> Meeting:
    return seed_meeting()


@pytest.fixture
def draft(meeting: Meeting) -> Draft:
    draft = Draft(meeting_id=meeting.id)
    for session in seed_sessions():
        draft = draft.add(meeting, session)
    return draft


def everyone(meeting: Meeting) -> set[str]:
    return set(meeting.people)


def panel(**overrides: object) -> Session:
    values: dict[str, object] = {
        "id": "extra",
        "day": date(2024, 2, 29),
        "start": time(19, 0),
        "end": time(19, 20),
        "kind": "panel",
        "title": Localized(ar="جلسة", en="Extra session", fr="Séance supplémentaire"),
    }
    values.update(overrides)
    return Session.model_validate(values)


# local times -----------------------------------------------------------------
def test_marrakech_is_utc_plus_one_on_the_meeting_days_and_utc_during_ramadan() -> None:
    assert local_instant(
        date(2024, 2, 29), time(9), CASABLANCA, field="start"
    ).utcoffset() == timedelta(hours=1)
    # Morocco sets its clocks back for Ramadan (2024: 10 March to 14 April)
    assert local_instant(
        date(2024, 3, 20), time(9), CASABLANCA, field="start"
    ).utcoffset() == timedelta(0)


def test_a_local_time_the_clock_skips_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        local_instant(date(2024, 4, 14), time(2, 30), CASABLANCA, field="start")
    assert err.value.field == "start"
    assert "does not exist" in err.value.text


def test_a_local_time_that_happens_twice_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        local_instant(date(2024, 3, 10), time(2, 30), CASABLANCA, field="end")
    assert err.value.field == "end"
    assert "twice" in err.value.text


def test_a_time_with_the_zones_own_offset_is_taken_as_is() -> None:
    given = time(15, 45, tzinfo=timezone(timedelta(hours=1)))
    assert wall_clock(date(2024, 2, 29), given, CASABLANCA, field="start") == time(15, 45)


def test_a_time_with_another_offset_is_refused_not_shifted() -> None:
    with pytest.raises(InvalidInput) as err:
        wall_clock(date(2024, 2, 29), time(15, 45, tzinfo=UTC), CASABLANCA, field="start")
    assert err.value.field == "start"
    assert "+01:00" in err.value.text
    assert "never shifted" in err.value.text


def test_an_unknown_time_zone_names_the_field() -> None:
    with pytest.raises(InvalidInput) as err:
        zone_of("Africa/Marrakesh")
    assert err.value.field == "timezone"


# the seeded programme ----------------------------------------------------------
def test_the_seed_programme_runs_from_registration_to_the_cultural_visit(draft: Draft) -> None:
    sessions = draft.ordered()
    assert len(sessions) == 16
    assert (sessions[0].day, sessions[0].start, sessions[0].title.en) == (
        date(2024, 2, 29),
        time(9, 0),
        "Registration",
    )
    assert (sessions[-1].day, sessions[-1].start, sessions[-1].end, sessions[-1].title.en) == (
        date(2024, 3, 1),
        time(17, 30),
        None,
        "Cultural visit",
    )
    session_2 = draft.get("session-2")
    assert set(session_2.people()) == SESSION_2_PEOPLE


# session validation ------------------------------------------------------------
def test_a_session_outside_the_meeting_days_is_refused(meeting: Meeting, draft: Draft) -> None:
    with pytest.raises(InvalidInput) as err:
        draft.add(meeting, panel(day=date(2024, 3, 2)))
    assert err.value.field == "day"


def test_a_session_ending_before_it_starts_is_refused(meeting: Meeting, draft: Draft) -> None:
    with pytest.raises(InvalidInput) as err:
        draft.add(meeting, panel(start=time(18, 0), end=time(17, 0)))
    assert err.value.field == "end"


def test_two_sessions_in_one_room_at_once_are_refused(meeting: Meeting) -> None:
    draft = Draft(meeting_id=meeting.id).add(
        meeting, panel(id="a", room="Atlas", start=time(10), end=time(11))
    )
    with pytest.raises(InvalidInput) as err:
        draft.add(meeting, panel(id="b", room="atlas", start=time(10, 30), end=time(12)))
    assert err.value.field == "room"
    assert "a (" in err.value.text
    # back to back is fine
    draft.add(meeting, panel(id="c", room="Atlas", start=time(11), end=time(12)))


def test_an_open_end_blocks_the_room_for_the_rest_of_the_day(meeting: Meeting) -> None:
    draft = Draft(meeting_id=meeting.id).add(
        meeting, panel(id="dinner", room="Garden", start=time(19, 30), end=None)
    )
    with pytest.raises(InvalidInput) as err:
        draft.add(meeting, panel(id="late", room="Garden", start=time(22), end=time(23)))
    assert err.value.field == "room"


def test_a_person_in_two_overlapping_sessions_is_refused(meeting: Meeting, draft: Draft) -> None:
    # Varol Dur speaks in Session 1 (14:00-15:30)
    with pytest.raises(InvalidInput) as err:
        draft.add(meeting, panel(start=time(15), end=time(16), speakers=("dur",)))
    assert err.value.field == "speakers"
    assert "session-1" in err.value.text


def test_an_unknown_person_is_refused(meeting: Meeting, draft: Draft) -> None:
    with pytest.raises(InvalidInput) as err:
        draft.add(meeting, panel(moderators=("nobody",)))
    assert err.value.field == "moderators.0"


def test_moving_a_session_onto_another_with_the_same_speaker_is_refused(
    meeting: Meeting, draft: Draft
) -> None:
    session_1 = draft.get("session-1")
    opening = draft.get("opening")  # Varol Dur speaks in both
    with pytest.raises(InvalidInput) as err:
        draft.replace(
            meeting,
            session_1.model_copy(update={"day": opening.day, "start": time(10), "end": time(11)}),
        )
    assert err.value.field == "speakers"


# releases ----------------------------------------------------------------------
def test_the_first_release_lists_every_session_as_added(meeting: Meeting, draft: Draft) -> None:
    first = release(meeting, None, draft.sessions, everyone(meeting), NOW)
    assert first.version == 1
    assert [c.kind for c in first.changes] == ["added"] * 16


def test_moving_session_2_names_it_and_exactly_its_moderator_and_speakers(
    meeting: Meeting, draft: Draft
) -> None:
    first = release(meeting, None, draft.sessions, everyone(meeting), NOW)
    session_2 = draft.get("session-2")
    moved = draft.replace(
        meeting, session_2.model_copy(update={"start": time(16, 15), "end": time(17, 45)})
    )
    second = release(meeting, first, moved.sessions, everyone(meeting), NOW)
    assert second.version == 2
    assert [(c.kind, c.session_id) for c in second.changes] == [("moved", "session-2")]
    assert "15:45–17:15" in second.changes[0].summary.get("en")
    assert "16:15–17:45" in second.changes[0].summary.get("en")
    assert second.changes[0].summary.ar
    assert second.changes[0].summary.fr
    affected = affected_people(second.changes)
    assert set(affected) == SESSION_2_PEOPLE
    assert all(ids == ["session-2"] for ids in affected.values())
    # version 1 is untouched
    assert first.sessions[7].start == time(15, 45)


def test_retitle_speaker_change_and_removal_are_in_the_changelog(
    meeting: Meeting, draft: Draft
) -> None:
    first = release(meeting, None, draft.sessions, everyone(meeting), NOW)
    overview = draft.get("overview")
    changed = draft.replace(
        meeting,
        overview.model_copy(
            update={
                "title": Localized(ar="عرض جديد", en="New overview", fr="Nouvelle présentation"),
                "speakers": ("demirtas",),
            }
        ),
    ).remove("dinner")
    second = release(meeting, first, changed.sessions, everyone(meeting), NOW)
    kinds = {(c.kind, c.session_id) for c in second.changes}
    assert kinds == {
        ("retitled", "overview"),
        ("speakers_changed", "overview"),
        ("removed", "dinner"),
    }
    speakers_change = next(c for c in second.changes if c.kind == "speakers_changed")
    assert "Eser Erol" in speakers_change.summary.get("en")
    # the removed speaker hears about it too
    assert set(affected_people(second.changes)) == {"demirtas", "erol"}


def test_a_release_identical_to_the_last_is_a_conflict(meeting: Meeting, draft: Draft) -> None:
    first = release(meeting, None, draft.sessions, everyone(meeting), NOW)
    with pytest.raises(Conflict):
        release(meeting, first, draft.sessions, everyone(meeting), NOW)
    # a flag is working state, not content
    flagged, _ = draft.flag_person("abboudou")
    with pytest.raises(Conflict):
        release(meeting, first, flagged.sessions, everyone(meeting), NOW)


def test_publishing_refuses_a_title_without_french(meeting: Meeting, draft: Draft) -> None:
    draft = draft.replace(
        meeting,
        draft.get("closing").model_copy(update={"title": Localized(ar="ختام", en="Closing")}),
    )
    with pytest.raises(InvalidInput) as err:
        release(meeting, None, draft.sessions, everyone(meeting), NOW)
    assert err.value.field == "sessions.closing.title.fr"


def test_publishing_refuses_a_speaker_who_is_not_confirmed(meeting: Meeting, draft: Draft) -> None:
    with pytest.raises(InvalidInput) as err:
        release(meeting, None, draft.sessions, everyone(meeting) - {"jai-kumar"}, NOW)
    assert err.value.field == "sessions.session-2.speakers"
    # named by the programme's id: the person's address is nobody else's business
    assert "jai-kumar is not a confirmed participant" in err.value.text
    assert "@" not in err.value.text


def test_a_withdrawal_flags_every_session_of_the_person(meeting: Meeting, draft: Draft) -> None:
    flagged_draft, flagged = draft.flag_person("dur")
    assert sorted(s.id for s in flagged) == ["opening", "session-1"]
    assert flagged_draft.get("session-1").flagged
    # replacing the speaker clears the flag
    session_1 = flagged_draft.get("session-1")
    fixed = flagged_draft.replace(
        meeting, session_1.model_copy(update={"speakers": ("assri", "zanati-serghini", "sbibi")})
    )
    assert not fixed.get("session-1").flagged
    assert fixed.get("opening").flagged
    cleared, sessions = fixed.unflag_person("dur")
    assert [s.id for s in sessions] == ["opening"]
    assert not cleared.get("opening").flagged


# meetings ----------------------------------------------------------------------
def test_the_closing_session_decides_the_next_meeting(meeting: Meeting) -> None:
    decided, decision = meeting.decide_next_meeting("2025-11", NOW)
    assert (decision.meeting_id, decision.number) == ("pesnet-5", 5)
    assert decided.next_meeting == decision
    assert ordinal_title(5).get("en").startswith("5th Meeting")
    assert decided.decide_next_meeting("2025-11", NOW)[1] == decision  # same decision again
    with pytest.raises(Conflict):
        decided.decide_next_meeting("2026-01", NOW)
    with pytest.raises(InvalidInput) as err:
        meeting.decide_next_meeting("2024-01", NOW)
    assert err.value.field == "tentative_month"


def test_two_people_cannot_share_an_email(meeting: Meeting) -> None:
    with pytest.raises(Conflict):
        meeting.with_person(
            Person(id="someone", name=Localized(en="Someone"), email="Sekkouri@example.org")
        )


# chairmanship ------------------------------------------------------------------
ISKUR = ChairHolder(
    institution="iskur",
    name=Localized(
        ar="وكالة التوظيف التركية", en="Turkish Employment Agency", fr="Agence turque pour l'emploi"
    ),
    acronym="İŞKUR",
    country="TUR",
    oic_group="asian",
)
ANAPEC = ChairHolder(
    institution="anapec",
    name=Localized(ar="الوكالة", en="ANAPEC", fr="ANAPEC"),
    acronym="ANAPEC",
    country="MAR",
    oic_group="arab",
)


def test_a_handover_closes_the_current_term_and_opens_the_next() -> None:
    state = Chairmanship().record_term(ChairTerm(holder=ISKUR, term="2021-2023"))
    state, outgoing, incoming = state.hand_over(
        ANAPEC, effective_date=date(2024, 2, 29), term="2024-2026", meeting_id="pesnet-4"
    )
    assert outgoing is not None
    assert outgoing.holder.institution == "iskur"
    assert outgoing.to_date == date(2024, 2, 29)
    assert state.current == incoming
    assert incoming.holder.oic_group == "arab"
    assert [t.holder.institution for t in state.past] == ["iskur"]
    with pytest.raises(AlreadyRecorded):
        state.hand_over(
            ANAPEC, effective_date=date(2024, 2, 29), term="2024-2026", meeting_id="pesnet-4"
        )


def test_a_chair_in_the_wrong_oic_group_names_the_field() -> None:
    with pytest.raises(InvalidInput) as err:
        Chairmanship().hand_over(
            ANAPEC.model_copy(update={"oic_group": "african"}),
            effective_date=date(2024, 2, 29),
            term="2024-2026",
            meeting_id=None,
        )
    assert err.value.field == "incoming.oic_group"
