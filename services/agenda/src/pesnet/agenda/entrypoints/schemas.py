"""Request bodies of the agenda API: pydantic models that refuse unknown fields, so a
typo is a 422 naming it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from pesnet.agenda.domain.chairmanship import ChairHolder, ChairTerm, OICGroup
from pesnet.agenda.domain.commands import (
    DecideNextMeeting,
    DraftCommunique,
    EditSession,
    HandOverChair,
    MoveSession,
    ProposeAmendment,
    ReviseMeeting,
)
from pesnet.agenda.domain.communique import Paragraph
from pesnet.agenda.domain.meeting import Institution, Meeting, MeetingStatus, Organiser, Person
from pesnet.agenda.domain.programme import Session, SessionEdit, SessionKind
from pesnet.shared.emails import Email
from pesnet.shared.events.agenda import AttendanceMode, ParagraphKind
from pesnet.shared.i18n import LANGUAGES, Language, Localized
from pesnet.shared.json_types import CalendarDate, TimeOfDay, WholeNumber, YesNo
from pesnet.shared.text import (
    CleanName,
    CleanParagraph,
    CleanText,
    blank_given,
    says_something,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Term = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{4}$")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocalizedIn(Body):
    ar: CleanParagraph | None = Field(default=None, max_length=5000)
    en: CleanParagraph | None = Field(default=None, max_length=5000)
    fr: CleanParagraph | None = Field(default=None, max_length=5000)

    def value(self) -> Localized:
        return Localized(ar=self.ar, en=self.en, fr=self.fr)


class NameIn(LocalizedIn):
    """A name or a title: at least one language says something, and no language given
    is only blanks (the kernel's rule for names, `pesnet.shared.text`)."""

    @field_validator("ar", "en", "fr")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        return blank_given(value)

    @model_validator(mode="after")
    def _said(self) -> NameIn:
        says_something((self.ar, self.en, self.fr))
        return self


def _loc(value: LocalizedIn | None) -> Localized | None:
    return value.value() if value is not None else None


class OrganiserIn(Body):
    institution: Slug
    role: CleanName = Field(min_length=1, max_length=100)


class MeetingIn(Body):
    id: Slug
    number: WholeNumber = Field(ge=1, le=1000)
    title: NameIn
    timezone: str = Field(min_length=1, max_length=64)
    status: MeetingStatus = "scheduled"
    city: LocalizedIn | None = None
    venue: LocalizedIn | None = None
    country: Country | None = None
    start_date: CalendarDate | None = None
    end_date: CalendarDate | None = None
    tentative_month: Month | None = None
    interpretation_languages: list[Language] = Field(default=list(LANGUAGES), max_length=3)
    organisers: list[OrganiserIn] = Field(default=[], max_length=50)
    registration_open: YesNo = False
    registration_opens_at: AwareDatetime | None = None
    registration_closes_at: AwareDatetime | None = None
    delegation_quota: WholeNumber | None = Field(default=None, ge=1, le=1000)
    capacity: WholeNumber | None = Field(default=None, ge=1, le=100000)
    host_institution: Slug | None = None
    chair_institution: Slug | None = None
    attendance_mode: AttendanceMode = "in_person"
    join_url: CleanText | None = Field(default=None, max_length=500)

    def meeting(self) -> Meeting:
        return Meeting(
            id=self.id,
            number=self.number,
            title=self.title.value(),
            timezone=self.timezone,
            status=self.status,
            city=_loc(self.city),
            venue=_loc(self.venue),
            country=self.country,
            start_date=self.start_date,
            end_date=self.end_date,
            tentative_month=self.tentative_month,
            interpretation_languages=tuple(self.interpretation_languages),
            organisers=tuple(Organiser(**o.model_dump()) for o in self.organisers),
            registration_open=self.registration_open,
            registration_opens_at=self.registration_opens_at,
            registration_closes_at=self.registration_closes_at,
            delegation_quota=self.delegation_quota,
            capacity=self.capacity,
            host_institution=self.host_institution,
            chair_institution=self.chair_institution,
            attendance_mode=self.attendance_mode,
            join_url=self.join_url,
        )


class MeetingPatch(Body):
    """The fields to complete or correct (only those given) and/or the state to move to."""

    title: NameIn | None = None
    city: LocalizedIn | None = None
    venue: LocalizedIn | None = None
    country: Country | None = None
    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    start_date: CalendarDate | None = None
    end_date: CalendarDate | None = None
    host_institution: Slug | None = None
    chair_institution: Slug | None = None
    interpretation_languages: list[Language] | None = None
    registration_opens_at: AwareDatetime | None = None
    registration_closes_at: AwareDatetime | None = None
    delegation_quota: WholeNumber | None = Field(default=None, ge=1, le=1000)
    capacity: WholeNumber | None = Field(default=None, ge=1, le=100000)
    attendance_mode: AttendanceMode | None = None
    join_url: CleanText | None = Field(default=None, max_length=500)
    status: MeetingStatus | None = None

    def command(self, meeting_id: str) -> ReviseMeeting:
        changes: dict[str, object] = {}
        for name in self.model_fields_set - {"status"}:
            value = getattr(self, name)
            if isinstance(value, LocalizedIn):
                value = value.value()
            elif name == "interpretation_languages" and value is not None:
                value = tuple(value)
            elif name in ("title", "timezone", "attendance_mode") and value is None:
                continue  # a meeting always has a title and a zone
            changes[name] = value
        return ReviseMeeting(meeting_id, changes, self.status)


class InstitutionIn(Body):
    name: NameIn
    acronym: CleanText | None = Field(default=None, max_length=50)
    country: Country | None = None

    def institution(self, institution_id: str) -> Institution:
        return Institution(
            id=institution_id, name=self.name.value(), acronym=self.acronym, country=self.country
        )


class PersonIn(Body):
    name: NameIn
    email: Email
    honorific: LocalizedIn | None = None
    position: LocalizedIn | None = None
    institution: Slug | None = None

    def person(self, person_id: str) -> Person:
        return Person(
            id=person_id,
            name=self.name.value(),
            email=self.email.lower(),
            honorific=_loc(self.honorific),
            position=_loc(self.position),
            institution=self.institution,
        )


class SessionFields(Body):
    """Times are local times of the meeting's zone (`15:45`); an offset may be given
    (`15:45+01:00`) but must be the zone's own offset that day."""

    kind: SessionKind
    title: NameIn
    day: CalendarDate
    start: TimeOfDay
    end: TimeOfDay | None = None
    description: LocalizedIn | None = None
    points: list[LocalizedIn] = Field(default=[], max_length=50)
    room: CleanText | None = Field(default=None, min_length=1, max_length=100)
    moderators: list[Slug] = Field(default=[], max_length=20)
    moderating_institutions: list[Slug] = Field(default=[], max_length=20)
    speakers: list[Slug] = Field(default=[], max_length=50)
    interpretation_languages: list[Language] = Field(default=[], max_length=3)


class SessionIn(SessionFields):
    id: Slug | None = None

    def session(self, session_id: str) -> Session:
        """The session with its times as given (the use case checks them in the zone)."""
        return Session(
            id=session_id,
            day=self.day,
            start=self.start,
            end=self.end,
            kind=self.kind,
            title=self.title.value(),
            description=_loc(self.description),
            points=tuple(p.value() for p in self.points),
            room=self.room,
            moderators=tuple(self.moderators),
            moderating_institutions=tuple(self.moderating_institutions),
            speakers=tuple(self.speakers),
            interpretation_languages=tuple(self.interpretation_languages),
        )


class SessionPatch(Body):
    """Only the fields given change; `end: null` makes the end open."""

    kind: SessionKind | None = None
    title: NameIn | None = None
    day: CalendarDate | None = None
    start: TimeOfDay | None = None
    end: TimeOfDay | None = None
    description: LocalizedIn | None = None
    points: list[LocalizedIn] | None = Field(default=None, max_length=50)
    room: CleanText | None = Field(default=None, min_length=1, max_length=100)
    moderators: list[Slug] | None = Field(default=None, max_length=20)
    moderating_institutions: list[Slug] | None = Field(default=None, max_length=20)
    speakers: list[Slug] | None = Field(default=None, max_length=50)
    interpretation_languages: list[Language] | None = Field(default=None, max_length=3)

    def command(self, meeting_id: str, session_id: str) -> EditSession:
        def listed(values: list[str] | None) -> tuple[str, ...] | None:
            return tuple(values) if values is not None else None

        edit = SessionEdit(
            given=frozenset(self.model_fields_set),
            kind=self.kind,
            title=_loc(self.title),
            day=self.day,
            start=self.start,
            end=self.end,
            description=_loc(self.description),
            points=tuple(p.value() for p in self.points) if self.points is not None else None,
            room=self.room,
            moderators=listed(self.moderators),
            moderating_institutions=listed(self.moderating_institutions),
            speakers=listed(self.speakers),
            interpretation_languages=(
                tuple(self.interpretation_languages)
                if self.interpretation_languages is not None
                else None
            ),
        )
        return EditSession(meeting_id, session_id, edit)


class MoveIn(Body):
    """Move keeping the duration: `by_minutes` (e.g. 30 or -15), or a new `day`/`start`."""

    by_minutes: WholeNumber | None = Field(default=None, ge=-1440, le=1440)
    day: CalendarDate | None = None
    start: TimeOfDay | None = None

    def command(self, meeting_id: str, session_id: str) -> MoveSession:
        return MoveSession(meeting_id, session_id, self.by_minutes, self.day, self.start)


class ReleaseIn(Body):
    confirm_overlaps: YesNo = Field(
        default=False,
        description="Release even though sessions overlap in the same room (the draft shows them).",
    )


class NextMeetingIn(Body):
    tentative_month: Month
    city: LocalizedIn | None = None
    country: Country | None = None
    timezone: str | None = Field(default=None, max_length=64)

    def command(self, meeting_id: str) -> DecideNextMeeting:
        return DecideNextMeeting(
            meeting_id, self.tentative_month, _loc(self.city), self.country, self.timezone
        )


class ChairHolderIn(Body):
    """An institution of the reference (its names are the reference's); `name` and
    `acronym` only for one the reference lacks."""

    institution: Slug
    name: NameIn | None = None
    acronym: CleanText | None = Field(default=None, max_length=50)
    country: Country
    oic_group: OICGroup

    def holder(self) -> ChairHolder:
        return ChairHolder(
            institution=self.institution,
            name=_loc(self.name),
            acronym=self.acronym,
            country=self.country,
            oic_group=self.oic_group,
        )


class ChairTermIn(Body):
    """A term from before the platform (history)."""

    holder: ChairHolderIn
    term: Term | None = None
    from_date: CalendarDate | None = None
    to_date: CalendarDate | None = None
    meeting_id: Slug | None = None
    vice_chair: ChairHolderIn | None = None

    def chair_term(self) -> ChairTerm:
        return ChairTerm(
            holder=self.holder.holder(),
            term=self.term,
            from_date=self.from_date,
            to_date=self.to_date,
            meeting_id=self.meeting_id,
            vice_chair=self.vice_chair.holder() if self.vice_chair else None,
        )


class HandoverIn(Body):
    incoming: ChairHolderIn
    effective_date: CalendarDate
    term: Term
    meeting_id: Slug | None = None
    vice_chair: ChairHolderIn | None = None

    def command(self) -> HandOverChair:
        return HandOverChair(
            self.incoming.holder(),
            effective_date=self.effective_date,
            term=self.term,
            meeting_id=self.meeting_id,
            vice_chair=self.vice_chair.holder() if self.vice_chair else None,
        )


Format = Literal["json", "html", "ics"]


# the final communiqué ---------------------------------------------------------------
class ParagraphIn(Body):
    """A numbered paragraph (numbered by its place in the list); `id` keeps it
    across redrafts (given by the list's order when missing)."""

    id: Slug | None = None
    kind: ParagraphKind
    text: NameIn
    illustrative: YesNo = False


class CommuniqueIn(Body):
    paragraphs: list[ParagraphIn] = Field(min_length=1, max_length=200)

    def command(self, meeting_id: str) -> DraftCommunique:
        taken = {p.id for p in self.paragraphs if p.id}
        paragraphs: list[Paragraph] = []
        for n, p in enumerate(self.paragraphs, start=1):
            paragraph_id = p.id or next(f"p{k}" for k in range(n, n + 1000) if f"p{k}" not in taken)
            taken.add(paragraph_id)
            paragraphs.append(
                Paragraph(
                    id=paragraph_id,
                    kind=p.kind,
                    text=p.text.value(),
                    illustrative=p.illustrative,
                )
            )
        return DraftCommunique(meeting_id, tuple(paragraphs))


class AmendmentIn(Body):
    """A delegation's amendment: a paragraph's new text, or (without `paragraph_id`) a new
    paragraph of `kind`."""

    proposed_by: Country
    paragraph_id: Slug | None = None
    kind: ParagraphKind = "decision"
    text: NameIn

    def command(self, meeting_id: str) -> ProposeAmendment:
        return ProposeAmendment(
            meeting_id,
            self.proposed_by,
            self.text.value(),
            paragraph_id=self.paragraph_id,
            kind=self.kind,
        )


class AmendmentDecisionIn(Body):
    accepted: YesNo
