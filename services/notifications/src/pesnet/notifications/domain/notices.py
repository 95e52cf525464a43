"""From an event to the notices it causes: which kind, for whom, with what data.

Each builder checks that the event carries what the template needs and raises
`MissingData` naming the field otherwise (the event is then dead-lettered rather
than sent half-empty). Pure: the projections it needs are passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pesnet.notifications.domain.model import (
    BADGE_LINK,
    MANAGE_LINK,
    Attachment,
    MissingData,
    Notice,
)
from pesnet.shared.events.actionplan import CooperationProposed, ProgressReviewed, ReminderDue
from pesnet.shared.events.agenda import (
    ChairmanshipTransferred,
    MeetingRescheduled,
    ReleaseNoticesPrepared,
    SessionChangeNoticesPrepared,
)
from pesnet.shared.events.common import ParticipantStatus
from pesnet.shared.events.registration import (
    AnnouncementMade,
    ParticipantCheckedIn,
    ParticipantConfirmed,
    ParticipantEvent,
    ParticipantRegistered,
    ParticipantRejected,
    ParticipantWaitlisted,
    ParticipantWithdrawn,
)
from pesnet.shared.i18n import Language, Localized

# the notice each change of a registration causes (a correction causes none)
REGISTRATION_KIND: dict[type[ParticipantEvent], str] = {
    ParticipantRegistered: "registration_received",
    ParticipantConfirmed: "registration_confirmed",
    ParticipantWaitlisted: "registration_waitlisted",
    ParticipantRejected: "registration_rejected",
    ParticipantWithdrawn: "registration_withdrawn",
    ParticipantCheckedIn: "checked_in",
}


@dataclass(frozen=True)
class Meeting:
    """What notifications knows of a meeting (from `agenda.meeting.scheduled`)."""

    meeting_id: str
    timezone: str = "UTC"
    title: Localized | None = None
    city: Localized | None = None
    venue: Localized | None = None
    start_date: date | None = None
    end_date: date | None = None
    # online or hybrid: the join link, for the mails of its participants only
    attendance_mode: str = "in_person"
    join_url: str | None = None

    def join_link_for(self, person: Person | None) -> str | None:
        """The link to join online: for a meeting that has one, and (when the mail is for
        a person) for a person it confirmed; never for one still waiting for a decision,
        nor, in a hybrid meeting, for one who comes on site (who has no use for it)."""
        if self.attendance_mode == "in_person" or not self.join_url:
            return None
        if person is None:
            return self.join_url
        on_site = self.attendance_mode == "hybrid" and person.attendance == "on_site"
        return self.join_url if person.attending and not on_site else None

    def context(self, language: str, person: Person | None = None) -> dict[str, Any]:
        return {
            "attendance_mode": self.attendance_mode,
            "join_url": self.join_link_for(person),
            "id": self.meeting_id,
            "title": (self.title.get(language) if self.title else "") or self.meeting_id,
            "city": self.city.get(language) if self.city else None,
            "venue": self.venue.get(language) if self.venue else None,
            "timezone": self.timezone,
            "start_date": self.start_date,
            "end_date": self.end_date,
        }


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    language: Language
    registration_id: str | None = None
    # confirmed for the meeting the mail is about (an online meeting's link is theirs)
    attending: bool = False
    # on site or online in a hybrid meeting (on site: no join link); None: not said
    attendance: str | None = None


def require_text(value: str | None, field: str) -> str:
    if value is None or not value.strip():
        raise MissingData(field)
    return value.strip()


def require_localized(value: Localized | None, field: str, language: str) -> str:
    text = value.get(language) if value is not None else ""
    if not text.strip():
        raise MissingData(field)
    return text


def participant_name(payload: ParticipantEvent) -> str:
    parts = [payload.honorific, payload.given_name.strip(), payload.family_name.strip()]
    return " ".join(p for p in parts if p)


def registration_notice(payload: ParticipantEvent, meeting: Meeting, language: Language) -> Notice:
    kind = REGISTRATION_KIND[type(payload)]
    require_text(payload.registration_id, "data.registration_id")
    if not (payload.given_name.strip() or payload.family_name.strip()):
        raise MissingData("data.given_name")
    context: dict[str, Any] = {
        "name": participant_name(payload),
        "given_name": payload.given_name.strip(),
        "family_name": payload.family_name.strip(),
        "name_latin": payload.name_latin,
        "registration_id": payload.registration_id,
        "institution": payload.institution,
        "position": payload.position,
        "role": payload.role,
        "country": payload.country,
        "status": payload.status,
        # a hybrid meeting's online participant collects no badge, and only they (and
        # everyone of an online meeting) get the join link
        "attendance": payload.attendance,
        "meeting": meeting.context(language, registrant_of(payload, language)),
        "registered_at": None,
        "promoted": False,
        "waitlist_position": None,
        "reason": None,
        "withdrawn_by": None,
        "checked_in_at": None,
        "manage_url": None,
        "badge_url": None,
    }
    manage = _manage_link(payload)
    if manage is not None and kind in MANAGED_KINDS:
        # the registrant's own links, signed into the mail when it is sent
        context["manage_url"] = MANAGE_LINK
    if isinstance(payload, ParticipantRegistered):
        context["registered_at"] = payload.registered_at
    elif isinstance(payload, ParticipantConfirmed):
        context["promoted"] = payload.promoted_from_waitlist
        if manage is not None:
            context["badge_url"] = BADGE_LINK
    elif isinstance(payload, ParticipantWaitlisted):
        context["waitlist_position"] = payload.waitlist_position
    elif isinstance(payload, ParticipantRejected):
        context["reason"] = (payload.reason or "").strip() or None
    elif isinstance(payload, ParticipantWithdrawn):
        context["withdrawn_by"] = payload.withdrawn_by
    elif isinstance(payload, ParticipantCheckedIn):
        context["checked_in_at"] = payload.checked_in_at
    return Notice(
        kind,
        payload.email,
        language,
        context,
        meeting_id=payload.meeting_id,
        manage_link=manage if context["manage_url"] else None,
    )


def registrant_of(payload: ParticipantEvent, language: Language) -> Person:
    """The person a mail about their own registration goes to, as the event tells it."""
    return Person(
        payload.email,
        participant_name(payload),
        language,
        payload.registration_id,
        attending=payload.status == ParticipantStatus.confirmed,
        attendance=payload.attendance,
    )


# The mails that carry the registrant's manage link: every one while the registration
# can still be read, corrected or withdrawn (a rejected or withdrawn registration has
# nothing left to manage; its mail says so without a link that would act on it).
MANAGED_KINDS = frozenset(
    {"registration_received", "registration_confirmed", "registration_waitlisted"}
)


def _manage_link(payload: ParticipantEvent) -> dict[str, Any] | None:
    """Where the registrant's manage link goes (only a web page) and its version."""
    page = (payload.manage_page or "").strip()
    if not page.startswith(("https://", "http://")) or not payload.manage_link_version:
        return None
    return {
        "page": page,
        "registration_id": payload.registration_id,
        "version": payload.manage_link_version,
    }


