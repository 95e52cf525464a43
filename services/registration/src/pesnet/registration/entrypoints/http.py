"""HTTP API of the registration service: parse a request into a command, call its
use case with a unit of work, and make the JSON response of the outcome."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials

from pesnet.registration.domain.access import Status
from pesnet.registration.domain.commands import (
    CheckIn,
    Confirm,
    Correct,
    OpenMeeting,
    PurgePersonalData,
    Register,
    Reject,
    Withdraw,
)
from pesnet.registration.domain.meeting import MeetingSource
from pesnet.registration.entrypoints import views
from pesnet.registration.entrypoints.dependencies import Dependencies
from pesnet.registration.entrypoints.limits import check_anonymous_registration
from pesnet.registration.entrypoints.schemas import (
    BadgeScan,
    Correction,
    InstitutionChanges,
    NewFocalPoint,
    NewInstitution,
    NewRegistration,
    Purge,
    Rejection,
)
from pesnet.registration.seed import PESNET_4, demo_meeting, network_institutions
from pesnet.registration.service_layer import (
    accreditation,
    focal_points,
    institutions,
    meetings,
    registering,
)
from pesnet.registration.service_layer import (
    check_in as on_site,
)
from pesnet.registration.service_layer import (
    purge as privacy,
)
from pesnet.shared.credentials import Actor, ActorKind, StaffRole
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Forbidden, Unauthorized
from pesnet.shared.http import CurrentActor, bearer, current_actor, link_credentials, require
from pesnet.shared.i18n import Language
from pesnet.shared.problems import request_language
from pesnet.shared.rate_limits import client_address
from pesnet.shared.terms import STAFF_ROLES, listing
from pesnet.shared.translation import _

MeetingId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
InstitutionIdPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
RegistrationId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def get_dependencies(request: Request) -> Dependencies:
    deps: Dependencies = request.app.state.dependencies
    return deps


async def link_actor(
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
    """The caller of a GET, resolved by the kernel (`CurrentActor`: bearer token or
    session cookie); without a bearer token, the manage link's `?token=`."""
    if credentials is None:
        credentials = link_credentials(token)
    return await current_actor(request, credentials)


LinkActor = Annotated[Actor, Depends(link_actor)]


def staff_or_holder(*roles: StaffRole) -> Any:
    """Like `require(*roles)`, and also lets through the holder of a token this service
    issued without a staff role (a registrant's manage token): the use case's rules then
    decide which registration they may act on. `link`: also the manage link's `?token=`."""

    async def check(actor: LinkActor) -> Actor:
        return _staff_or_holder(actor, roles)

    return Depends(check)


def staff_or_bearer_holder(*roles: StaffRole) -> Any:
    """`staff_or_holder` for routes that take the token only as a bearer token."""

    async def check(actor: CurrentActor) -> Actor:
        return _staff_or_holder(actor, roles)

    return Depends(check)


def _staff_or_holder(actor: Actor, roles: tuple[StaffRole, ...]) -> Actor:
    if actor.is_anonymous:
        raise Unauthorized(
            _("a bearer token is required (secretariat, focal point, or your manage token)")
        )
    if actor.kind is ActorKind.registrant or actor.has(*roles):
        return actor
    raise Forbidden(
        _("this needs one of the roles: {roles}"),
        params={"roles": listing(STAFF_ROLES[role] for role in roles)},
    )


# Who may call what (the administrator may call everything). A focal point
# (`fp_…` token or a national focal point's account) acts on its country only, a
# registrant (manage token) on their own registration: the use cases' rules.
ACCREDITATION = (StaffRole.accreditation_officer, StaffRole.focal_point)
READING = (StaffRole.accreditation_officer, StaffRole.check_in_clerk, StaffRole.focal_point)
Deps = Annotated[Dependencies, Depends(get_dependencies)]

router = APIRouter(tags=["registrations"])


