"""The agenda's HTTP API (thin: parse, call a use case, shape the answer)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from pesnet.agenda.adapters.render import (
    ProgrammeView,
    programme_html,
    programme_ics,
    programme_json,
    session_json,
)
from pesnet.agenda.domain.chairmanship import Chairmanship, ChairTerm
from pesnet.agenda.domain.meeting import Meeting, Person
from pesnet.agenda.domain.programme import Session
from pesnet.agenda.entrypoints.schemas import (
    ChairTermIn,
    Format,
    HandoverIn,
    InstitutionIn,
    MeetingIn,
    MoveIn,
    NextMeetingIn,
    PersonIn,
    SessionIn,
    SessionPatch,
)
from pesnet.agenda.service_layer.agenda import Agenda, SessionTimes
from pesnet.shared.http import Secretariat
from pesnet.shared.i18n import Language

router = APIRouter()


def get_agenda(request: Request) -> Agenda:
    agenda: Agenda = request.app.state.agenda
    return agenda


AgendaDep = Annotated[Agenda, Depends(get_agenda)]


def meeting_json(meeting: Meeting, latest_version: int | None = None) -> dict[str, Any]:
    """The public view of a meeting (people without their e-mail addresses)."""
    doc = meeting.model_dump(mode="json", exclude={"people"})
    doc["people"] = {
        p.id: p.model_dump(mode="json", exclude={"email"}) for p in meeting.people.values()
    }
    doc["programme_version"] = latest_version
    return doc


def person_json(person: Person) -> dict[str, Any]:
    return person.model_dump(mode="json")


# meetings ------------------------------------------------------------------
@router.post("/meetings", status_code=201, dependencies=[Secretariat], tags=["meetings"])
async def schedule_meeting(body: MeetingIn, agenda: AgendaDep) -> dict[str, Any]:
    """Schedule a meeting (emits `agenda.meeting.scheduled`)."""
    return meeting_json(await agenda.schedule_meeting(body.meeting()))


@router.get("/meetings", tags=["meetings"])
async def list_meetings(agenda: AgendaDep) -> list[dict[str, Any]]:
    return [meeting_json(m) for m in await agenda.repo.list_meetings()]


@router.get("/meetings/{meeting_id}", tags=["meetings"])
async def get_meeting(meeting_id: str, agenda: AgendaDep) -> dict[str, Any]:
    meeting = await agenda.meeting(meeting_id)
    latest = await agenda.repo.latest_release(meeting_id)
    return meeting_json(meeting, latest.version if latest else None)


@router.put(
    "/meetings/{meeting_id}/institutions/{institution_id}",
    dependencies=[Secretariat],
    tags=["meetings"],
)
async def put_institution(
    meeting_id: str, institution_id: str, body: InstitutionIn, agenda: AgendaDep
) -> dict[str, Any]:
    _check_slug(institution_id, "institution_id")
    meeting = await agenda.put_institution(meeting_id, body.institution(institution_id))
    return meeting.institutions[institution_id].model_dump(mode="json")


@router.put(
    "/meetings/{meeting_id}/people/{person_id}", dependencies=[Secretariat], tags=["meetings"]
)
async def put_person(
    meeting_id: str, person_id: str, body: PersonIn, agenda: AgendaDep
) -> dict[str, Any]:
    """Add or correct a person of the programme (the e-mail links them to their registration)."""
    _check_slug(person_id, "person_id")
    meeting = await agenda.put_person(meeting_id, body.person(person_id))
    return person_json(meeting.people[person_id])


@router.post(
    "/meetings/{meeting_id}/next-meeting",
    status_code=201,
    dependencies=[Secretariat],
    tags=["meetings"],
)
async def decide_next_meeting(
    meeting_id: str, body: NextMeetingIn, agenda: AgendaDep
) -> dict[str, Any]:
    """Record the closing session's decision: schedules meeting N+1 (tentative)."""
    next_meeting = await agenda.decide_next_meeting(
        meeting_id,
        body.tentative_month,
        city=body.city.value() if body.city else None,
        country=body.country,
        timezone=body.timezone,
    )
    return meeting_json(next_meeting)