def _ics(payload: ReleaseNoticesPrepared, language: Language) -> Attachment:
    """The calendar in the recipient's language when agenda sent one, else the common one."""
    localized = (payload.ics_by_language or {}).get(language)
    ics = localized if localized and localized.strip() else payload.ics
    if ics is None or not ics.strip():
        raise MissingData("data.ics")
    # kept byte for byte: iCalendar lines end in CRLF
    return Attachment(f"{payload.meeting_id}-v{payload.version}.ics", "text/calendar", ics)


def with_join_link(calendar: Attachment, url: str | None) -> Attachment:
    """The calendar file with the link to join online in each of its events (`URL`, and
    RFC 7986's `CONFERENCE`, which calendar applications show as a join button): the
    public calendar never has it, the one a confirmed participant gets does."""
    if url is None:
        return calendar
    lines = [f"URL:{url}", f"CONFERENCE;VALUE=URI;FEATURE=VIDEO:{url}"]
    added = "".join(folded(line) for line in lines)
    content = calendar.content.replace("END:VEVENT\r\n", added + "END:VEVENT\r\n")
    return Attachment(calendar.filename, calendar.content_type, content)


def folded(line: str) -> str:
    """An iCalendar content line folded at 75 octets (RFC 5545 3.1), never inside a
    character, with its CRLF."""
    parts: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # a continuation line starts with a space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts) + "\r\n"


