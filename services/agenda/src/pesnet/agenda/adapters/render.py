"""Rendering a programme (a release, or the draft): JSON, HTML in ar/en/fr, iCalendar.

Every time is shown in the meeting's zone with the offset the tz database gives
for that date (Marrakech, 29 February 2024: UTC+01:00). Texts fall back
requested language → en → fr → ar; Arabic pages are right-to-left.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event
from jinja2 import Environment, PackageLoader, select_autoescape

from pesnet.agenda.adapters.labels import KIND_LABELS, LABELS
from pesnet.agenda.domain.localtime import format_offset
from pesnet.agenda.domain.meeting import Meeting
from pesnet.agenda.domain.programme import Session
from pesnet.agenda.domain.release import ProgrammeView
from pesnet.shared.i18n import direction, format_local_date, list_separator
from pesnet.shared.terms import LANGUAGE_NAMES

_templates = Environment(
    loader=PackageLoader("pesnet.agenda.adapters", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _person_names(meeting: Meeting, ids: Sequence[str], lang: str) -> list[str]:
    names = []
    for person_id in ids:
        person = meeting.people.get(person_id)
        if person is None:
            names.append(person_id)
            continue
        text = person.label(lang)
        extra = []
        if person.position:
            extra.append(person.position.get(lang))
        if person.institution and person.institution in meeting.institutions:
            extra.append(meeting.institutions[person.institution].label(lang))
        if not text:  # a purged meeting: the institution alone, never a name
            names.append(extra[-1] if extra else "—")
            continue
        if extra:
            text += f" ({', '.join(extra) if lang != 'ar' else '، '.join(extra)})"
        names.append(text)
    return names


def _institution_names(meeting: Meeting, ids: Sequence[str], lang: str) -> list[str]:
    return [meeting.institutions[i].label(lang) if i in meeting.institutions else i for i in ids]


def session_json(meeting: Meeting, session: Session, lang: str | None) -> dict[str, Any]:
    starts = session.starts_at(meeting)
    ends = session.ends_at(meeting)
    doc: dict[str, Any] = {
        "id": session.id,
        "day": session.day.isoformat(),
        "start": f"{session.start:%H:%M}",
        "end": f"{session.end:%H:%M}" if session.end else None,
        "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat() if ends else None,
        "utc_offset": format_offset(starts.utcoffset()),
        "kind": session.kind,
        "title": session.title.model_dump(),
        "description": session.description.model_dump() if session.description else None,
        "points": [p.model_dump() for p in session.points],
        "room": session.room,
        "moderators": list(session.moderators),
        "moderating_institutions": list(session.moderating_institutions),
        "speakers": list(session.speakers),
        "interpretation_languages": list(session.interpretation_languages),
        "flagged": session.flagged,
        "flagged_people": list(session.flagged_people),
    }
    if lang:
        doc["text"] = {
            "title": session.title.get(lang),
            "kind": KIND_LABELS[session.kind].get(lang),
            "description": session.description.get(lang) if session.description else None,
            "points": [p.get(lang) for p in session.points],
            "moderators": _person_names(meeting, session.moderators, lang),
            "moderating_institutions": _institution_names(
                meeting, session.moderating_institutions, lang
            ),
            "speakers": _person_names(meeting, session.speakers, lang),
        }
    return doc


def programme_json(view: ProgrammeView, lang: str | None) -> dict[str, Any]:
    meeting = view.meeting
    people_used = {p for s in view.sessions for p in s.people()}
    return {
        "meeting_id": meeting.id,
        "version": view.version,
        "status": "released" if view.version else "draft",
        "released_at": view.released_at.isoformat() if view.released_at else None,
        "language": lang,
        "direction": direction(lang or "en"),
        "timezone": meeting.timezone,
        "title": meeting.title.model_dump(),
        "sessions": [session_json(meeting, s, lang) for s in view.ordered()],
        "people": {
            p.id: {
                "name": p.name.model_dump(),
                "honorific": p.honorific.model_dump() if p.honorific else None,
                "position": p.position.model_dump() if p.position else None,
                "institution": p.institution,
            }
            for p in meeting.people.values()
            if p.id in people_used
        },
        "changes": [
            {
                "kind": c.kind,
                "session_id": c.session_id,
                "title": c.title.model_dump(),
                "summary": c.summary.model_dump(),
            }
            for c in view.changes
        ],
    }


def programme_html(view: ProgrammeView, lang: str) -> str:
    meeting = view.meeting
    days, offsets = _html_days(view, lang)
    sep = "، " if lang == "ar" else ", "
    template = _templates.get_template("programme.html")
    return template.render(
        lang=lang,
        dir=direction(lang),
        title=meeting.title.get(lang),
        place=_place_and_dates(meeting, lang, sep),
        version=view.version,
        released_on=_released_on(view, lang),
        zone_name=meeting.city.get(lang) if meeting.city else meeting.timezone,
        utc_offsets=" / ".join(offsets),
        interpretation=sep.join(
            LANGUAGE_NAMES[code].get(lang) for code in meeting.interpretation_languages
        ),
        labels={key: value.get(lang) for key, value in LABELS.items()},
        days=days,
        institutions=[
            (LABELS[role].get(lang), name.get(lang)) for role, name in view.institutions.items()
        ],
        sep=sep,
        # French typography puts a (non-breaking) space before a colon
        colon="\u00a0: " if lang == "fr" else ": ",
        changes=[
            {
                "kind": c.kind,
                "session_id": c.session_id,
                "title": c.title.get(lang),
                "summary": c.summary.get(lang),
            }
            for c in view.changes
        ],
    )


def _html_days(view: ProgrammeView, lang: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The programme's days with their sessions, and the UTC offsets its times have
    (two where the zone shifts during the meeting)."""
    days: list[dict[str, Any]] = []
    offsets: list[str] = []
    for session in view.ordered():
        offset = format_offset(session.starts_at(view.meeting).utcoffset())
        if offset not in offsets:
            offsets.append(offset)
        if not days or days[-1]["iso"] != session.day.isoformat():
            days.append(
                {
                    "iso": session.day.isoformat(),
                    "label": format_local_date(session.day, lang, "full"),
                    "sessions": [],
                }
            )
        days[-1]["sessions"].append(_html_session(view.meeting, session, lang))
    return days, offsets


