"""Releases: publishing the draft as the next immutable version (with its changelog
and who it concerns), and reading the published versions."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pesnet.agenda.domain.commands import PublishProgramme
from pesnet.agenda.domain.meeting import Meeting
from pesnet.agenda.domain.participants import confirmed_people
from pesnet.agenda.domain.programme import overlaps
from pesnet.agenda.domain.release import (
    Change,
    ProgrammeView,
    Release,
    ReleaseSummary,
    affected_people,
    changelog,
    release,
)
from pesnet.agenda.domain.wording import said
from pesnet.agenda.service_layer.meetings import meeting_of
from pesnet.agenda.service_layer.rendering import CalendarRenderer
from pesnet.agenda.service_layer.unit_of_work import AgendaUnitOfWork, Clock
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Conflict, NotFound
from pesnet.shared.events.agenda import (
    AffectedParticipant,
    ProgrammeChange,
    ProgrammeReleased,
    ReleaseNoticesPrepared,
    SessionSummary,
)
from pesnet.shared.i18n import LANGUAGES, Language, Localized
from pesnet.shared.logging import get_logger
from pesnet.shared.terms import MEETING_STATUSES
from pesnet.shared.translation import _

log = get_logger(__name__)

SPEAKERS_CHANGED = said(_("Speakers or moderators changed"))


@dataclass(frozen=True)
class Published:
    release: Release
    affected: list[AffectedParticipant]
    event: ProgrammeReleased
    notices: ReleaseNoticesPrepared


async def publish(
    cmd: PublishProgramme,
    uow: AgendaUnitOfWork,
    *,
    calendar: CalendarRenderer,
    clock: Clock = utcnow,
) -> Published:
    """Two events: the public release (the sessions and what changed, nobody named) and
    the internal notices (who it concerns, the calendar in each language with speakers'
    names, for mails to attach)."""

    async def work(uow: AgendaUnitOfWork) -> Published:
        meeting = await meeting_of(uow, cmd.meeting_id)
        draft = await uow.drafts.get(cmd.meeting_id)
        previous = await uow.releases.latest(cmd.meeting_id)
        confirmed = confirmed_people(meeting, await uow.participants.confirmed(meeting.id))
        # after the purge registration alone knows who was confirmed (and keeps them
        # so): the programme's people stand, and nobody has an address to be told at
        speakers = set(meeting.people) if meeting.personal_data_purged_at else set(confirmed)
        new = release(
            meeting,
            previous,
            draft.sessions,
            speakers,
            clock(),
            confirm_overlaps=cmd.confirm_overlaps,
        )
        affected = [
            AffectedParticipant(registration_id=confirmed[person], session_ids=session_ids)
            for person, session_ids in affected_people(new.changes).items()
            if person in confirmed
        ]
        await uow.releases.add(new, affected)
        notices = release_notices(meeting, new, affected, calendar)
        event = programme_released(notices)
        uow.emit(event, subject=cmd.meeting_id)
        uow.emit(notices, subject=cmd.meeting_id)
        return Published(new, affected, event, notices)

    published = await uow.run(work)
    log.info(
        "programme released",
        meeting_id=cmd.meeting_id,
        version=published.release.version,
        changes=len(published.release.changes),
        affected=len(published.affected),
    )
    return published


async def publish_as_held(
    cmd: PublishProgramme,
    uow: AgendaUnitOfWork,
    *,
    calendar: CalendarRenderer,
    clock: Clock = utcnow,
) -> Published | None:
    """A held meeting's draft published as the programme it had (history loaded from
    before the platform: its speakers and moderators took part, no registration
    confirms them now, and nobody is told of it again). None when a version exists."""

    async def work(uow: AgendaUnitOfWork) -> Published | None:
        meeting = await meeting_of(uow, cmd.meeting_id)
        if meeting.status not in ("held", "archived"):
            raise Conflict(
                _("meeting {meeting} is {status}: only a held meeting's programme is history"),
                params={"meeting": meeting.id, "status": MEETING_STATUSES[meeting.status]},
            )
        if await uow.releases.latest(cmd.meeting_id) is not None:
            return None
        draft = await uow.drafts.get(cmd.meeting_id)
        new = release(meeting, None, draft.sessions, set(meeting.people), clock())
        await uow.releases.add(new, [])
        notices = release_notices(meeting, new, [], calendar)
        event = programme_released(notices)
        uow.emit(event, subject=cmd.meeting_id)
        return Published(new, [], event, notices)

    return await uow.run(work)


def release_notices(
    meeting: Meeting,
    new: Release,
    affected: list[AffectedParticipant],
    calendar: CalendarRenderer,
) -> ReleaseNoticesPrepared:
    view = ProgrammeView.of_release(new)
    calendars: dict[Language, str] = {lang: calendar.ics(view, lang) for lang in LANGUAGES}
    return ReleaseNoticesPrepared(
        meeting_id=meeting.id,
        version=new.version,
        released_at=new.released_at,
        timezone=meeting.timezone,
        changes=[
            ProgrammeChange(kind=c.kind, session_id=c.session_id, title=c.title, summary=c.summary)
            for c in new.changes
        ],
        affected=affected,
        sessions=[
            SessionSummary(
                session_id=s.id,
                title=s.title,
                starts_at=s.starts_at(meeting),
                ends_at=s.ends_at(meeting),
                room=s.room,
            )
            for s in new.sessions
        ],
        ics=calendars[Language.en],
        ics_by_language=calendars,
    )


def programme_released(notices: ReleaseNoticesPrepared) -> ProgrammeReleased:
    """The public face of a release: a change of speakers says that they changed, not
    who (partners read the people in the public programme)."""
    return ProgrammeReleased(
        meeting_id=notices.meeting_id,
        version=notices.version,
        released_at=notices.released_at,
        timezone=notices.timezone,
        changes=[
            c.model_copy(update={"summary": SPEAKERS_CHANGED})
            if c.kind == "speakers_changed"
            else c
            for c in notices.changes
        ],
        sessions=notices.sessions,
    )


# queries ---------------------------------------------------------------------------
async def release_history(meeting_id: str, uow: AgendaUnitOfWork) -> list[ReleaseSummary]:
    await meeting_of(uow, meeting_id)
    return await uow.releases.history(meeting_id)


async def programme(
    meeting_id: str,
    uow: AgendaUnitOfWork,
    *,
    version: int | None = None,
    registration_id: str | None = None,
) -> ProgrammeView:
    """A published version (the latest if none is given); with `registration_id`, only
    the sessions of that participant (their own calendar)."""
    meeting = await meeting_of(uow, meeting_id)
    if version is None:
        found = await uow.releases.latest(meeting_id)
        if found is None:
            raise NotFound(
                _("no programme of {meeting} has been published yet"),
                params={"meeting": meeting_id},
            )
    else:
        found = await uow.releases.get(meeting_id, version)
        if found is None:
            raise NotFound(
                _("{meeting} has no programme version {version}"),
                field="query.version",
                params={"meeting": meeting_id, "version": version},
            )
    view = replace(ProgrammeView.of_release(found), institutions=await _hosts(meeting, uow))
    if registration_id is None:
        return view
    return view.for_person(await person_of_calendar(uow, view.meeting, registration_id))


async def person_of_calendar(
    uow: AgendaUnitOfWork, meeting: Meeting, registration_id: str
) -> str | None:
    """Whose calendar: a confirmed participant's (None for one without a role in the
    programme: the plenaries only), or a programme person's whatever their status."""
    participant = await uow.participants.get(registration_id)
    if participant is None or participant.meeting_id != meeting.id:
        raise NotFound(
            _("no registration {registration} known for {meeting}"),
            field="registration_id",
            params={"registration": registration_id, "meeting": meeting.id},
        )
    people = meeting.person_by_email(participant.email)
    if people:
        return people[0].id
    if not participant.confirmed:
        raise NotFound(
            _("registration {registration} is not confirmed and has no role in the programme"),
            field="registration_id",
            params={"registration": registration_id},
        )
    return None


