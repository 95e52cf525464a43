"""The programme editor's pages (the programme editor's role): the draft's sessions with
their titles in the three languages side by side (a missing language marked), a form
to add a session (kind, day, times, room, moderators, speakers; a session outside the
meeting's days or in a room taken at that time refused at its field), and the release
preview: exactly the changelog the next version would carry and the confirmed people
it would notify, then publishing it (the same use cases as the JSON API). People
(speakers, moderators) are added to the programme from the editor too: the same body as
`PUT /meetings/{id}/people/{person_id}`, its refusals said at their field."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from pesnet.agenda.domain.commands import AddSession, PublishProgramme, PutPerson, RemoveSession
from pesnet.agenda.domain.meeting import Meeting, new_person_id
from pesnet.agenda.domain.programme import Session, check_room_free, new_session_id
from pesnet.agenda.domain.wording import SESSION_KINDS
from pesnet.agenda.entrypoints.dependencies import Dependencies
from pesnet.agenda.entrypoints.pages import PACKAGE, meeting_choices, staff
from pesnet.agenda.entrypoints.schemas import PersonIn
from pesnet.agenda.service_layer import editing, meetings, releases
from pesnet.shared.credentials import StaffRole
from pesnet.shared.errors import Conflict, DomainError, InvalidInput, NotFound
from pesnet.shared.forms import check_csrf, read_form
from pesnet.shared.http import CurrentActor
from pesnet.shared.i18n import LANGUAGES, Localized, format_local_date, list_separator
from pesnet.shared.problems import request_language, validation_errors
from pesnet.shared.translation import N_

router = APIRouter(include_in_schema=False)
SESSION_FIELDS = ("kind", "day", "start", "end", "room", "title", "moderators", "speakers")
PERSON_FIELDS = ("name", "email", "institution", "position")


def _field(name: str | None) -> str:
    """The form field a refusal names (`title.en` → `title`, `speakers.0` → `speakers`)."""
    head = (name or "form").split(".")[0]
    return head if head in SESSION_FIELDS else "form"


def _status(exc: DomainError) -> int:
    return 409 if isinstance(exc, Conflict) else 404 if isinstance(exc, NotFound) else 422


def _session_rows(meeting: Meeting, sessions: list[Session], language: str) -> list[dict[str, Any]]:
    return [
        {
            "session": s,
            "kind": SESSION_KINDS[s.kind].get(language),
            "day": format_local_date(s.day, language, "medium"),
            "times": f"{s.start:%H:%M}" + (f"–{s.end:%H:%M}" if s.end else ""),
            "titles": [(lang.value, getattr(s.title, lang.value) or None) for lang in LANGUAGES],
            "people": list_separator(language).join(
                meeting.people[p].label(language) for p in s.people() if p in meeting.people
            ),
        }
        for s in sessions
    ]  # fmt: skip


async def _editor(
    request: Request,
    deps: Dependencies,
    meeting_id: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    language = request_language(request).value
    try:
        found = await editing.get_draft(meeting_id, deps.unit_of_work())
    except DomainError as exc:
        return staff.render(
            request, "staff_refused.html", {"message": staff.say(request, exc.message, exc.params)},
            status_code=_status(exc),
        )  # fmt: skip
    meeting = found.meeting
    ordered = sorted(found.draft.sessions, key=lambda s: (s.day, s.start, s.id))
    return staff.render(
        request,
        "staff_programme.html",
        {
            "meeting": meeting,
            "title": meeting.title.get(language),
            "rows": _session_rows(meeting, ordered, language),
            "days": [
                (d.isoformat(), format_local_date(d, language, "full")) for d in meeting.days()
            ],
            "kinds": [(k, t.get(language)) for k, t in SESSION_KINDS.items()],
            "people": sorted(
                ((p.id, p.label(language)) for p in meeting.people.values()), key=lambda p: p[1]
            ),
            "institutions": sorted(
                ((i.id, i.label(language)) for i in meeting.institutions.values()),
                key=lambda i: i[1],
            ),
            "overlaps": len(found.overlaps),
            "errors": errors or {},
            "values": values or {},
            "notice": notice,
        },
        status_code=status_code,
        meetings=await meeting_choices(deps, language),
        meeting=meeting.id,
    )


@router.get("/staff/meetings/{meeting_id}/programme")
async def editor_page(
    request: Request, meeting_id: str, actor: CurrentActor, deps: Dependencies
) -> Response:
    refusal = staff.refusal(request, actor, StaffRole.programme_editor)
    if refusal is not None:
        return refusal
    return await _editor(request, deps, meeting_id)


def session_of(form: dict[str, str], people: list[str]) -> Session:
    """The session a posted form describes, or InvalidInput naming the field."""
    try:
        day = date.fromisoformat(form.get("day", ""))
    except ValueError:
        raise InvalidInput(N_("pick a day of the meeting"), field="day") from None
    times: dict[str, time | None] = {}
    for name in ("start", "end"):
        raw = form.get(name, "")
        try:
            times[name] = time.fromisoformat(raw) if raw else None
        except ValueError:
            raise InvalidInput(N_("write a time as HH:MM"), field=name) from None
    if times["start"] is None:
        raise InvalidInput(N_("write a time as HH:MM"), field="start")
    kind = form.get("kind", "")
    if kind not in SESSION_KINDS:
        raise InvalidInput(N_("pick a kind of session"), field="kind")
    title = Localized(**{lang.value: form.get(f"title_{lang.value}", "") for lang in LANGUAGES})
    return Session(
        id=new_session_id(),
        day=day,
        start=times["start"],
        end=times["end"],
        kind=kind,
        title=title,
        room=form.get("room") or None,
        moderators=tuple(p for p in people if form.get(f"moderator_{p}")),
        speakers=tuple(p for p in people if form.get(f"speaker_{p}")),
    )


@router.post("/staff/meetings/{meeting_id}/programme")
async def editor_post(
    request: Request, meeting_id: str, actor: CurrentActor, deps: Dependencies
) -> Response:
    """`action=add` adds a session; `action=remove` (`session_id`) removes one."""
    refusal = staff.refusal(request, actor, StaffRole.programme_editor)
    if refusal is not None:
        return refusal
    form = await read_form(request)
    values = {k: v for k, v in form.items() if k not in ("csrf", "action")}
    if form.get("action") == "person":
        return await _add_person(request, deps, meeting_id, form)
    try:
        check_csrf(request, form)
        if form.get("action") == "remove":
            await editing.remove_session(
                RemoveSession(meeting_id, form.get("session_id", "")), deps.unit_of_work()
            )
            values = {}
        else:
            found = await editing.get_draft(meeting_id, deps.unit_of_work())
            session = session_of(form, list(found.meeting.people))
            check_room_free(found.meeting, session, found.draft.sessions)
            await editing.add_session(AddSession(meeting_id, session), deps.unit_of_work())
            values = {}
    except DomainError as exc:
        return await _editor(
            request, deps, meeting_id, values=values, status_code=_status(exc),
            errors={_field(exc.field): staff.say(request, exc.message, exc.params)},
        )  # fmt: skip
    return await _editor(request, deps, meeting_id, notice=staff.say(request, N_("Saved.")))


def person_body(form: dict[str, str]) -> PersonIn:
    """The person a posted form describes (`person_*` fields), or pydantic's refusal."""

    def texts(name: str) -> dict[str, str | None]:
        return {lang.value: form.get(f"person_{name}_{lang.value}") or None for lang in LANGUAGES}

    position = texts("position")
    return PersonIn.model_validate(
        {
            "name": texts("name"),
            "email": form.get("person_email", ""),
            "institution": form.get("person_institution") or None,
            "position": position if any(position.values()) else None,
        }
    )


