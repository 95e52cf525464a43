"""The HTTP scaffold every service shares: lifespan that runs the `ServiceRuntime`,
`/healthz` (ready) and `/livez` (alive), errors as problem details in the caller's
language naming the field (never a stack trace),
a correlation id per request, who the caller is (`CurrentActor`, `Secretariat`,
`require(StaffRole...)`) and the service's audit trail (`GET /audit`).

Credentials: `Authorization: Bearer <token>` or, for pages, the `pesnet_session` cookie
that the identity service sets (the same access token). A token is the shared
secretariat token, a signed access token (verified locally by `app.state.token_verifier`,
built from the settings: `PESNET_JWKS_URL`, `PESNET_JWKS`, `PESNET_OIDC_*`), or one
this service issued (`fp_…`, `mt_…`, looked up in `app.state.token_store`).

A route that needs a staff right takes a dependency per route:

    @router.post("/registrations/{id}/confirm",
                 dependencies=[require(StaffRole.accreditation_officer)])

or, to use the actor: `actor: Annotated[Actor, require(StaffRole.programme_editor)]`.
No or a bad credential is a 401; a valid one without any of the roles is a 403; the
administrator (and the shared secretariat token, where enabled) passes every check.
Resolving the actor also binds it for the audit trail and the `actorid` of events."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException as StarletteHTTPException

from pesnet.shared.access_tokens import verifier_from_settings
from pesnet.shared.audit import AuditTrail, bind_actor, bind_request
from pesnet.shared.credentials import (
    ANONYMOUS,
    AccessTokenVerifier,
    Actor,
    StaffRole,
    is_secretariat_token,
    resolve_actor,
)
from pesnet.shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
)
from pesnet.shared.http_limits import BodyLimit, database_unavailable
from pesnet.shared.logging import configure_logging, get_logger
from pesnet.shared.problems import (
    INTERNAL_ERROR_DETAIL,
    INVALID_INPUT_DETAIL,
    TITLES,
    field_error,
    problem,
    request_language,
    validation_errors,
)
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.settings import ServiceSettings
from pesnet.shared.terms import STAFF_ROLES, listing
from pesnet.shared.translation import _, translate
from pesnet.shared.web import install_docs_and_assets

log = get_logger(__name__)

# the cookie that carries a page user's access token (set by identity's /auth/session)
SESSION_COOKIE = "pesnet_session"

STATUS_OF: dict[type[DomainError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    Unauthorized: 401,
}


def _status(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 400


def create_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    routers: Iterable[APIRouter],
    description: str = "",
    token_verifier: AccessTokenVerifier | None = None,
    package: str | None = None,
) -> FastAPI:
    """A service's app. `token_verifier`: how access tokens are verified (default:
    from the settings; the identity service passes its own keys). `package`: whose
    gettext catalogs translate the service's errors (`pesnet.<service>`; the service's
    name in the settings may differ: it also names queues and databases)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=title, description=description, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    install_docs_and_assets(app)
    app.state.runtime = runtime
    app.state.token_verifier = token_verifier or verifier_from_settings(runtime.settings)

    # the service's own catalogs come before the kernel's
    packages = (package or f"pesnet.{runtime.settings.service_name}",)

    @app.middleware("http")
    async def correlation(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        correlation_id = request.headers.get("x-correlation-id") or uuid.uuid4().hex
        request.state.correlation_id = correlation_id
        bind_request(request.client.host if request.client else None)
        with structlog.contextvars.bound_contextvars(correlation_id=correlation_id):
            try:
                response = await call_next(request)
            except Exception:
                error_id = uuid.uuid4().hex
                log.exception("unhandled error", path=request.url.path, error_id=error_id)
                response = problem(request, 500, INTERNAL_ERROR_DETAIL, error_id=error_id)
        response.headers["x-correlation-id"] = correlation_id
        return response

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        language = request_language(request)
        errors = []
        if exc.field is not None:
            parts = exc.field.split(".")
            # a domain error names a body field, or says where else: "query.version"
            loc = parts if parts[0] in ("query", "path", "header") else ["body", *parts]
            entry = field_error(loc, exc.message, language, "")
            entry["msg"] = translate(exc.message, language, exc.params, packages=packages)
            entry["type"] = type(exc).__name__
            errors.append(entry)
        return problem(
            request,
            _status(exc),
            exc.message,
            params=exc.params,
            errors=errors,
            packages=packages,
        )

    @app.exception_handler(RequestValidationError)
    async def request_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc.errors(), request_language(request), packages)
        fields = ", ".join(dict.fromkeys(e["field"] or str(e["loc"][0]) for e in errors))
        return problem(request, 422, INVALID_INPUT_DETAIL, params={"fields": fields}, errors=errors)

    app.add_exception_handler(ConnectionFailure, database_unavailable)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
        return problem(
            request,
            exc.status_code,
            detail,
            headers=getattr(exc, "headers", None),
            packages=packages,
        )

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> JSONResponse:
        checks = await runtime.health()
        ok = all(checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", **checks}, status_code=200 if ok else 503
        )

    app.include_router(liveness_router)
    for router in routers:
        app.include_router(router)
    app.include_router(audit_router)
    # outermost: a body over the limit is refused before anything reads it
    app.add_middleware(BodyLimit, max_bytes=runtime.settings.max_request_bytes)
    return app


