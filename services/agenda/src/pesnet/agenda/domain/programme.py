"""Sessions and the programme draft the secretariat edits.

Times are local wall-clock times of the meeting's zone (see `localtime`); clashes
are computed on the real instants, so a session that straddles a clock change is
still compared correctly.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pesnet.agenda.domain.localtime import local_instant, wall_clock
from pesnet.agenda.domain.meeting import Meeting
from pesnet.shared.errors import Conflict, InvalidInput, NotFound
from pesnet.shared.i18n import LANGUAGES, Language, Localized
from pesnet.shared.terms import LANGUAGE_NAMES, listing
from pesnet.shared.translation import _

SessionKind = Literal[
    "registration",
    "opening",
    "presentation",
    "panel",
    "roundtable",
    "discussion",
    "break",
    "closing",
    "social",
]

# the sessions every participant attends (a presentation or panel concerns its people,
# and a break is no appointment): a personal calendar holds these and the person's own
PLENARY_KINDS: frozenset[str] = frozenset(
    {"registration", "opening", "roundtable", "discussion", "closing", "social"}
)


class Session(BaseModel):
    """One programme item. `end` None is an open end (the dinner, the cultural visit)."""

    model_config = ConfigDict(frozen=True)

    id: str
    day: date
    start: time
    end: time | None = None
    kind: SessionKind
    title: Localized
    description: Localized | None = None
    points: tuple[Localized, ...] = ()
    room: str | None = None
    moderators: tuple[str, ...] = ()
    moderating_institutions: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    interpretation_languages: tuple[Language, ...] = ()
    # People of this session whose registration was withdrawn: the session is
    # flagged until the secretariat replaces them (or they are confirmed again).
    flagged_people: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.flagged_people)

    @property
    def plenary(self) -> bool:
        return self.kind in PLENARY_KINDS

    def people(self) -> tuple[str, ...]:
        """Person ids with a role in the session: moderators first, then speakers."""
        seen: dict[str, None] = {}
        for person in (*self.moderators, *self.speakers):
            seen.setdefault(person, None)
        return tuple(seen)

    def starts_at(self, meeting: Meeting) -> datetime:
        return local_instant(self.day, self.start, meeting.zone, field="start")

    def ends_at(self, meeting: Meeting) -> datetime | None:
        if self.end is None:
            return None
        return local_instant(self.day, self.end, meeting.zone, field="end")

    def occupies(self, meeting: Meeting) -> tuple[datetime, datetime]:
        """The interval the session blocks its room and its people. An open end
        blocks until the end of that local day: nothing else can be put after the
        dinner in the same room without first giving the dinner an end."""
        start = self.starts_at(meeting)
        end = self.ends_at(meeting)
        if end is None:
            midnight = datetime.combine(self.day + timedelta(days=1), time(0), meeting.zone)
            end = midnight
        return start, end

    def content(self) -> Session:
        """The session without its working flags: what a release compares."""
        return self.model_copy(update={"flagged_people": ()})

    def public_texts(self) -> Iterable[tuple[str, Localized]]:
        yield "title", self.title
        if self.description is not None:
            yield "description", self.description
        for index, point in enumerate(self.points):
            yield f"points.{index}", point

    def in_zone_of(self, meeting: Meeting) -> Session:
        """The session with its times as wall-clock times of the meeting's zone: a
        time given with an offset must carry the zone's own offset that day."""
        zone = meeting.zone
        start = wall_clock(self.day, self.start, zone, field="start")
        end = wall_clock(self.day, self.end, zone, field="end") if self.end else None
        return self.model_copy(update={"start": start, "end": end})

    def moved(
        self,
        meeting: Meeting,
        *,
        by_minutes: int | None = None,
        day: date | None = None,
        start: time | None = None,
    ) -> Session:
        """Moved keeping its duration: by N minutes, or to a new day and/or start."""
        new_day = day or self.day
        if by_minutes is not None:
            if day is not None or start is not None:
                raise InvalidInput(_("give by_minutes, or day/start, not both"), field="by_minutes")
            begin = datetime.combine(self.day, self.start) + timedelta(minutes=by_minutes)
            if begin.date() != self.day:
                raise InvalidInput(_("that moves the session to another day"), field="by_minutes")
            new_start = begin.time()
        else:
            if start is None and day is None:
                raise InvalidInput(_("give by_minutes, or a new day and/or start"), field="start")
            new_start = (
                wall_clock(new_day, start, meeting.zone, field="start") if start else self.start
            )
        new_end = None
        if self.end is not None:
            duration = datetime.combine(self.day, self.end) - datetime.combine(self.day, self.start)
            finish = datetime.combine(new_day, new_start) + duration
            if finish.date() != new_day:
                raise InvalidInput(_("the session would end after midnight"), field="start")
            new_end = finish.time()
        return self.model_copy(update={"day": new_day, "start": new_start, "end": new_end})


