"""Programme releases: immutable numbered versions with a changelog against the
previous version (pretalx's model). A release carries everything needed to render
it later (the meeting's details, people and institutions as they were), so every
past version stays readable exactly as it was published."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pesnet.agenda.domain.meeting import Meeting
from pesnet.agenda.domain.programme import Session, check_publishable, overlaps
from pesnet.agenda.domain.wording import PACKAGE, said
from pesnet.shared.errors import Conflict
from pesnet.shared.i18n import LANGUAGES, Localized, format_local_date
from pesnet.shared.terms import listing
from pesnet.shared.translation import NC_, Term, _

ChangeKind = Literal["added", "removed", "moved", "retitled", "speakers_changed", "changed"]


class Change(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: ChangeKind
    session_id: str
    title: Localized
    summary: Localized
    # the people (person ids) this change concerns: the session's moderators and
    # speakers before and after it
    people: tuple[str, ...] = ()


class Release(BaseModel):
    model_config = ConfigDict(frozen=True)

    meeting_id: str
    version: int
    released_at: datetime
    meeting: Meeting
    sessions: tuple[Session, ...]
    changes: tuple[Change, ...]

    def person_sessions(self, person_id: str) -> list[Session]:
        return [s for s in self.sessions if person_id in s.people()]


class ReleaseSummary(BaseModel):
    """A version in the list of releases: when, and its changelog (no sessions)."""

    model_config = ConfigDict(frozen=True)

    version: int
    released_at: datetime
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class ProgrammeView:
    """What a rendering shows: a release, or the current draft (version None)."""

    meeting: Meeting
    sessions: Sequence[Session]
    version: int | None = None
    released_at: datetime | None = None
    changes: Sequence[Change] = field(default_factory=tuple)
    # the meeting's host and chair institutions as the reference names them now
    # ("host", "chair" → the name in the three languages)
    institutions: Mapping[str, Localized] = field(default_factory=dict)

    @classmethod
    def of_release(cls, release: Release) -> ProgrammeView:
        return cls(
            meeting=release.meeting,
            sessions=release.sessions,
            version=release.version,
            released_at=release.released_at,
            changes=release.changes,
        )

    def ordered(self) -> list[Session]:
        return sorted(self.sessions, key=lambda s: (s.day, s.start, s.id))

    def for_person(self, person_id: str | None) -> ProgrammeView:
        """A participant's own calendar: the plenaries, which concern everyone, and the
        sessions the person (None: a participant without a role) speaks or moderates in."""
        mine = [s for s in self.sessions if s.plenary or (person_id and person_id in s.people())]
        ids = {s.id for s in mine}
        return replace(
            self,
            sessions=mine,
            changes=[c for c in self.changes if c.session_id in ids or person_id in c.people],
        )


def changelog(
    meeting: Meeting, previous: Release | None, sessions: Sequence[Session]
) -> list[Change]:
    """What changed from `previous` (None: the first version) to `sessions`, session by
    session in programme order, then the sessions removed."""
    before = {s.id: s.content() for s in previous.sessions} if previous else {}
    after = {s.id: s.content() for s in sessions}
    old_meeting = previous.meeting if previous else meeting
    changes: list[Change] = []
    for session in sorted(after.values(), key=_programme_order):
        old = before.get(session.id)
        if old is None:
            changes.append(_change("added", session, _added(session), session.people()))
        elif old != session:
            changes.extend(_changes_of(old, session, old_meeting, meeting))
    for old in sorted(before.values(), key=_programme_order):
        if old.id not in after:
            changes.append(_change("removed", old, _removed(old), old.people()))
    return changes


def _programme_order(session: Session) -> tuple[object, ...]:
    return (session.day, session.start, session.id)


def _change(
    kind: ChangeKind, session: Session, summary: Localized, people: tuple[str, ...]
) -> Change:
    return Change(
        kind=kind, session_id=session.id, title=session.title, summary=summary, people=people
    )


def _changes_of(
    old: Session, session: Session, old_meeting: Meeting, meeting: Meeting
) -> list[Change]:
    """One change of each kind a session went through (moved, retitled, its people,
    its other details)."""
    people = tuple(dict.fromkeys((*old.people(), *session.people())))
    summaries: list[tuple[ChangeKind, Localized | None]] = [
        ("moved", _moved(old, session)),
        ("retitled", _retitled(old, session)),
        ("speakers_changed", _people_changed(old, session, old_meeting, meeting)),
        ("changed", _details_changed(old, session)),
    ]
    return [_change(kind, session, summary, people) for kind, summary in summaries if summary]


def _span(session: Session) -> Localized:
    """When a session is, in each language: "Thursday, 29 February 2024 09:30–11:00"."""

    def in_language(language: str) -> str:
        day = format_local_date(session.day, language, "full")
        end = f"{session.end:%H:%M}" if session.end else "…"
        return f"{day} {session.start:%H:%M}–{end}"

    return Localized(**{language.value: in_language(language) for language in LANGUAGES})


def _added(session: Session) -> Localized:
    return said(_("New session: {span}"), span=_span(session))


def _removed(old: Session) -> Localized:
    return said(_("Removed from the programme (was {span})"), span=_span(old))


def _moved(old: Session, session: Session) -> Localized | None:
    if (old.day, old.start, old.end) == (session.day, session.start, session.end):
        return None
    return said(_("Moved from {before} to {after}"), before=_span(old), after=_span(session))


def _retitled(old: Session, session: Session) -> Localized | None:
    if old.title == session.title:
        return None
    return said(_("Title changed, was “{title}”"), title=old.title)


def _people_changed(
    old: Session, session: Session, old_meeting: Meeting, meeting: Meeting
) -> Localized | None:
    """Who joined and who left the session's speakers and moderators (named as the
    programme names them, those who left as the previous version did)."""
    if (old.moderators, old.speakers, old.moderating_institutions) == (
        session.moderators,
        session.speakers,
        session.moderating_institutions,
    ):
        return None
    added = _names(meeting, [p for p in session.people() if p not in old.people()])
    removed = _names(old_meeting, [p for p in old.people() if p not in session.people()])
    if added and removed:
        return said(
            _("Speakers and moderators: added {added}; removed {removed}"),
            added=added,
            removed=removed,
        )
    if added:
        return said(_("Speakers and moderators: added {added}"), added=added)
    if removed:
        return said(_("Speakers and moderators: removed {removed}"), removed=removed)
    return said(_("Speakers and moderators: order or roles changed"))


def _names(meeting: Meeting, people: Sequence[str]) -> Localized | None:
    if not people:
        return None
    return listing(
        meeting.people[p].name if p in meeting.people else Localized.everywhere(p) for p in people
    )


# the details a session's other changes name, in the order they are named
SESSION_DETAILS: dict[str, Term] = {
    "kind": NC_("session detail", "type", PACKAGE),
    "description": NC_("session detail", "description", PACKAGE),
    "points": NC_("session detail", "points", PACKAGE),
    "room": NC_("session detail", "room", PACKAGE),
    "interpretation_languages": NC_("session detail", "interpretation", PACKAGE),
}


def _details_changed(old: Session, session: Session) -> Localized | None:
    changed = [
        detail
        for name, detail in SESSION_DETAILS.items()
        if getattr(old, name) != getattr(session, name)
    ]
    if not changed:
        return None
    return said(_("Details changed: {details}"), details=listing(changed))


def _meeting_facts(meeting: Meeting) -> Meeting:
    """The meeting as a release keeps it (without the working state of the next-meeting decision)."""
    return meeting.model_copy(update={"next_meeting": None})


def _shown(meeting: Meeting, sessions: Sequence[Session]) -> tuple[object, ...]:
    """What a rendered programme shows of the meeting: a change elsewhere (registration
    opening, a person's e-mail) does not make a new version."""
    people = {p for s in sessions for p in s.people()}
    institutions = {i for s in sessions for i in s.moderating_institutions} | {
        meeting.people[p].institution for p in people if p in meeting.people
    }
    return (
        meeting.title,
        meeting.city,
        meeting.venue,
        meeting.country,
        meeting.timezone,
        meeting.start_date,
        meeting.end_date,
        meeting.interpretation_languages,
        sorted(
            (p.id, p.name, p.honorific, p.position, p.institution)
            for p in meeting.people.values()
            if p.id in people
        ),
        sorted(
            (i.id, i.name, i.acronym) for i in meeting.institutions.values() if i.id in institutions
        ),
    )


def release(
    meeting: Meeting,
    previous: Release | None,
    sessions: Sequence[Session],
    confirmed_people: set[str],
    released_at: datetime,
    *,
    confirm_overlaps: bool = False,
) -> Release:
    """Publish `sessions` as the next version, or refuse (422 what is missing, 409
    nothing changed, or sessions overlap and `confirm_overlaps` was not given)."""
    ordered = tuple(s.content() for s in sorted(sessions, key=lambda s: (s.day, s.start, s.id)))
    check_publishable(meeting, ordered, confirmed_people)
    found = overlaps(meeting, ordered)
    if found and not confirm_overlaps:
        raise Conflict(
            _(
                "sessions overlap in the same room: {pairs}; release with confirm_overlaps "
                "to publish them as they are"
            ),
            field="confirm_overlaps",
            params={"pairs": ", ".join(f"{o.first} / {o.second}" for o in found)},
        )
    changes = changelog(meeting, previous, ordered)
    facts = _meeting_facts(meeting)
    if (
        previous is not None
        and not changes
        and _shown(previous.meeting, previous.sessions) == _shown(facts, ordered)
    ):
        raise Conflict(
            _("the draft is identical to version {version}; nothing to release"),
            params={"version": previous.version},
        )
    return Release(
        meeting_id=meeting.id,
        version=(previous.version + 1) if previous else 1,
        released_at=released_at,
        meeting=facts,
        sessions=ordered,
        changes=tuple(changes),
    )


def affected_people(changes: Sequence[Change]) -> dict[str, list[str]]:
    """person id → the ids of the changed sessions they have (or had) a role in."""
    result: dict[str, list[str]] = {}
    for change in changes:
        for person in change.people:
            ids = result.setdefault(person, [])
            if change.session_id not in ids:
                ids.append(change.session_id)
    return result
