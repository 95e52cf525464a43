"""How a service answers when something is wrong: every error is RFC 9457 problem
details in the caller's language, naming the field where a field is at fault, and
every request carries a correlation id (`X-Correlation-ID`, the caller's or a new one)
that its log lines and the events it causes carry too.

- a `DomainError` is its status (422, 404, 409, 403, 401, 429 with `Retry-After`);
- a request the schema refuses is a 422 naming each field;
- an unreachable database is a 503 with `Retry-After` (`http_limits`);
- anything else is a 500 that says only its error id and correlation id; the log line
  says what happened, with both ids (and never fails on what the input held)."""

from __future__ import annotations

import uuid

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pesnet.shared.audit import bind_request
from pesnet.shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthorized,
)
from pesnet.shared.http_limits import database_unavailable
from pesnet.shared.http_security import header_of, security_headers
from pesnet.shared.logging import get_logger
from pesnet.shared.problems import (
    INTERNAL_ERROR_DETAIL,
    INVALID_INPUT_DETAIL,
    TITLES,
    field_error,
    problem,
    request_language,
    validation_errors,
)
from pesnet.shared.translation import translate

log = get_logger(__name__)

CORRELATION_HEADER = "x-correlation-id"

STATUS_OF: dict[type[DomainError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    Unauthorized: 401,
    TooManyRequests: 429,
}


def status_of(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 400


def correlation_id_of(request: Request) -> str:
    """The request's correlation id (set by `install_correlation`)."""
    known = getattr(request.state, "correlation_id", None)
    return known or request.headers.get(CORRELATION_HEADER) or uuid.uuid4().hex


def internal_error(request: Request, exc: BaseException) -> JSONResponse:
    """A 500 that tells the caller only which error it was (for the secretariat to
    find the log line), with the headers every answer has."""
    error_id = uuid.uuid4().hex
    correlation_id = correlation_id_of(request)
    where = {"path": request.url.path, "error_id": error_id, "correlation_id": correlation_id}
    try:
        log.error("unhandled error", **where, exc_info=exc)
    except Exception:
        # a logger that cannot write what the error says (the services' own can: see
        # `configure_logging`): the same line, the error in ASCII
        log.error("unhandled error", **where, error=ascii(f"{type(exc).__name__}: {exc}"))
    response = problem(
        request, 500, INTERNAL_ERROR_DETAIL, error_id=error_id, correlation_id=correlation_id
    )
    response.headers[CORRELATION_HEADER] = correlation_id
    for name, value in security_headers(request.url.scheme == "https"):
        response.headers.setdefault(name, value)
    return response


class Correlation:
    """ASGI middleware: the request's correlation id (the caller's `X-Correlation-ID`
    or a new one) in `request.state`, bound to its log lines and sent back on the
    answer; the client's address for the audit trail; a 500 for what the app raised
    before it began to answer. (Pure ASGI: Starlette's `BaseHTTPMiddleware` runs the
    app in a task of its own and streams its answer through a memory channel.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = header_of(scope, CORRELATION_HEADER.encode()) or uuid.uuid4().hex
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        client = scope.get("client")
        bind_request(client[0] if client else None)
        started = False

        async def with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != CORRELATION_HEADER.encode()
                ]
                headers.append((CORRELATION_HEADER.encode(), correlation_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        with structlog.contextvars.bound_contextvars(correlation_id=correlation_id):
            try:
                await self.app(scope, receive, with_id)
            except Exception as exc:
                if started:
                    raise
                await internal_error(Request(scope), exc)(scope, receive, with_id)


def install_correlation(app: FastAPI) -> None:
    """A correlation id per request, bound to its log lines; the client's address for
    the audit trail; a 500 for what escaped every handler."""
    app.add_middleware(Correlation)

    async def unhandled(request: Request, exc: Exception) -> Response:
        return internal_error(request, exc)

    # what fails beyond the middleware (while an error is being answered, say) is
    # answered by Starlette's outermost layer with this handler
    app.add_exception_handler(Exception, unhandled)


def install_error_handlers(app: FastAPI, packages: tuple[str, ...]) -> None:
    """Problem details for domain errors, refused requests, HTTP errors and an
    unreachable database, translated with `packages`' catalogs first."""

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
        headers = None
        if isinstance(exc, TooManyRequests):
            headers = {"retry-after": str(exc.retry_after_seconds)}
        return problem(
            request,
            status_of(exc),
            exc.message,
            params=exc.params,
            errors=errors,
            packages=packages,
            headers=headers,
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


__all__ = [
    "CORRELATION_HEADER",
    "STATUS_OF",
    "correlation_id_of",
    "install_correlation",
    "install_error_handlers",
    "internal_error",
    "status_of",
]
