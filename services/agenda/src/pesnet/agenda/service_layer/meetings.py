"""Meetings: scheduling one, the people and institutions of its programme, and the
closing session's decision about the next meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pesnet.agenda.domain.commands import (
    DecideNextMeeting,
    PutInstitution,
    PutPerson,
    ReviseMeeting,
    ScheduleMeeting,
)
from pesnet.agenda.domain.meeting import Meeting, ordinal_title
from pesnet.agenda.domain.rescheduling import DetailChange, Rescheduling, place_changes
from pesnet.agenda.service_layer.rendering import CalendarRenderer
from pesnet.agenda.service_layer.unit_of_work import AgendaUnitOfWork, Clock
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Conflict, NotFound
from pesnet.shared.events.agenda import (
    MeetingDetailChange,
    MeetingJoinLinkSet,
    MeetingRescheduled,
    MeetingScheduled,
    ProgrammeInstitutionPut,
    ProgrammePersonPut,
)
from pesnet.shared.i18n import LANGUAGES
from pesnet.shared.institutions import Institution
from pesnet.shared.logging import get_logger
from pesnet.shared.translation import _

log = get_logger(__name__)


@dataclass(frozen=True)
class MeetingWithVersion:
    meeting: Meeting
    programme_version: int | None
    # the host and the chair as the reference names them now (see `Meeting.host`)
    host: Institution | None = None
    chair: Institution | None = None


async def check_host(meeting: Meeting, uow: AgendaUnitOfWork) -> None:
    """The meeting's host and chair are institutions of the reference (or ones it names
    itself)."""
    named = list(meeting.named_institutions().values())
    if named:
        meeting.check_host(await uow.institutions.get_many(named))


async def meeting_of(uow: AgendaUnitOfWork, meeting_id: str) -> Meeting:
    """The meeting, or NotFound (for every use case that names one)."""
    meeting = await uow.meetings.get(meeting_id)
    if meeting is None:
        raise NotFound(_("no meeting {meeting}"), params={"meeting": meeting_id})
    return meeting


def meeting_scheduled(meeting: Meeting) -> MeetingScheduled:
    return MeetingScheduled(
        meeting_id=meeting.id,
        number=meeting.number,
        title=meeting.title,
        city=meeting.city,
        venue=meeting.venue,
        country=meeting.country,
        timezone=meeting.timezone,
        status=meeting.status,
        start_date=meeting.start_date,
        end_date=meeting.end_date,
        tentative_month=meeting.tentative_month,
        interpretation_languages=list(meeting.interpretation_languages),
        registration_opens_at=meeting.registration_opens_at,
        registration_closes_at=meeting.registration_closes_at,
        delegation_quota=meeting.delegation_quota,
        capacity=meeting.capacity,
        host_institution=meeting.host_institution,
        chair_institution=meeting.chair_institution,
        demonstration=meeting.demonstration,
        attendance_mode=meeting.attendance_mode,
    )


def join_link_changed(before: Meeting | None, after: Meeting) -> MeetingJoinLinkSet | None:
    """The internal announcement of the join link, when it (or the mode) changed."""
    if before is not None and (before.join_url, before.attendance_mode) == (
        after.join_url,
        after.attendance_mode,
    ):
        return None
    if before is None and after.join_url is None:
        return None
    return MeetingJoinLinkSet(
        meeting_id=after.id, attendance_mode=after.attendance_mode, join_url=after.join_url
    )


async def schedule_meeting(
    cmd: ScheduleMeeting, uow: AgendaUnitOfWork, *, clock: Clock = utcnow
) -> Meeting:
    """A meeting scheduled with registration open opens it now (unless it says when);
    the registration service takes that from the event."""
    meeting = cmd.meeting
    if meeting.registration_open and meeting.status == "scheduled":
        meeting = meeting.model_copy(update={"status": "registration_open"})
    if meeting.status == "registration_open":
        meeting = meeting.model_copy(update={"registration_open": True})
        if meeting.registration_opens_at is None:
            meeting = meeting.model_copy(update={"registration_opens_at": clock()})
    meeting.check()

    async def work(uow: AgendaUnitOfWork) -> Meeting:
        await check_host(meeting, uow)
        if await uow.meetings.get(meeting.id) is not None:
            raise Conflict(
                _("meeting {meeting} exists already"), field="id", params={"meeting": meeting.id}
            )
        if await uow.meetings.numbered(meeting.number) is not None:
            raise Conflict(
                _("a meeting numbered {number} exists already"),
                field="number",
                params={"number": meeting.number},
            )
        await uow.meetings.save(meeting)
        uow.emit(meeting_scheduled(meeting), subject=meeting.id)
        link = join_link_changed(None, meeting)
        if link is not None:
            uow.emit(link, subject=meeting.id)
        return meeting

    return await uow.run(work)


async def revise_meeting(
    cmd: ReviseMeeting,
    uow: AgendaUnitOfWork,
    *,
    calendar: CalendarRenderer | None = None,
    clock: Clock = utcnow,
) -> Meeting:
    """Complete or correct a meeting and/or move it in its lifecycle (a tentative
    meeting gets its dates, venue, zone, host, quota and window, then is scheduled and
    opened); each change is announced with the meeting as it now stands. New dates move
    the draft programme with them (published again as a new release); a change of
    dates, venue or zone that confirmed people hold is announced to each of them."""

    async def work(uow: AgendaUnitOfWork) -> Meeting:
        meeting = await meeting_of(uow, cmd.meeting_id)
        now = clock()
        revised = meeting.revise(cmd.changes, now) if cmd.changes else meeting
        if cmd.status is not None:
            revised = revised.move_to(cmd.status, now)
        if revised == meeting:
            return meeting
        if revised.named_institutions() != meeting.named_institutions():
            await check_host(revised, uow)
        changed = place_changes(meeting, revised)
        if {c.field for c in changed} & {"start_date", "end_date"}:
            draft = await uow.drafts.get(meeting.id)
            if draft.sessions:
                await uow.drafts.save(draft.follow(meeting, revised))
        held = await uow.participants.confirmed(meeting.id) if changed else {}
        told = bool(held) and meeting.status != "tentative"
        if told:  # kept on the meeting: the audit page says what changed from what to what
            history = (*revised.reschedulings, Rescheduling(at=now, changes=changed))
            revised = revised.model_copy(update={"reschedulings": history})
        await uow.meetings.save(revised)
        uow.emit(meeting_scheduled(revised), subject=revised.id)
        if told and calendar is not None:
            uow.emit(rescheduled(revised, changed, held, calendar, now), subject=revised.id)
        link = join_link_changed(meeting, revised)
        if link is not None:
            uow.emit(link, subject=revised.id)
        return revised

    meeting = await uow.run(work)
    log.info("meeting revised", meeting_id=meeting.id, status=meeting.status)
    return meeting


def rescheduled(
    meeting: Meeting,
    changed: tuple[DetailChange, ...],
    confirmed: dict[str, str],
    calendar: CalendarRenderer,
    now: datetime,
) -> MeetingRescheduled:
    return MeetingRescheduled(
        meeting_id=meeting.id,
        changes=[MeetingDetailChange(field=c.field, was=c.was, now=c.now) for c in changed],
        affected_registration_ids=sorted(set(confirmed.values())),
        ics_by_language={lang: calendar.meeting_ics(meeting, lang, now) for lang in LANGUAGES},
    )


async def put_institution(cmd: PutInstitution, uow: AgendaUnitOfWork) -> Meeting:
    async def work(uow: AgendaUnitOfWork) -> Meeting:
        meeting = (await meeting_of(uow, cmd.meeting_id)).with_institution(cmd.institution)
        await uow.meetings.save(meeting)
        uow.emit(
            ProgrammeInstitutionPut(meeting_id=meeting.id, entry_id=cmd.institution.id),
            subject=f"institution/{cmd.institution.id}",
        )
        return meeting

    return await uow.run(work)


async def put_person(cmd: PutPerson, uow: AgendaUnitOfWork) -> Meeting:
    async def work(uow: AgendaUnitOfWork) -> Meeting:
        meeting = (await meeting_of(uow, cmd.meeting_id)).with_person(cmd.person)
        await uow.meetings.save(meeting)
        uow.emit(
            ProgrammePersonPut(meeting_id=meeting.id, entry_id=cmd.person.id),
            subject=f"person/{cmd.person.id}",
        )
        return meeting

    return await uow.run(work)


async def decide_next_meeting(
    cmd: DecideNextMeeting, uow: AgendaUnitOfWork, *, clock: Clock = utcnow
) -> Meeting:
    """Schedule meeting N+1 (tentative) and tell the other services; the same
    decision again changes nothing and answers the meeting it scheduled."""

    async def work(uow: AgendaUnitOfWork) -> Meeting:
        meeting = await meeting_of(uow, cmd.meeting_id)
        decided, decision = meeting.decide_next_meeting(cmd.tentative_month, clock())
        existing = await uow.meetings.get(decision.meeting_id)
        if decided is meeting and existing is not None:
            # the same decision again: the same meeting; another one is a conflict
            differing = _differs(existing, cmd)
            if differing is not None:
                raise Conflict(
                    _("the next meeting was decided with another {field}: change it there"),
                    field=differing,
                    params={"field": differing},
                )
            return existing
        if existing is not None or await uow.meetings.numbered(decision.number):
            raise Conflict(
                _("meeting number {number} exists already"),
                field="tentative_month",
                params={"number": decision.number},
            )
        next_meeting = Meeting(
            id=decision.meeting_id,
            number=decision.number,
            title=ordinal_title(decision.number),
            timezone=cmd.timezone or "UTC",
            status="tentative",
            city=cmd.city,
            country=cmd.country,
            tentative_month=cmd.tentative_month,
            interpretation_languages=meeting.interpretation_languages,
            institutions=meeting.institutions,
        )
        next_meeting.check()
        await uow.meetings.save(decided)
        await uow.meetings.save(next_meeting)
        uow.emit(meeting_scheduled(next_meeting), subject=next_meeting.id)
        return next_meeting

    return await uow.run(work)


def _differs(scheduled: Meeting, cmd: DecideNextMeeting) -> str | None:
    """The first detail in which a repeated decision differs from the meeting it made."""
    given = {"city": cmd.city, "country": cmd.country, "timezone": cmd.timezone or "UTC"}
    for name, value in given.items():
        if getattr(scheduled, name) != value:
            return name
    return None


# queries ---------------------------------------------------------------------------
async def list_meetings(uow: AgendaUnitOfWork) -> list[Meeting]:
    return await uow.meetings.all()


async def get_meeting(meeting_id: str, uow: AgendaUnitOfWork) -> MeetingWithVersion:
    """The meeting and the number of its latest programme version (None: unpublished)."""
    meeting = await meeting_of(uow, meeting_id)
    latest = await uow.releases.latest(meeting_id)
    reference = await uow.institutions.get_many(list(meeting.named_institutions().values()))
    return MeetingWithVersion(
        meeting,
        latest.version if latest else None,
        meeting.host(reference),
        meeting.chair(reference),
    )
