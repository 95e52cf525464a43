"""Two answers of the HTTP scaffold that protect a service rather than judge a request:
a body over the size limit (413, read no further than the limit) and an unreachable
database (503 with Retry-After, within the client's server-selection timeout instead of
a hang and a 500). Both are RFC 9457 problem details in the language asked for."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pesnet.shared.logging import get_logger
from pesnet.shared.problems import problem
from pesnet.shared.translation import N_

log = get_logger(__name__)

RETRY_AFTER_SECONDS = 5
TOO_LARGE = N_("The request body is larger than allowed.")
UNAVAILABLE = N_("The database is unavailable for a moment; try again shortly.")


class _BodyTooLarge(Exception):
    """Stops whoever reads the body; the middleware answers instead of them."""


async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The handler of pymongo's `ConnectionFailure` (server selection timed out, network
    error or timeout): not the request's fault, so a 503 that says when to come back."""
    log.warning("database unavailable", path=request.url.path, error=f"{type(exc).__name__}: {exc}")
    return problem(request, 503, UNAVAILABLE, headers={"retry-after": str(RETRY_AFTER_SECONDS)})


class BodyLimit:
    """ASGI middleware: a declared length over the limit is answered at once; a body
    without one (chunked) is counted as it streams and stopped at the limit. Whatever
    the app then makes of the interrupted read (FastAPI: a 400), the answer is a 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        too_large = problem(Request(scope), 413, TOO_LARGE)
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await too_large(scope, receive, send)
            return
        received = 0
        exceeded = False
        started = False

        async def counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def answer(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                if exceeded:
                    started = True
                    await too_large(scope, receive, send)
                    return
                started = True
            elif exceeded:
                return  # the body of the app's own answer, replaced by ours
            await send(message)

        try:
            await self.app(scope, counted, answer)
        except Exception:
            if not exceeded or started:
                raise
            await too_large(scope, receive, send)
