"""The projection of registrations on the in-memory unit of work: the latest state
wins, a withdrawn speaker flags their sessions (and the session's other people hear
of it without being told who), a confirmation clears the flag, a purge forgets."""

from __future__ import annotations

from datetime import timedelta

from pesnet.agenda.domain.commands import ForgetParticipants, RecordParticipant
from pesnet.agenda.domain.participants import Participant
from pesnet.agenda.service_layer.participants import (
    forget_participants,
    list_participants,
    record_participant,
)
from pesnet.agenda.service_layer.seed import MEETING_ID
from pesnet.shared.events.agenda import SessionChanged, SessionChangeNoticesPrepared
from pesnet.shared.events.common import ParticipantStatus
from tests.unit.agenda.fakes import NOW, FakeAgendaUnitOfWork, participant

SESSION_2_OTHERS = {"souhail", "el-kasbaoui", "el-harrane", "abboudou"}


async def record(uow: FakeAgendaUnitOfWork, registration: Participant) -> None:
    await record_participant(RecordParticipant(registration), uow)


def changes(uow: FakeAgendaUnitOfWork) -> list[SessionChanged]:
    return [e for e in uow.events(SessionChanged) if isinstance(e, SessionChanged)]


async def flagged(uow: FakeAgendaUnitOfWork) -> dict[str, tuple[str, ...]]:
    draft = await uow.drafts.get(MEETING_ID)
    return {s.id: s.flagged_people for s in draft.sessions if s.flagged}


async def test_the_projection_keeps_each_registration_with_its_programme_person(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await record(seeded, participant("souhail", ParticipantStatus.registered))
    await record(seeded, participant("souhail", as_of=NOW + timedelta(minutes=1)))
    await record(seeded, participant("delegate", ParticipantStatus.waitlisted))

    everyone = await list_participants(MEETING_ID, seeded)
    confirmed = await list_participants(MEETING_ID, seeded, status="confirmed")

    assert [(p.participant.email, p.participant.status, p.person_id) for p in everyone] == [
        ("delegate@example.org", ParticipantStatus.waitlisted, None),
        ("souhail@example.org", ParticipantStatus.confirmed, "souhail"),
    ]
    assert [p.person_id for p in confirmed] == ["souhail"]
    assert changes(seeded) == []


async def test_an_older_event_does_not_undo_a_newer_one(seeded: FakeAgendaUnitOfWork) -> None:
    await record(seeded, participant("souhail"))
    await record(
        seeded,
        participant("souhail", ParticipantStatus.registered, as_of=NOW - timedelta(hours=1)),
    )

    stored = await seeded.participants.get("reg-souhail")
    assert stored is not None
    assert stored.status == ParticipantStatus.confirmed


async def test_a_withdrawn_speaker_flags_the_session_and_tells_its_other_people(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    for person_id in (*SESSION_2_OTHERS, "jai-kumar"):
        await record(seeded, participant(person_id))

    await record(
        seeded,
        participant("jai-kumar", ParticipantStatus.withdrawn, as_of=NOW + timedelta(minutes=1)),
    )

    assert await flagged(seeded) == {"session-2": ("jai-kumar",)}
    [change] = changes(seeded)
    assert (change.session_id, change.change, change.flagged) == (
        "session-2",
        "speaker_withdrawn",
        True,
    )
    assert change.summary.en == "A speaker withdrew; the session is under review"
    assert "jai" not in change.model_dump_json().lower()  # a public event names nobody
    assert "reg-" not in change.model_dump_json()
    [prepared] = seeded.events(SessionChangeNoticesPrepared)
    assert isinstance(prepared, SessionChangeNoticesPrepared)
    assert set(prepared.affected_registration_ids) == {f"reg-{p}" for p in SESSION_2_OTHERS}


async def test_a_moderator_no_longer_confirmed_flags_and_a_confirmation_clears(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await record(seeded, participant("souhail"))
    await record(
        seeded,
        participant("souhail", ParticipantStatus.waitlisted, as_of=NOW + timedelta(minutes=1)),
    )
    assert await flagged(seeded) == {"session-2": ("souhail",)}

    await record(seeded, participant("souhail", as_of=NOW + timedelta(minutes=2)))

    assert await flagged(seeded) == {}
    assert [(c.change, c.flagged, c.summary.en) for c in changes(seeded)] == [
        ("speaker_withdrawn", True, "The moderator withdrew; the session is under review"),
        ("updated", False, "The moderator who had withdrawn is confirmed again"),
    ]


async def test_a_confirmed_address_that_changes_unlinks_the_old_person(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await record(seeded, participant("dur"))
    await record(
        seeded,
        participant("dur", email="someone-else@example.org", as_of=NOW + timedelta(minutes=1)),
    )

    assert await flagged(seeded) == {"opening": ("dur",), "session-1": ("dur",)}
    assert {c.session_id for c in changes(seeded)} == {"opening", "session-1"}


async def test_a_registration_of_an_unknown_meeting_is_kept_without_effect(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await record(seeded, participant("souhail", meeting_id="other-meeting"))

    assert await seeded.participants.get("reg-souhail") is not None
    assert changes(seeded) == []


async def test_a_purge_forgets_the_meetings_registrations(seeded: FakeAgendaUnitOfWork) -> None:
    await record(seeded, participant("souhail"))
    await record(seeded, participant("dur"))
    await record(seeded, participant("elsewhere", meeting_id="other-meeting"))

    removed = await forget_participants(ForgetParticipants(MEETING_ID), seeded)

    assert removed == 2
    assert await list_participants(MEETING_ID, seeded) == []
    assert seeded.forgotten_meetings == [MEETING_ID]  # its published release notices
    assert await seeded.participants.get("reg-elsewhere") is not None


async def test_an_address_in_capitals_links_the_same_programme_person(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await record(seeded, participant("souhail", email="Souhail@Example.ORG"))

    [found] = await list_participants(MEETING_ID, seeded)
    assert (found.participant.email, found.person_id) == ("souhail@example.org", "souhail")