def new_session_id() -> str:
    """The id of a session the secretariat added without choosing one."""
    return f"s-{secrets.token_hex(4)}"


@dataclass(frozen=True)
class SessionEdit:
    """A change of some fields of a session: only the names in `given` change. A list
    given as None empties it, a description given as None removes it, `end` given as
    None is an open end; a kind, title, day or start given as None changes nothing."""

    given: frozenset[str]
    kind: SessionKind | None = None
    title: Localized | None = None
    day: date | None = None
    start: time | None = None
    end: time | None = None
    description: Localized | None = None
    points: tuple[Localized, ...] | None = None
    room: str | None = None
    moderators: tuple[str, ...] | None = None
    moderating_institutions: tuple[str, ...] | None = None
    speakers: tuple[str, ...] | None = None
    interpretation_languages: tuple[Language, ...] | None = None

    def applied_to(self, meeting: Meeting, current: Session) -> Session:
        given = self.given
        update: dict[str, object] = {}
        if "kind" in given and self.kind is not None:
            update["kind"] = self.kind
        if "room" in given:
            update["room"] = self.room
        for name in (
            "moderators",
            "moderating_institutions",
            "speakers",
            "interpretation_languages",
        ):
            if name in given:
                update[name] = getattr(self, name) or ()
        if "title" in given and self.title is not None:
            update["title"] = self.title
        if "description" in given:
            update["description"] = self.description
        if "points" in given:
            update["points"] = self.points or ()
        update["day"] = self.day if "day" in given and self.day else current.day
        update["start"] = self.start if "start" in given and self.start else current.start
        update["end"] = self.end if "end" in given else current.end
        return current.model_copy(update=update).in_zone_of(meeting)


def describe(session: Session, language: str = "en") -> str:
    end = f"{session.end:%H:%M}" if session.end else "…"
    return f"{session.id} ({session.title.get(language)}, {session.day.isoformat()} {session.start:%H:%M}-{end})"


def described(session: Session) -> Localized:
    """A session named in a message, with its title in the message's language."""
    return Localized(**{lang.value: describe(session, lang) for lang in LANGUAGES})


@dataclass(frozen=True)
class Overlap:
    """Two sessions at once in the same room, or in a meeting of one room (no room
    given): possible in the draft, released only when the secretariat confirms it."""

    first: str
    second: str


def overlaps(meeting: Meeting, sessions: Sequence[Session]) -> list[Overlap]:
    """Every pair of sessions that share a room (or both have none) at the same time."""
    found: list[Overlap] = []
    ordered = sorted(sessions, key=lambda s: (s.day, s.start, s.id))
    for index, session in enumerate(ordered):
        begin, finish = session.occupies(meeting)
        for other in ordered[index + 1 :]:
            other_begin, other_finish = other.occupies(meeting)
            if not (begin < other_finish and other_begin < finish):
                continue
            same_room = (session.room or "").casefold() == (other.room or "").casefold()
            if same_room:
                found.append(Overlap(session.id, other.id))
    return found


def check_room_free(meeting: Meeting, session: Session, others: Sequence[Session]) -> None:
    """Refuse `session` where another one holds its room at the same time (the editor's
    pages refuse it at once; the API keeps it in the draft, shown as an overlap)."""
    for found in overlaps(meeting, [session, *(o for o in others if o.id != session.id)]):
        if session.id in (found.first, found.second):
            other = found.second if found.first == session.id else found.first
            raise InvalidInput(
                _("the room is taken at that time by session {session}"),
                field="start",
                params={"session": other},
            )