@router.get("/meetings/{meeting_id}/participants", dependencies=[Secretariat], tags=["meetings"])
async def participants(
    meeting_id: str,
    agenda: AgendaDep,
    status: Annotated[str | None, Query(max_length=30)] = None,
) -> list[dict[str, Any]]:
    """The registrations the agenda knows of (its projection of registration events)."""
    return await agenda.participants(meeting_id, status)


# the draft -----------------------------------------------------------------
@router.get("/meetings/{meeting_id}/draft", dependencies=[Secretariat], tags=["programme"])
async def get_draft(
    meeting_id: str,
    agenda: AgendaDep,
    lang: Language | None = None,
    format: Format = "json",
) -> Response:
    meeting, draft = await agenda.draft(meeting_id)
    return _render(ProgrammeView(meeting=meeting, sessions=draft.sessions), lang, format)


@router.post(
    "/meetings/{meeting_id}/sessions",
    status_code=201,
    dependencies=[Secretariat],
    tags=["programme"],
)
async def add_session(meeting_id: str, body: SessionIn, agenda: AgendaDep) -> dict[str, Any]:
    session_id = body.id or f"s-{secrets.token_hex(4)}"

    def build(meeting: Meeting) -> Session:
        times = Agenda.resolve_times(meeting, SessionTimes(body.day, body.start, body.end))
        return body.session(session_id, times.start, times.end)

    created = await agenda.add_session(meeting_id, build)
    meeting = await agenda.meeting(meeting_id)
    return session_json(meeting, created, None)


@router.patch(
    "/meetings/{meeting_id}/sessions/{session_id}",
    dependencies=[Secretariat],
    tags=["programme"],
)
async def update_session(
    meeting_id: str, session_id: str, body: SessionPatch, agenda: AgendaDep
) -> dict[str, Any]:
    given = body.model_fields_set

    def change(meeting: Meeting, current: Session) -> Session:
        update: dict[str, Any] = {}
        for name in ("kind", "room", "interpretation_languages"):
            if name in given:
                value = getattr(body, name)
                if value is None and name == "kind":
                    continue
                update[name] = tuple(value) if isinstance(value, list) else value
        for name in ("moderators", "moderating_institutions", "speakers"):
            if name in given:
                update[name] = tuple(getattr(body, name) or ())
        if "title" in given and body.title is not None:
            update["title"] = body.title.value()
        if "description" in given:
            update["description"] = body.description.value() if body.description else None
        if "points" in given:
            update["points"] = tuple(p.value() for p in body.points or [])
        day = body.day if "day" in given and body.day else current.day
        start = body.start if "start" in given and body.start else current.start
        end = body.end if "end" in given else current.end
        times = Agenda.resolve_times(meeting, SessionTimes(day, start, end))
        update.update(day=times.day, start=times.start, end=times.end)
        return current.model_copy(update=update)

    updated = await agenda.update_session(meeting_id, session_id, change)
    meeting = await agenda.meeting(meeting_id)
    return session_json(meeting, updated, None)


@router.post(
    "/meetings/{meeting_id}/sessions/{session_id}/move",
    dependencies=[Secretariat],
    tags=["programme"],
)
async def move_session(
    meeting_id: str, session_id: str, body: MoveIn, agenda: AgendaDep
) -> dict[str, Any]:
    moved = await agenda.move_session(
        meeting_id, session_id, by_minutes=body.by_minutes, day=body.day, start=body.start
    )
    meeting = await agenda.meeting(meeting_id)
    return session_json(meeting, moved, None)


@router.delete(
    "/meetings/{meeting_id}/sessions/{session_id}",
    status_code=204,
    dependencies=[Secretariat],
    tags=["programme"],
)
async def delete_session(meeting_id: str, session_id: str, agenda: AgendaDep) -> Response:
    await agenda.delete_session(meeting_id, session_id)
    return Response(status_code=204)


