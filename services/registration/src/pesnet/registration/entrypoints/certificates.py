"""Certificates of attendance over HTTP: the participant's PDF (behind their manage link
or a member of staff's credentials), and the public page its QR code opens, which says
who attended which meeting while the person's data exists."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response

from pesnet.registration.entrypoints.http import READING, Deps, staff_or_holder
from pesnet.registration.entrypoints.pages.rendering import (
    PACKAGE,
    country_name,
    error_page,
    render,
)
from pesnet.registration.service_layer import certificates
from pesnet.registration.service_layer.certificates import Certificate
from pesnet.shared.credentials import Actor
from pesnet.shared.errors import DomainError
from pesnet.shared.forms import wants_html
from pesnet.shared.i18n import Language, format_local_date
from pesnet.shared.problems import request_language
from pesnet.shared.translation import N_, translate

router = APIRouter(tags=["certificates"])
Token = Annotated[str, Path(min_length=10, max_length=300)]


def verification_url(deps: Deps, token: str) -> str:
    return f"{deps.public_url.rstrip('/')}/certificates/{quote(token)}"


def _say(message: str, language: str, **params: Any) -> str:
    return translate(message, language, params, packages=(PACKAGE,))


def _facts(found: Certificate, language: str) -> dict[str, str]:
    meeting, registration = found.meeting, found.registration
    days = [d for d in (meeting.start_date, meeting.end_date) if d is not None]
    place = meeting.city.get(language) if meeting.city else ""
    held = " – ".join(dict.fromkeys(format_local_date(d, language, "long") for d in days))
    return {
        "name": f"{registration.given_name} {registration.family_name}".strip(),
        "meeting": meeting.title.get(language),
        "held": ("، " if language == "ar" else ", ").join(
            part for part in (place, country_name(meeting.country, language), held) if part
        ),
        "attended": format_local_date(
            found.attended_at.astimezone(meeting.zone).date(), language, "long"
        ),
    }


@router.get(
    "/registrations/{registration_id}/certificate.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def certificate_pdf(
    registration_id: str,
    actor: Annotated[Actor, staff_or_holder(*READING)],
    deps: Deps,
    lang: Language | None = None,
) -> Response:
    """The certificate of attendance of a participant who was checked in, from the
    meeting's last day on, in their language (or `?lang=`), with the QR code of its
    public verification page."""
    found = await certificates.certificate(
        registration_id, actor, deps.unit_of_work(), key=deps.certificates
    )
    language = (lang or found.registration.language).value
    facts = _facts(found, language)
    lines = [
        (_say(N_("Certificate of attendance"), language), "title"),
        (_say(N_("This is to certify that"), language), "text"),
        (facts["name"], "name"),
        (_say(N_("attended"), language), "text"),
        (facts["meeting"], "text"),
        (facts["held"], "small"),
        (_say(N_("Attendance recorded on {date}."), language, date=facts["attended"]), "small"),
    ]
    url = verification_url(deps, found.token)
    pdf = deps.certificate_renderer.certificate_pdf(language=language, lines=lines, qr_data=url)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="certificate-{found.meeting.id}.pdf"',
            "content-language": language,
            "cache-control": "no-store",
        },
    )


@router.get("/certificates/{token}", tags=["public"])
async def verify_certificate(token: Token, request: Request, deps: Deps) -> Response:
    """What a certificate's QR code opens: the holder's name, the meeting and their
    attendance, while their data exists (else 404). A page for browsers, JSON else."""
    language = request_language(request).value
    html = wants_html(request.headers.get("accept", ""))
    try:
        found = await certificates.verify(token, deps.unit_of_work(), key=deps.certificates)
    except DomainError as refused:
        if html:
            return error_page(request, refused)
        raise
    facts = _facts(found, language)
    if not html:
        return JSONResponse(
            {
                "valid": True,
                "name": facts["name"],
                "meeting_id": found.meeting.id,
                "meeting": found.meeting.title.model_dump(),
                "attended_at": found.attended_at.isoformat(),
            },
            headers={"cache-control": "no-store"},
        )
    return render(request, "certificate.html", {"facts": facts})