def check_session(meeting: Meeting, session: Session, others: Sequence[Session]) -> None:
    """Validate one session against the meeting and the rest of the draft."""
    _check_when(meeting, session)
    if not session.title.en and not session.title.fr and not session.title.ar:
        raise InvalidInput(_("a session has a title"), field="title")
    _check_who(meeting, session)
    for other in others:
        if other.id != session.id:
            _check_against(meeting, session, other)


def _check_when(meeting: Meeting, session: Session) -> None:
    """The session is on a day of the meeting, at a time that exists there, and ends
    after it starts."""
    if meeting.start_date is None or meeting.end_date is None:
        raise Conflict(
            _("the meeting's dates are not decided yet; sessions need them"), field="day"
        )
    if not meeting.start_date <= session.day <= meeting.end_date:
        raise InvalidInput(
            _("{day} is outside the meeting ({start} to {end})"),
            field="day",
            params={
                "day": session.day.isoformat(),
                "start": meeting.start_date.isoformat(),
                "end": meeting.end_date.isoformat(),
            },
        )
    start, _finish = session.occupies(meeting)  # refuses non-existent local times
    end = session.ends_at(meeting)
    if end is not None and end <= start:
        raise InvalidInput(
            _("the session ends ({end}) before it starts ({start})"),
            field="end",
            params={"end": f"{session.end:%H:%M}", "start": f"{session.start:%H:%M}"},
        )


def _check_who(meeting: Meeting, session: Session) -> None:
    """Its people and moderating institutions are the meeting's, each named once."""
    for role in ("moderators", "speakers"):
        for index, person in enumerate(getattr(session, role)):
            if person not in meeting.people:
                raise InvalidInput(
                    _("unknown person {person} (add the person to the meeting first)"),
                    field=f"{role}.{index}",
                    params={"person": person},
                )
    for index, institution in enumerate(session.moderating_institutions):
        if institution not in meeting.institutions:
            raise InvalidInput(
                _("unknown institution {institution}"),
                field=f"moderating_institutions.{index}",
                params={"institution": institution},
            )
    for role in ("moderators", "speakers", "moderating_institutions"):
        values = getattr(session, role)
        if len(set(values)) != len(values):
            raise InvalidInput(_("a name appears twice"), field=role)


def _check_against(meeting: Meeting, session: Session, other: Session) -> None:
    """At the same time as `other`, the session takes neither its room nor its people."""
    begin, finish = session.occupies(meeting)
    other_begin, other_finish = other.occupies(meeting)
    if not (begin < other_finish and other_begin < finish):
        return
    if session.room and other.room and session.room.casefold() == other.room.casefold():
        raise InvalidInput(
            _("room {room} is taken at that time by session {session}"),
            field="room",
            params={"room": session.room, "session": described(other)},
        )
    both = set(session.people()) & set(other.people())
    if both:
        person = sorted(both)[0]
        role = "speakers" if person in session.speakers else "moderators"
        raise InvalidInput(
            _("{person} is also in session {session}, which overlaps"),
            field=role,
            params={"person": person, "session": described(other)},
        )