# releases ------------------------------------------------------------------
@router.post(
    "/meetings/{meeting_id}/programme/releases",
    status_code=201,
    dependencies=[Secretariat],
    tags=["programme"],
)
async def publish(meeting_id: str, agenda: AgendaDep) -> dict[str, Any]:
    """Publish the draft as the next immutable version (emits `agenda.programme.released`)."""
    published = await agenda.publish(meeting_id)
    event = published.event.model_dump(mode="json", exclude={"ics", "sessions"})
    return {**event, "status": "released"}


@router.get("/meetings/{meeting_id}/programme/releases", tags=["programme"])
async def list_releases(meeting_id: str, agenda: AgendaDep) -> list[dict[str, Any]]:
    await agenda.meeting(meeting_id)
    return [
        {
            "version": doc["version"],
            "released_at": doc["released_at"],
            "changes": [
                {k: c[k] for k in ("kind", "session_id", "title", "summary")}
                for c in doc.get("changes", [])
            ],
        }
        for doc in await agenda.repo.list_releases(meeting_id)
    ]


@router.get("/meetings/{meeting_id}/programme", tags=["programme"])
async def get_programme(
    meeting_id: str,
    agenda: AgendaDep,
    lang: Language = Language.en,
    format: Format = "json",
    version: Annotated[int | None, Query(ge=1)] = None,
    registration_id: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """A published version (latest by default) as JSON, HTML or iCalendar. With
    `registration_id`, only that participant's own sessions (their calendar)."""
    view = await agenda.release_view(meeting_id, version)
    if registration_id is not None:
        person = await agenda.person_of_registration(view.meeting, registration_id)
        view = view.for_person(person.id)
    return _render(view, lang, format)


def _render(view: ProgrammeView, lang: Language | None, format: str) -> Response:
    if format == "html":
        return HTMLResponse(
            programme_html(view, lang or "en"), headers={"content-language": lang or "en"}
        )
    if format == "ics":
        name = (
            f"{view.meeting.id}-v{view.version}.ics"
            if view.version
            else f"{view.meeting.id}-draft.ics"
        )
        return Response(
            programme_ics(view, lang or "en"),
            media_type="text/calendar; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )
    return JSONResponse(programme_json(view, lang))


# chairmanship --------------------------------------------------------------
def chairmanship_json(state: Chairmanship) -> dict[str, Any]:
    def term(t: ChairTerm) -> dict[str, Any]:
        return t.model_dump(mode="json")

    return {
        "current": term(state.current) if state.current else None,
        "past": [term(t) for t in reversed(state.past)],
    }


@router.get("/network/chairmanship", tags=["network"])
async def get_chairmanship(agenda: AgendaDep) -> dict[str, Any]:
    return chairmanship_json(await agenda.chairmanship())


@router.post(
    "/network/chairmanship/terms", status_code=201, dependencies=[Secretariat], tags=["network"]
)
async def record_term(body: ChairTermIn, agenda: AgendaDep) -> dict[str, Any]:
    """Record a past term (history from before the platform; no event)."""
    state = await agenda.record_chair_term(
        ChairTerm(
            holder=body.holder.holder(),
            term=body.term,
            from_date=body.from_date,
            to_date=body.to_date,
            meeting_id=body.meeting_id,
            vice_chair=body.vice_chair.holder() if body.vice_chair else None,
        )
    )
    return chairmanship_json(state)


@router.post(
    "/network/chairmanship/handovers",
    status_code=201,
    dependencies=[Secretariat],
    tags=["network"],
)
async def hand_over(body: HandoverIn, agenda: AgendaDep) -> dict[str, Any]:
    """Hand the chair over (emits `agenda.chairmanship.transferred`)."""
    await agenda.hand_over_chair(
        body.incoming.holder(),
        effective_date=body.effective_date,
        term=body.term,
        meeting_id=body.meeting_id,
        vice_chair=body.vice_chair.holder() if body.vice_chair else None,
    )
    return chairmanship_json(await agenda.chairmanship())


def _check_slug(value: str, field: str) -> None:
    import re

    from pesnet.shared.errors import InvalidInput

    if not re.match(r"^[a-z0-9][a-z0-9_-]{0,63}$", value):
        raise InvalidInput("use lower-case letters, digits, - and _", field=field)
