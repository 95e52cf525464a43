"""Online attendance: the secretariat imports the meeting tool's attendance list (CSV);
each line's address is matched to a confirmed registration of the meeting, whose online
attendance is recorded (`ParticipantAttendedOnline`), all in one transaction. Every line
gets its outcome, so the secretariat sees which lines matched nobody and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pesnet.registration.domain.access import Status
from pesnet.registration.domain.attendance import attendance_lines
from pesnet.registration.domain.registration import Registration
from pesnet.registration.service_layer.meetings import require_meeting
from pesnet.registration.service_layer.unit_of_work import Clock, RegistrationUnitOfWork, now_ms
from pesnet.shared.credentials import Actor
from pesnet.shared.emails import email_key
from pesnet.shared.errors import InvalidInput
from pesnet.shared.translation import _

LineOutcome = Literal["recorded", "already_recorded", "no_address", "unknown", "not_confirmed"]


@dataclass(frozen=True)
class ImportAttendance:
    meeting_id: str
    actor: Actor
    csv_text: str


@dataclass(frozen=True)
class ImportedLine:
    number: int
    email: str | None
    outcome: LineOutcome
    registration_id: str | None = None


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
            if line.email is None:
                done.append(ImportedLine(line.number, None, "no_address"))
                continue
            found = by_address.get(email_key(line.email))
            if found is None:
                done.append(ImportedLine(line.number, line.email, "unknown"))
            elif found.status is not Status.confirmed:
                done.append(ImportedLine(line.number, line.email, "not_confirmed", found.id))
            elif found.attend_online(at=now):
                await uow.registrations.save(found)
                done.append(ImportedLine(line.number, line.email, "recorded", found.id))
            else:
                done.append(ImportedLine(line.number, line.email, "already_recorded", found.id))
        return done

    return await uow.run(work)
