"""Editing a meeting's draft programme: add, change, move and remove sessions.
Each answers the session as it now is, with the meeting it belongs to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pesnet.agenda.domain.commands import (
    AddSession,
    EditSession,
    MoveSession,
    RemoveSession,
    ReplaceDraft,
)
from pesnet.agenda.domain.meeting import Meeting
from pesnet.agenda.domain.programme import Draft, Overlap, Session, overlaps
from pesnet.agenda.domain.release import Change, changelog
from pesnet.agenda.service_layer.meetings import meeting_of
from pesnet.agenda.service_layer.unit_of_work import AgendaUnitOfWork
from pesnet.shared.events.agenda import (
    DraftReplaced,
    SessionAdded,
    SessionEdited,
    SessionMoved,
    SessionRemoved,
)


@dataclass(frozen=True)
class DraftedSession:
    meeting: Meeting
    session: Session


@dataclass(frozen=True)
class MeetingDraft:
    """The draft as the secretariat reviews it: what it changes against the last
    released version (every session when none was), and its overlapping sessions."""

    meeting: Meeting
    draft: Draft
    changes: Sequence[Change] = ()
    overlaps: Sequence[Overlap] = ()


def _of(session_id: str) -> str:
    """The subject of a draft session's events."""
    return f"session/{session_id}"


async def add_session(cmd: AddSession, uow: AgendaUnitOfWork) -> DraftedSession:
    async def work(uow: AgendaUnitOfWork) -> DraftedSession:
        meeting = await meeting_of(uow, cmd.meeting_id)
        session = cmd.session.in_zone_of(meeting)
        draft = (await uow.drafts.get(cmd.meeting_id)).add(meeting, session)
        await uow.drafts.save(draft)
        uow.emit(
            SessionAdded(meeting_id=meeting.id, session_id=session.id), subject=_of(session.id)
        )
        return DraftedSession(meeting, session)

    return await uow.run(work)


async def edit_session(cmd: EditSession, uow: AgendaUnitOfWork) -> DraftedSession:
    async def work(uow: AgendaUnitOfWork) -> DraftedSession:
        meeting = await meeting_of(uow, cmd.meeting_id)
        draft = await uow.drafts.get(cmd.meeting_id)
        edited = cmd.edit.applied_to(meeting, draft.get(cmd.session_id))
        uow.emit(
            SessionEdited(meeting_id=meeting.id, session_id=cmd.session_id),
            subject=_of(cmd.session_id),
        )
        return await _replace(uow, meeting, draft, edited)

    return await uow.run(work)


async def move_session(cmd: MoveSession, uow: AgendaUnitOfWork) -> DraftedSession:
    async def work(uow: AgendaUnitOfWork) -> DraftedSession:
        meeting = await meeting_of(uow, cmd.meeting_id)
        draft = await uow.drafts.get(cmd.meeting_id)
        moved = draft.get(cmd.session_id).moved(
            meeting, by_minutes=cmd.by_minutes, day=cmd.day, start=cmd.start
        )
        uow.emit(
            SessionMoved(meeting_id=meeting.id, session_id=cmd.session_id),
            subject=_of(cmd.session_id),
        )
        return await _replace(uow, meeting, draft, moved)

    return await uow.run(work)


async def _replace(
    uow: AgendaUnitOfWork, meeting: Meeting, draft: Draft, session: Session
) -> DraftedSession:
    draft = draft.replace(meeting, session)
    await uow.drafts.save(draft)
    return DraftedSession(meeting, draft.get(session.id))


async def remove_session(cmd: RemoveSession, uow: AgendaUnitOfWork) -> None:
    async def work(uow: AgendaUnitOfWork) -> None:
        await meeting_of(uow, cmd.meeting_id)
        draft = (await uow.drafts.get(cmd.meeting_id)).remove(cmd.session_id)
        await uow.drafts.save(draft)
        uow.emit(
            SessionRemoved(meeting_id=cmd.meeting_id, session_id=cmd.session_id),
            subject=_of(cmd.session_id),
        )

    await uow.run(work)


async def replace_draft(cmd: ReplaceDraft, uow: AgendaUnitOfWork) -> Draft:
    async def work(uow: AgendaUnitOfWork) -> Draft:
        meeting = await meeting_of(uow, cmd.meeting_id)
        draft = Draft(meeting_id=cmd.meeting_id)
        for session in cmd.sessions:
            draft = draft.add(meeting, session)
        await uow.drafts.save(draft)
        uow.emit(
            DraftReplaced(meeting_id=cmd.meeting_id, sessions=len(draft.sessions)),
            subject=cmd.meeting_id,
        )
        return draft

    return await uow.run(work)


# queries ---------------------------------------------------------------------------
async def get_draft(meeting_id: str, uow: AgendaUnitOfWork) -> MeetingDraft:
    meeting = await meeting_of(uow, meeting_id)
    draft = await uow.drafts.get(meeting_id)
    previous = await uow.releases.latest(meeting_id)
    ordered = sorted(draft.sessions, key=lambda s: (s.day, s.start, s.id))
    return MeetingDraft(
        meeting,
        draft,
        changes=changelog(meeting, previous, ordered),
        overlaps=overlaps(meeting, ordered),
    )
