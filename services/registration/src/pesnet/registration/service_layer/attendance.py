"""Online attendance: the secretariat imports the meeting tool's attendance list (CSV);
each line's address is matched to a confirmed registration of the meeting, whose online
attendance is recorded (`ParticipantAttendedOnline`), all in one transaction. Every line
gets its outcome, so the secretariat sees which lines matched nobody and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pesnet.registration.domain.access import Status
from pesnet.registration.domain.attendance import attendance_lines, list_text
from pesnet.registration.domain.registration import Registration
from pesnet.registration.service_layer.meetings import require_meeting
from pesnet.registration.service_layer.unit_of_work import Clock, RegistrationUnitOfWork, now_ms
from pesnet.shared.credentials import Actor
from pesnet.shared.emails import email_key
from pesnet.shared.errors import InvalidInput
from pesnet.shared.translation import _

LineOutcome = Literal[
    "recorded", "already_recorded", "no_address", "not_an_address", "unknown", "not_confirmed"
]


@dataclass(frozen=True)
class ImportAttendance:
    meeting_id: str
    actor: Actor
    csv_text: str


@dataclass(frozen=True)
class ImportedLine:
    number: int
    # the address, or what the address's column holds instead
    email: str | None
    outcome: LineOutcome
    registration_id: str | None = None
    column: int | None = None


__all__ = ["ImportAttendance", "ImportedLine", "import_attendance", "list_text"]


async def import_attendance(
    cmd: ImportAttendance, uow: RegistrationUnitOfWork, *, clock: Clock = now_ms
) -> list[ImportedLine]:
    lines = attendance_lines(cmd.csv_text)
    if not lines:
        raise InvalidInput(_("the attendance list has no line with an address"), field="csv")
    uow.actor = cmd.actor

    async def work(uow: RegistrationUnitOfWork) -> list[ImportedLine]:
        await require_meeting(uow, cmd.meeting_id)
        by_address: dict[str, Registration] = {
            r.email_key: r for r in await uow.registrations.not_purged_of(cmd.meeting_id)
        }
        now = clock()
        done: list[ImportedLine] = []
        for line in lines:
            outcome, found = _outcome(line.email, by_address, now)
            if outcome == "recorded" and found is not None:
                await uow.registrations.save(found)
            shown = line.email if line.email is not None else line.not_an_address
            if line.not_an_address is not None:
                outcome = "not_an_address"
            registration_id = found.id if found is not None else None
            done.append(ImportedLine(line.number, shown, outcome, registration_id, line.column))
        return done

    return await uow.run(work)


def _outcome(
    email: str | None, by_address: dict[str, Registration], now: datetime
) -> tuple[LineOutcome, Registration | None]:
    """What a line's address makes of the meeting's registrations."""
    if email is None:
        return "no_address", None
    found = by_address.get(email_key(email))
    if found is None:
        return "unknown", None
    if found.status is not Status.confirmed:
        return "not_confirmed", found
    if found.attend_online(at=now):
        return "recorded", found
    return "already_recorded", found