liveness_router = APIRouter(tags=["operations"])


@liveness_router.get("/livez")
async def livez() -> dict[str, str]:
    """Alive: the process started and its event loop answers (the liveness and startup
    probes). It asks neither the broker nor the database, whose outage a restart would
    not cure; `/healthz` (readiness) does."""
    return {"status": "alive"}


bearer = HTTPBearer(auto_error=False)


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def require_secretariat(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """The shared secretariat token only (`Authorization: Bearer
    $PESNET_SECRETARIAT_TOKEN`); routes use `Secretariat`, which also lets an
    administrator's access token through."""
    expected = get_runtime(request).settings.secretariat_token
    if credentials is None or not is_secretariat_token(credentials.credentials, expected):
        raise Unauthorized(_("a secretariat bearer token is required"))


def presented_token(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> str | None:
    """The bearer token, else the session cookie's (a page's), else None."""
    if credentials is not None:
        return credentials.credentials
    return request.cookies.get(SESSION_COOKIE) or None


async def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The caller: the secretariat, a person with a verified access token, a holder of
    a token this service issued (its `TokenStore` on `app.state.token_store`), or
    `ANONYMOUS` without credentials. A bearer token that stands for no one is a 401;
    a session cookie that does (expired, say) is no session: the page goes on anonymous,
    and whatever needs a right answers 401."""
    actor = await resolve_actor(
        presented_token(request, credentials),
        secretariat_token=get_runtime(request).settings.secretariat_token,
        store=getattr(request.app.state, "token_store", None),
        verifier=getattr(request.app.state, "token_verifier", None),
    )
    if actor is None and credentials is None:
        actor = ANONYMOUS
    if actor is None:
        raise Unauthorized(_("unknown, expired or revoked token"))
    bind_actor(actor)
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


async def secretariat_or_administrator(actor: CurrentActor) -> Actor:
    """The shared secretariat token (where enabled) or an administrator's access token."""
    if actor.is_anonymous:
        raise Unauthorized(_("a secretariat bearer token is required"))
    if not actor.is_secretariat:
        raise Forbidden(_("this needs the secretariat administrator"))
    return actor


Secretariat = Depends(secretariat_or_administrator)


def require(*roles: StaffRole) -> Any:
    """A dependency that lets through an actor holding one of `roles` (the
    administrator holds all; no role given: any staff role) and gives the `Actor`:
    `actor: Annotated[Actor, require(StaffRole.check_in_clerk)]`, or
    `dependencies=[require(...)]`. 401 without or with a bad credential, 403 otherwise."""

    async def check(actor: CurrentActor) -> Actor:
        if actor.is_anonymous:
            raise Unauthorized(_("sign in first: this needs a bearer token or a session"))
        if not actor.has(*roles):
            if not roles:
                raise Forbidden(_("this needs a staff role"))
            raise Forbidden(
                _("this needs one of the roles: {roles}"),
                params={"roles": listing(STAFF_ROLES[role] for role in roles)},
            )
        return actor

    return Depends(check)


audit_router = APIRouter(tags=["audit"])


@audit_router.get("/audit")
async def audit_trail(
    request: Request,
    _: Annotated[Actor, require(StaffRole.administrator)],
    meeting_id: Annotated[str | None, Query(max_length=64)] = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Who did what in this service, newest first (the administrator only)."""
    entries = await AuditTrail(get_runtime(request).db).query(
        meeting_id=meeting_id, actor=actor, since=since, until=until, limit=limit
    )
    return [entry.view() for entry in entries]


def serve(settings: ServiceSettings, build_app: Callable[[Any], FastAPI]) -> None:
    """Run a service's app with uvicorn, logging JSON (each service's `__main__`)."""
    import uvicorn

    configure_logging(settings.service_name, settings.log_level)
    uvicorn.run(
        build_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
    )
