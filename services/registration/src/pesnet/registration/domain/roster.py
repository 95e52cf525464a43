"""A registration as the staff's lists and exports show it: the console, the
participants page and its CSV/XLSX, the check-in list. A plain row of the fields they
show, read without the rest of the registration (a meeting of thousands reads each
list whole; the aggregate, its events and its rules are for changing one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pesnet.registration.domain.access import Status
from pesnet.registration.domain.registration import Registration
from pesnet.shared.events.common import Attendance, Role


@dataclass(frozen=True, slots=True)
class Listed:
    """What a list shows of one registration (names are None once purged)."""

    id: str
    status: Status
    role: Role
    registered_at: datetime
    country: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    name_latin: str | None = None
    email: str | None = None
    institution: str | None = None
    institution_id: str | None = None
    position: str | None = None
    short_code: str | None = None
    checked_in_at: datetime | None = None
    attendance: Attendance | None = None
    waitlist_seq: int | None = None

    @property
    def waitlist_order(self) -> tuple[int, datetime, str]:
        """As `Registration.waitlist_order`: its turn, then when it registered."""
        return (self.waitlist_seq or 0, self.registered_at, self.id)


# the fields a `Listed` takes of a registration besides its id
LISTED_FIELDS = tuple(name for name in Listed.__dataclass_fields__ if name != "id")


def listed(registration: Registration) -> Listed:
    """The row of a registration (what a read of the row from the store gives)."""
    return Listed(id=registration.id, **{f: getattr(registration, f) for f in LISTED_FIELDS})
