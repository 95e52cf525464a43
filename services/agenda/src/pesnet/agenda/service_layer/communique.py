"""The meeting's outcome: the secretariat drafts the final communiqué, the closing session
amends it (each amendment a delegation's, accepted or not) and adopts it, and the
secretariat publishes it (`CommuniquePublished`, public: it names no one)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pesnet.agenda.domain.commands import (
    AdoptCommunique,
    DecideAmendment,
    DraftCommunique,
    ProposeAmendment,
    PublishCommunique,
)
from pesnet.agenda.domain.communique import Amendment, Communique
from pesnet.agenda.domain.meeting import Meeting
from pesnet.agenda.service_layer.meetings import meeting_of
from pesnet.agenda.service_layer.unit_of_work import AgendaUnitOfWork, Clock
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import NotFound
from pesnet.shared.events.agenda import (
    CommuniqueAdopted,
    CommuniqueAmendmentDecided,
    CommuniqueAmendmentProposed,
    CommuniqueDrafted,
    CommuniquePublished,
)
from pesnet.shared.translation import _


@dataclass(frozen=True)
class MeetingCommunique:
    meeting: Meeting
    communique: Communique


def _none_yet(meeting_id: str) -> NotFound:
    return NotFound(_("meeting {meeting} has no communiqué yet"), params={"meeting": meeting_id})


async def _change(
    uow: AgendaUnitOfWork,
    meeting_id: str,
    change: Callable[[Meeting, Communique | None], Communique],
) -> MeetingCommunique:
    """Load, change and save the meeting's communiqué in one transaction."""

    async def work(uow: AgendaUnitOfWork) -> MeetingCommunique:
        meeting = await meeting_of(uow, meeting_id)
        changed = change(meeting, await uow.communiques.get(meeting_id))
        await uow.communiques.save(changed)
        return MeetingCommunique(meeting, changed)

    return await uow.run(work)


def _existing(communique: Communique | None, meeting_id: str) -> Communique:
    if communique is None:
        raise _none_yet(meeting_id)
    return communique


async def draft_communique(
    cmd: DraftCommunique, uow: AgendaUnitOfWork, *, clock: Clock = utcnow
) -> MeetingCommunique:
    def change(meeting: Meeting, found: Communique | None) -> Communique:
        current = found or Communique(meeting_id=meeting.id)
        drafted = current.redraft(cmd.paragraphs, clock())
        uow.emit(
            CommuniqueDrafted(meeting_id=meeting.id, paragraphs=len(drafted.paragraphs)),
            subject=meeting.id,
        )
        return drafted

    return await _change(uow, cmd.meeting_id, change)


async def propose_amendment(
    cmd: ProposeAmendment, uow: AgendaUnitOfWork, *, clock: Clock = utcnow
) -> Amendment:
    proposed: list[Amendment] = []

    def change(meeting: Meeting, found: Communique | None) -> Communique:
        amended, amendment = _existing(found, meeting.id).propose(
            proposed_by=cmd.proposed_by,
            paragraph_id=cmd.paragraph_id,
            kind=cmd.kind,
            text=cmd.text,
            at=clock(),
        )
        proposed.append(amendment)
        uow.emit(
            CommuniqueAmendmentProposed(
                meeting_id=meeting.id,
                amendment_id=amendment.id,
                proposed_by=amendment.proposed_by,
                paragraph_id=amendment.paragraph_id,
            ),
            subject=meeting.id,
        )
        return amended

    await _change(uow, cmd.meeting_id, change)
    return proposed[0]


async def decide_amendment(
    cmd: DecideAmendment, uow: AgendaUnitOfWork, *, clock: Clock = utcnow
) -> MeetingCommunique:
    def change(meeting: Meeting, found: Communique | None) -> Communique:
        decided = _existing(found, meeting.id).decide(cmd.amendment_id, cmd.accepted, clock())
        uow.emit(
            CommuniqueAmendmentDecided(
                meeting_id=meeting.id, amendment_id=cmd.amendment_id, accepted=cmd.accepted
            ),
            subject=meeting.id,
        )
        return decided

    return await _change(uow, cmd.meeting_id, change)


async def adopt_communique(
    cmd: AdoptCommunique, uow: AgendaUnitOfWork, *, clock: Clock = utcnow
) -> MeetingCommunique:
    def change(meeting: Meeting, found: Communique | None) -> Communique:
        adopted = _existing(found, meeting.id).adopt(clock())
        assert adopted.adopted_at is not None
        uow.emit(
            CommuniqueAdopted(
                meeting_id=meeting.id,
                adopted_at=adopted.adopted_at,
                paragraphs=len(adopted.paragraphs),
            ),
            subject=meeting.id,
        )
        return adopted

    return await _change(uow, cmd.meeting_id, change)


async def publish_communique(
    cmd: PublishCommunique, uow: AgendaUnitOfWork, *, clock: Clock = utcnow
) -> MeetingCommunique:
    def change(meeting: Meeting, found: Communique | None) -> Communique:
        published = _existing(found, meeting.id).publish(clock())
        assert published.adopted_at is not None
        assert published.published_at is not None
        uow.emit(
            CommuniquePublished(
                meeting_id=meeting.id,
                meeting_number=meeting.number,
                adopted_at=published.adopted_at,
                published_at=published.published_at,
                paragraphs=published.numbered(),
            ),
            subject=meeting.id,
        )
        return published

    return await _change(uow, cmd.meeting_id, change)


async def communique(
    meeting_id: str, uow: AgendaUnitOfWork, *, published_only: bool
) -> MeetingCommunique:
    """The meeting's communiqué; the public reads it once it is published."""
    meeting = await meeting_of(uow, meeting_id)
    found = await uow.communiques.get(meeting_id)
    if found is None or (published_only and found.status != "published"):
        raise NotFound(
            _("the communiqué of meeting {meeting} is not published yet"),
            params={"meeting": meeting_id},
        )
    return MeetingCommunique(meeting, found)


async def communique_draft(meeting_id: str, uow: AgendaUnitOfWork) -> MeetingCommunique:
    """The secretariat's view: the communiqué as it stands (an empty draft before any)."""
    meeting = await meeting_of(uow, meeting_id)
    found = await uow.communiques.get(meeting_id)
    return MeetingCommunique(meeting, found or Communique(meeting_id=meeting_id))
