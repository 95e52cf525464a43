"""The HTTP scaffold every service shares: lifespan that runs the `ServiceRuntime`,
`/healthz`, errors as problem details in the caller's language naming the field (never a
stack trace),
a correlation id per request, and who the caller is (`CurrentActor`, `Secretariat`)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from pesnet.shared.credentials import Actor, is_secretariat_token, resolve_actor
from pesnet.shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
)
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
from pesnet.shared.translation import translate
from pesnet.shared.web import install_docs_and_assets

log = get_logger(__name__)

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
) -> FastAPI:
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

    # the service's own catalogs come before the kernel's
    packages = (f"pesnet.{runtime.settings.service_name}",)

    @app.middleware("http")
    async def correlation(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        correlation_id = request.headers.get("x-correlation-id") or uuid.uuid4().hex
        request.state.correlation_id = correlation_id
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

    for router in routers:
        app.include_router(router)
    return app


bearer = HTTPBearer(auto_error=False)


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def require_secretariat(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """Secretariat calls carry `Authorization: Bearer $PESNET_SECRETARIAT_TOKEN`."""
    expected = get_runtime(request).settings.secretariat_token
    if credentials is None or not is_secretariat_token(credentials.credentials, expected):
        raise Unauthorized("a secretariat bearer token is required")


async def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The caller: the secretariat, a holder of a token this service issued (its
    `TokenStore` on `app.state.token_store`), or `ANONYMOUS` without credentials.
    A token that stands for no one is a 401."""
    actor = await resolve_actor(
        credentials.credentials if credentials else None,
        secretariat_token=get_runtime(request).settings.secretariat_token,
        store=getattr(request.app.state, "token_store", None),
    )
    if actor is None:
        raise Unauthorized("unknown or revoked token")
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
Secretariat = Depends(require_secretariat)


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