@router.post("/meetings/{meeting_id}/registrations", status_code=201)
async def register(
    request: Request,
    meeting_id: MeetingId,
    body: NewRegistration,
    actor: CurrentActor,
    deps: Deps,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Register for a meeting (public; a focal point nominates for their country).
    The answer carries the private `manage_token` and `manage_url`. Without
    credentials, limited per client address and per e-mail address (429)."""
    await check_anonymous_registration(request, actor, body.email)
    outcome = await registering.register(
        Register(meeting_id, body.details(), actor, idempotency_key, client_address(request)),
        deps.unit_of_work(),
        public_url=deps.public_url,
    )
    return JSONResponse(views.registered_view(outcome, deps), status_code=201)


@router.get("/meetings/{meeting_id}/registrations")
async def list_registrations(
    meeting_id: MeetingId,
    actor: Annotated[
        Actor, staff_or_holder(StaffRole.accreditation_officer, StaffRole.focal_point)
    ],
    deps: Deps,
    status: Status | None = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
) -> dict[str, Any]:
    """The secretariat sees all; a focal point sees their country's registrations."""
    found = await registering.list_registrations(
        meeting_id, actor, deps.unit_of_work(), status=status, country=country
    )
    items = [views.registration_view(r, deps) for r in found]
    return {"meeting_id": meeting_id, "registrations": items, "count": len(items)}


@router.get("/registrations/{registration_id}")
async def read_registration(
    registration_id: RegistrationId,
    actor: Annotated[Actor, staff_or_holder(*READING)],
    deps: Deps,
) -> dict[str, Any]:
    registration, position = await registering.read_registration_with_place(
        registration_id, actor, deps.unit_of_work()
    )
    body = views.registration_view(registration, deps)
    if position is not None:
        body["waitlist_position"] = position
    return body


@router.patch("/registrations/{registration_id}")
async def correct_registration(
    registration_id: RegistrationId,
    body: Correction,
    actor: Annotated[Actor, staff_or_bearer_holder(*ACCREDITATION)],
    deps: Deps,
) -> dict[str, Any]:
    """Correct personal details (the registrant, their focal point or the secretariat)."""
    registration = await registering.correct(
        Correct(registration_id, body.changes(), actor), deps.unit_of_work()
    )
    return views.registration_view(registration, deps)


@router.post("/registrations/{registration_id}/manage-link")
async def rotate_manage_link(
    registration_id: RegistrationId,
    actor: Annotated[Actor, staff_or_bearer_holder(*ACCREDITATION)],
    deps: Deps,
) -> dict[str, Any]:
    """A new private manage link (the registrant, their focal point or the secretariat,
    e.g. after a link was forwarded): every earlier link stops working."""
    registration = await registering.rotate_manage_link(registration_id, actor, deps.unit_of_work())
    return {
        "id": registration.id,
        "manage_token": views.manage_token(registration, deps),
        "manage_url": views.manage_url(registration, deps),
    }


@router.post("/registrations/{registration_id}/confirm")
async def confirm(
    request: Request,
    registration_id: RegistrationId,
    actor: Annotated[Actor, require(*ACCREDITATION)],
    deps: Deps,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Accredit: confirmed if the delegation's quota has a place, else waitlisted
    (the answer then says why and the place in the waitlist)."""
    outcome = await accreditation.confirm(
        Confirm(registration_id, actor, idempotency_key), deps.unit_of_work(), badges=deps.badges
    )
    return views.accredited_view(outcome, deps, request_language(request))


@router.post("/registrations/{registration_id}/reject")
async def reject(
    registration_id: RegistrationId,
    actor: Annotated[Actor, require(*ACCREDITATION)],
    deps: Deps,
    body: Annotated[Rejection | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    reason = body.reason if body is not None else None
    outcome = await accreditation.reject(
        Reject(registration_id, actor, reason, idempotency_key), deps.unit_of_work()
    )
    return views.registration_view(outcome.registration, deps)


@router.post("/registrations/{registration_id}/withdraw")
async def withdraw(
    registration_id: RegistrationId,
    actor: Annotated[Actor, staff_or_bearer_holder(*ACCREDITATION)],
    deps: Deps,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Withdraw (the registrant with their manage token, their focal point, the
    secretariat). A freed place goes to the oldest waitlisted of the same country."""
    outcome = await accreditation.withdraw(
        Withdraw(registration_id, actor, idempotency_key), deps.unit_of_work(), badges=deps.badges
    )
    return views.withdrawn_view(outcome, deps)


@router.post("/registrations/{registration_id}/check-in")
async def check_in(
    registration_id: RegistrationId,
    actor: Annotated[Actor, require(StaffRole.check_in_clerk)],
    deps: Deps,
) -> dict[str, Any]:
    """Idempotent: a second scan answers `already_checked_in` with the first time."""
    outcome = await on_site.check_in(
        CheckIn(actor, registration_id=registration_id), deps.unit_of_work(), badges=deps.badges
    )
    return views.checked_in_view(outcome, deps)


@router.post("/meetings/{meeting_id}/check-ins")
async def check_in_by_badge(
    meeting_id: MeetingId,
    body: BadgeScan,
    actor: Annotated[Actor, require(StaffRole.check_in_clerk)],
    deps: Deps,
) -> dict[str, Any]:
    """Check in by the badge's QR code (its signed token)."""
    outcome = await on_site.check_in(
        CheckIn(actor, badge_token=body.badge_token, meeting_id=meeting_id),
        deps.unit_of_work(),
        badges=deps.badges,
    )
    return views.checked_in_view(outcome, deps)


@router.get("/meetings/{meeting_id}/check-ins", response_model=None)
async def check_in_list(
    meeting_id: MeetingId,
    deps: Deps,
    actor: Annotated[Actor, require(StaffRole.check_in_clerk, StaffRole.accreditation_officer)],
    format: Literal["json", "csv"] = "json",
) -> dict[str, Any] | Response:
    """Confirmed participants and when they checked in (the desk, accreditation);
    `?format=csv` for a spreadsheet: an export, the administrator's only."""
    export = format == "csv"
    if export and not actor.has(StaffRole.administrator):
        raise Forbidden(
            _("this needs one of the roles: {roles}"),
            params={"roles": listing([STAFF_ROLES[StaffRole.administrator]])},
        )
    meeting, confirmed = await on_site.check_in_list(meeting_id, deps.unit_of_work(), export=export)
    rows = views.check_in_rows(meeting, confirmed)
    if format == "json":
        # written by pydantic's encoder, as a route with a response type is (without
        # one, FastAPI's jsonable_encoder walked each value: 40 ms at 1,000 people)
        return views.json_response(
            {
                "meeting_id": meeting_id,
                "participants": rows,
                "checked_in": sum(1 for r in rows if r["checked_in"]),
                "confirmed": len(rows),
            }
        )
    return Response(
        views.check_ins_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="check-ins-{meeting_id}.csv"'},
    )


@router.get(
    "/registrations/{registration_id}/badge.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
async def badge(
    registration_id: RegistrationId,
    actor: Annotated[Actor, staff_or_holder(*READING)],
    deps: Deps,
) -> Response:
    """The printable trilingual badge of a confirmed participant."""
    png = await on_site.badge_png(
        registration_id,
        actor,
        deps.unit_of_work(),
        badges=deps.badges,
        renderer=deps.renderer,
    )
    return Response(png, media_type="image/png")


@router.get(
    "/registrations/{registration_id}/badge/qr.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
async def badge_qr(
    registration_id: RegistrationId,
    actor: Annotated[Actor, staff_or_holder(*READING)],
    deps: Deps,
) -> Response:
    png = await on_site.badge_qr_png(
        registration_id,
        actor,
        deps.unit_of_work(),
        badges=deps.badges,
        renderer=deps.renderer,
    )
    return Response(png, media_type="image/png")


public = APIRouter(tags=["public"])


@public.get("/meetings/{meeting_id}/delegations")
async def delegations(meeting_id: MeetingId, deps: Deps) -> dict[str, Any]:
    """Counts per delegation, status and role: no names, no e-mails (public)."""
    meeting, found = await meetings.delegations(meeting_id, deps.unit_of_work())
    return views.delegations_view(meeting, found)


secretariat = APIRouter(tags=["secretariat"])
FOCAL_POINT_MANAGEMENT = [require(StaffRole.accreditation_officer)]


@secretariat.post("/focal-points", status_code=201, dependencies=FOCAL_POINT_MANAGEMENT)
async def issue_focal_point(body: NewFocalPoint, deps: Deps) -> dict[str, Any]:
    """Nominate a national focal point: a token scoped to one country (shown once) and,
    with `institution_id`, to an institution of the reference (then `name` and `email`
    are needed: the action plan's focal point of that institution is this nomination)."""
    focal_point, token = await focal_points.issue_focal_point(body.command(), deps.unit_of_work())
    return {**views.focal_point_view(focal_point), "token": token}


@secretariat.get("/focal-points", dependencies=FOCAL_POINT_MANAGEMENT)
async def list_focal_points(
    deps: Deps,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
) -> dict[str, Any]:
    """Issued focal-point tokens (never the tokens themselves)."""
    found = await focal_points.focal_points(country, deps.unit_of_work())
    return {"focal_points": [views.focal_point_view(f) for f in found]}


@secretariat.delete(
    "/focal-points/{focal_point_id}", status_code=204, dependencies=FOCAL_POINT_MANAGEMENT
)
async def revoke_focal_point(
    focal_point_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")], deps: Deps
) -> Response:
    await focal_points.revoke_focal_point(focal_point_id, deps.unit_of_work())
    return Response(status_code=204)


def language_of(request: Request, lang: Language | None) -> Language:
    """`?lang=` wins, then `Accept-Language` (the kernel's negotiation), then English."""
    return lang or request_language(request)


@public.get("/institutions")
async def list_institutions(
    request: Request,
    deps: Deps,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    lang: Language | None = None,
) -> dict[str, Any]:
    """The network's reference of institutions (public): id, names in ar/en/fr, acronym,
    country, and `label` in the reader's language."""
    found = await institutions.institutions(country, deps.unit_of_work())
    language = language_of(request, lang)
    return {"institutions": [views.institution_view(i, language) for i in found]}


@public.get("/institutions/{institution_id}")
async def read_institution(
    institution_id: InstitutionIdPath, request: Request, deps: Deps, lang: Language | None = None
) -> dict[str, Any]:
    found = await institutions.institution(institution_id, deps.unit_of_work())
    return views.institution_view(found, language_of(request, lang))


@secretariat.post("/institutions", status_code=201, dependencies=FOCAL_POINT_MANAGEMENT)
async def register_institution(
    body: NewInstitution, request: Request, deps: Deps
) -> dict[str, Any]:
    """An institution joins the reference (→ `registration.institution.registered`)."""
    registered = await institutions.register_institution(body.command(), deps.unit_of_work())
    return views.institution_view(registered, language_of(request, None))


@secretariat.patch("/institutions/{institution_id}", dependencies=FOCAL_POINT_MANAGEMENT)
async def rename_institution(
    institution_id: InstitutionIdPath, body: InstitutionChanges, request: Request, deps: Deps
) -> dict[str, Any]:
    """New names or acronym (→ `registration.institution.renamed`, the next version)."""
    renamed = await institutions.rename_institution(
        body.command(institution_id), deps.unit_of_work()
    )
    return views.institution_view(renamed, language_of(request, None))


@secretariat.post(
    "/meetings/{meeting_id}/purge-personal-data",
    dependencies=[require(StaffRole.administrator)],
)
async def purge(
    meeting_id: MeetingId,
    deps: Deps,
    body: Annotated[Purge | None, Body()] = None,
) -> dict[str, Any]:
    """Erase names, e-mails and notes of a meeting that ended at least N days ago."""
    older_than_days = (body or Purge()).older_than_days
    purged = await privacy.purge_personal_data(
        PurgePersonalData(meeting_id, older_than_days), deps.unit_of_work()
    )
    return {"meeting_id": meeting_id, "purged": purged}


dev = APIRouter(tags=["dev"], dependencies=[require(StaffRole.administrator)])


@dev.post("/dev/seed")
async def seed(deps: Deps) -> dict[str, Any]:
    """Register the institutions the 4th meeting names in the reference, record pesnet-4
    (held) and open pesnet-demo for registration (quota 3), unless the agenda already
    announced them."""
    added = await institutions.seed_institutions(network_institutions(), deps.unit_of_work())
    now = utcnow()
    created = {}
    for announcement in (PESNET_4, demo_meeting(now)):
        created[announcement.meeting_id] = await meetings.open_meeting(
            OpenMeeting(announcement, MeetingSource.seed, now),
            deps.unit_of_work(),
            default_quota=deps.default_quota,
        )
    return {
        "meeting_id": PESNET_4.meeting_id,
        "created": created[PESNET_4.meeting_id],
        "meetings": created,
        "institutions": added,
    }
