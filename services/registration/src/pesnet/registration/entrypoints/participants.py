"""The secretariat's files and messages about a meeting's participants: the list as
CSV or XLSX, the printed badge sheet (PDF), and announcements (with their preview).
Thin: each route is one use case (`service_layer/participants.py`,
`service_layer/announcements.py`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from pesnet.registration.domain.access import Status
from pesnet.registration.domain.commands import Audience
from pesnet.registration.entrypoints import sheets
from pesnet.registration.entrypoints.http import Deps, MeetingId
from pesnet.registration.entrypoints.schemas import NewAnnouncement
from pesnet.registration.service_layer import announcements, institutions, participants
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.events.common import Role
from pesnet.shared.http import require
from pesnet.shared.i18n import Language
from pesnet.shared.problems import request_language

router = APIRouter(tags=["participants"])
Country = Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")]
Officer = Annotated[Actor, require(StaffRole.accreditation_officer, StaffRole.focal_point)]
Printer = Annotated[
    Actor, require(StaffRole.accreditation_officer, StaffRole.check_in_clerk, StaffRole.focal_point)
]


def _language(request: Request, lang: Language | None) -> str:
    return (lang or request_language(request)).value


async def _sheet(
    request: Request,
    deps: Deps,
    actor: Actor,
    audience: Audience,
    lang: Language | None,
) -> tuple[list[str], Any, str]:
    language = _language(request, lang)
    meeting, found = await participants.participants(
        audience, actor, deps.unit_of_work(), export=True
    )
    reference = {i.id: i for i in await institutions.institutions(None, deps.unit_of_work())}
    body = sheets.rows(meeting, found, reference, language)
    return sheets.header(language), body, language


@router.get("/meetings/{meeting_id}/participants.csv", response_class=StreamingResponse)
async def participants_csv(
    meeting_id: MeetingId,
    request: Request,
    deps: Deps,
    actor: Officer,
    country: Country = None,
    status: Status | None = None,
    role: Role | None = None,
    lang: Language | None = None,
) -> StreamingResponse:
    """The meeting's participants (filtered) as CSV, in the reader's language (audited)."""
    audience = Audience(meeting_id, country, status and status.value, role and role.value)
    head, body, _language_used = await _sheet(request, deps, actor, audience, lang)
    return StreamingResponse(
        sheets.as_csv(head, body),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="participants-{meeting_id}.csv"'},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/meetings/{meeting_id}/participants.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def participants_xlsx(
    meeting_id: MeetingId,
    request: Request,
    deps: Deps,
    actor: Officer,
    country: Country = None,
    status: Status | None = None,
    role: Role | None = None,
    lang: Language | None = None,
) -> Response:
    """The meeting's participants (filtered) as an XLSX workbook (audited)."""
    audience = Audience(meeting_id, country, status and status.value, role and role.value)
    head, body, language = await _sheet(request, deps, actor, audience, lang)
    data = sheets.as_xlsx(head, body, title=meeting_id, rtl=language == "ar")
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="participants-{meeting_id}.xlsx"'},
    )


@router.get(
    "/meetings/{meeting_id}/badges.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def badge_sheet(
    meeting_id: MeetingId, deps: Deps, actor: Printer, country: Country = None
) -> Response:
    """The badges of the confirmed participants (or of one delegation, `?country=`),
    four to an A4 page with cutting marks (audited)."""
    pdf = await participants.badge_sheet_pdf(
        meeting_id,
        actor,
        deps.unit_of_work(),
        badges=deps.badges,
        renderer=deps.renderer,
        country=country,
    )
    suffix = f"-{country}" if country else ""
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="badges-{meeting_id}{suffix}.pdf"'},
    )


Secretariat = Annotated[Actor, require(StaffRole.accreditation_officer)]


@router.get("/meetings/{meeting_id}/announcements/recipients")
async def announcement_recipients(
    meeting_id: MeetingId,
    deps: Deps,
    actor: Secretariat,
    country: Country = None,
    status: Status | None = None,
    role: Role | None = None,
) -> dict[str, Any]:
    """The preview: how many an announcement to this audience reaches, per language."""
    audience = Audience(meeting_id, country, status and status.value, role and role.value)
    found = await announcements.recipients(audience, actor, deps.unit_of_work())
    return {"recipients": len(found.registrations), "by_language": found.by_language}


@router.post("/meetings/{meeting_id}/announcements", status_code=202)
async def announce(
    meeting_id: MeetingId, body: NewAnnouncement, deps: Deps, actor: Secretariat
) -> JSONResponse:
    """Write to the meeting's participants: each is told once, in their language, by
    the notifications service (202: the mails follow)."""
    made = await announcements.announce(body.command(meeting_id, actor), deps.unit_of_work())
    return JSONResponse(
        {
            "announcement_id": made.announcement_id,
            "meeting_id": meeting_id,
            "recipients": len(made.recipients.registrations),
            "by_language": made.recipients.by_language,
        },
        status_code=202,
    )
