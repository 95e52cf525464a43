"""Issue 10, in the HTTP scaffold every service shares: an unreachable database is a
quick 503 with Retry-After (not a 30 s hang and a 500), an oversized body is a 413
read no further than the limit, and a bad query or path parameter is named as such."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Query
from pydantic import BaseModel

from pesnet.devtools.embedded_mongo import EmbeddedMongo
from pesnet.shared.errors import InvalidInput
from pesnet.shared.http import create_app
from pesnet.shared.mongo import DbSession, in_transaction
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.settings import ServiceSettings

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


class Note(BaseModel):
    text: str


def build_router(runtime_of: Callable[[], ServiceRuntime]) -> APIRouter:
    router = APIRouter()

    @router.post("/notes", status_code=201)
    async def add_note(note: Note) -> dict[str, str]:
        runtime = runtime_of()

        async def work(session: DbSession) -> None:
            await runtime.db["notes"].insert_one({"text": note.text}, session=session)

        await in_transaction(runtime.client, work)
        return {"text": note.text}

    @router.get("/notes")
    async def count_notes() -> dict[str, int]:
        return {"notes": await runtime_of().db["notes"].count_documents({})}

    @router.get("/notes/{number}")
    async def get_note(
        number: int, page: Annotated[int, Query(ge=1)] = 1, lang: str = "en"
    ) -> dict[str, int]:
        if number > 100:
            raise InvalidInput("there are 100 notes", field="path.number")
        if lang not in ("ar", "en", "fr"):
            raise InvalidInput("ar, en or fr", field="query.lang")
        return {"number": number, "page": page}

    return router


def scaffold(settings: ServiceSettings) -> Any:
    holder: list[ServiceRuntime] = []
    runtime = ServiceRuntime(settings)
    holder.append(runtime)
    return create_app(runtime, title="limits", routers=[build_router(lambda: holder[0])])


@pytest.fixture
def own_database() -> Iterator[EmbeddedMongo]:
    # its own server: the test stops it
    with EmbeddedMongo() as server:
        yield server


@pytest.fixture
async def limited_app(
    make_settings: Callable[..., ServiceSettings], start_service: Callable[..., Any]
) -> AsyncIterator[Any]:
    settings = make_settings("limits", PESNET_MAX_REQUEST_BYTES=4096)
    async with start_service(scaffold(settings)) as svc:
        yield svc


async def test_an_unreachable_database_answers_503_with_retry_after_within_a_second(
    make_settings: Callable[..., ServiceSettings],
    start_service: Callable[..., Any],
    own_database: EmbeddedMongo,
) -> None:
    settings = make_settings("dbdown", MONGODB_URL=own_database.url)
    async with start_service(scaffold(settings)) as svc:
        assert (await svc.http.post("/notes", json={"text": "up"})).status_code == 201
        own_database.stop()

        # a write within a second; a read waits out one server selection (0.5 s), or
        # two where the driver retries it
        for method, path, body, within in (
            ("POST", "/notes", {"text": "down"}, 1.0),  # the first request after the stop
            ("POST", "/notes", {"text": "still down"}, 1.0),
            ("GET", "/notes", None, 1.5),
        ):
            started = time.monotonic()
            response = await svc.http.request(method, path, json=body, timeout=60)
            took = time.monotonic() - started
            print(f"database down: {method} {response.status_code} after {took:.2f} s")
            assert response.status_code == 503, response.text
            assert response.headers["content-type"].startswith(PROBLEM)
            assert int(response.headers["retry-after"]) > 0
            assert response.json()["status"] == 503
            assert took < within
        assert (await svc.http.get("/healthz")).status_code == 503


async def test_a_body_over_the_limit_is_413_by_its_length(limited_app: Any) -> None:
    response = await limited_app.http.post(
        "/notes",
        content=b'{"text": "' + b"x" * 5000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["status"] == 413
    small = await limited_app.http.post("/notes", json={"text": "fits"})
    assert small.status_code == 201


async def test_a_streamed_body_over_the_limit_is_413_without_being_read_to_its_end(
    limited_app: Any,
) -> None:
    sent = {"chunks": 0}

    async def endless() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        for _ in range(10_000):  # 10 MB if it were all read
            sent["chunks"] += 1
            yield b"x" * 1024

    response = await limited_app.http.post(
        "/notes", content=endless(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM)
    assert sent["chunks"] < 100


async def test_a_bad_query_or_path_parameter_is_named_as_such(limited_app: Any) -> None:
    page = await limited_app.http.get("/notes/3", params={"page": 0})
    assert page.status_code == 422
    [error] = page.json()["errors"]
    assert error["loc"] == ["query", "page"]
    assert error["field"] == "page"

    number = await limited_app.http.get("/notes/three")
    assert number.status_code == 422
    [error] = number.json()["errors"]
    assert error["loc"] == ["path", "number"]
    assert error["field"] == "number"

    # the same, found by the service's own rules rather than by the schema
    for path, params, loc in (
        ("/notes/3", {"lang": "xx"}, ["query", "lang"]),
        ("/notes/300", {}, ["path", "number"]),
    ):
        response = await limited_app.http.get(path, params=params)
        assert response.status_code == 422
        [error] = response.json()["errors"]
        assert error["loc"] == loc
