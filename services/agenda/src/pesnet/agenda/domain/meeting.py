"""Meetings of the network, the people and institutions that appear in their
programmes, and the closing session's decision about the next meeting.

A meeting lives through explicit states, each move announced to the other services:

    tentative ─> scheduled ─> registration_open ⇄ registration_closed ─> held ─> archived

A tentative meeting has a month; the secretariat completes it (dates, venue, time zone,
host institution, quota, registration window) before it is scheduled. Registration is
open only in `registration_open` (and inside its window); a meeting is held once its
first day has come; an archived meeting is history (its personal data may be purged).
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, time
from typing import Any, Literal, TypeAlias
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from pesnet.agenda.domain.localtime import zone_of
from pesnet.agenda.domain.rescheduling import Rescheduling
from pesnet.agenda.domain.wording import PACKAGE, said, said_as
from pesnet.shared import institutions as reference_institutions
from pesnet.shared.errors import Conflict, InvalidInput
from pesnet.shared.events.agenda import AttendanceMode
from pesnet.shared.i18n import LANGUAGES, Language, Localized
from pesnet.shared.reference import is_member_state
from pesnet.shared.terms import MEETING_STATUSES, NETWORK_NAME
from pesnet.shared.translation import N_, NC_, Term, _

MeetingStatus = Literal[
    "tentative", "scheduled", "registration_open", "registration_closed", "held", "archived"
]
STATUSES: tuple[MeetingStatus, ...] = (
    "tentative",
    "scheduled",
    "registration_open",
    "registration_closed",
    "held",
    "archived",
)
# Where each state may go. Reopening a closed registration is allowed; nothing goes back
# to tentative, and a held or archived meeting is history.
TRANSITIONS: dict[MeetingStatus, frozenset[MeetingStatus]] = {
    "tentative": frozenset({"scheduled", "registration_open"}),
    "scheduled": frozenset({"registration_open", "registration_closed", "held"}),
    "registration_open": frozenset({"registration_closed", "held"}),
    "registration_closed": frozenset({"registration_open", "held"}),
    "held": frozenset({"archived"}),
    "archived": frozenset(),
}
# What a tentative meeting lacks before it can be scheduled.
REQUIRED_TO_SCHEDULE = ("start_date", "end_date", "country", "host_institution")
# The fields the secretariat may revise (PATCH); status moves through `move_to`.
REVISABLE = frozenset(
    {
        "attendance_mode",
        "join_url",
        "title",
        "city",
        "venue",
        "country",
        "timezone",
        "start_date",
        "end_date",
        "host_institution",
        "chair_institution",
        "interpretation_languages",
        "registration_opens_at",
        "registration_closes_at",
        "delegation_quota",
        "capacity",
    }
)
# the reference of institutions a query found, and one of them (`pesnet.shared.institutions`)
Reference: TypeAlias = reference_institutions.Names
Named: TypeAlias = reference_institutions.Institution
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
UNKNOWN_INSTITUTION = N_(
    "there is no institution {institution_id} in the network's reference (registration "
    "keeps it: the secretariat registers the institution there first)"
)


class Institution(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: Localized
    acronym: str | None = None
    country: str | None = None

    def label(self, language: str) -> str:
        """The acronym in Latin-script pages; the name in Arabic ones (İŞKUR reads
        as وكالة التوظيف التركية there)."""
        if language == "ar":
            return self.name.get(language)
        return self.acronym or self.name.get(language)


class Person(BaseModel):
    """Someone who speaks or moderates. `email` links the person to a registration
    (the registration service owns the person's registration; we only match it)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: Localized
    email: str
    honorific: Localized | None = None
    position: Localized | None = None
    institution: str | None = None

    def label(self, language: str) -> str:
        name = self.name.get(language)
        honorific = self.honorific.get(language) if self.honorific else ""
        return f"{honorific} {name}".strip()


class Organiser(BaseModel):
    model_config = ConfigDict(frozen=True)

    institution: str
    role: str


class NextMeetingDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    meeting_id: str
    number: int
    tentative_month: str
    decided_at: datetime


class Meeting(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    number: int
    title: Localized
    timezone: str
    status: MeetingStatus = "scheduled"
    city: Localized | None = None
    venue: Localized | None = None
    country: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    tentative_month: str | None = None
    interpretation_languages: tuple[Language, ...] = LANGUAGES
    organisers: tuple[Organiser, ...] = ()
    registration_open: bool = False
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    delegation_quota: int | None = None
    capacity: int | None = None
    people: dict[str, Person] = {}
    institutions: dict[str, Institution] = {}
    next_meeting: NextMeetingDecision | None = None
    host_institution: str | None = None
    # the institution that chairs the meeting (the network's chair, or another)
    chair_institution: str | None = None
    demonstration: bool = False  # a meeting to try the platform on, not one of the network's
    # each change of dates, venue or zone people held: what changed from what to what
    reschedulings: tuple[Rescheduling, ...] = ()
    # in person, online or hybrid; the join link is for registered participants only
    attendance_mode: AttendanceMode = "in_person"
    join_url: str | None = None
    # registration erased the meeting's personal data: who was confirmed is no longer
    # known here, the programme's people stand as they are and nobody is written to
    personal_data_purged_at: datetime | None = None

    @property
    def zone(self) -> ZoneInfo:
        return zone_of(self.timezone)

    def days(self) -> list[date]:
        if self.start_date is None or self.end_date is None:
            return []
        return [
            date.fromordinal(d)
            for d in range(self.start_date.toordinal(), self.end_date.toordinal() + 1)
        ]

    def check(self) -> None:
        """The invariants of a meeting, each failure naming its field."""
        zone_of(self.timezone)
        if self.join_url is not None and not self.join_url.startswith("https://"):
            raise InvalidInput(_("a join link is an https:// address"), field="join_url")
        if self.number < (0 if self.demonstration else 1):
            raise InvalidInput(_("a meeting number starts at 1"), field="number")
        missing = self.title.missing()
        if missing:
            raise InvalidInput(
                _("the title lacks {languages}"),
                field=f"title.{missing[0]}",
                params={"languages": ", ".join(missing)},
            )
        if self.country is not None and not is_member_state(self.country):
            raise InvalidInput(
                _("{country} is not an OIC member state (ISO 3166 alpha-3)"),
                field="country",
                params={"country": self.country},
            )
        if self.status != "tentative":
            if self.start_date is None:
                raise InvalidInput(_("a scheduled meeting has dates"), field="start_date")
            if self.end_date is None:
                raise InvalidInput(_("a scheduled meeting has dates"), field="end_date")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise InvalidInput(_("the meeting ends before it starts"), field="end_date")
        if self.start_date and self.end_date and (self.end_date - self.start_date).days > 31:
            raise InvalidInput(_("a meeting lasts at most a month"), field="end_date")
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            raise InvalidInput(
                _("registration closes after it opens"), field="registration_closes_at"
            )
        if self.tentative_month is not None and not MONTH.match(self.tentative_month):
            raise InvalidInput(_("a month is written YYYY-MM"), field="tentative_month")
        if self.status == "tentative" and self.tentative_month is None and self.start_date is None:
            raise InvalidInput(
                _("a tentative meeting has at least a month"), field="tentative_month"
            )
        for person in self.people.values():
            if person.institution and person.institution not in self.institutions:
                raise InvalidInput(
                    _("unknown institution {institution} (add it to the meeting first)"),
                    field=f"people.{person.id}.institution",
                    params={"institution": person.institution},
                )

    # the lifecycle ------------------------------------------------------------------

    def revise(self, changes: dict[str, Any], now: datetime | None = None) -> Meeting:
        """The meeting with `changes` (the secretariat completing or correcting it);
        a held or archived meeting is history and changes no more. What depends on the
        dates changes with them: the registration window closes before the meeting
        ends, and a meeting taking registrations does not move into the past."""
        unknown = sorted(set(changes) - REVISABLE)
        if unknown:
            raise InvalidInput(
                _("{field} cannot be changed here"), field=unknown[0], params={"field": unknown[0]}
            )
        if self.status in ("held", "archived"):
            raise Conflict(
                _("meeting {meeting} is {status}: it changes no more"),
                params={"meeting": self.id, "status": MEETING_STATUSES[self.status]},
            )
        revised = self.model_copy(update=changes)
        if "start_date" in changes and revised.start_date is not None:
            revised = revised.model_copy(update={"tentative_month": None})
        revised.check()
        if now is not None and self.takes_registrations and revised.start_date:
            today = now.astimezone(revised.zone).date()
            if revised.start_date != self.start_date and revised.start_date < today:
                raise Conflict(
                    _("the meeting takes registrations: it cannot move into the past ({day})"),
                    field="start_date",
                    params={"day": revised.start_date.isoformat()},
                )
        revised.check_window()
        return revised

    def ends_at(self) -> datetime | None:
        """The end of the meeting's last day, in its zone."""
        if self.end_date is None:
            return None
        return datetime.combine(self.end_date, time.max, tzinfo=self.zone)

    def check_window(self) -> None:
        """Registration closes before the meeting ends."""
        ends, closes = self.ends_at(), self.registration_closes_at
        if ends is not None and closes is not None and closes > ends:
            raise InvalidInput(
                _("registration must close before the meeting ends ({end})"),
                field="registration_closes_at",
                params={"end": self.end_date.isoformat() if self.end_date else ""},
            )

    def move_to(self, status: MeetingStatus, now: datetime) -> Meeting:
        """The meeting in its next state, or a Conflict naming what is missing."""
        if status == self.status:
            return self
        if status not in TRANSITIONS[self.status]:
            raise Conflict(
                _("a meeting that is {current} cannot become {status}"),
                field="status",
                params={
                    "current": MEETING_STATUSES[self.status],
                    "status": MEETING_STATUSES[status],
                },
            )
        if self.status == "tentative":
            for name in REQUIRED_TO_SCHEDULE:
                if getattr(self, name) is None:
                    raise Conflict(
                        _("the meeting lacks {field}: complete it before it is scheduled"),
                        field=name,
                        params={"field": name},
                    )
            if self.city is None and self.venue is None:
                raise Conflict(
                    _("the meeting lacks {field}: complete it before it is scheduled"),
                    field="venue",
                    params={"field": "venue"},
                )
        update: dict[str, Any] = {"status": status, "registration_open": False}
        if status == "registration_open":
            update["registration_open"] = True
            closes = self.registration_closes_at
            if closes is not None and closes <= now:
                raise Conflict(
                    _("registration closed at {closes_at}: give a later closing time"),
                    field="registration_closes_at",
                    params={"closes_at": closes.isoformat()},
                )
            if self.registration_opens_at is None:
                update["registration_opens_at"] = now
        if status == "held":
            today = now.astimezone(self.zone).date()
            if self.start_date is not None and today < self.start_date:
                raise Conflict(
                    _("the meeting starts on {start_date}: it cannot be held before"),
                    field="status",
                    params={"start_date": self.start_date.isoformat()},
                )
        moved = self.model_copy(update=update)
        moved.check()
        return moved

    def named_institutions(self) -> dict[str, str]:
        """The institutions the meeting's details name, by field (its host, its chair)."""
        named = {
            "host_institution": self.host_institution,
            "chair_institution": self.chair_institution,
        }
        return {field: value for field, value in named.items() if value is not None}

    def check_host(self, reference: reference_institutions.Names) -> None:
        """The host and the chair are institutions of the network's reference
        (`reference`: what it has of them), or ones the meeting itself names (a meeting
        from before the agenda kept the reference)."""
        for field, institution in self.named_institutions().items():
            if institution in reference or institution in self.institutions:
                continue
            raise InvalidInput(
                UNKNOWN_INSTITUTION, field=field, params={"institution_id": institution}
            )

    def host(self, reference: Reference) -> Named | None:
        """The host as the reference names it now (see `institution`)."""
        return self.institution(self.host_institution, reference)

    def chair(self, reference: Reference) -> Named | None:
        """The chair institution as the reference names it now (see `institution`)."""
        return self.institution(self.chair_institution, reference)

    def institution(self, institution_id: str | None, reference: Reference) -> Named | None:
        """An institution of the meeting's details as the reference names it now; for a
        meeting from before the agenda kept the reference, as the meeting named it
        (None: none, or one nobody names)."""
        if institution_id is None:
            return None
        found = reference.get(institution_id)
        if found is not None:
            return found
        own = self.institutions.get(institution_id)
        if own is None:
            return None
        return reference_institutions.Institution(
            id=own.id, name=own.name, acronym=own.acronym, country=own.country, version=0
        )

    @property
    def takes_registrations(self) -> bool:
        return self.status == "registration_open"

    def with_person(self, person: Person) -> Meeting:
        if person.institution and person.institution not in self.institutions:
            raise InvalidInput(
                _("unknown institution {institution} (add it to the meeting first)"),
                field="institution",
                params={"institution": person.institution},
            )
        if not person.name.en and not person.name.fr and not person.name.ar:
            raise InvalidInput(_("a person has a name"), field="name")
        email = person.email.lower()
        for other in self.people.values():
            if other.id != person.id and other.email.lower() == email:
                # said without naming whose address it is
                raise Conflict(
                    _("this e-mail address is already another person's in this meeting"),
                    field="email",
                )
        return self.model_copy(update={"people": {**self.people, person.id: person}})

    def with_institution(self, institution: Institution) -> Meeting:
        if institution.country is not None and not is_member_state(institution.country):
            raise InvalidInput(
                _("{country} is not an OIC member state"),
                field="country",
                params={"country": institution.country},
            )
        return self.model_copy(
            update={"institutions": {**self.institutions, institution.id: institution}}
        )

    def person_by_email(self, email: str) -> list[Person]:
        email = email.lower()
        return [p for p in self.people.values() if p.email.lower() == email]

    def decide_next_meeting(
        self, tentative_month: str, decided_at: datetime
    ) -> tuple[Meeting, NextMeetingDecision]:
        """The closing session decides the month of meeting N+1."""
        if not MONTH.match(tentative_month):
            raise InvalidInput(_("a month is written YYYY-MM"), field="tentative_month")
        if self.end_date is not None and tentative_month <= self.end_date.strftime("%Y-%m"):
            raise InvalidInput(
                _("the next meeting comes after this one ends"), field="tentative_month"
            )
        if self.next_meeting is not None:
            if self.next_meeting.tentative_month == tentative_month:
                return self, self.next_meeting
            raise Conflict(
                _("the next meeting is already set for {month} ({meeting})"),
                field="tentative_month",
                params={
                    "month": self.next_meeting.tentative_month,
                    "meeting": self.next_meeting.meeting_id,
                },
            )
        decision = NextMeetingDecision(
            meeting_id=next_meeting_id(self.id, self.number + 1),
            number=self.number + 1,
            tentative_month=tentative_month,
            decided_at=decided_at,
        )
        return self.model_copy(update={"next_meeting": decision}), decision


def new_person_id() -> str:
    """The id of a person the editor added on the page: never made of their name, which
    would outlive the purge of their data in the audit trail."""
    return f"p-{secrets.token_hex(4)}"


def next_meeting_id(current_id: str, number: int) -> str:
    """`pesnet-4` → `pesnet-5`; an id without a trailing number gets `-<n>` appended."""
    base = re.sub(r"-?\d+$", "", current_id) or "meeting"
    return f"{base}-{number}"


def ordinal_title(number: int) -> Localized:
    """The standard title of the network's N-th meeting, in the three languages."""
    return said(
        _("{ordinal} Meeting of the {network}"),
        ordinal=_ordinal(number),
        network=NETWORK_NAME,
    )


# the first ten meetings' ordinals are words in Arabic (الرابع) and "1re" in French
ORDINALS: dict[int, Term] = {
    1: NC_("meeting ordinal", "1st", PACKAGE),
    2: NC_("meeting ordinal", "2nd", PACKAGE),
    3: NC_("meeting ordinal", "3rd", PACKAGE),
    4: NC_("meeting ordinal", "4th", PACKAGE),
    5: NC_("meeting ordinal", "5th", PACKAGE),
    6: NC_("meeting ordinal", "6th", PACKAGE),
    7: NC_("meeting ordinal", "7th", PACKAGE),
    8: NC_("meeting ordinal", "8th", PACKAGE),
    9: NC_("meeting ordinal", "9th", PACKAGE),
    10: NC_("meeting ordinal", "10th", PACKAGE),
}
# beyond: the number with the suffix English gives it (21st, 22nd, 23rd, 11th)
ORDINAL_SUFFIXES: dict[str, Term] = {
    "st": NC_("meeting ordinal", "{number}st", PACKAGE),
    "nd": NC_("meeting ordinal", "{number}nd", PACKAGE),
    "rd": NC_("meeting ordinal", "{number}rd", PACKAGE),
    "th": NC_("meeting ordinal", "{number}th", PACKAGE),
}


def _ordinal(number: int) -> Localized:
    if number in ORDINALS:
        return said_as(ORDINALS[number])
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return said_as(ORDINAL_SUFFIXES[suffix], number=number)
