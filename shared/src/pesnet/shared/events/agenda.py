"""Events published by the agenda service. Programme facts are public and name nobody
(partners read speakers and moderators in the public HTTP programme); who is affected
by a change, and the calendars with their names, travel in internal events
(`...notices_prepared`) as registration ids, which only the services that hold the
registrations can turn into people."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pesnet.shared.catalog import EventPayload, EventSpec, PublicPayload
from pesnet.shared.events.common import Country, Language, Localized, MeetingId
from pesnet.shared.i18n import LANGUAGES

OICGroup = Literal["arab", "asian", "african"]


# how people take part: on site, online (a meeting tool), or both
AttendanceMode = Literal["in_person", "online", "hybrid"]

MeetingStatus = Literal[
    "tentative", "scheduled", "registration_open", "registration_closed", "held", "archived"
]


class MeetingScheduled(PublicPayload):
    """The meeting as it now stands: sent when it is scheduled and again at each change of
    its details or state (a consumer keeps the newest; `status` says where it is in its
    lifecycle, and only `registration_open` takes registrations)."""

    meeting_id: MeetingId
    number: int
    title: Localized
    city: Localized | None = None
    venue: Localized | None = None
    country: Country | None = None
    timezone: str
    status: MeetingStatus = "scheduled"
    start_date: date | None = None
    end_date: date | None = None
    tentative_month: str | None = None  # "YYYY-MM" while only the month is decided
    interpretation_languages: list[Language] = list(LANGUAGES)
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    delegation_quota: int | None = None
    capacity: int | None = None
    host_institution: str | None = None
    chair_institution: str | None = None  # the institution chairing the meeting
    demonstration: bool = False
    attendance_mode: AttendanceMode = "in_person"  # its join link travels apart (internal)


class MeetingJoinLinkSet(EventPayload):
    """The online meeting's join link, for the services that tell participants (never
    public: only registered participants get it, in their mails and calendars)."""

    meeting_id: MeetingId
    attendance_mode: AttendanceMode
    join_url: str | None = None


class SessionSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    session_id: str
    title: Localized
    starts_at: datetime
    ends_at: datetime | None = None
    room: str | None = None


class ProgrammeChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["added", "removed", "moved", "retitled", "speakers_changed", "changed"]
    session_id: str
    title: Localized
    summary: Localized


class AffectedParticipant(BaseModel):
    model_config = ConfigDict(frozen=True)

    registration_id: str
    session_ids: list[str]


class ProgrammeReleased(PublicPayload):
    """A new version, as partners may see it: the sessions and what changed, nobody's
    name or registration (v2: v1 carried `affected`, `ics` and `ics_by_language`)."""

    meeting_id: MeetingId
    version: int
    released_at: datetime
    timezone: str
    changes: list[ProgrammeChange]
    sessions: list[SessionSummary]


class ReleaseNoticesPrepared(EventPayload):
    """The same release as the services that tell people see it: who it concerns
    (registration ids, with their changed sessions), the change summaries with names,
    and the calendar with speakers and moderators, for mails to attach."""

    meeting_id: MeetingId
    version: int
    released_at: datetime
    timezone: str
    changes: list[ProgrammeChange]
    affected: list[AffectedParticipant]
    sessions: list[SessionSummary]
    ics: str | None = None  # the whole meeting as iCalendar, for attachments
    # the same calendar with titles and descriptions in each language
    ics_by_language: dict[Language, str] | None = None


SessionChange = Literal["speaker_withdrawn", "flagged", "updated"]


class SessionChanged(PublicPayload):
    """A session changed outside a release, as partners may see it (v2: v1 carried
    `affected_registration_ids`)."""

    meeting_id: MeetingId
    session_id: str
    title: Localized
    change: SessionChange
    summary: Localized
    flagged: bool = False


class SessionChangeNoticesPrepared(EventPayload):
    """The same change with the registrations of the session's people to tell."""

    meeting_id: MeetingId
    session_id: str
    title: Localized
    change: SessionChange
    summary: Localized
    flagged: bool = False
    affected_registration_ids: list[str] = []


