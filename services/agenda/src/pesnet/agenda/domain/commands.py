"""What the agenda is asked to do: one small frozen command per use case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from pesnet.agenda.domain.chairmanship import ChairHolder, ChairTerm
from pesnet.agenda.domain.communique import Paragraph
from pesnet.agenda.domain.meeting import Institution, Meeting, MeetingStatus, Person
from pesnet.agenda.domain.participants import Participant
from pesnet.agenda.domain.programme import Session, SessionEdit
from pesnet.shared.events.agenda import ParagraphKind
from pesnet.shared.i18n import Localized


# meetings --------------------------------------------------------------------
@dataclass(frozen=True)
class ScheduleMeeting:
    meeting: Meeting


@dataclass(frozen=True)
class ReviseMeeting:
    """Complete or correct a meeting (`changes`: field → new value) and/or move it to
    `status` in its lifecycle."""

    meeting_id: str
    changes: dict[str, Any] = field(default_factory=dict)
    status: MeetingStatus | None = None


@dataclass(frozen=True)
class PutInstitution:
    """Add or correct an institution of a meeting's programme."""

    meeting_id: str
    institution: Institution


@dataclass(frozen=True)
class PutPerson:
    """Add or correct a person of a meeting's programme."""

    meeting_id: str
    person: Person


@dataclass(frozen=True)
class DecideNextMeeting:
    """The closing session decided the month (and perhaps the place) of meeting N+1."""

    meeting_id: str
    tentative_month: str
    city: Localized | None = None
    country: str | None = None
    timezone: str | None = None


# the draft programme -----------------------------------------------------------
@dataclass(frozen=True)
class AddSession:
    """`session`'s times as given: local, possibly with the zone's own offset."""

    meeting_id: str
    session: Session


@dataclass(frozen=True)
class EditSession:
    meeting_id: str
    session_id: str
    edit: SessionEdit


@dataclass(frozen=True)
class MoveSession:
    """By `by_minutes`, or to a new `day` and/or `start`, keeping the duration."""

    meeting_id: str
    session_id: str
    by_minutes: int | None = None
    day: date | None = None
    start: time | None = None


@dataclass(frozen=True)
class RemoveSession:
    meeting_id: str
    session_id: str


@dataclass(frozen=True)
class ReplaceDraft:
    """Set the whole draft at once (the seed); every session is validated."""

    meeting_id: str
    sessions: tuple[Session, ...]


# releases ------------------------------------------------------------------------
@dataclass(frozen=True)
class PublishProgramme:
    meeting_id: str
    # the secretariat saw the overlapping sessions the draft shows and means them
    confirm_overlaps: bool = False


# the final communiqué ------------------------------------------------------------
@dataclass(frozen=True)
class DraftCommunique:
    """The secretariat's (new) draft of the meeting's communiqué."""

    meeting_id: str
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class ProposeAmendment:
    """A delegation's amendment: `paragraph_id`'s new text, or a new paragraph."""

    meeting_id: str
    proposed_by: str
    text: Localized
    paragraph_id: str | None = None
    kind: ParagraphKind = "decision"


@dataclass(frozen=True)
class DecideAmendment:
    meeting_id: str
    amendment_id: str
    accepted: bool


@dataclass(frozen=True)
class AdoptCommunique:
    meeting_id: str


@dataclass(frozen=True)
class PublishCommunique:
    meeting_id: str


# chairmanship ----------------------------------------------------------------------
@dataclass(frozen=True)
class RecordChairTerm:
    """A term from before the platform (history, no handover now)."""

    term: ChairTerm


@dataclass(frozen=True)
class HandOverChair:
    incoming: ChairHolder
    effective_date: date
    term: str
    meeting_id: str | None = None
    vice_chair: ChairHolder | None = None


# the projection of registrations -------------------------------------------------
@dataclass(frozen=True)
class RecordParticipant:
    """A registration as a registration event carries it; `created`: the event is the
    registration's first (`ParticipantRegistered`)."""

    participant: Participant
    created: bool = False


@dataclass(frozen=True)
class ForgetParticipants:
    """Registration erased a meeting's personal data: so does the projection."""

    meeting_id: str
    purged_at: datetime | None = None


# development -----------------------------------------------------------------------
@dataclass(frozen=True)
class SeedAgenda:
    """Load the 4th meeting, its draft, its people and the chairmanship history."""
