"""Online attendance over HTTP: the secretariat imports the meeting tool's attendance
list (CSV), as JSON (`POST /meetings/{id}/attendance`) or on its page
(`/console/attendance`, the file the tool exported, uploaded as it is); each line's
outcome is shown with its line and column, an unmatched line with its reason."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from pesnet.registration.entrypoints.http import Deps
from pesnet.registration.entrypoints.pages.rendering import (
    DEFAULT_MEETING,
    PACKAGE,
    MeetingQuery,
    render,
    say,
)
from pesnet.registration.entrypoints.pages.sign_in import staff_refusal
from pesnet.registration.service_layer import attendance
from pesnet.registration.service_layer.attendance import ImportAttendance, ImportedLine
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.errors import DomainError, InvalidInput
from pesnet.shared.forms import check_csrf, read_upload_form
from pesnet.shared.http import CurrentActor, require
from pesnet.shared.problems import request_language
from pesnet.shared.translation import N_, _, translate

router = APIRouter(tags=["attendance"])
Recorder = require(StaffRole.accreditation_officer, StaffRole.check_in_clerk)
MAX_CSV = 60_000
# the file and the rest of the form (a meeting tool's list of a few hundred people)
MAX_UPLOAD = 256 * 1024

OUTCOMES = {
    "recorded": N_("attendance recorded"),
    "already_recorded": N_("attendance was recorded already"),
    "no_address": N_("no e-mail address on this line"),
    "not_an_address": N_("this is not an e-mail address"),
    "unknown": N_("no registration of this meeting has this address"),
    "not_confirmed": N_("this registration is not confirmed"),
}


class AttendanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    csv: str = Field(min_length=1, max_length=MAX_CSV)


def line_json(line: ImportedLine, language: str) -> dict[str, Any]:
    return {
        "line": line.number,
        "column": line.column,
        "email": line.email,
        "outcome": line.outcome,
        "message": translate(OUTCOMES[line.outcome], language, packages=(PACKAGE,)),
        "registration_id": line.registration_id,
    }


@router.post("/meetings/{meeting_id}/attendance")
async def import_attendance(
    meeting_id: str,
    body: AttendanceIn,
    request: Request,
    actor: Annotated[Actor, Recorder],
    deps: Deps,
) -> dict[str, Any]:
    """Record online attendance from the meeting tool's list (CSV, one participant a
    line, matched by e-mail address); every line says what became of it."""
    lines = await attendance.import_attendance(
        ImportAttendance(meeting_id, actor, body.csv), deps.unit_of_work()
    )
    language = request_language(request).value
    return {
        "recorded": sum(1 for line in lines if line.outcome == "recorded"),
        "lines": [line_json(line, language) for line in lines],
    }


@router.get("/console/attendance", include_in_schema=False)
async def attendance_page(
    request: Request, actor: CurrentActor, meeting: MeetingQuery = DEFAULT_MEETING
) -> Response:
    refusal = staff_refusal(request, actor, StaffRole.accreditation_officer)
    if refusal is not None:
        return refusal
    return render(
        request, "attendance.html", {"meeting_id": meeting, "lines": None, "actor": actor}
    )


@router.post("/console/attendance", include_in_schema=False)
async def attendance_submit(request: Request, actor: CurrentActor, deps: Deps) -> Response:
    refusal = staff_refusal(request, actor, StaffRole.accreditation_officer)
    if refusal is not None:
        return refusal
    form, files = await read_upload_form(request, MAX_UPLOAD)
    meeting_id = form.get("meeting", DEFAULT_MEETING)
    language = request_language(request).value
    context: dict[str, Any] = {"meeting_id": meeting_id, "lines": None, "actor": actor}
    try:
        check_csrf(request, form)
        data = (files.get("file") or ("", b""))[1]
        if not data:
            raise InvalidInput(_("choose the attendance list's file"), field="file")
        lines = await attendance.import_attendance(
            ImportAttendance(meeting_id, actor, attendance.list_text(data)),
            deps.unit_of_work(),
        )
    except DomainError as refused:
        context["error"] = say(request, refused)
        return render(request, "attendance.html", context, status_code=422)
    context["lines"] = [line_json(line, language) for line in lines]
    context["recorded"] = sum(1 for line in lines if line.outcome == "recorded")
    return render(request, "attendance.html", context)