class ChairInstitution(BaseModel):
    model_config = ConfigDict(frozen=True)

    institution: str
    name: Localized
    country: Country
    oic_group: OICGroup


class ChairmanshipTransferred(PublicPayload):
    meeting_id: MeetingId | None = None
    effective_date: date
    term: str  # e.g. "2024-2026"
    outgoing: ChairInstitution | None = None
    incoming: ChairInstitution


class DraftEdited(EventPayload):
    """The secretariat changed a meeting's draft programme (what is released later, as a
    new version with its changelog). Names no one: the meeting and the session."""

    meeting_id: MeetingId
    session_id: str | None = None


class SessionAdded(DraftEdited):
    pass


class SessionEdited(DraftEdited):
    pass


class SessionMoved(DraftEdited):
    pass


class SessionRemoved(DraftEdited):
    pass


class DraftReplaced(DraftEdited):
    sessions: int


class ProgrammeEntryPut(EventPayload):
    """An institution or a person the meeting's programme names was set (added or
    changed) by the secretariat; the id only (a person's name stays in the agenda)."""

    meeting_id: MeetingId
    entry_id: str


class ProgrammeInstitutionPut(ProgrammeEntryPut):
    pass


class ProgrammePersonPut(ProgrammeEntryPut):
    pass


class ChairTermRecorded(EventPayload):
    """A past chairmanship term recorded as history (before the platform)."""

    term: str
    institution: str


class MeetingDetailChange(BaseModel):
    """One detail of a meeting that changed: its field, as it was and as it is now."""

    model_config = ConfigDict(frozen=True)

    field: Literal["start_date", "end_date", "timezone", "venue", "city"]
    was: Localized
    now: Localized


class MeetingRescheduled(EventPayload):
    """The dates, venue or time zone of a meeting people already hold changed: who to
    tell (the confirmed registrations, as ids), what changed from what to what, and the
    meeting's new calendar in each language, for the mails to attach (internal)."""

    meeting_id: MeetingId
    changes: list[MeetingDetailChange]
    affected_registration_ids: list[str] = []
    ics_by_language: dict[Language, str]


ParagraphKind = Literal["decision", "recommendation"]


class CommuniqueParagraph(BaseModel):
    """A numbered paragraph of a meeting's final communiqué, in the three languages."""

    model_config = ConfigDict(frozen=True)

    paragraph_id: str
    number: int
    kind: ParagraphKind
    text: Localized
    illustrative: bool = False  # the text is the platform's illustration, not the record


class CommuniqueDrafted(EventPayload):
    """The secretariat drafted (or redrafted) a meeting's final communiqué."""

    meeting_id: MeetingId
    paragraphs: int


class CommuniqueAmendmentProposed(EventPayload):
    """A delegation (a member state, never a person) proposed an amendment to the draft
    communiqué during the closing session: a new text for a paragraph, or a new paragraph."""

    meeting_id: MeetingId
    amendment_id: str
    proposed_by: Country
    paragraph_id: str | None = None


class CommuniqueAmendmentDecided(EventPayload):
    """The closing session accepted (the paragraph now reads as proposed) or rejected an
    amendment."""

    meeting_id: MeetingId
    amendment_id: str
    accepted: bool


class CommuniqueAdopted(PublicPayload):
    """The meeting adopted its final communiqué at `adopted_at` (names no one)."""

    meeting_id: MeetingId
    adopted_at: datetime
    paragraphs: int


class CommuniquePublished(PublicPayload):
    """The adopted communiqué was published in ar/en/fr: its numbered paragraphs
    (decisions and recommendations), for partners and for the action plan, which links
    each decision to the activities that carry it out."""

    meeting_id: MeetingId
    meeting_number: int
    adopted_at: datetime
    published_at: datetime
    paragraphs: list[CommuniqueParagraph]


