"""What every service's HTTP API does the same way: health, errors, secretariat auth."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from pesnet.shared.emails import Email
from pesnet.shared.errors import Conflict, InvalidInput
from pesnet.shared.http import Secretariat, create_app
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.settings import ServiceSettings

pytestmark = pytest.mark.integration


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    email: Email
    seats: int = Field(default=1, ge=1, le=100)


router = APIRouter()


@router.post("/things")
async def create_thing(body: Body) -> dict[str, str]:
    if body.name == "taken":
        raise Conflict("a thing named {name} exists", params={"name": body.name})
    if body.name == "weird":
        raise InvalidInput("names may not be weird", field="name")
    if body.name == "boom":
        raise RuntimeError("secret internal detail")
    return {"name": body.name}


@router.post("/secretariat-only", dependencies=[Secretariat])
async def secretariat_only() -> dict[str, bool]:
    return {"ok": True}


@pytest.fixture
def app_factory(make_settings: Callable[..., ServiceSettings]) -> Callable[[], Any]:
    def build() -> Any:
        settings = make_settings("scaffold", PESNET_SECRETARIAT_TOKEN="s3cret-token")
        return create_app(ServiceRuntime(settings), title="scaffold", routers=[router])

    return build


async def test_readiness_needs_broker_and_database_liveness_only_the_process(
    app_factory: Callable[[], Any], start_service: Callable[..., Any]
) -> None:
    app = app_factory()
    async with start_service(app) as svc:
        response = await svc.http.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "broker": True, "database": True}
        runtime: ServiceRuntime = app.state.runtime
        await runtime.broker.stop()  # the broker connection goes away
        response = await svc.http.get("/healthz")
        assert response.status_code == 503
        assert response.json()["broker"] is False
        # not ready, but alive: the liveness probe must not restart it for the broker
        alive = await svc.http.get("/livez")
        assert alive.status_code == 200
        assert alive.json() == {"status": "alive"}


async def test_errors_name_the_field_and_never_leak_internals(
    app_factory: Callable[[], Any], start_service: Callable[..., Any]
) -> None:
    async with start_service(app_factory()) as svc:
        bad_email = await svc.http.post("/things", json={"name": "a", "email": "not-an-email"})
        assert bad_email.status_code == 422
        assert bad_email.headers["content-type"] == "application/problem+json"
        problem = bad_email.json()
        assert problem["status"] == 422
        assert problem["title"] == "Invalid input"
        assert problem["errors"][0]["field"] == "email"
        assert problem["errors"][0]["loc"] == ["body", "email"]
        assert problem["errors"][0]["msg"] == "Not a valid e-mail address."
        assert "not-an-email" not in bad_email.text  # the input is not echoed back

        extra = await svc.http.post(
            "/things", json={"name": "a", "email": "a@example.org", "$where": "1"}
        )
        assert extra.status_code == 422
        assert extra.json()["errors"][0]["field"] == "$where"

        operator = await svc.http.post(
            "/things", json={"name": {"$ne": None}, "email": "a@example.org"}
        )
        assert operator.status_code == 422
        assert operator.json()["errors"][0]["field"] == "name"

        domain = await svc.http.post("/things", json={"name": "weird", "email": "a@example.org"})
        assert domain.status_code == 422
        assert domain.json()["errors"][0]["field"] == "name"

        conflict = await svc.http.post("/things", json={"name": "taken", "email": "a@example.org"})
        assert conflict.status_code == 409
        assert conflict.json()["detail"] == "a thing named taken exists"
        assert conflict.json()["title"] == "Conflict"

        crash = await svc.http.post("/things", json={"name": "boom", "email": "a@example.org"})
        assert crash.status_code == 500
        assert crash.json()["title"] == "Internal error"
        assert crash.json()["error_id"]
        assert "secret internal detail" not in crash.text
        assert crash.headers["x-correlation-id"]


async def test_secretariat_calls_need_the_token(
    app_factory: Callable[[], Any], start_service: Callable[..., Any]
) -> None:
    async with start_service(app_factory()) as svc:
        assert (await svc.http.post("/secretariat-only")).status_code == 401
        wrong = {"Authorization": "Bearer guess"}
        assert (await svc.http.post("/secretariat-only", headers=wrong)).status_code == 401
        right = {"Authorization": "Bearer s3cret-token"}
        assert (await svc.http.post("/secretariat-only", headers=right)).json() == {"ok": True}


async def test_events_emitted_during_a_request_carry_its_correlation_id(
    app_factory: Callable[[], Any], start_service: Callable[..., Any]
) -> None:
    from pesnet.shared.mongo import DbSession, in_transaction
    from pesnet.shared.outbox import Outbox
    from tests.integration.shared.conftest import TEST_CATALOG, ThingHappened

    app = app_factory()
    runtime: ServiceRuntime = app.state.runtime
    outbox = Outbox(runtime.db, TEST_CATALOG, source="/test")
    emitted: list[str] = []

    @app.post("/emit")
    async def emit() -> dict[str, str]:
        async def work(session: DbSession) -> None:
            event = await outbox.add(session, ThingHappened(thing_id="c", label="l"))
            emitted.append(event.correlationid)

        await in_transaction(runtime.client, work)
        return {}

    async with start_service(app) as svc:
        response = await svc.http.post("/emit", headers={"x-correlation-id": "req-42"})
        assert response.headers["x-correlation-id"] == "req-42"
        assert emitted == ["req-42"]


async def test_errors_speak_the_language_of_the_person_asking(
    app_factory: Callable[[], Any], start_service: Callable[..., Any]
) -> None:
    async with start_service(app_factory()) as svc:
        body = {"name": "a", "email": "فاطمة@", "seats": 500}
        arabic = await svc.http.post("/things", json=body, headers={"Accept-Language": "ar"})
        assert arabic.status_code == 422
        assert arabic.headers["content-language"] == "ar"
        problem = arabic.json()
        assert problem["title"] == "بيانات غير صالحة"
        by_field = {e["field"]: e["msg"] for e in problem["errors"]}
        assert by_field == {
            "email": "عنوان البريد الإلكتروني غير صالح.",
            "seats": "يجب ألا يزيد على 100.",
        }
        assert "email" in problem["detail"]

        # ?lang= wins over the header; a quality value picks the preferred language
        french = await svc.http.post(
            "/things?lang=fr", json=body, headers={"Accept-Language": "ar"}
        )
        assert french.json()["title"] == "Données invalides"
        preferred = await svc.http.post(
            "/things", json=body, headers={"Accept-Language": "de, en;q=0.5, fr-MA;q=0.9"}
        )
        assert preferred.headers["content-language"] == "fr"

        missing = await svc.http.post("/things", json={}, headers={"Accept-Language": "fr"})
        assert {e["field"]: e["msg"] for e in missing.json()["errors"]} == {
            "name": "Ce champ est obligatoire.",
            "email": "Ce champ est obligatoire.",
        }
        unauthorized = await svc.http.post("/secretariat-only", headers={"Accept-Language": "ar"})
        assert unauthorized.status_code == 401
        assert unauthorized.json()["title"] == "يلزم تسجيل الدخول"


async def test_api_docs_work_offline(
    app_factory: Callable[[], Any], start_service: Callable[..., Any]
) -> None:
    async with start_service(app_factory()) as svc:
        # ReDoc cannot draw without inline styles, which the CSP refuses: /docs it is
        redoc = await svc.http.get("/redoc")
        assert redoc.status_code == 308
        assert redoc.headers["location"] == "/docs"
        for page in ("/docs",):
            html = (await svc.http.get(page)).text
            assets = [
                part.split('"')[1]
                for part in html.split("src=")[1:] + html.split("href=")[1:]
                if part.startswith('"')
            ]
            assert assets, page
            for asset in assets:
                assert asset.startswith("/"), f"{page} loads {asset} from elsewhere"
                if asset.startswith("/static/"):
                    assert (await svc.http.get(asset)).status_code == 200, asset
        css = await svc.http.get("/static/pesnet/pesnet.css")
        assert css.status_code == 200
        assert "inline-start" in css.text
