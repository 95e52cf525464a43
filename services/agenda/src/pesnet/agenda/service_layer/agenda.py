"""The agenda's use cases. Each state change and the events it causes are written
in one MongoDB transaction (state + outbox); the relay publishes afterwards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from pymongo.errors import DuplicateKeyError

from pesnet.agenda.adapters.render import ProgrammeView, programme_ics
from pesnet.agenda.adapters.repository import CONFIRMED_STATUSES, AgendaRepository
from pesnet.agenda.domain.chairmanship import ChairHolder, Chairmanship, ChairTerm
from pesnet.agenda.domain.localtime import wall_clock
from pesnet.agenda.domain.meeting import Institution, Meeting, Person, ordinal_title
from pesnet.agenda.domain.programme import Draft, Session
from pesnet.agenda.domain.release import Release, affected_people, release
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Conflict, InvalidInput, NotFound
from pesnet.shared.events.agenda import (
    AffectedParticipant,
    ChairInstitution,
    ChairmanshipTransferred,
    MeetingScheduled,
    ProgrammeChange,
    ProgrammeReleased,
    SessionChanged,
    SessionSummary,
)
from pesnet.shared.i18n import LANGUAGES, Language, Localized
from pesnet.shared.logging import get_logger
from pesnet.shared.mongo import Client, DbSession, in_transaction
from pesnet.shared.outbox import Outbox

log = get_logger(__name__)
T = TypeVar("T")


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
    )


def _chair(holder: ChairHolder) -> ChairInstitution:
    return ChairInstitution(
        institution=holder.institution,
        name=holder.name,
        country=holder.country,
        oic_group=holder.oic_group,
    )


WITHDRAWN_NOTICES = {
    "speaker": Localized(
        ar="انسحب أحد المتحدثين؛ الجلسة قيد المراجعة",
        en="A speaker withdrew; the session is under review",
        fr="Un intervenant s'est retiré ; la séance est en révision",
    ),
    "moderator": Localized(
        ar="انسحب مسيّر الجلسة؛ الجلسة قيد المراجعة",
        en="The moderator withdrew; the session is under review",
        fr="La modération s'est retirée ; la séance est en révision",
    ),
}
BACK_NOTICES = {
    "speaker": Localized(
        ar="أُكّدت مشاركة أحد المتحدثين من جديد",
        en="A speaker who had withdrawn is confirmed again",
        fr="Un intervenant qui s'était retiré est de nouveau confirmé",
    ),
    "moderator": Localized(
        ar="أُكّدت مشاركة مسيّر الجلسة من جديد",
        en="The moderator who had withdrawn is confirmed again",
        fr="La modération qui s'était retirée est de nouveau confirmée",
    ),
}


@dataclass(frozen=True)
class SessionTimes:
    """Times as a request gives them: local, possibly with an offset to be checked."""

    day: date
    start: time
    end: time | None


@dataclass(frozen=True)
class Published:
    release: Release
    affected: list[AffectedParticipant]
    event: ProgrammeReleased


class Agenda:
    def __init__(
        self,
        client: Client,
        repo: AgendaRepository,
        outbox: Outbox,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.client = client
        self.repo = repo
        self.outbox = outbox
        self.clock = clock

    # helpers ---------------------------------------------------------------
    async def _meeting(self, meeting_id: str, session: DbSession | None = None) -> Meeting:
        meeting = await self.repo.get_meeting(meeting_id, session)
        if meeting is None:
            raise NotFound(f"no meeting {meeting_id!r}")
        return meeting

    async def meeting(self, meeting_id: str) -> Meeting:
        return await self._meeting(meeting_id)

    @staticmethod
    def resolve_times(meeting: Meeting, times: SessionTimes) -> SessionTimes:
        zone = meeting.zone
        start = wall_clock(times.day, times.start, zone, field="start")
        end = wall_clock(times.day, times.end, zone, field="end") if times.end else None
        return SessionTimes(times.day, start, end)

    # meetings --------------------------------------------------------------
    async def schedule_meeting(self, meeting: Meeting) -> Meeting:
        """Schedule a meeting; one scheduled with registration open opens it now
        (unless it says when), which the registration service takes from the event."""
        if meeting.registration_open and meeting.registration_opens_at is None:
            meeting = meeting.model_copy(update={"registration_opens_at": self.clock()})
        meeting.check()

        async def work(session: DbSession) -> Meeting:
            if await self.repo.get_meeting(meeting.id, session) is not None:
                raise Conflict(f"meeting {meeting.id} exists already", field="id")
            if await self.repo.meeting_numbered(meeting.number, session) is not None:
                raise Conflict(
                    f"a meeting numbered {meeting.number} exists already", field="number"
                )
            await self.repo.save_meeting(meeting, session)
            await self.outbox.add(session, meeting_scheduled(meeting), subject=meeting.id)
            return meeting

        return await self._run(work)

    async def put_institution(self, meeting_id: str, institution: Institution) -> Meeting:
        async def work(session: DbSession) -> Meeting:
            meeting = (await self._meeting(meeting_id, session)).with_institution(institution)
            await self.repo.save_meeting(meeting, session)
            return meeting

        return await self._run(work)

    async def put_person(self, meeting_id: str, person: Person) -> Meeting:
        async def work(session: DbSession) -> Meeting:
            meeting = (await self._meeting(meeting_id, session)).with_person(person)
            await self.repo.save_meeting(meeting, session)
            return meeting

        return await self._run(work)

    async def decide_next_meeting(
        self,
        meeting_id: str,
        tentative_month: str,
        *,
        city: Localized | None = None,
        country: str | None = None,
        timezone: str | None = None,
    ) -> Meeting:
        """The closing session decided the month of the next meeting: schedule it
        (tentative, N+1) and tell the other services."""

        async def work(session: DbSession) -> Meeting:
            meeting = await self._meeting(meeting_id, session)
            decided, decision = meeting.decide_next_meeting(tentative_month, self.clock())
            existing = await self.repo.get_meeting(decision.meeting_id, session)
            if decided is meeting and existing is not None:
                return existing  # the same decision again: nothing changes
            if existing is not None or await self.repo.meeting_numbered(decision.number, session):
                raise Conflict(
                    f"meeting number {decision.number} exists already", field="tentative_month"
                )
            next_meeting = Meeting(
                id=decision.meeting_id,
                number=decision.number,
                title=ordinal_title(decision.number),
                timezone=timezone or "UTC",
                status="tentative",
                city=city,
                country=country,
                tentative_month=tentative_month,
                interpretation_languages=meeting.interpretation_languages,
                institutions=meeting.institutions,
            )
            next_meeting.check()
            await self.repo.save_meeting(decided, session)
            await self.repo.save_meeting(next_meeting, session)
            await self.outbox.add(session, meeting_scheduled(next_meeting), subject=next_meeting.id)
            return next_meeting

        return await self._run(work)

    # the draft -------------------------------------------------------------
    async def draft(self, meeting_id: str) -> tuple[Meeting, Draft]:
        meeting = await self._meeting(meeting_id)
        return meeting, await self.repo.get_draft(meeting_id)

    async def add_session(self, meeting_id: str, build: Callable[[Meeting], Session]) -> Session:
        async def work(session: DbSession) -> Session:
            meeting = await self._meeting(meeting_id, session)
            new = build(meeting)
            draft = (await self.repo.get_draft(meeting_id, session)).add(meeting, new)
            await self.repo.save_draft(draft, session)
            return new

        return await self._run(work)

    async def update_session(
        self, meeting_id: str, session_id: str, change: Callable[[Meeting, Session], Session]
    ) -> Session:
        async def work(session: DbSession) -> Session:
            meeting = await self._meeting(meeting_id, session)
            draft = await self.repo.get_draft(meeting_id, session)
            updated = change(meeting, draft.get(session_id))
            if updated.id != session_id:
                raise InvalidInput("a session keeps its id", field="id")
            draft = draft.replace(meeting, updated)
            await self.repo.save_draft(draft, session)
            return draft.get(session_id)

        return await self._run(work)

    async def move_session(
        self,
        meeting_id: str,
        session_id: str,
        *,
        by_minutes: int | None = None,
        day: date | None = None,
        start: time | None = None,
    ) -> Session:
        """Move a session keeping its duration: by N minutes, or to a new day and/or start."""

        def change(meeting: Meeting, current: Session) -> Session:
            new_day = day or current.day
            if by_minutes is not None:
                if day is not None or start is not None:
                    raise InvalidInput(
                        "give by_minutes, or day/start, not both", field="by_minutes"
                    )
                begin = datetime.combine(current.day, current.start) + timedelta(minutes=by_minutes)
                if begin.date() != current.day:
                    raise InvalidInput("that moves the session to another day", field="by_minutes")
                new_start = begin.time()
            else:
                if start is None and day is None:
                    raise InvalidInput("give by_minutes, or a new day and/or start", field="start")
                new_start = (
                    wall_clock(new_day, start, meeting.zone, field="start")
                    if start
                    else current.start
                )
            new_end = None
            if current.end is not None:
                duration = datetime.combine(current.day, current.end) - datetime.combine(
                    current.day, current.start
                )
                finish = datetime.combine(new_day, new_start) + duration
                if finish.date() != new_day:
                    raise InvalidInput("the session would end after midnight", field="start")
                new_end = finish.time()
            return current.model_copy(update={"day": new_day, "start": new_start, "end": new_end})

        return await self.update_session(meeting_id, session_id, change)

    async def delete_session(self, meeting_id: str, session_id: str) -> None:
        async def work(session: DbSession) -> None:
            await self._meeting(meeting_id, session)
            draft = (await self.repo.get_draft(meeting_id, session)).remove(session_id)
            await self.repo.save_draft(draft, session)

        await self._run(work)

    async def replace_draft(self, meeting_id: str, sessions: list[Session]) -> Draft:
        """Set the whole draft at once (the seed); every session is validated."""

        async def work(session: DbSession) -> Draft:
            meeting = await self._meeting(meeting_id, session)
            draft = Draft(meeting_id=meeting_id)
            for item in sessions:
                draft = draft.add(meeting, item)
            await self.repo.save_draft(draft, session)
            return draft

        return await self._run(work)

    # releases --------------------------------------------------------------
    async def _confirmed_people(
        self, meeting: Meeting, session: DbSession | None
    ) -> dict[str, str]:
        """person id → registration id, for the meeting's people who are confirmed."""
        by_email = await self.repo.confirmed_registrations(meeting.id, session)
        return {
            p.id: by_email[p.email.lower()]
            for p in meeting.people.values()
            if p.email.lower() in by_email
        }

    async def publish(self, meeting_id: str) -> Published:
        async def work(session: DbSession) -> Published:
            meeting = await self._meeting(meeting_id, session)
            draft = await self.repo.get_draft(meeting_id, session)
            previous = await self.repo.latest_release(meeting_id, session)
            confirmed = await self._confirmed_people(meeting, session)
            new = release(meeting, previous, draft.sessions, set(confirmed), self.clock())
            affected = [
                AffectedParticipant(registration_id=confirmed[person], session_ids=session_ids)
                for person, session_ids in affected_people(new.changes).items()
                if person in confirmed
            ]
            try:
                await self.repo.add_release(new, [a.model_dump() for a in affected], session)
            except DuplicateKeyError:
                raise Conflict(
                    f"version {new.version} was published at the same time; reload and retry"
                ) from None
            view = ProgrammeView.of_release(new)
            calendars: dict[Language, str] = {lang: programme_ics(view, lang) for lang in LANGUAGES}
            event = ProgrammeReleased(
                meeting_id=meeting_id,
                version=new.version,
                released_at=new.released_at,
                timezone=meeting.timezone,
                changes=[
                    ProgrammeChange(
                        kind=c.kind, session_id=c.session_id, title=c.title, summary=c.summary
                    )
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
            await self.outbox.add(session, event, subject=meeting_id)
            return Published(new, affected, event)

        published = await self._run(work)
        log.info(
            "programme released",
            meeting_id=meeting_id,
            version=published.release.version,
            changes=len(published.release.changes),
            affected=len(published.affected),
        )
        return published

    async def release_view(self, meeting_id: str, version: int | None) -> ProgrammeView:
        """A published version (the latest if none is given)."""
        await self._meeting(meeting_id)
        if version is None:
            latest = await self.repo.latest_release(meeting_id)
            if latest is None:
                raise NotFound(f"no programme of {meeting_id} has been published yet")
            return ProgrammeView.of_release(latest)
        found = await self.repo.get_release(meeting_id, version)
        if found is None:
            raise NotFound(f"{meeting_id} has no programme version {version}", field="version")
        return ProgrammeView.of_release(found)

    async def person_of_registration(self, meeting: Meeting, registration_id: str) -> Person:
        participant = await self.repo.participant(registration_id)
        if participant is None or participant["meeting_id"] != meeting.id:
            raise NotFound(
                f"no registration {registration_id!r} known for {meeting.id}",
                field="registration_id",
            )
        people = meeting.person_by_email(participant["email"])
        if not people:
            raise NotFound(
                f"registration {registration_id} has no role in the programme",
                field="registration_id",
            )
        return people[0]

    # chairmanship ----------------------------------------------------------
    async def chairmanship(self) -> Chairmanship:
        return await self.repo.get_chairmanship()

    async def record_chair_term(self, term: ChairTerm) -> Chairmanship:
        async def work(session: DbSession) -> Chairmanship:
            state = (await self.repo.get_chairmanship(session)).record_term(term)
            await self.repo.save_chairmanship(state, session)
            return state

        return await self._run(work)

    async def hand_over_chair(
        self,
        incoming: ChairHolder,
        *,
        effective_date: date,
        term: str,
        meeting_id: str | None,
        vice_chair: ChairHolder | None = None,
    ) -> ChairTerm:
        async def work(session: DbSession) -> ChairTerm:
            if meeting_id is not None:
                await self._meeting(meeting_id, session)
            state, outgoing, new_term = (await self.repo.get_chairmanship(session)).hand_over(
                incoming,
                effective_date=effective_date,
                term=term,
                meeting_id=meeting_id,
                vice_chair=vice_chair,
            )
            await self.repo.save_chairmanship(state, session)
            await self.outbox.add(
                session,
                ChairmanshipTransferred(
                    meeting_id=meeting_id,
                    effective_date=effective_date,
                    term=term,
                    outgoing=_chair(outgoing.holder) if outgoing else None,
                    incoming=_chair(incoming),
                ),
                subject=term,
            )
            return new_term

        return await self._run(work)

    # the projection of registrations -----------------------------------------
    async def apply_registration(
        self,
        session: DbSession,
        event_time: datetime,
        registration: dict[str, Any],
        emit: Callable[[SessionChanged], Any],
    ) -> None:
        """Keep the registration's latest state; flag or unflag sessions of its person."""
        registration_id = registration["registration_id"]
        stored = await self.repo.participant(registration_id, session)
        if stored is not None and stored["as_of"] > event_time:
            log.info("older registration event ignored", registration_id=registration_id)
            return
        was_confirmed = stored is not None and stored["status"] in CONFIRMED_STATUSES
        doc = {
            "_id": registration_id,
            "meeting_id": registration["meeting_id"],
            "email": registration["email"].lower(),
            "given_name": registration["given_name"],
            "family_name": registration["family_name"],
            "language": registration["language"],
            "role": registration["role"],
            "country": registration.get("country"),
            "status": registration["status"],
            "as_of": event_time,
        }
        await self.repo.save_participant(doc, session)
        meeting = await self.repo.get_meeting(registration["meeting_id"], session)
        if meeting is None:
            return
        people = meeting.person_by_email(doc["email"])
        lost: list[Person] = []
        if stored is not None and stored["email"] != doc["email"] and was_confirmed:
            # the address changed: the person of the old address no longer has a
            # confirmed registration through this one
            lost = [p for p in meeting.person_by_email(stored["email"]) if p not in people]
        if not people and not lost:
            return
        draft = await self.repo.get_draft(meeting.id, session)
        is_confirmed = doc["status"] in CONFIRMED_STATUSES
        changed: list[tuple[Session, Person, bool]] = []
        for person in people:
            if doc["status"] == "withdrawn" or (was_confirmed and not is_confirmed):
                draft, flagged = draft.flag_person(person.id)
                changed += [(s, person, True) for s in flagged]
            elif is_confirmed:
                draft, cleared = draft.unflag_person(person.id)
                changed += [(s, person, False) for s in cleared]
        for person in lost:
            draft, flagged = draft.flag_person(person.id)
            changed += [(s, person, True) for s in flagged]
        if not changed:
            return
        await self.repo.save_draft(draft, session)
        confirmed = await self._confirmed_people(meeting, session)
        for item, person, withdrew in changed:
            others = [confirmed[p] for p in item.people() if p in confirmed]
            # session.changed is public: it says that a speaker or moderator withdrew,
            # never who (a withdrawal is personal data; the secretariat sees it in the draft)
            role = "moderator" if person.id in item.moderators else "speaker"
            summary = WITHDRAWN_NOTICES[role] if withdrew else BACK_NOTICES[role]
            await emit(
                SessionChanged(
                    meeting_id=meeting.id,
                    session_id=item.id,
                    title=item.title,
                    change="speaker_withdrawn" if withdrew else "updated",
                    summary=summary,
                    flagged=item.flagged,
                    affected_registration_ids=others,
                )
            )

    async def forget_participants(self, session: DbSession, meeting_id: str) -> None:
        removed = await self.repo.forget_participants(meeting_id, session)
        log.info("registrations forgotten", meeting_id=meeting_id, count=removed)

    async def participants(self, meeting_id: str, status: str | None) -> list[dict[str, Any]]:
        meeting = await self._meeting(meeting_id)
        result = []
        for doc in await self.repo.list_participants(meeting_id, status):
            people = meeting.person_by_email(doc["email"])
            result.append(
                {
                    "registration_id": doc["_id"],
                    "email": doc["email"],
                    "given_name": doc["given_name"],
                    "family_name": doc["family_name"],
                    "status": doc["status"],
                    "language": doc["language"],
                    "role": doc["role"],
                    "country": doc.get("country"),
                    "person_id": people[0].id if people else None,
                }
            )
        return result

    async def _run(self, work: Callable[[DbSession], Awaitable[T]]) -> T:
        return await in_transaction(self.client, work)
