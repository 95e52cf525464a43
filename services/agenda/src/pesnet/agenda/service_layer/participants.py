"""The agenda's projection of registrations (kept from registration's events), and
what it means for the draft: a speaker who withdraws flags their sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pesnet.agenda.domain.commands import ForgetParticipants, RecordParticipant
from pesnet.agenda.domain.meeting import Meeting
from pesnet.agenda.domain.participants import (
    Participant,
    SessionNotice,
    concerns_programme,
    confirmed_people,
    follow_registration,
)
from pesnet.agenda.domain.purge import (
    pseudonyms,
    purged_draft,
    purged_meeting,
    purged_release,
)
from pesnet.agenda.service_layer.meetings import meeting_of
from pesnet.agenda.service_layer.unit_of_work import AgendaUnitOfWork
from pesnet.shared.audit import AuditAction
from pesnet.shared.envelope import utcnow
from pesnet.shared.events.agenda import SessionChanged, SessionChangeNoticesPrepared
from pesnet.shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class ProjectedParticipant:
    """A participant and the programme person their e-mail links them to (if any)."""

    participant: Participant
    person_id: str | None


async def record_participant(cmd: RecordParticipant, uow: AgendaUnitOfWork) -> list[SessionNotice]:
    """Keep the registration's latest state; flag or clear the sessions of its person
    and tell the session's other people (`SessionChanged`, public, names nobody;
    `SessionChangeNoticesPrepared`, internal, their registrations). Returns what changed."""
    participant = cmd.participant

    async def work(uow: AgendaUnitOfWork) -> list[SessionNotice]:
        if cmd.created and not await _names_a_programme_person(uow, participant):
            # a new registration of nobody in the programme: no state before it matters
            # (an older one never is; a newer one, come first, the write keeps)
            await uow.participants.record_unread(participant)
            return []
        stored = await uow.participants.record(participant)
        if not participant.is_newer_than(stored):
            log.info(
                "older registration event ignored", registration_id=participant.registration_id
            )
            return []
        meeting = await uow.meetings.recent(participant.meeting_id)
        if meeting is None or not concerns_programme(meeting, stored, participant):
            return []  # nobody of the programme: the draft is not even read
        draft, notices = follow_registration(
            meeting, await uow.drafts.get(meeting.id), stored, participant
        )
        if not notices:
            return []
        await uow.drafts.save(draft)
        confirmed = confirmed_people(meeting, await uow.participants.confirmed(meeting.id))
        for notice in notices:
            prepared = change_notices(meeting, notice, confirmed)
            uow.emit(session_changed(prepared), subject=meeting.id)
            uow.emit(prepared, subject=meeting.id)
        return notices

    return await uow.run(work)


async def _names_a_programme_person(uow: AgendaUnitOfWork, participant: Participant) -> bool:
    meeting = await uow.meetings.recent(participant.meeting_id)
    return meeting is not None and bool(meeting.person_by_email(participant.email))


def change_notices(
    meeting: Meeting, notice: SessionNotice, confirmed: dict[str, str]
) -> SessionChangeNoticesPrepared:
    """It says that a speaker or moderator withdrew, never who (a withdrawal is personal
    data; the secretariat sees it in the draft), and whom to tell, by registration."""
    session = notice.session
    return SessionChangeNoticesPrepared(
        meeting_id=meeting.id,
        session_id=session.id,
        title=session.title,
        change="speaker_withdrawn" if notice.withdrew else "updated",
        summary=notice.summary,
        flagged=session.flagged,
        affected_registration_ids=[confirmed[p] for p in session.people() if p in confirmed],
    )


def session_changed(prepared: SessionChangeNoticesPrepared) -> SessionChanged:
    """The public event: the change without the people to tell."""
    return SessionChanged(**prepared.model_dump(exclude={"affected_registration_ids"}))


async def forget_participants(cmd: ForgetParticipants, uow: AgendaUnitOfWork) -> int:
    """Registration purged a meeting's personal data: the registrations go, and the
    programme's people lose their names and addresses in the meeting, its draft and
    every release (`domain.purge`)."""

    async def work(uow: AgendaUnitOfWork) -> int:
        # the published notices of its releases name the people (calendars, summaries)
        await uow.forget_published_events(cmd.meeting_id)
        meeting = await uow.meetings.get(cmd.meeting_id)
        if meeting is not None and meeting.personal_data_purged_at is None:
            await _purge_programme(meeting, cmd.purged_at or utcnow(), uow)
        # the registrations it kept are erased: no event of its own records that
        uow.audit(AuditAction.personal_data_erased, meeting_id=cmd.meeting_id)
        return await uow.participants.forget_meeting(cmd.meeting_id)

    removed = await uow.run(work)
    log.info("registrations forgotten", meeting_id=cmd.meeting_id, count=removed)
    return removed


async def _purge_programme(meeting: Meeting, purged_at: datetime, uow: AgendaUnitOfWork) -> None:
    draft = await uow.drafts.get(meeting.id)
    releases = await uow.releases.of_meeting(meeting.id)
    names = pseudonyms(
        [meeting, *(r.meeting for r in releases)],
        [*draft.sessions, *(s for r in releases for s in r.sessions)],
    )
    purged = purged_meeting(meeting, names)
    await uow.meetings.save(purged.model_copy(update={"personal_data_purged_at": purged_at}))
    await uow.drafts.save(purged_draft(draft, names))
    for release in releases:
        await uow.releases.replace(purged_release(release, names))


# queries ---------------------------------------------------------------------------
async def list_participants(
    meeting_id: str, uow: AgendaUnitOfWork, status: str | None = None
) -> list[ProjectedParticipant]:
    meeting = await meeting_of(uow, meeting_id)
    result = []
    for participant in await uow.participants.of_meeting(meeting_id, status):
        people = meeting.person_by_email(participant.email)
        result.append(ProjectedParticipant(participant, people[0].id if people else None))
    return result
