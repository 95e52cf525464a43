"""What every service gets from the kernel for accounts: role checks per route, the
session cookie, the audit trail written with the change, `actorid` on events, and
`GET /audit`."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from fastapi import APIRouter, FastAPI, Request
from jwt.algorithms import OKPAlgorithm

from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.http import SESSION_COOKIE, Secretariat, create_app, get_runtime, require
from pesnet.shared.mongo import DbSession
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.settings import ServiceSettings
from pesnet.shared.unit_of_work import MongoUnitOfWork
from tests.integration.shared.conftest import TEST_CATALOG, ThingConfirmed

pytestmark = pytest.mark.integration

ISSUER = "urn:pesnet:identity"
AUDIENCE = "pesnet"
KEY = ed25519.Ed25519PrivateKey.generate()
JWKS = {"keys": [{**OKPAlgorithm.to_jwk(KEY.public_key(), as_dict=True), "kid": "test-key"}]}


def token(*roles: str, sub: str = "acc_officer", **claims: Any) -> str:
    now = datetime.now(UTC)
    body = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": sub,
        "preferred_username": sub.removeprefix("acc_"),
        "roles": list(roles),
        "iat": now,
        "exp": now + timedelta(minutes=15),
        **claims,
    }
    return jwt.encode(body, KEY, algorithm="EdDSA", headers={"kid": "test-key"})


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


class ThingsUnitOfWork(MongoUnitOfWork):
    def bind(self, session: DbSession | None) -> None:
        self.session = session


router = APIRouter()


@router.post("/meetings/{meeting_id}/things/{thing_id}/confirm")
async def confirm_thing(
    meeting_id: str,
    thing_id: str,
    request: Request,
    actor: Annotated[Actor, require(StaffRole.accreditation_officer)],
) -> dict[str, Any]:
    runtime = get_runtime(request)
    uow = ThingsUnitOfWork(runtime.client, runtime.db, runtime.outbox)

    async def work(u: ThingsUnitOfWork) -> None:
        await u.db["things"].insert_one({"_id": thing_id, "confirmed": True}, session=u.session)
        # its audit entry is the event's: no hand-written record beside it
        u.emit(ThingConfirmed(thing_id=thing_id, meeting_id=meeting_id), subject=thing_id)

    await uow.run(work)
    return {"by": actor.account_id, "roles": sorted(actor.roles)}


@router.post("/secretariat-thing", dependencies=[Secretariat])
async def secretariat_thing() -> dict[str, bool]:
    return {"ok": True}


@pytest.fixture
def app_factory(make_settings: Callable[..., ServiceSettings], unique: str) -> Callable[..., Any]:
    def build(**overrides: Any) -> FastAPI:
        settings = make_settings(
            f"kt{unique}",
            PESNET_SECRETARIAT_TOKEN="s3cret-token",
            PESNET_JWKS=json.dumps(JWKS),
            **overrides,
        )
        runtime = ServiceRuntime(settings, catalog=TEST_CATALOG)
        return create_app(runtime, title="kernel", routers=[router])

    return build


async def test_a_route_checks_roles_401_without_403_with_the_wrong_role(
    app_factory: Callable[..., FastAPI], start_service: Callable[..., Any]
) -> None:
    async with start_service(app_factory()) as svc:
        path = "/meetings/m1/things/t1/confirm"
        assert (await svc.http.post(path)).status_code == 401
        assert (
            await svc.http.post(path, headers=bearer("eyJhbGciOi.bad.token"))
        ).status_code == 401
        wrong = await svc.http.post(path, headers=bearer(token("programme_editor")))
        assert wrong.status_code == 403
        # the role it needs, as a person reads it (in the caller's language)
        assert wrong.json()["detail"] == "this needs one of the roles: accreditation officer"
        in_french = await svc.http.post(
            path, headers={**bearer(token("programme_editor")), "Accept-Language": "fr"}
        )
        assert in_french.json()["detail"] == (
            "ceci requiert l'un des rôles : chargé de l'accréditation"
        )
        expired = token("accreditation_officer", exp=datetime.now(UTC) - timedelta(minutes=1))
        assert (await svc.http.post(path, headers=bearer(expired))).status_code == 401

        ok = await svc.http.post(path, headers=bearer(token("accreditation_officer")))
        assert ok.status_code == 200
        assert ok.json() == {"by": "acc_officer", "roles": ["accreditation_officer"]}
        admin = await svc.http.post(
            "/meetings/m1/things/t2/confirm", headers=bearer(token("administrator", sub="acc_a"))
        )
        assert admin.status_code == 200
        shared = await svc.http.post(
            "/meetings/m1/things/t3/confirm", headers=bearer("s3cret-token")
        )
        assert shared.status_code == 200


async def test_the_session_cookie_carries_the_same_token(
    app_factory: Callable[..., FastAPI], start_service: Callable[..., Any]
) -> None:
    async with start_service(app_factory()) as svc:
        svc.http.cookies.set(SESSION_COOKIE, token("accreditation_officer"))
        response = await svc.http.post("/meetings/m1/things/t1/confirm")
        assert response.status_code == 200
        svc.http.cookies.set(SESSION_COOKIE, token("check_in_clerk"))
        assert (await svc.http.post("/meetings/m1/things/t2/confirm")).status_code == 403
        stale = token("accreditation_officer", exp=datetime.now(UTC) - timedelta(minutes=1))
        svc.http.cookies.set(SESSION_COOKIE, stale)
        assert (await svc.http.post("/meetings/m1/things/t3/confirm")).status_code == 401


async def test_secretariat_routes_take_an_administrators_token(
    app_factory: Callable[..., FastAPI], start_service: Callable[..., Any]
) -> None:
    async with start_service(app_factory()) as svc:
        assert (await svc.http.post("/secretariat-thing")).status_code == 401
        officer = bearer(token("accreditation_officer"))
        assert (await svc.http.post("/secretariat-thing", headers=officer)).status_code == 403
        admin = bearer(token("administrator", sub="acc_a"))
        assert (await svc.http.post("/secretariat-thing", headers=admin)).status_code == 200
        shared = bearer("s3cret-token")
        assert (await svc.http.post("/secretariat-thing", headers=shared)).status_code == 200


async def test_a_switched_off_secretariat_token_is_refused(
    app_factory: Callable[..., FastAPI], start_service: Callable[..., Any]
) -> None:
    async with start_service(app_factory(PESNET_SECRETARIAT_TOKEN_ENABLED="false")) as svc:
        shared = bearer("s3cret-token")
        assert (await svc.http.post("/secretariat-thing", headers=shared)).status_code == 401


async def test_the_audit_trail_lists_who_did_what_newest_first_and_events_carry_the_actor(
    app_factory: Callable[..., FastAPI], start_service: Callable[..., Any]
) -> None:
    app = app_factory()
    async with start_service(app) as svc:
        officer = bearer(token("accreditation_officer"))
        for thing in ("t1", "t2"):
            response = await svc.http.post(f"/meetings/m1/things/{thing}/confirm", headers=officer)
            assert response.status_code == 200
        await svc.http.post(
            "/meetings/m2/things/t3/confirm", headers=bearer(token("administrator", sub="acc_a"))
        )

        admin = bearer(token("administrator", sub="acc_a"))
        assert (await svc.http.get("/audit")).status_code == 401
        assert (await svc.http.get("/audit", headers=officer)).status_code == 403
        response = await svc.http.get("/audit", params={"meeting_id": "m1"}, headers=admin)
        assert response.status_code == 200
        entries = response.json()
        assert [e["subject"] for e in entries] == ["t2", "t1"]
        first = entries[0]
        assert first["actor"] == "acc_officer"
        assert first["roles"] == ["accreditation_officer"]
        assert first["action"] == "thing.confirmed"
        assert first["from"] == "127.0.0.1"
        assert "amina" not in json.dumps(entries)  # no usernames: account ids only
        by_actor = await svc.http.get("/audit", params={"actor": "acc_a"}, headers=admin)
        assert [e["subject"] for e in by_actor.json()] == ["t3"]
        later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
        since = await svc.http.get("/audit", params={"since": later}, headers=admin)
        assert since.json() == []

        runtime: ServiceRuntime = app.state.runtime
        outbox = [json.loads(d["body"]) async for d in runtime.db["outbox"].find({})]
        by_subject = {e["subject"]: e for e in outbox}
        assert by_subject["t1"]["actorid"] == "acc_officer"
        assert by_subject["t3"]["actorid"] == "acc_a"
