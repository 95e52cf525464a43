"""Answers of the HTTP scaffold that protect a service rather than judge a request,
each RFC 9457 problem details in the language asked for:

- a body over the size limit: 413. A body whose declared length is over the limit
  but within `DRAIN_BYTES` is read and thrown away first: a client that sends its
  whole body before it reads the answer (Python's `urllib`, `curl` without
  `Expect: 100-continue`) would otherwise see its connection reset instead of the 413.
  A larger one, or a streamed one past the limit, is answered at once, read no further;
- text no service can store or say: a JSON string with a lone surrogate (`"\\ud800"`,
  valid JSON, but not Unicode: it cannot be encoded, stored, logged or echoed) is a
  422 naming the field, before any route sees it;
- an unreachable database: 503 with `Retry-After`, at once for any request once the
  driver knows no server answers (`DatabaseDown`), else after one server selection
  (`pesnet.shared.mongo.SERVER_SELECTION_TIMEOUT_MS`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pesnet.shared.http_security import header_of
from pesnet.shared.logging import get_logger
from pesnet.shared.mongo import Client, DatabaseUnavailable, known_unreachable
from pesnet.shared.problems import INVALID_INPUT_DETAIL, field_error, problem, request_language
from pesnet.shared.translation import N_

log = get_logger(__name__)

RETRY_AFTER_SECONDS = 5
# a declared body up to this size is read (and dropped) before the 413 is sent
DRAIN_BYTES = 16 * 1024 * 1024
TOO_LARGE = N_("The request body is larger than allowed.")
UNAVAILABLE = N_("The database is unavailable for a moment; try again shortly.")
NOT_UNICODE = N_("Holds a character that is not Unicode text (a lone surrogate).")
# a JSON escape of a UTF-16 surrogate: only then can a parsed string hold a lone one
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
JSON_TYPES = re.compile(r"^application/([a-z0-9.+-]*\+)?json\b")
NO_DATABASE_PATHS = ("/healthz", "/livez", "/static/", "/docs", "/redoc", "/openapi.json")


class _BodyTooLarge(Exception):
    """Stops whoever reads the body; the middleware answers instead of them."""


async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The handler of pymongo's `ConnectionFailure` (server selection timed out, network
    error or timeout): not the request's fault, so a 503 that says when to come back."""
    log.warning("database unavailable", path=request.url.path, error=f"{type(exc).__name__}: {exc}")
    return problem(request, 503, UNAVAILABLE, headers={"retry-after": str(RETRY_AFTER_SECONDS)})


async def _drain(receive: Receive, limit: int) -> None:
    """Read and drop the request's body, up to `limit` bytes."""
    read = 0
    while read <= limit:
        message = await receive()
        if message["type"] != "http.request":
            return
        read += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


class DatabaseDown:
    """ASGI middleware: while the driver knows that no database server answers, a request
    that would need it is a 503 at once (not after waiting out a server selection);
    `/healthz` says so itself, and the docs and static files need no database."""

    def __init__(self, app: ASGIApp, client: Client) -> None:
        self.app = app
        self.client = client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (
            scope["type"] == "http"
            and not path.startswith(NO_DATABASE_PATHS)
            and known_unreachable(self.client)
        ):
            down = DatabaseUnavailable("no database server answers")
            answer = await database_unavailable(Request(scope), down)
            await answer(scope, receive, send)
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """ASGI middleware: a declared length over the limit is answered at once (after
    reading it, up to `DRAIN_BYTES`); a body without one (chunked) is counted as it
    streams and stopped at the limit. Whatever the app then makes of the interrupted
    read (FastAPI: a 400), the answer is a 413."""

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
            if int(declared) <= DRAIN_BYTES:
                await _drain(receive, DRAIN_BYTES)
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


def lone_surrogates(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The paths of the strings (keys included) in a parsed JSON value that hold a
    lone surrogate."""
    if isinstance(value, str):
        if any("\ud800" <= char <= "\udfff" for char in value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if any("\ud800" <= char <= "\udfff" for char in key):
                yield (*path, key.encode("utf-8", "backslashreplace").decode())
            else:
                yield from lone_surrogates(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from lone_surrogates(item, (*path, index))


class UnicodeBodies:
    """ASGI middleware: a JSON body with a lone surrogate in a string is a 422 naming
    the field(s). Only a body with a surrogate escape is parsed here (a surrogate pair,
    an emoji written as escapes, is fine and goes on); every other body goes on as it
    came, read once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type = (header_of(scope, b"content-type") or "").lower()
        if scope["type"] != "http" or not JSON_TYPES.match(content_type):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if SURROGATE_ESCAPE.search(body) and (refused := _refused_fields(body)):
            request = Request(scope)
            language = request_language(request)
            errors = [
                field_error(("body", *path), NOT_UNICODE, language, "string_unicode")
                for path in refused
            ]
            fields = ", ".join(e["field"] or "body" for e in errors)
            answer = problem(
                request, 422, INVALID_INPUT_DETAIL, params={"fields": fields}, errors=errors
            )
            await answer(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _refused_fields(body: bytes) -> list[tuple[Any, ...]]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return []  # not JSON: the route's own parsing says so
    return list(lone_surrogates(parsed))[:20]


__all__ = [
    "DRAIN_BYTES",
    "BodyLimit",
    "DatabaseDown",
    "UnicodeBodies",
    "database_unavailable",
    "lone_surrogates",
]