def _html_session(meeting: Meeting, session: Session, lang: str) -> dict[str, Any]:
    ends = session.ends_at(meeting)
    return {
        "id": session.id,
        "kind": session.kind,
        "kind_label": KIND_LABELS[session.kind].get(lang),
        "start": f"{session.start:%H:%M}",
        "end": f"{session.end:%H:%M}" if session.end else None,
        "starts_at": session.starts_at(meeting).isoformat(),
        "ends_at": ends.isoformat() if ends else None,
        "title": session.title.get(lang),
        "description": session.description.get(lang) if session.description else None,
        "points": [p.get(lang) for p in session.points],
        "room": session.room,
        "moderators": _person_names(meeting, session.moderators, lang),
        "moderating_institutions": _institution_names(
            meeting, session.moderating_institutions, lang
        ),
        "speakers": _person_names(meeting, session.speakers, lang),
        "flagged": session.flagged,
    }


def _place_and_dates(meeting: Meeting, lang: str, sep: str) -> str:
    """ "Palmeraie Conference Centre, Marrakech, 29 February 2024 – 1 March 2024"."""
    place = sep.join(
        x
        for x in (
            meeting.venue.get(lang) if meeting.venue else "",
            meeting.city.get(lang) if meeting.city else "",
        )
        if x
    )
    if meeting.start_date and meeting.end_date:
        dates = (
            f"{format_local_date(meeting.start_date, lang, 'long')} – "
            f"{format_local_date(meeting.end_date, lang, 'long')}"
        )
        place = f"{place}{sep if place else ''}{dates}"
    return place


def _released_on(view: ProgrammeView, lang: str) -> str:
    if view.released_at is None:
        return ""
    local = view.released_at.astimezone(view.meeting.zone)
    return f"{format_local_date(local.date(), lang, 'long')} {local:%H:%M}"


