"""The HTTP scaffold every service shares: `create_app` runs the `ServiceRuntime` for
the app's lifetime and serves `/healthz` (ready) and `/livez` (alive); every request
passes the guards of `http_security` (security headers, no cross-site change with the
session cookie) and
`http_limits` (body size, text that is not Unicode); errors are problem details in the
caller's language naming the field, with a correlation id (`http_errors`); who the
caller is (`CurrentActor`, `Secretariat`, `require(StaffRole...)`), the service's
counters of what may be done how often (`app.state.rate_limiter`, `rate_limits`) and
its audit trail (`GET /audit`).

Credentials: `Authorization: Bearer <token>` or, for pages, the `pesnet_session` cookie
that the identity service sets (the same access token). A token is the shared
secretariat token, a signed access token (verified locally by `app.state.token_verifier`,
built from the settings: `PESNET_JWKS_URL`, `PESNET_JWKS`, `PESNET_OIDC_*`), or one
this service issued (`fp_…`, `mt_…`, looked up in `app.state.token_store`). A link's
`?token=` may only be a manage token (`link_credentials`).

A route that needs a staff right takes a dependency per route:

    @router.post("/registrations/{id}/confirm",
                 dependencies=[require(StaffRole.accreditation_officer)])

or, to use the actor: `actor: Annotated[Actor, require(StaffRole.programme_editor)]`.
No or a bad credential is a 401; a valid one without any of the roles is a 403; the
administrator (and the shared secretariat token, where enabled) passes every check.
Resolving the actor also binds it for the audit trail and the `actorid` of events."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from pesnet.shared.access_tokens import verifier_from_settings
from pesnet.shared.account_status import DisabledAccounts
from pesnet.shared.audit import AuditTrail, bind_actor
from pesnet.shared.credentials import (
    ANONYMOUS,
    AccessTokenVerifier,
    Actor,
    StaffRole,
    is_link_token,
    is_secretariat_token,
    resolve_actor,
)
from pesnet.shared.errors import Forbidden, Unauthorized
from pesnet.shared.http_errors import install_correlation, install_error_handlers
from pesnet.shared.http_limits import BodyLimit, DatabaseDown, UnicodeBodies
from pesnet.shared.http_metrics import RequestMetrics, metrics_router
from pesnet.shared.http_security import SESSION_COOKIE as SESSION_COOKIE
from pesnet.shared.http_security import CrossSiteRefusal, SecurityHeaders
from pesnet.shared.logging import configure_logging
from pesnet.shared.process import settle_garbage_collection
from pesnet.shared.rate_limits import RATE_LIMIT_INDEXES, RateLimiter
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.settings import ServiceSettings
from pesnet.shared.terms import STAFF_ROLES, listing
from pesnet.shared.translation import _
from pesnet.shared.web import install_docs_and_assets


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
    app = FastAPI(
        title=title,
        description=description,
        lifespan=_running(runtime),
        docs_url=None,
        redoc_url=None,
    )
    install_docs_and_assets(app)
    app.state.runtime = runtime
    app.state.token_verifier = token_verifier or verifier_from_settings(runtime.settings)
    app.state.disabled_accounts = runtime.disabled_accounts
    app.state.rate_limiter = RateLimiter(runtime.db)
    runtime.add_indexes(RATE_LIMIT_INDEXES)
    # the service's own catalogs come before the kernel's
    install_error_handlers(app, (package or f"pesnet.{runtime.settings.service_name}",))
    install_correlation(app)
    _install_health(app, runtime)
    app.include_router(liveness_router)
    app.include_router(metrics_router)
    for router in routers:
        app.include_router(router)
    app.include_router(audit_router)
    _install_guards(app, runtime)
    # the HTTP request's span (the official instrumentation), the root of a trace
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls="/healthz,/livez,/metrics", exclude_spans=["receive", "send"]
    )
    return app


def _running(runtime: ServiceRuntime) -> Callable[[FastAPI], Any]:
    """The app's lifespan: the runtime (database, broker, relay, consumers) runs while
    the app serves."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    return lifespan


def _install_health(app: FastAPI, runtime: ServiceRuntime) -> None:
    @app.get("/healthz", tags=["operations"])
    async def healthz() -> JSONResponse:
        """200 once the broker and the database answer; 503 saying which does not."""
        checks = await runtime.health()
        ok = all(checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", **checks}, status_code=200 if ok else 503
        )


def _install_guards(app: FastAPI, runtime: ServiceRuntime) -> None:
    """The layers every request passes before a route, outermost first: the security
    headers (on every answer, refusals included), the body's size limit (before
    anything reads it), the refusal of cross-site requests made with the session
    cookie, a 503 at once while the database is known to be down, and the refusal of
    JSON text that is not Unicode; around them all, the count of requests (`/metrics`).
    (Starlette runs the middleware added last first.)"""
    settings = runtime.settings
    app.add_middleware(UnicodeBodies)
    app.add_middleware(DatabaseDown, client=runtime.client)
    app.add_middleware(CrossSiteRefusal)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeaders, hsts_seconds=settings.hsts_seconds)
    # outermost: every answer is counted, the guards' refusals too
    app.add_middleware(RequestMetrics, metrics=runtime.metrics)


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


def link_credentials(token: str | None) -> HTTPAuthorizationCredentials | None:
    """A link's `?token=` as a credential: only a manage token (`mt_…`, one
    registration's, from its mail) may travel in a URL, where histories, logs and
    proxies keep it. The secretariat token, an access token or anything else there is
    refused (401), even where it would be valid as a bearer token."""
    if token is None:
        return None
    if not is_link_token(token):
        raise Unauthorized(_("a link's token can only be a manage token"))
    return HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)


async def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The caller: the secretariat, a person with a verified access token, a holder of
    a token this service issued (its `TokenStore` on `app.state.token_store`), or
    `ANONYMOUS` without credentials. A bearer token that stands for no one (expired,
    or of an account identity has disabled since: `account_status`) is a 401; a session
    cookie that does is no session: the page goes on anonymous, and whatever needs a
    right answers 401."""
    runtime = get_runtime(request)
    actor = await resolve_actor(
        presented_token(request, credentials),
        secretariat_token=runtime.settings.secretariat_token,
        store=getattr(request.app.state, "token_store", None),
        verifier=getattr(request.app.state, "token_verifier", None),
    )
    disabled: DisabledAccounts | None = getattr(request.app.state, "disabled_accounts", None)
    if (
        actor is not None
        and actor.account_id is not None
        and disabled is not None
        and await disabled.contains(actor.account_id)
    ):
        actor = None  # identity disabled the account since it signed the token
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
    app = build_app(settings)
    settle_garbage_collection()
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
    )