def programme_notice(
    payload: ReleaseNoticesPrepared,
    meeting: Meeting,
    person: Person,
    affected_session_ids: list[str] | None,
) -> Notice:
    """'New version' for a confirmed participant, 'your session changed' for one
    whose session the release changed (`affected_session_ids`)."""
    lang = person.language
    attachment = with_join_link(_ics(payload, lang), meeting.join_link_for(person))
    changes = [
        {
            "kind": c.kind,
            "session_id": c.session_id,
            "title": require_localized(c.title, f"data.changes.{i}.title", lang),
            "summary": c.summary.get(lang),
        }
        for i, c in enumerate(payload.changes)
    ]
    base: dict[str, Any] = {
        "name": person.name,
        "meeting": {
            **meeting.context(lang, person),
            "timezone": payload.timezone or meeting.timezone,
        },
        "version": payload.version,
        "released_at": payload.released_at,
        "changes": changes,
    }
    if affected_session_ids is None:
        item = {"kind": "programme_released", "version": payload.version, "changes": changes}
        kind, context = "programme_released", base
    else:
        sessions = [_released_session(payload, sid, lang) for sid in affected_session_ids]
        own_changes = [c for c in changes if c["session_id"] in set(affected_session_ids)]
        context = {**base, "sessions": sessions, "own_changes": own_changes, "flagged": False}
        item = {
            "kind": "session_changed",
            "version": payload.version,
            "changes": own_changes or changes,
            "sessions": sessions,
        }
        kind = "session_changed"
    return Notice(
        kind,
        person.email,
        lang,
        context,
        meeting_id=payload.meeting_id,
        attachments=[attachment],
        digest_item=item,
    )


def _released_session(
    payload: ReleaseNoticesPrepared, session_id: str, lang: Language
) -> dict[str, Any]:
    """A session of the person's as the release has it: when and where; a removed one by
    the title its change entry gives."""
    session = next((s for s in payload.sessions if s.session_id == session_id), None)
    if session is not None:
        title = require_localized(session.title, f"data.sessions[{session_id}].title", lang)
        return {
            "session_id": session_id,
            "title": title,
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "room": session.room,
        }
    change = next((c for c in payload.changes if c.session_id == session_id), None)
    if change is None:
        raise MissingData(f"data.sessions[{session_id}]")
    return {
        "session_id": session_id,
        "title": require_localized(change.title, f"data.changes[{session_id}].title", lang),
        "starts_at": None,
        "ends_at": None,
        "room": None,
    }


def session_changed_notice(
    payload: SessionChangeNoticesPrepared, meeting: Meeting, person: Person
) -> Notice:
    lang = person.language
    title = require_localized(payload.title, "data.title", lang)
    summary = require_localized(payload.summary, "data.summary", lang)
    change = {"kind": payload.change, "session_id": payload.session_id, "title": title}
    change["summary"] = summary
    context: dict[str, Any] = {
        "name": person.name,
        "meeting": meeting.context(lang, person),
        "version": None,
        "released_at": None,
        "changes": [change],
        "own_changes": [change],
        "sessions": [
            {
                "session_id": payload.session_id,
                "title": title,
                "starts_at": None,
                "ends_at": None,
                "room": None,
            }
        ],
        "flagged": payload.flagged,
    }
    item = {"kind": "session_changed", "version": None, "changes": [change]}
    return Notice(
        "session_changed",
        person.email,
        lang,
        context,
        meeting_id=payload.meeting_id,
        digest_item=item,
    )