def programme_ics(view: ProgrammeView, lang: str, *, calendar_name: str | None = None) -> str:
    """iCalendar (RFC 5545): one VEVENT per session, local times with the meeting's
    VTIMEZONE, stable UIDs and SEQUENCE = version so that calendars update in place."""
    meeting = view.meeting
    calendar = Calendar()
    calendar.add("prodid", "-//OIC-PESNET//agenda//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name or meeting.title.get(lang))
    calendar.add("x-wr-timezone", meeting.timezone)
    stamp = view.released_at or datetime.now(UTC)
    for session in view.ordered():
        calendar.add_component(_ics_event(view, session, lang, stamp))
    if view.sessions:
        first = min(s.day for s in view.sessions)
        last = max(s.day for s in view.sessions)
        calendar.add_missing_timezones(
            first_date=first - timedelta(days=366), last_date=last + timedelta(days=366)
        )
    text: str = calendar.to_ical().decode()
    return text


def _ics_event(view: ProgrammeView, session: Session, lang: str, stamp: datetime) -> Event:
    meeting = view.meeting
    event = Event()
    event.add("uid", f"{session.id}@{meeting.id}.pesnet")
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("sequence", view.version or 0)
    event.add("summary", session.title.get(lang))
    event.add("dtstart", session.starts_at(meeting))
    ends = session.ends_at(meeting)
    if ends is not None:
        event.add("dtend", ends)
    description = _ics_description(meeting, session, lang)
    if description:
        event.add("description", description)
    location = list_separator(lang).join(
        x
        for x in (
            session.room or "",
            meeting.venue.get(lang) if meeting.venue else "",
            meeting.city.get(lang) if meeting.city else "",
        )
        if x
    )
    if location:
        event.add("location", location)
    event.add("categories", [KIND_LABELS[session.kind].get(lang)])
    event.add("status", "TENTATIVE" if session.flagged else "CONFIRMED")
    return event


def _ics_description(meeting: Meeting, session: Session, lang: str) -> str:
    """The session's description, its points, who moderates and who speaks."""
    lines = []
    if session.description:
        lines.append(session.description.get(lang))
    lines.extend(f"- {p.get(lang)}" for p in session.points)
    moderators = _person_names(meeting, session.moderators, lang) + _institution_names(
        meeting, session.moderating_institutions, lang
    )
    if moderators:
        lines.append(f"{LABELS['moderators'].get(lang)}: {list_separator(lang).join(moderators)}")
    speakers = _person_names(meeting, session.speakers, lang)
    if speakers:
        lines.append(f"{LABELS['speakers'].get(lang)}: {list_separator(lang).join(speakers)}")
    return "\n".join(lines)


def meeting_ics(meeting: Meeting, lang: str, stamp: datetime) -> str:
    """The meeting itself as one all-day event over its days, at its venue (the same
    UID at each change, a higher SEQUENCE: calendars move it in place)."""
    calendar = Calendar()
    calendar.add("prodid", "-//OIC-PESNET//agenda//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{meeting.id}.pesnet")
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("sequence", int(stamp.timestamp()) // 60)
    event.add("summary", meeting.title.get(lang))
    if meeting.start_date is not None and meeting.end_date is not None:
        event.add("dtstart", meeting.start_date)
        event.add("dtend", meeting.end_date + timedelta(days=1))
    place = [t.get(lang) for t in (meeting.venue, meeting.city) if t is not None]
    if place:
        event.add("location", list_separator(lang).join(place))
    calendar.add_component(event)
    text: str = calendar.to_ical().decode()
    return text


class ProgrammeRenderer:
    """The renderers above, as the service layer's `ProgrammeRenderer` protocol."""

    def html(self, view: ProgrammeView, lang: str) -> str:
        return programme_html(view, lang)

    def ics(self, view: ProgrammeView, lang: str) -> str:
        return programme_ics(view, lang)

    def meeting_ics(self, meeting: Meeting, lang: str, stamp: datetime) -> str:
        return meeting_ics(meeting, lang, stamp)

    def json(self, view: ProgrammeView, lang: str | None) -> dict[str, Any]:
        return programme_json(view, lang)

    def session_json(self, meeting: Meeting, session: Session, lang: str | None) -> dict[str, Any]:
        return session_json(meeting, session, lang)