_DRAFT = "A meeting's draft programme was edited (internal; released later as a version)"

EVENTS = (
    EventSpec("agenda.session.added", SessionAdded, f"{_DRAFT}: a session added."),
    EventSpec("agenda.session.edited", SessionEdited, f"{_DRAFT}: a session changed."),
    EventSpec("agenda.session.moved", SessionMoved, f"{_DRAFT}: a session moved."),
    EventSpec("agenda.session.removed", SessionRemoved, f"{_DRAFT}: a session removed."),
    EventSpec("agenda.draft.replaced", DraftReplaced, f"{_DRAFT}: replaced as a whole."),
    EventSpec(
        "agenda.institution.put",
        ProgrammeInstitutionPut,
        "An institution a meeting's programme names was added or changed (internal).",
    ),
    EventSpec(
        "agenda.person.put",
        ProgrammePersonPut,
        "A person a meeting's programme names was added or changed (internal; the id only).",
    ),
    EventSpec(
        "agenda.chair_term.recorded",
        ChairTermRecorded,
        "A past chairmanship term was recorded as history (internal).",
    ),
    EventSpec(
        "agenda.meeting.scheduled",
        MeetingScheduled,
        "A meeting was scheduled, completed or moved in its lifecycle (tentative, scheduled, "
        "registration open/closed, held, archived): the meeting as it now stands.",
        visibility="public",
    ),
    EventSpec(
        "agenda.meeting.rescheduled",
        MeetingRescheduled,
        "The dates, venue or time zone of a meeting with confirmed participants changed: "
        "what changed from what to what, whom to tell (registration ids), the new calendar.",
    ),
    EventSpec(
        "agenda.programme.released",
        ProgrammeReleased,
        "A new immutable version of a meeting's programme was published, with its changelog.",
        version=2,
        visibility="public",
    ),
    EventSpec(
        "agenda.programme.release_notices_prepared",
        ReleaseNoticesPrepared,
        "A release's notices were prepared: who it concerns (registration ids) and the "
        "calendars with speakers' names, for the services that tell people.",
    ),
    EventSpec(
        "agenda.session.changed",
        SessionChanged,
        "A session changed outside a release (e.g. a speaker withdrew and it is flagged).",
        version=2,
        visibility="public",
    ),
    EventSpec(
        "agenda.session.change_notices_prepared",
        SessionChangeNoticesPrepared,
        "A session change's notices were prepared: the registrations of its people to tell.",
    ),
    EventSpec(
        "agenda.meeting.join_link_set",
        MeetingJoinLinkSet,
        "An online or hybrid meeting's join link was set or changed (internal).",
    ),
    EventSpec(
        "agenda.communique.drafted",
        CommuniqueDrafted,
        "The secretariat drafted a meeting's final communiqué (internal).",
    ),
    EventSpec(
        "agenda.communique.amendment_proposed",
        CommuniqueAmendmentProposed,
        "A delegation proposed an amendment to the draft communiqué (internal).",
    ),
    EventSpec(
        "agenda.communique.amendment_decided",
        CommuniqueAmendmentDecided,
        "The closing session accepted or rejected an amendment to the communiqué (internal).",
    ),
    EventSpec(
        "agenda.communique.adopted",
        CommuniqueAdopted,
        "A meeting adopted its final communiqué, at the recorded time.",
        visibility="public",
    ),
    EventSpec(
        "agenda.communique.published",
        CommuniquePublished,
        "A meeting's adopted final communiqué was published: its numbered decisions and "
        "recommendations in ar/en/fr.",
        visibility="public",
    ),
    EventSpec(
        "agenda.chairmanship.transferred",
        ChairmanshipTransferred,
        "The network's chairmanship was handed over.",
        visibility="public",
    ),
)