def rescheduled_notice(payload: MeetingRescheduled, meeting: Meeting, person: Person) -> Notice:
    """The meeting moved (dates, venue or zone): what changed from what to what, in the
    person's language, with the meeting's new calendar."""
    lang = person.language
    ics = payload.ics_by_language.get(lang) or next(iter(payload.ics_by_language.values()), "")
    if not ics.strip():
        raise MissingData("data.ics_by_language")
    changes = [
        {"field": c.field, "was": c.was.get(lang), "now": c.now.get(lang)} for c in payload.changes
    ]
    return Notice(
        "meeting_rescheduled",
        person.email,
        lang,
        {"name": person.name, "meeting": meeting.context(lang, person), "changes": changes},
        meeting_id=payload.meeting_id,
        attachments=[
            with_join_link(
                Attachment(f"{payload.meeting_id}.ics", "text/calendar", ics),
                meeting.join_link_for(person),
            )
        ],
    )


def chairmanship_notice(payload: ChairmanshipTransferred, person: Person, today: date) -> Notice:
    """A handover takes effect on its date: written before it, the mail says the
    incoming chair *will* take office."""
    lang = person.language
    context = {
        "name": person.name,
        "upcoming": payload.effective_date > today,
        "term": require_text(payload.term, "data.term"),
        "effective_date": payload.effective_date,
        "incoming": require_localized(payload.incoming.name, "data.incoming.name", lang),
        "incoming_country": payload.incoming.country,
        "outgoing": payload.outgoing.name.get(lang) if payload.outgoing else None,
        "outgoing_country": payload.outgoing.country if payload.outgoing else None,
    }
    return Notice("chairmanship_transferred", person.email, lang, context, payload.meeting_id)


def reminder_notice(payload: ReminderDue, person: Person) -> Notice:
    lang = person.language
    context = {
        "name": person.name,
        "reminder": payload.kind,
        "period": payload.period,
        "subject_title": require_localized(payload.subject_title, "data.subject_title", lang),
        "due_date": payload.due_date,
    }
    return Notice("reminder_due", person.email, lang, context)


def progress_notice(payload: ProgressReviewed, person: Person) -> Notice:
    lang = person.language
    comment = (payload.comment or "").strip() or None
    if payload.outcome == "returned" and comment is None:
        # a report sent back without saying why cannot be acted upon
        raise MissingData("data.comment")
    context = {
        "name": person.name,
        "outcome": payload.outcome,
        "comment": comment,
        "indicator": require_localized(payload.indicator_title, "data.indicator_title", lang),
        "indicator_id": payload.indicator_id,
        "period": payload.period,
        "report_id": payload.report_id,
    }
    return Notice("progress_reviewed", person.email, lang, context)


def _institution_name(payload: CooperationProposed, institution: str, lang: str) -> str:
    """How the reader's language names a party's institution (the reference's name that
    the action plan sent; its id only from a producer that sent none)."""
    for party in payload.parties:
        if party.institution == institution and party.institution_name is not None:
            return party.institution_name.get(lang) or institution
    return institution


def cooperation_notice(
    payload: CooperationProposed, person: Person, institution: str, side: str
) -> Notice:
    lang = person.language
    partners = [
        _institution_name(payload, p.institution, lang)
        for p in payload.parties
        if p.institution != institution
    ]
    context = {
        "name": person.name,
        "proposal_id": payload.proposal_id,
        "kind": payload.kind,
        "offer_title": require_localized(payload.offer_title, "data.offer_title", lang),
        "explanation": require_localized(payload.explanation, "data.explanation", lang),
        "thematic_area": require_localized(
            payload.thematic_area.title, "data.thematic_area.title", lang
        ),
        "institution": _institution_name(payload, institution, lang),
        "side": side,
        "partners": partners,
    }
    return Notice("cooperation_proposed", person.email, lang, context)


def announcement_notice(payload: AnnouncementMade, meeting: Meeting, person: Person) -> Notice:
    """The secretariat's message in the person's language (each of the three is there)."""
    lang = person.language
    context: dict[str, Any] = {
        "name": person.name,
        "meeting": meeting.context(lang, person),
        "title": require_localized(payload.title, "data.title", lang),
        "body": require_localized(payload.body, "data.body", lang),
        "announcement_id": payload.announcement_id,
    }
    kind = "announcement_critical" if payload.critical else "announcement"
    return Notice(kind, person.email, lang, context, meeting_id=payload.meeting_id)
