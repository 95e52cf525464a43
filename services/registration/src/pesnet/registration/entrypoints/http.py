"""HTTP API of the registration service (thin: parse, authorize, call a use case)."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials

from pesnet.registration.adapters.badge import qr_png, render_badge_png
from pesnet.registration.domain.labels import ROLE_LABELS
from pesnet.registration.domain.model import Actor, Status
from pesnet.registration.seed import PESNET_4
from pesnet.registration.service_layer.commands import (
    BadgeScan,
    Correction,
    NewFocalPoint,
    NewRegistration,
    Purge,
    Rejection,
)
from pesnet.registration.service_layer.context import Result
from pesnet.registration.service_layer.services import RegistrationService
from pesnet.shared.errors import Unauthorized
from pesnet.shared.http import Secretariat, bearer, get_runtime
from pesnet.shared.i18n import Localized
from pesnet.shared.reference import member_states

MeetingId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
RegistrationId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def get_service(request: Request) -> RegistrationService:
    service: RegistrationService = request.app.state.registration
    return service


async def get_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    token: Annotated[
        str | None,
        Query(
            max_length=200,
            description="A registrant's manage token, as in the manage link (GET only).",
        ),
    ] = None,
) -> Actor:
    """Who is calling: the secretariat, a focal point, a registrant (manage token in
    `Authorization: Bearer` or, for the manage link, `?token=`), or nobody."""
    value = credentials.credentials if credentials is not None else None
    if value is None and token is not None and request.method == "GET":
        value = token
    secretariat = get_runtime(request).settings.secretariat_token
    return await get_service(request).access.actor_for(
        value, secretariat.get_secret_value() if secretariat else None
    )


def require_staff(actor: Actor) -> None:
    if actor.kind not in ("secretariat", "focal_point"):
        raise Unauthorized("a secretariat or focal-point bearer token is required")


def require_credentials(actor: Actor) -> None:
    if actor.kind == "anonymous":
        raise Unauthorized(
            "a bearer token is required (secretariat, focal point, or your manage token)"
        )


def respond(result: Result) -> JSONResponse:
    return JSONResponse(result.body, status_code=result.status)


ActorDep = Annotated[Actor, Depends(get_actor)]
ServiceDep = Annotated[RegistrationService, Depends(get_service)]

router = APIRouter(tags=["registrations"])


@router.post("/meetings/{meeting_id}/registrations", status_code=201)
async def register(
    meeting_id: MeetingId,
    body: NewRegistration,
    actor: ActorDep,
    service: ServiceDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Register for a meeting (public; a focal point nominates for their country).
    The answer carries the private `manage_token` and `manage_url`."""
    return respond(await service.registering.register(actor, meeting_id, body, idempotency_key))


@router.get("/meetings/{meeting_id}/registrations")
async def list_registrations(
    meeting_id: MeetingId,
    actor: ActorDep,
    service: ServiceDep,
    status: Status | None = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
) -> dict[str, Any]:
    """The secretariat sees all; a focal point sees their country's registrations."""
    require_staff(actor)
    items = await service.registering.list_registrations(
        actor, meeting_id, status.value if status else None, country
    )
    return {"meeting_id": meeting_id, "registrations": items, "count": len(items)}


@router.get("/registrations/{registration_id}")
async def read_registration(
    registration_id: RegistrationId, actor: ActorDep, service: ServiceDep
) -> dict[str, Any]:
    require_credentials(actor)
    return await service.registering.read(actor, registration_id)


@router.patch("/registrations/{registration_id}")
async def correct_registration(
    registration_id: RegistrationId, body: Correction, actor: ActorDep, service: ServiceDep
) -> JSONResponse:
    """Correct personal details (the registrant, their focal point or the secretariat)."""
    require_credentials(actor)
    return respond(await service.registering.correct(actor, registration_id, body))


