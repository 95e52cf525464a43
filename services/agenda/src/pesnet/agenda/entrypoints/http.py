"""The agenda's HTTP API (thin: parse into a command, run the use case, shape the answer)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from pesnet.agenda.domain.chairmanship import ChairTerm
from pesnet.agenda.domain.commands import (
    AddSession,
    PublishProgramme,
    PutInstitution,
    PutPerson,
    RecordChairTerm,
    RemoveSession,
    ScheduleMeeting,
)
from pesnet.agenda.domain.meeting import Meeting
from pesnet.agenda.domain.programme import new_session_id
from pesnet.agenda.domain.release import ProgrammeView
from pesnet.agenda.entrypoints.dependencies import Dependencies, UnitOfWork
from pesnet.agenda.entrypoints.schemas import (
    ChairTermIn,
    Format,
    HandoverIn,
    InstitutionIn,
    MeetingIn,
    MeetingPatch,
    MoveIn,
    NextMeetingIn,
    PersonIn,
    ReleaseIn,
    SessionIn,
    SessionPatch,
)
from pesnet.agenda.service_layer import (
    chairmanship,
    editing,
    meetings,
    participants,
    releases,
)
from pesnet.agenda.service_layer.chairmanship import NamedChairmanship
from pesnet.agenda.service_layer.editing import DraftedSession
from pesnet.agenda.service_layer.meetings import MeetingWithVersion
from pesnet.agenda.service_layer.rendering import ProgrammeRenderer
from pesnet.shared.credentials import StaffRole
from pesnet.shared.errors import InvalidInput
from pesnet.shared.forms import wants_html
from pesnet.shared.http import require
from pesnet.shared.i18n import Language
from pesnet.shared.institutions import Institution
from pesnet.shared.problems import request_language
from pesnet.shared.translation import _

router = APIRouter()

# Who may call what (the administrator may call everything): the meeting's lifecycle,
# the next meeting and the chairmanship are the administrator's; the programme (its
# sessions, people, institutions, draft and releases) the programme editor's.
Administrator = require(StaffRole.administrator)
ProgrammeEditor = require(StaffRole.programme_editor)


def meeting_json(meeting: Meeting, latest_version: int | None = None) -> dict[str, Any]:
    """The public view of a meeting (people without their e-mail addresses, and without
    the online meeting's join link, which only registered participants get)."""
    doc = meeting.model_dump(mode="json", exclude={"people", "join_url"})
    doc["people"] = {
        p.id: p.model_dump(mode="json", exclude={"email"}) for p in meeting.people.values()
    }
    doc["programme_version"] = latest_version
    return doc


def found_meeting_json(found: MeetingWithVersion, language: Language) -> dict[str, Any]:
    """A meeting with its host named as the reference names it now: in the three
    languages, and as a reader of `language` reads it (`label`)."""
    doc = meeting_json(found.meeting, found.programme_version)
    doc["host"] = _named(found.host, found.meeting.host_institution, language)
    doc["chair"] = _named(found.chair, found.meeting.chair_institution, language)
    return doc


def _named(
    institution: Institution | None, institution_id: str | None, language: Language
) -> dict[str, Any] | None:
    if institution is not None:
        return {
            "id": institution.id,
            "name": institution.labels.model_dump(),
            "label": institution.label(language),
        }
    return {"id": institution_id, "name": None, "label": institution_id} if institution_id else None


# meetings ------------------------------------------------------------------
@router.post("/meetings", status_code=201, dependencies=[Administrator], tags=["meetings"])
async def schedule_meeting(body: MeetingIn, uow: UnitOfWork, deps: Dependencies) -> dict[str, Any]:
    """Schedule a meeting (emits `MeetingScheduled`)."""
    command = ScheduleMeeting(body.meeting())
    return meeting_json(await meetings.schedule_meeting(command, uow, clock=deps.clock))


@router.get("/meetings", tags=["meetings"])
async def list_meetings(uow: UnitOfWork) -> list[dict[str, Any]]:
    return [meeting_json(m) for m in await meetings.list_meetings(uow)]


@router.get("/meetings/{meeting_id}", tags=["meetings"])
async def get_meeting(
    meeting_id: str, uow: UnitOfWork, request: Request, lang: Language | None = None
) -> dict[str, Any]:
    """The meeting; its host is named in the language of `?lang=`, else of
    `Accept-Language`, else English (`host.label`)."""
    found = await meetings.get_meeting(meeting_id, uow)
    return found_meeting_json(found, request_language(request))


@router.patch("/meetings/{meeting_id}", dependencies=[Administrator], tags=["meetings"])
async def revise_meeting(
    meeting_id: str, body: MeetingPatch, uow: UnitOfWork, deps: Dependencies, request: Request
) -> dict[str, Any]:
    """Complete or correct a meeting (only the fields given) and/or move it in its
    lifecycle with `status` (tentative → scheduled → registration_open ⇄
    registration_closed → held → archived); emits `MeetingScheduled` with the meeting
    as it now stands."""
    meeting = await meetings.revise_meeting(
        body.command(meeting_id), uow, calendar=deps.renderer, clock=deps.clock
    )
    found = await meetings.get_meeting(meeting.id, uow)
    return found_meeting_json(found, request_language(request))


@router.put(
    "/meetings/{meeting_id}/institutions/{institution_id}",
    dependencies=[ProgrammeEditor],
    tags=["meetings"],
)
async def put_institution(
    meeting_id: str, institution_id: str, body: InstitutionIn, uow: UnitOfWork
) -> dict[str, Any]:
    _check_slug(institution_id, "institution_id")
    command = PutInstitution(meeting_id, body.institution(institution_id))
    meeting = await meetings.put_institution(command, uow)
    return meeting.institutions[institution_id].model_dump(mode="json")


@router.put(
    "/meetings/{meeting_id}/people/{person_id}", dependencies=[ProgrammeEditor], tags=["meetings"]
)
async def put_person(
    meeting_id: str, person_id: str, body: PersonIn, uow: UnitOfWork
) -> dict[str, Any]:
    """Add or correct a person of the programme (the e-mail links them to their registration)."""
    _check_slug(person_id, "person_id")
    meeting = await meetings.put_person(PutPerson(meeting_id, body.person(person_id)), uow)
    return meeting.people[person_id].model_dump(mode="json")


@router.post(
    "/meetings/{meeting_id}/next-meeting",
    status_code=201,
    dependencies=[Administrator],
    tags=["meetings"],
)
async def decide_next_meeting(
    meeting_id: str, body: NextMeetingIn, uow: UnitOfWork, deps: Dependencies
) -> dict[str, Any]:
    """Record the closing session's decision: schedules meeting N+1 (tentative)."""
    command = body.command(meeting_id)
    return meeting_json(await meetings.decide_next_meeting(command, uow, clock=deps.clock))


@router.get(
    "/meetings/{meeting_id}/participants", dependencies=[ProgrammeEditor], tags=["meetings"]
)
async def list_participants(
    meeting_id: str,
    uow: UnitOfWork,
    status: Annotated[str | None, Query(max_length=30)] = None,
) -> list[dict[str, Any]]:
    """The registrations the agenda knows of (its projection of registration events)."""
    return [
        {
            "registration_id": p.participant.registration_id,
            "email": p.participant.email,
            "given_name": p.participant.given_name,
            "family_name": p.participant.family_name,
            "status": p.participant.status,
            "language": p.participant.language,
            "role": p.participant.role,
            "country": p.participant.country,
            "person_id": p.person_id,
        }
        for p in await participants.list_participants(meeting_id, uow, status)
    ]


# the draft -----------------------------------------------------------------
@router.get("/meetings/{meeting_id}/draft", dependencies=[ProgrammeEditor], tags=["programme"])
async def get_draft(
    meeting_id: str,
    uow: UnitOfWork,
    deps: Dependencies,
    request: Request,
    lang: Language | None = None,
    format: Format = "json",
) -> Response:
    """The draft; as JSON in the three languages unless `?lang=` or `Accept-Language`
    asks for one."""
    found = await editing.get_draft(meeting_id, uow)
    view = ProgrammeView(
        meeting=found.meeting, sessions=found.draft.sessions, changes=found.changes
    )
    language = _language(request, lang, default=None)
    if format != "json":
        return _render(deps.renderer, view, language, format)
    body = deps.renderer.json(view, language)
    body["overlaps"] = [{"sessions": [o.first, o.second]} for o in found.overlaps]
    return JSONResponse(body, headers={"content-language": language} if language else None)


def _session_json(renderer: ProgrammeRenderer, result: DraftedSession) -> dict[str, Any]:
    return renderer.session_json(result.meeting, result.session, None)


@router.post(
    "/meetings/{meeting_id}/sessions",
    status_code=201,
    dependencies=[ProgrammeEditor],
    tags=["programme"],
)
async def add_session(
    meeting_id: str, body: SessionIn, uow: UnitOfWork, deps: Dependencies
) -> dict[str, Any]:
    command = AddSession(meeting_id, body.session(body.id or new_session_id()))
    return _session_json(deps.renderer, await editing.add_session(command, uow))


@router.patch(
    "/meetings/{meeting_id}/sessions/{session_id}",
    dependencies=[ProgrammeEditor],
    tags=["programme"],
)
async def edit_session(
    meeting_id: str, session_id: str, body: SessionPatch, uow: UnitOfWork, deps: Dependencies
) -> dict[str, Any]:
    """Change the fields given (only those); `end: null` makes the end open."""
    command = body.command(meeting_id, session_id)
    return _session_json(deps.renderer, await editing.edit_session(command, uow))


@router.post(
    "/meetings/{meeting_id}/sessions/{session_id}/move",
    dependencies=[ProgrammeEditor],
    tags=["programme"],
)
async def move_session(
    meeting_id: str, session_id: str, body: MoveIn, uow: UnitOfWork, deps: Dependencies
) -> dict[str, Any]:
    command = body.command(meeting_id, session_id)
    return _session_json(deps.renderer, await editing.move_session(command, uow))


@router.delete(
    "/meetings/{meeting_id}/sessions/{session_id}",
    status_code=204,
    dependencies=[ProgrammeEditor],
    tags=["programme"],
)
async def remove_session(meeting_id: str, session_id: str, uow: UnitOfWork) -> Response:
    await editing.remove_session(RemoveSession(meeting_id, session_id), uow)
    return Response(status_code=204)


# releases ------------------------------------------------------------------
@router.post(
    "/meetings/{meeting_id}/programme/releases",
    status_code=201,
    dependencies=[ProgrammeEditor],
    tags=["programme"],
)
async def publish(
    meeting_id: str, uow: UnitOfWork, deps: Dependencies, body: ReleaseIn | None = None
) -> dict[str, Any]:
    """Publish the draft as the next immutable version (emits `ProgrammeReleased` and
    `ReleaseNoticesPrepared`); the secretariat sees whom it concerns. A draft with
    overlapping sessions (`GET /meetings/{id}/draft` shows them) is released only with
    `{"confirm_overlaps": true}`."""
    command = PublishProgramme(
        meeting_id, confirm_overlaps=body.confirm_overlaps if body else False
    )
    published = await releases.publish(command, uow, calendar=deps.renderer, clock=deps.clock)
    event = published.notices.model_dump(
        mode="json", exclude={"ics", "ics_by_language", "sessions"}
    )
    return {**event, "status": "released"}


@router.get("/meetings/{meeting_id}/programme/releases", tags=["programme"])
async def list_releases(meeting_id: str, uow: UnitOfWork) -> list[dict[str, Any]]:
    return [
        summary.model_dump(mode="json", exclude={"changes": {"__all__": {"people"}}})
        for summary in await releases.release_history(meeting_id, uow)
    ]


@router.get("/meetings/{meeting_id}/programme", tags=["programme"])
async def get_programme(
    meeting_id: str,
    uow: UnitOfWork,
    deps: Dependencies,
    request: Request,
    lang: Language | None = None,
    format: Format | None = None,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    registration_id: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """A published version (latest by default) as JSON, HTML or iCalendar (`format`;
    without it, HTML for a browser, whose `Accept` asks for it, JSON otherwise). With
    `registration_id`, only that participant's own sessions (their calendar). In the
    language of `?lang=`, else of `Accept-Language`, else English."""
    view = await releases.programme(
        meeting_id, uow, version=version, registration_id=registration_id
    )
    if format is None:
        format = "html" if wants_html(request.headers.get("accept", "")) else "json"
    return _render(deps.renderer, view, _language(request, lang, default=Language.en), format)


def _language(request: Request, lang: Language | None, default: Language | None) -> Language | None:
    """`?lang=` wins, then `Accept-Language`; without either, `default`."""
    if lang is None and not request.headers.get("accept-language"):
        return default
    return lang or request_language(request)


def _render(
    renderer: ProgrammeRenderer, view: ProgrammeView, lang: Language | None, format: str
) -> Response:
    if format == "html":
        return HTMLResponse(
            renderer.html(view, lang or "en"), headers={"content-language": lang or "en"}
        )
    if format == "ics":
        name = (
            f"{view.meeting.id}-v{view.version}.ics"
            if view.version
            else f"{view.meeting.id}-draft.ics"
        )
        return Response(
            renderer.ics(view, lang or "en"),
            media_type="text/calendar; charset=utf-8",
            headers={
                "content-disposition": f'attachment; filename="{name}"',
                "content-language": lang or "en",
            },
        )
    headers = {"content-language": lang} if lang else None
    return JSONResponse(renderer.json(view, lang), headers=headers)


# chairmanship --------------------------------------------------------------
def chairmanship_json(found: NamedChairmanship, today: date, language: Language) -> dict[str, Any]:
    """As it stands today: a handover dated later leaves the outgoing chair current.
    Each institution is named as the reference names it now, in `language` (`label`)."""

    def term(t: ChairTerm) -> dict[str, Any]:
        doc = t.model_dump(mode="json")
        for role, holder in (("holder", t.holder), ("vice_chair", t.vice_chair)):
            if holder is not None:
                doc[role]["label"] = holder.label(found.names, language)
        return doc

    standing = found.state.standing(today)
    return {
        "current": term(standing.current) if standing.current else None,
        "upcoming": [term(t) for t in standing.upcoming],
        "past": [term(t) for t in reversed(standing.past)],
    }


async def _chairmanship_now(
    uow: UnitOfWork, deps: Dependencies, request: Request
) -> dict[str, Any]:
    found = await chairmanship.get_chairmanship(uow)
    return chairmanship_json(found, deps.clock().date(), request_language(request))


@router.get("/network/chairmanship", tags=["network"])
async def get_chairmanship(
    uow: UnitOfWork, deps: Dependencies, request: Request, lang: Language | None = None
) -> dict[str, Any]:
    """The chair, its coming and past terms; institutions named in the language of
    `?lang=`, else of `Accept-Language`, else English (`label`)."""
    return await _chairmanship_now(uow, deps, request)


@router.post(
    "/network/chairmanship/terms", status_code=201, dependencies=[Administrator], tags=["network"]
)
async def record_term(
    body: ChairTermIn, uow: UnitOfWork, deps: Dependencies, request: Request
) -> dict[str, Any]:
    """Record a past term (history from before the platform; no event)."""
    await chairmanship.record_chair_term(RecordChairTerm(body.chair_term()), uow)
    return await _chairmanship_now(uow, deps, request)


@router.post(
    "/network/chairmanship/handovers",
    status_code=201,
    dependencies=[Administrator],
    tags=["network"],
)
async def hand_over(
    body: HandoverIn, uow: UnitOfWork, deps: Dependencies, request: Request
) -> dict[str, Any]:
    """Hand the chair over on its `effective_date` (emits `ChairmanshipTransferred`); until
    that date the outgoing chair stays current and the incoming one is `upcoming`. The
    incoming institution is named as the reference names it (`name` only for one the
    reference lacks)."""
    await chairmanship.hand_over_chair(body.command(), uow)
    return await _chairmanship_now(uow, deps, request)


SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _check_slug(value: str, field: str) -> None:
    if not SLUG.match(value):
        raise InvalidInput(_("use lower-case letters, digits, - and _"), field=field)
