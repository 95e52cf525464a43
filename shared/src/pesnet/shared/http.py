"""The HTTP scaffold every service shares: lifespan that runs the `ServiceRuntime`,
`/healthz`, errors as `{"detail": ...}` naming the field (never a stack trace),
a correlation id per request, and the secretariat bearer-token check."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException as StarletteHTTPException

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
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.settings import ServiceSettings

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


def validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    """FastAPI's error list, without echoing the input back."""
    return [
        {
            "loc": list(err.get("loc", ())),
            "field": ".".join(str(p) for p in err.get("loc", ())[1:]),
            "msg": err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]


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

    app = FastAPI(title=title, description=description, lifespan=lifespan)
    app.state.runtime = runtime

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
                response = JSONResponse(
                    {"detail": "internal error", "error_id": error_id}, status_code=500
                )
        response.headers["x-correlation-id"] = correlation_id
        return response

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        detail: Any = exc.message
        if exc.field is not None:
            detail = [
                {
                    "loc": [_location(request, exc.field), *exc.field.split(".")],
                    "field": exc.field,
                    "msg": exc.message,
                    "type": type(exc).__name__,
                }
            ]
        return JSONResponse({"detail": detail}, status_code=_status(exc))

    @app.exception_handler(RequestValidationError)
    async def request_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_detail(exc)}, status_code=422)

    app.add_exception_handler(ConnectionFailure, database_unavailable)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.detail},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
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
    # outermost: a body over the limit is refused before anything reads it
    app.add_middleware(BodyLimit, max_bytes=runtime.settings.max_request_bytes)
    return app


def _location(request: Request, field: str) -> str:
    """Where a field a service's own rule rejects was given: path, query or body."""
    name = field.split(".")[0]
    if name in request.path_params:
        return "path"
    if name in request.query_params:
        return "query"
    return "body"


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
    if (
        credentials is None
        or expected is None
        or not hmac.compare_digest(
            credentials.credentials.encode(), expected.get_secret_value().encode()
        )
    ):
        raise Unauthorized("a secretariat bearer token is required")


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
