"""What a purged meeting's programme keeps: sessions, roles, institutions; never a
name, an address or the id an editor made of a surname, the same in every version."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from pesnet.agenda.domain.meeting import Meeting, Person
from pesnet.agenda.domain.programme import Draft, Session
from pesnet.agenda.domain.purge import (
    people_changed,
    pseudonyms,
    purged_draft,
    purged_meeting,
    purged_release,
)
from pesnet.agenda.domain.release import Change, Release
from pesnet.shared.i18n import Localized

NAME = Localized.model_validate({"en": "Younes Sekkouri", "fr": "Younes Sekkouri"})


def meeting() -> Meeting:
    people = {
        "sekkouri": Person(id="sekkouri", name=NAME, email="y.s@example.org", institution="anapec"),
        "dur": Person(id="dur", name=Localized(en="Kaan Dur"), email="k.d@example.org"),
    }
    return Meeting(id="m", number=4, title=Localized(en="4th"), timezone="UTC", people=people)


def session() -> Session:
    return Session(
        id="s1",
        day=date(2024, 2, 29),
        start=time(9),
        kind="opening",
        title=Localized(en="Opening"),
        moderators=("dur",),
        speakers=("sekkouri",),
        flagged_people=("sekkouri",),
    )


def test_names_addresses_and_name_like_ids_go_the_roles_and_institutions_stay() -> None:
    names = pseudonyms([meeting()], [session()])
    assert names == {"dur": "person-001", "sekkouri": "person-002"}
    purged = purged_meeting(meeting(), names)
    assert set(purged.people) == {"person-001", "person-002"}
    minister = purged.people["person-002"]
    assert minister.name == Localized()
    assert minister.email == ""
    assert minister.institution == "anapec"
    draft = purged_draft(Draft(meeting_id="m", sessions=(session(),)), names)
    assert draft.sessions[0].speakers == ("person-002",)
    assert draft.sessions[0].moderators == ("person-001",)
    assert draft.sessions[0].flagged_people == ("person-002",)


def test_a_release_says_that_speakers_changed_never_who() -> None:
    change = Change(
        kind="speakers_changed",
        session_id="s1",
        title=Localized(en="Opening"),
        summary=Localized(en="Speakers and moderators: added Younes Sekkouri"),
        people=("sekkouri",),
    )
    release = Release(
        meeting_id="m",
        version=2,
        released_at=datetime(2024, 2, 1, tzinfo=UTC),
        meeting=meeting(),
        sessions=(session(),),
        changes=(change,),
    )
    names = pseudonyms([meeting(), release.meeting], release.sessions)
    purged = purged_release(release, names)
    assert "Sekkouri" not in purged.model_dump_json()
    assert "sekkouri" not in purged.model_dump_json()
    assert purged.changes[0].summary == people_changed()
    assert purged.changes[0].people == ("person-002",)
    # purged twice, the same
    assert purged_release(purged, pseudonyms([purged.meeting], purged.sessions)) == purged