async def _add_person(
    request: Request, deps: Dependencies, meeting_id: str, form: dict[str, str]
) -> Response:
    """Add a person to the programme; a refusal is said at its field (`person_<field>`),
    as the JSON API's problem details name it, in the reader's language."""
    values = {k: v for k, v in form.items() if k.startswith("person_")}
    try:
        check_csrf(request, form)
        body = person_body(form)
        await meetings.put_person(
            PutPerson(meeting_id, body.person(new_person_id())), deps.unit_of_work()
        )
    except ValidationError as exc:
        found = validation_errors(exc.errors(), request_language(request), (PACKAGE,))[0]
        return await _editor(
            request, deps, meeting_id, values=values, status_code=422,
            errors={_person_field(found["field"]): found["msg"]},
        )  # fmt: skip
    except DomainError as exc:
        return await _editor(
            request, deps, meeting_id, values=values, status_code=_status(exc),
            errors={_person_field(exc.field): staff.say(request, exc.message, exc.params)},
        )  # fmt: skip
    return await _editor(request, deps, meeting_id, notice=staff.say(request, N_("Saved.")))


def _person_field(name: str | None) -> str:
    """The person form's field a refusal names (`name.ar` → `person_name`)."""
    head = (name or "form").split(".")[0]
    return f"person_{head}" if head in PERSON_FIELDS else "form"


@router.get("/staff/meetings/{meeting_id}/programme/preview")
async def preview_page(
    request: Request, meeting_id: str, actor: CurrentActor, deps: Dependencies
) -> Response:
    """What publishing now would release: the changelog and whom it notifies."""
    refusal = staff.refusal(request, actor, StaffRole.programme_editor)
    if refusal is not None:
        return refusal
    return await _preview(request, deps, meeting_id)


async def _preview(
    request: Request,
    deps: Dependencies,
    meeting_id: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    language = request_language(request).value
    try:
        found = await releases.preview(meeting_id, deps.unit_of_work())
    except DomainError as exc:
        return staff.render(
            request, "staff_refused.html", {"message": staff.say(request, exc.message, exc.params)},
            status_code=_status(exc),
        )  # fmt: skip
    meeting = found.meeting
    return staff.render(
        request,
        "staff_preview.html",
        {
            "meeting": meeting,
            "title": meeting.title.get(language),
            "version": found.next_version,
            "changes": [
                {"title": c.title.get(language), "summary": c.summary.get(language)}
                for c in found.changes
            ],
            "notified": sorted(
                meeting.people[p].label(language) for p in found.notified if p in meeting.people
            ),
            "overlaps": found.overlaps,
            "error": error,
        },
        status_code=status_code,
        meetings=await meeting_choices(deps, language),
        meeting=meeting.id,
    )


@router.post("/staff/meetings/{meeting_id}/programme/preview")
async def publish_post(
    request: Request, meeting_id: str, actor: CurrentActor, deps: Dependencies
) -> Response:
    """Publish the draft as the version the preview showed."""
    refusal = staff.refusal(request, actor, StaffRole.programme_editor)
    if refusal is not None:
        return refusal
    form = await read_form(request)
    try:
        check_csrf(request, form)
        await releases.publish(
            PublishProgramme(meeting_id, confirm_overlaps=form.get("confirm_overlaps") == "yes"),
            deps.unit_of_work(),
            calendar=deps.renderer,
            clock=deps.clock,
        )
    except DomainError as exc:
        return await _preview(
            request, deps, meeting_id, error=staff.say(request, exc.message, exc.params),
            status_code=_status(exc),
        )  # fmt: skip
    language = request_language(request).value
    return RedirectResponse(
        f"/meetings/{meeting_id}/programme?lang={language}&format=html", status_code=303
    )