@router.post("/registrations/{registration_id}/confirm")
async def confirm(
    registration_id: RegistrationId,
    actor: ActorDep,
    service: ServiceDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Accredit: confirmed if the delegation's quota has a place, else waitlisted
    (the answer then says why and the place in the waitlist)."""
    require_staff(actor)
    return respond(await service.accreditation.confirm(actor, registration_id, idempotency_key))


@router.post("/registrations/{registration_id}/reject")
async def reject(
    registration_id: RegistrationId,
    actor: ActorDep,
    service: ServiceDep,
    body: Annotated[Rejection | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    require_staff(actor)
    reason = body.reason if body is not None else None
    return respond(
        await service.accreditation.reject(actor, registration_id, reason, idempotency_key)
    )


@router.post("/registrations/{registration_id}/withdraw")
async def withdraw(
    registration_id: RegistrationId,
    actor: ActorDep,
    service: ServiceDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Withdraw (the registrant with their manage token, their focal point, the
    secretariat). A freed place goes to the oldest waitlisted of the same country."""
    require_credentials(actor)
    return respond(await service.accreditation.withdraw(actor, registration_id, idempotency_key))


@router.post("/registrations/{registration_id}/check-in")
async def check_in(
    registration_id: RegistrationId, actor: ActorDep, service: ServiceDep
) -> JSONResponse:
    """Idempotent: a second scan answers `already_checked_in` with the first time."""
    require_credentials(actor)
    return respond(await service.check_in.check_in(actor, registration_id))


@router.post("/meetings/{meeting_id}/check-ins")
async def check_in_by_badge(
    meeting_id: MeetingId, body: BadgeScan, actor: ActorDep, service: ServiceDep
) -> JSONResponse:
    """Check in by the badge's QR code (its signed token)."""
    require_credentials(actor)
    return respond(
        await service.check_in.check_in(actor, badge_token=body.badge_token, meeting_id=meeting_id)
    )


@router.get("/meetings/{meeting_id}/check-ins", dependencies=[Secretariat], response_model=None)
async def check_in_list(
    meeting_id: MeetingId,
    service: ServiceDep,
    format: Literal["json", "csv"] = "json",
) -> dict[str, Any] | Response:
    """Confirmed participants and when they checked in; `?format=csv` for a spreadsheet."""
    rows = await service.check_in.check_in_list(meeting_id)
    if format == "json":
        return {
            "meeting_id": meeting_id,
            "participants": rows,
            "checked_in": sum(1 for r in rows if r["checked_in"]),
            "confirmed": len(rows),
        }
    columns = [
        "id",
        "family_name",
        "given_name",
        "name_latin",
        "country",
        "institution",
        "role",
        "checked_in",
        "checked_in_local",
    ]
    buffer = io.StringIO()
    # a BOM so that spreadsheet programs read the UTF-8 (Arabic names) correctly
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_safe(row.get(k)) for k in columns})
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="check-ins-{meeting_id}.csv"'},
    )


def _csv_safe(value: Any) -> Any:
    """Neutralize spreadsheet formulas (a name starting with `=` must stay text)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value if value is not None else ""


@router.get(
    "/registrations/{registration_id}/badge.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
async def badge(registration_id: RegistrationId, actor: ActorDep, service: ServiceDep) -> Response:
    """The printable trilingual badge of a confirmed participant."""
    require_credentials(actor)
    doc, meeting, token = await service.check_in.badge_subject(actor, registration_id)
    country = doc.get("country")
    delegation = (
        member_states()[country].name
        if country
        else Localized(ar=doc["institution"], en=doc["institution"], fr=doc["institution"])
    )
    png = render_badge_png(
        meeting_title=meeting.title,
        full_name=f"{doc['given_name']} {doc['family_name']}",
        name_latin=doc.get("name_latin"),
        honorific=doc.get("honorific"),
        role=ROLE_LABELS[doc["role"]],
        delegation=delegation,
        institution=doc["institution"],
        badge_token=token,
    )
    return Response(png, media_type="image/png")


@router.get(
    "/registrations/{registration_id}/badge/qr.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
async def badge_qr(
    registration_id: RegistrationId, actor: ActorDep, service: ServiceDep
) -> Response:
    require_credentials(actor)
    _, _, token = await service.check_in.badge_subject(actor, registration_id)
    return Response(qr_png(token), media_type="image/png")


public = APIRouter(tags=["public"])


@public.get("/meetings/{meeting_id}/delegations")
async def delegations(meeting_id: MeetingId, service: ServiceDep) -> dict[str, Any]:
    """Counts per delegation, status and role: no names, no e-mails (public)."""
    return await service.delegations.summary(meeting_id)


secretariat = APIRouter(tags=["secretariat"], dependencies=[Secretariat])


@secretariat.post("/focal-points", status_code=201)
async def issue_focal_point(body: NewFocalPoint, service: ServiceDep) -> dict[str, Any]:
    """A token for a national focal point, scoped to one country (shown once)."""
    return await service.access.issue_focal_point(body)


@secretariat.get("/focal-points")
async def list_focal_points(
    service: ServiceDep,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
) -> dict[str, Any]:
    """Issued focal-point tokens (never the tokens themselves)."""
    return {"focal_points": await service.access.focal_points(country)}


@secretariat.delete("/focal-points/{focal_point_id}", status_code=204)
async def revoke_focal_point(
    focal_point_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")], service: ServiceDep
) -> Response:
    await service.access.revoke_focal_point(focal_point_id)
    return Response(status_code=204)


@secretariat.post("/meetings/{meeting_id}/purge-personal-data")
async def purge(
    meeting_id: MeetingId,
    service: ServiceDep,
    body: Annotated[Purge | None, Body()] = None,
) -> dict[str, Any]:
    """Erase names, e-mails and notes of a meeting that ended at least N days ago."""
    return await service.privacy.purge(meeting_id, (body or Purge()).older_than_days)


dev = APIRouter(tags=["dev"], dependencies=[Secretariat])


@dev.post("/dev/seed")
async def seed(service: ServiceDep) -> dict[str, Any]:
    """Open pesnet-4 for registration (quota 3) unless the agenda already announced it."""
    created = await service.meetings.seed_meeting(PESNET_4)
    return {"meeting_id": PESNET_4.meeting_id, "created": created}
