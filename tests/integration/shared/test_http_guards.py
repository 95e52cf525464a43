"""What the HTTP scaffold guarantees every service, whatever a route does: text that is
not Unicode is a 422 naming the field, an unexpected failure is a 500 in problem
details with its correlation id (and its log line is written), every answer carries
the security headers, the session cookie changes nothing from another site, and a
client that sends its whole body first still reads its 413."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import structlog
import uvicorn
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from pesnet.devtools.ports import free_port
from pesnet.shared.http import CurrentActor, create_app
from pesnet.shared.logging import configure_logging, get_logger
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN, ServiceSettings
from tests.support import eventually

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
SECRETARIAT = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}


class Need(BaseModel):
    title: str
    details: dict[str, list[str]] = {}


def build_router() -> APIRouter:
    router = APIRouter()

    @router.post("/needs", status_code=201)
    async def add_need(need: Need) -> dict[str, str]:
        return {"title": need.title}

    @router.post("/crash")
    async def crash(need: Need) -> None:
        raise RuntimeError(f"could not store {need.title!r} \ud800")

    @router.post("/confirm")
    async def confirm(actor: CurrentActor) -> dict[str, str]:
        return {"by": actor.kind.value}

    @router.get("/page")
    async def page() -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>page</title><p>page</p>")

    return router


@pytest.fixture
def json_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """The services' JSON log lines, written where the test reads them; the test run's
    logging as it was after."""
    saved = structlog.get_config()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    written = io.StringIO()
    monkeypatch.setattr(sys, "stdout", written)
    configure_logging("guards")
    try:
        yield written
    finally:
        structlog.configure(**saved)
        root.handlers = handlers
        root.setLevel(level)
        structlog.contextvars.clear_contextvars()


@pytest.fixture
async def service(
    make_settings: Callable[..., ServiceSettings], start_service: Callable[..., Any]
) -> AsyncIterator[Any]:
    settings = make_settings("guards", PESNET_MAX_REQUEST_BYTES=4096)
    app = create_app(ServiceRuntime(settings), title="guards", routers=[build_router()])
    async with start_service(app) as svc:
        yield svc


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"title": "\\ud800"}', "title"),
        ('{"title": "ok", "details": {"x": ["fine", "a\\udfffb"]}}', "details.x.1"),
    ],
)
async def test_a_lone_surrogate_is_422_naming_the_field(
    service: Any, body: str, field: str
) -> None:
    response = await service.http.post(
        "/needs",
        content=body.encode(),
        headers={"content-type": "application/json", "Accept-Language": "fr"},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert error["msg"].startswith("Contient un caractère qui n’est pas du texte Unicode")


async def test_a_surrogate_pair_written_as_escapes_is_text_like_any_other(service: Any) -> None:
    response = await service.http.post(
        "/needs",
        content=b'{"title": "\\ud83d\\ude00 ok"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.json() == {"title": "\U0001f600 ok"}


async def test_an_unexpected_failure_is_a_500_problem_with_its_correlation_id_and_a_log_line(
    service: Any, json_logs: io.StringIO
) -> None:
    response = await service.http.post(
        "/crash", json={"title": "x"}, headers={"X-Correlation-ID": "corr-500-test"}
    )
    logged = json_logs.getvalue()
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["x-correlation-id"] == "corr-500-test"
    body = response.json()
    assert body["correlation_id"] == "corr-500-test"
    assert body["error_id"]
    assert "could not store" not in response.text
    [line] = [json.loads(x) for x in logged.splitlines() if "unhandled error" in x]
    assert line["correlation_id"] == "corr-500-test"
    assert line["error_id"] == body["error_id"]
    assert "\\ud800" in line["exception"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/page", {}, 200),
        ("GET", "/healthz", {}, 200),
        ("GET", "/nowhere", {}, 404),
        ("POST", "/needs", {"json": {"title": "x" * 5000}}, 413),
        ("POST", "/needs", {"json": {}}, 422),
        ("POST", "/crash", {"json": {"title": "x"}}, 500),
        ("GET", "/docs", {}, 200),
    ],
)
async def test_every_answer_carries_the_security_headers(
    service: Any, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    response = await service.http.request(method, path, **kwargs)
    assert response.status_code == status
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in response.headers  # plain HTTP


async def test_over_tls_answers_ask_for_tls_next_time(service: Any) -> None:
    response = await service.http.get("https://testserver/page")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_the_api_docs_run_no_inline_script(service: Any) -> None:
    docs = await service.http.get("/docs")
    assert "<script>" not in docs.text
    assert "<style>" not in docs.text
    script = await service.http.get("/static/pesnet/swagger-init.js")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.text


async def test_the_session_cookie_changes_nothing_from_another_site(service: Any) -> None:
    cookie = {"Cookie": f"pesnet_session={DEV_SECRETARIAT_TOKEN}"}
    for elsewhere in (
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://testserver:9999"},
        {"Origin": "https://evil.example"},  # a browser without Sec-Fetch-Site
        {"Origin": "null"},
    ):
        refused = await service.http.post(
            "/confirm", headers={**cookie, **elsewhere, "Accept-Language": "ar"}
        )
        assert refused.status_code == 403, (elsewhere, refused.text)
        assert refused.headers["content-type"] == PROBLEM
        assert refused.json()["detail"].startswith("جاء هذا الطلب من موقع آخر")
    # the service's own pages, a client that is no browser, a bearer token: as before
    for own in (
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        {"Origin": "http://testserver"},
        {},
    ):
        response = await service.http.post("/confirm", headers={**cookie, **own})
        assert response.json() == {"by": "secretariat"}, own
    bearer = await service.http.post(
        "/confirm", headers={**SECRETARIAT, "Sec-Fetch-Site": "cross-site"}
    )
    assert bearer.json() == {"by": "secretariat"}


async def test_urllib_sending_a_large_body_reads_the_413(
    make_settings: Callable[..., ServiceSettings],
) -> None:
    """Python's urllib writes the whole body before it reads: without reading the body
    first the service would reset the connection and urllib would never see the 413."""
    settings = make_settings("guards413")
    app = create_app(ServiceRuntime(settings), title="guards", routers=[build_router()])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    serving = asyncio.create_task(server.serve())
    try:

        async def started() -> bool:
            return server.started

        await eventually(started)

        def post_five_megabytes() -> tuple[int, str, str]:
            body = b'{"title": "' + b"x" * (5 * 1024 * 1024) + b'"}'
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/needs",
                data=body,
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            try:
                urllib.request.urlopen(request, timeout=30)  # noqa: S310 - a local test server
            except urllib.error.HTTPError as error:
                return error.code, error.headers["content-type"], error.read().decode()
            raise AssertionError("a 5 MB body was accepted")

        status, content_type, text = await asyncio.to_thread(post_five_megabytes)
    finally:
        server.should_exit = True
        await serving
    assert status == 413
    assert content_type == PROBLEM
    assert json.loads(text)["status"] == 413


def test_a_log_line_never_fails_on_what_it_says(json_logs: io.StringIO) -> None:
    get_logger("guards").warning("odd input", value="a\ud800b", name="فاطمة")
    written = json_logs.getvalue().strip()
    written.encode("utf-8")  # a line any stream can take
    assert '"value": "a\\ud800b"' in written  # JSON's escape of what is not text
    assert json.loads(written)["name"] == "فاطمة"
