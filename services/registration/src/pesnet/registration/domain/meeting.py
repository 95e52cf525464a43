"""A meeting as registration sees it: the agenda's announcement of it (its window,
quota and capacity), when it takes registrations and check-ins, whether a delegation
has a place, when its personal data may be purged. Taking an announcement and the
purge record their events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pesnet.shared.aggregate import Aggregate
from pesnet.shared.errors import Conflict, InvalidInput
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.events.common import Attendance
from pesnet.shared.events.registration import MeetingOpened, PersonalDataPurged
from pesnet.shared.i18n import Localized, localized_date, localized_moment, localized_zone
from pesnet.shared.translation import Message, _

if TYPE_CHECKING:
    from pesnet.registration.domain.delegation import Delegation
    from pesnet.registration.domain.registration import Registration


@dataclass(frozen=True)
class Places:
    """What the quota decision needs: the delegation's and the meeting's confirmed counts."""

    delegation_confirmed: int
    quota: int | None
    meeting_confirmed: int
    capacity: int | None

    def available(self) -> bool:
        if self.quota is not None and self.delegation_confirmed >= self.quota:
            return False
        return not (self.capacity is not None and self.meeting_confirmed >= self.capacity)

    def why_not(self) -> Message:
        if self.quota is not None and self.delegation_confirmed >= self.quota:
            return Message(_("the delegation's quota of {quota} is reached"), {"quota": self.quota})
        return Message(
            _("the meeting's capacity of {capacity} is reached"), {"capacity": self.capacity}
        )


# The meeting states (the agenda's lifecycle) in which registration may be open.
OPEN_STATUSES = frozenset({"registration_open"})


@dataclass(frozen=True)
class RegistrationWindow:
    """When a meeting takes registrations: in the agenda's `registration_open` state,
    from `opens_at` until `closes_at`, and never after the meeting's last day (in its
    own time zone) nor once its personal data has been purged."""

    opens_at: datetime | None
    closes_at: datetime | None
    status: str = "registration_open"
    last_day_ends_at: datetime | None = None
    purged: bool = False
    # the meeting's zone: the refusal says its times as a person there reads them
    timezone: str = "UTC"

    def refusal(self, now: datetime) -> tuple[str, dict[str, Any]] | None:
        """Why a registration at `now` is refused (an English message and its values),
        or None if the window is open."""
        if self.purged:
            return _(
                "registration for {meeting} is not open: the meeting is over and its "
                "personal data has been purged"
            ), {}
        if self.status == "tentative":
            return (
                _(
                    "registration for {meeting} is not open: the meeting is tentative; "
                    "registration opens once its dates are decided"
                ),
                {},
            )
        if self.status in ("held", "archived"):
            return _("registration for {meeting} is not open: the meeting has been held"), {}
        if self.last_day_ends_at is not None and now >= self.last_day_ends_at:
            return _("registration for {meeting} is not open: the meeting has been held"), {}
        if self.status not in OPEN_STATUSES:
            return _(
                "registration for {meeting} is not open: "
                "the secretariat has not opened registration"
            ), {}
        if self.opens_at is not None and now < self.opens_at:
            return _("registration for {meeting} is not open: registration opens at {opens_at}"), {
                "opens_at": localized_moment(self.opens_at, self.timezone)
            }
        if self.closes_at is not None and now >= self.closes_at:
            return _(
                "registration for {meeting} is not open: registration closed at {closes_at}"
            ), {"closes_at": localized_moment(self.closes_at, self.timezone)}
        return None


class MeetingSource(StrEnum):
    agenda = "agenda"  # the agenda's announcement: the authority
    seed = "seed"  # development seed, until the agenda announces the meeting


@dataclass(kw_only=True)
class Meeting(Aggregate):
    """Registration's projection of a meeting: its window, quota and capacity, and
    how many places it has given (written by every decision about its capacity)."""

    id: str
    title: Localized
    timezone: str = "UTC"
    status: str = "scheduled"
    number: int | None = None
    city: Localized | None = None
    venue: Localized | None = None
    country: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    delegation_quota: int | None = None
    capacity: int | None = None
    source: MeetingSource = MeetingSource.agenda
    announced_at: datetime | None = None
    confirmed_total: int = 0
    personal_data_purged_at: datetime | None = None
    # in person, online or hybrid (the agenda's); the join link for its participants only
    attendance_mode: str = "in_person"
    join_url: str | None = None

    def __post_init__(self) -> None:
        # badges and check-in times are shown in the meeting's zone
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                _("unknown time zone {zone}"), field="timezone", params={"zone": self.timezone}
            ) from None

    @classmethod
    def announced(
        cls,
        announcement: MeetingScheduled,
        *,
        source: MeetingSource,
        at: datetime,
        quota: int | None,
        existing: Meeting | None,
    ) -> Meeting:
        """The meeting as an announcement opens (or updates) it for registration; what
        registration counted and purged of it stays."""
        meeting = cls(
            id=announcement.meeting_id,
            number=announcement.number,
            title=announcement.title,
            city=announcement.city,
            venue=announcement.venue,
            country=announcement.country,
            timezone=announcement.timezone,
            status=announcement.status,
            start_date=announcement.start_date,
            end_date=announcement.end_date,
            registration_opens_at=announcement.registration_opens_at,
            registration_closes_at=announcement.registration_closes_at,
            delegation_quota=quota,
            capacity=announcement.capacity,
            source=source,
            announced_at=at,
            confirmed_total=existing.confirmed_total if existing else 0,
            personal_data_purged_at=existing.personal_data_purged_at if existing else None,
            attendance_mode=announcement.attendance_mode,
            join_url=existing.join_url if existing else None,
        )
        meeting.record(
            MeetingOpened(
                meeting_id=meeting.id,
                source=source.value,
                status=meeting.status,
                delegation_quota=quota,
                capacity=meeting.capacity,
            ),
            subject=f"meeting/{meeting.id}",
        )
        return meeting

    def purged(self, *, at: datetime, registrations: int) -> None:
        """Its registrations' personal data was erased (`registrations` of them)."""
        self.personal_data_purged_at = at
        self.record(
            PersonalDataPurged(meeting_id=self.id, registrations=registrations, purged_at=at),
            subject=f"meeting/{self.id}",
        )

    def takes_announcement(self, source: MeetingSource, announced_at: datetime) -> bool:
        """The agenda's announcement is the authority: it replaces a seeded meeting, an
        older announcement is ignored, and the seed never replaces an existing meeting."""
        if source is MeetingSource.seed:
            return False
        return not (
            self.source is MeetingSource.agenda
            and self.announced_at is not None
            and self.announced_at > announced_at
        )

    def attendance_of(self, chosen: Attendance | None) -> Attendance:
        """How a participant takes part: as the meeting is held, or, in a hybrid one, as
        they choose (a choice they must make)."""
        if self.attendance_mode == "hybrid":
            if chosen is None:
                raise InvalidInput(
                    _("the meeting is hybrid: choose to take part on site or online"),
                    field="attendance",
                )
            return chosen
        held: Attendance = "online" if self.attendance_mode == "online" else "on_site"
        if chosen is not None and chosen != held:
            raise InvalidInput(
                _("the meeting is not hybrid: how to take part is not a choice"),
                field="attendance",
            )
        return held

    def join_link_for(self, attendance: Attendance | None) -> str | None:
        """The link to join online, for a confirmed participant who takes part as
        `attendance`: everyone of an online meeting, a hybrid one's online participants
        (one who comes on site has no use for it), nobody of a meeting in person."""
        if self.attendance_mode == "in_person" or not self.join_url:
            return None
        on_site = self.attendance_mode == "hybrid" and attendance == "on_site"
        return None if on_site else self.join_url

    @property
    def online(self) -> bool:
        """Only online: nobody collects a badge on site."""
        return self.attendance_mode == "online"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _day_starts_at(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone)

    @property
    def window(self) -> RegistrationWindow:
        last = (
            self._day_starts_at(self.end_date + timedelta(days=1))
            if self.end_date is not None
            else None
        )
        return RegistrationWindow(
            self.registration_opens_at,
            self.registration_closes_at,
            self.status,
            last,
            self.personal_data_purged_at is not None,
            self.timezone,
        )

    def check_open(self, now: datetime) -> None:
        refusal = self.window.refusal(now)
        if refusal is not None:
            message, params = refusal
            raise Conflict(message, params={"meeting": self.id, **params})

    def check_in_day(self, now: datetime) -> None:
        """Check-in happens on the meeting's days, in its own time zone."""
        if self.start_date is None or self.end_date is None:
            raise Conflict(
                _("{meeting} has no dates yet: nobody can be checked in"),
                params={"meeting": self.id},
            )
        today = now.astimezone(self.zone).date()
        if not self.start_date <= today <= self.end_date:
            raise Conflict(
                _("check-in is on the days of the meeting, {start} to {end} ({zone})"),
                params={
                    "start": localized_date(self.start_date),
                    "end": localized_date(self.end_date),
                    "zone": localized_zone(self.timezone),
                },
            )

    def places_for(self, registration: Registration, delegation: Delegation) -> Places:
        return Places(
            delegation_confirmed=delegation.quota_used,
            # a quota bounds a member state's delegation; OIC institutions, partners,
            # speakers, moderators and the secretariat only the meeting's capacity
            quota=self.delegation_quota if registration.counts_against_quota else None,
            meeting_confirmed=self.confirmed_total,
            capacity=self.capacity,
        )

    def check_purgeable(self, today: date, older_than_days: int) -> None:
        if self.end_date is None:
            raise Conflict(
                _("{meeting} has no end date yet: nothing can be purged"),
                params={"meeting": self.id},
            )
        earliest = self.end_date + timedelta(days=older_than_days)
        if today < earliest:
            raise Conflict(
                _(
                    "{meeting} ended on {end}: its personal data can be purged {days} days "
                    "later, from {earliest}"
                ),
                params={
                    "meeting": self.id,
                    "end": self.end_date.isoformat(),
                    "days": older_than_days,
                    "earliest": earliest.isoformat(),
                },
            )
