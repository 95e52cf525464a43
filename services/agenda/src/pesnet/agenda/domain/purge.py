"""What remains of a meeting's programme once its personal data is purged: the
sessions, their roles and the people's institutions, never a person's name, honorific,
position or address. The purge reaches the meeting, its draft and every release the
same way, so that the public programme of every version says the same thing.

A person's id is a slug an editor chose, often the surname (`sekkouri`), so it goes
too: every person of the meeting becomes `person-001`, `person-002`, ... (in the order
of their old ids, the same in the meeting, the draft and each release). A change of a
release that listed who was added or removed says only that the speakers or
moderators changed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pesnet.agenda.domain.meeting import Meeting, Person
from pesnet.agenda.domain.programme import Draft, Session
from pesnet.agenda.domain.release import Change, Release
from pesnet.agenda.domain.wording import said
from pesnet.shared.i18n import Localized
from pesnet.shared.translation import _


def people_changed() -> Localized:
    """What a purged release says of a change of its speakers or moderators."""
    return said(_("Speakers and moderators changed"))


Pseudonyms = Mapping[str, str]


def pseudonyms(meetings: Iterable[Meeting], sessions: Iterable[Session]) -> dict[str, str]:
    """The new id of every person `meetings` (the meeting, and as each release saw it)
    or `sessions` name."""
    ids = {person for meeting in meetings for person in meeting.people}
    for session in sessions:
        ids.update(session.people())
        ids.update(session.flagged_people)
    return {old: f"person-{n:03d}" for n, old in enumerate(sorted(ids), start=1)}


def _renamed(ids: tuple[str, ...], names: Pseudonyms) -> tuple[str, ...]:
    return tuple(names.get(i, i) for i in ids)


def purged_person(person: Person, names: Pseudonyms) -> Person:
    """The person's place in the programme: an id and an institution, no name."""
    return Person(
        id=names.get(person.id, person.id),
        name=Localized(),
        email="",
        institution=person.institution,
    )


def purged_meeting(meeting: Meeting, names: Pseudonyms) -> Meeting:
    people = {names.get(p.id, p.id): purged_person(p, names) for p in meeting.people.values()}
    return meeting.model_copy(update={"people": people})


def purged_session(session: Session, names: Pseudonyms) -> Session:
    return session.model_copy(
        update={
            "moderators": _renamed(session.moderators, names),
            "speakers": _renamed(session.speakers, names),
            "flagged_people": _renamed(session.flagged_people, names),
        }
    )


def purged_draft(draft: Draft, names: Pseudonyms) -> Draft:
    return draft.model_copy(
        update={"sessions": tuple(purged_session(s, names) for s in draft.sessions)}
    )


def purged_change(change: Change, names: Pseudonyms) -> Change:
    update: dict[str, object] = {"people": _renamed(change.people, names)}
    if change.kind == "speakers_changed":
        update["summary"] = people_changed()
    return change.model_copy(update=update)


def purged_release(release: Release, names: Pseudonyms) -> Release:
    return release.model_copy(
        update={
            "meeting": purged_meeting(release.meeting, names),
            "sessions": tuple(purged_session(s, names) for s in release.sessions),
            "changes": tuple(purged_change(c, names) for c in release.changes),
        }
    )


__all__ = [
    "people_changed",
    "pseudonyms",
    "purged_draft",
    "purged_meeting",
    "purged_release",
]