@dataclass(frozen=True)
class ReleasePreview:
    """What publishing the draft now would do: its changelog against the last version
    and the confirmed people it would notify (person id → the changed sessions)."""

    meeting: Meeting
    changes: tuple[Change, ...]
    notified: dict[str, list[str]]
    overlaps: int
    next_version: int


async def preview(meeting_id: str, uow: AgendaUnitOfWork) -> ReleasePreview:
    """The release the draft would make, without making it."""
    meeting = await meeting_of(uow, meeting_id)
    draft = await uow.drafts.get(meeting_id)
    previous = await uow.releases.latest(meeting_id)
    ordered = sorted(draft.sessions, key=lambda s: (s.day, s.start, s.id))
    confirmed = confirmed_people(meeting, await uow.participants.confirmed(meeting.id))
    changes = tuple(changelog(meeting, previous, ordered))
    notified = {
        person: sessions
        for person, sessions in affected_people(changes).items()
        if person in confirmed and not meeting.personal_data_purged_at
    }
    return ReleasePreview(
        meeting,
        changes,
        notified,
        len(overlaps(meeting, ordered)),
        (previous.version if previous else 0) + 1,
    )


async def _hosts(meeting: Meeting, uow: AgendaUnitOfWork) -> dict[str, Localized]:
    """The meeting's host and chair institutions, named as the reference names them now."""
    reference = await uow.institutions.get_many(list(meeting.named_institutions().values()))
    named = {"host": meeting.host(reference), "chair": meeting.chair(reference)}
    return {role: found.labels for role, found in named.items() if found is not None}