class Draft(BaseModel):
    """The editable programme of one meeting."""

    model_config = ConfigDict(frozen=True)

    meeting_id: str
    sessions: tuple[Session, ...] = ()

    def ordered(self) -> tuple[Session, ...]:
        return tuple(sorted(self.sessions, key=lambda s: (s.day, s.start, s.id)))

    def follow(self, before: Meeting, after: Meeting) -> Draft:
        """The draft moved with its meeting's new dates (each session keeps its place
        among the days); a session the new days leave out is refused, named."""
        if before.start_date is None or after.start_date is None:
            return self
        shift = after.start_date - before.start_date
        moved = tuple(s.model_copy(update={"day": s.day + shift}) for s in self.sessions)
        days = set(after.days())
        for session in moved:
            if session.day not in days:
                raise InvalidInput(
                    _("session {session} would fall on {day}, outside the new days: "
                      "move or remove it in the programme first"),
                    field="end_date",
                    params={"session": session.id, "day": session.day.isoformat()},
                )  # fmt: skip
        return self.model_copy(update={"sessions": moved})

    def get(self, session_id: str) -> Session:
        for session in self.sessions:
            if session.id == session_id:
                return session
        raise NotFound(
            _("no session {session} in the programme of {meeting}"),
            params={"session": session_id, "meeting": self.meeting_id},
        )

    def add(self, meeting: Meeting, session: Session) -> Draft:
        if any(s.id == session.id for s in self.sessions):
            raise Conflict(
                _("session {session} exists already"), field="id", params={"session": session.id}
            )
        check_session(meeting, session, self.sessions)
        return self.model_copy(update={"sessions": (*self.sessions, session)})

    def replace(self, meeting: Meeting, session: Session) -> Draft:
        current = self.get(session.id)
        # a flag stays only for flagged people who are still in the session
        session = session.model_copy(
            update={
                "flagged_people": tuple(p for p in current.flagged_people if p in session.people())
            }
        )
        check_session(meeting, session, self.sessions)
        return self.model_copy(
            update={"sessions": tuple(session if s.id == session.id else s for s in self.sessions)}
        )

    def remove(self, session_id: str) -> Draft:
        self.get(session_id)
        return self.model_copy(
            update={"sessions": tuple(s for s in self.sessions if s.id != session_id)}
        )

    def flag_person(self, person_id: str) -> tuple[Draft, list[Session]]:
        """A person withdrew: flag every session they have a role in."""
        flagged: list[Session] = []
        sessions: list[Session] = []
        for session in self.sessions:
            if person_id in session.people() and person_id not in session.flagged_people:
                session = session.model_copy(
                    update={"flagged_people": (*session.flagged_people, person_id)}
                )
                flagged.append(session)
            sessions.append(session)
        return self.model_copy(update={"sessions": tuple(sessions)}), flagged

    def unflag_person(self, person_id: str) -> tuple[Draft, list[Session]]:
        """A withdrawn person is confirmed again: their sessions are no longer flagged for them."""
        cleared: list[Session] = []
        sessions: list[Session] = []
        for session in self.sessions:
            if person_id in session.flagged_people:
                session = session.model_copy(
                    update={
                        "flagged_people": tuple(p for p in session.flagged_people if p != person_id)
                    }
                )
                cleared.append(session)
            sessions.append(session)
        return self.model_copy(update={"sessions": tuple(sessions)}), cleared


def check_publishable(
    meeting: Meeting, sessions: Sequence[Session], confirmed_people: set[str]
) -> None:
    """What must hold before a draft becomes a public version."""
    if not sessions:
        raise InvalidInput(_("the programme has no sessions"), field="sessions")
    missing = meeting.title.missing()
    if missing:
        raise InvalidInput(
            _("the meeting title lacks {languages}"),
            field=f"meeting.title.{missing[0]}",
            params={"languages": listing(LANGUAGE_NAMES[lang] for lang in missing)},
        )
    for session in sessions:
        for path, text in session.public_texts():
            missing = text.missing()
            if missing:
                raise InvalidInput(
                    _(
                        "session {session}: the {text} lacks {languages}; every public text is "
                        "published in ar, en and fr"
                    ),
                    field=f"sessions.{session.id}.{path}.{missing[0]}",
                    params={
                        "session": session.id,
                        "text": path,
                        "languages": listing(LANGUAGE_NAMES[lang] for lang in missing),
                    },
                )
    for session in sessions:
        for role in ("moderators", "speakers"):
            for person_id in getattr(session, role):
                if person_id not in confirmed_people:
                    # named by the programme's id only: nothing else about the person
                    raise InvalidInput(
                        _(
                            "session {session}: {person} is not a confirmed participant of the "
                            "meeting; a speaker or moderator must be confirmed before a release"
                        ),
                        field=f"sessions.{session.id}.{role}",
                        params={"session": session.id, "person": person_id},
                    )
