"""Agenda integration fixtures: the service on the real broker and database, a tap
on the events it publishes (the shared `BusTap`), and a stand-in for the registration service that
publishes registration events the way the real one does (through the kernel's
EventPublisher, on the real broker)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from faststream.rabbit import RabbitBroker

from pesnet.agenda.bootstrap import build_app
from pesnet.agenda.settings import Settings
from pesnet.shared.events import CATALOG
from pesnet.shared.events.registration import (
    ParticipantConfirmed,
    ParticipantEvent,
    ParticipantRegistered,
    ParticipantWaitlisted,
    ParticipantWithdrawn,
)
from pesnet.shared.messaging import EventPublisher
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN, ServiceSettings
from tests.support import BusTap, bus_tap, eventually

SECRETARIAT = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}
MEETING = "pesnet-4"


@pytest.fixture
def agenda_settings(make_settings: Callable[..., ServiceSettings], unique: str) -> Settings:
    """Its own queue per test: no events of other tests."""
    settings = make_settings(f"agenda-{unique}", Settings)
    assert isinstance(settings, Settings)
    return settings


@pytest.fixture
async def agenda(agenda_settings: Settings, start_service: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The agenda app, running."""
    async with start_service(build_app(agenda_settings)) as service:
        yield service.http


@pytest.fixture
async def broker(rabbit_url: str) -> AsyncIterator[RabbitBroker]:
    broker = RabbitBroker(rabbit_url, logger=None)
    await broker.connect()
    try:
        yield broker
    finally:
        await broker.stop()


@pytest.fixture
async def tap(rabbit_url: str, agenda: httpx.AsyncClient) -> AsyncIterator[BusTap]:
    """What the agenda published (`agenda` first: its start-up declares the exchanges)."""
    async with bus_tap(rabbit_url, "agenda.#") as tap:
        yield tap


class RegistrationEvents:
    """Publishes registration events for a person, as the registration service would."""

    def __init__(self, broker: RabbitBroker) -> None:
        self.publisher = EventPublisher(broker)
        self.ids: dict[str, str] = {}
        self._sequence = itertools.count(1)

    def registration_id(self, email: str) -> str:
        return self.ids.setdefault(email, f"reg-{uuid.uuid4().hex[:10]}")

    async def send(
        self,
        model: type[ParticipantEvent],
        email: str,
        status: str,
        *,
        meeting_id: str = MEETING,
        language: str = "en",
        role: str = "speaker",
        country: str | None = "MAR",
        **extra: Any,
    ) -> str:
        registration_id = self.registration_id(email)
        local = email.split("@")[0]
        payload = model.model_validate(
            {
                "registration_id": registration_id,
                "meeting_id": meeting_id,
                "given_name": local.title(),
                "family_name": "Demo",
                "email": email,
                "country": country,
                "institution": "Demo institution",
                "position": "Director",
                "role": role,
                "language": language,
                "status": status,
                **extra,
            }
        )
        event = CATALOG.envelope(payload, source="/pesnet/registration")
        await self.publisher.publish(event)
        return registration_id

    async def confirm(self, person_id: str, **kwargs: Any) -> str:
        return await self.send(
            ParticipantConfirmed, f"{person_id}@example.org", "confirmed", **kwargs
        )

    async def register(self, person_id: str, **kwargs: Any) -> str:
        return await self.send(
            ParticipantRegistered,
            f"{person_id}@example.org",
            "registered",
            registered_at=datetime.now(UTC),
            **kwargs,
        )

    async def withdraw(self, person_id: str, **kwargs: Any) -> str:
        return await self.send(
            ParticipantWithdrawn, f"{person_id}@example.org", "withdrawn", **kwargs
        )


@pytest.fixture
def registration_events(broker: RabbitBroker) -> RegistrationEvents:
    return RegistrationEvents(broker)


async def wait_confirmed(
    agenda: httpx.AsyncClient, emails: set[str], within: float = 15.0
) -> dict[str, str]:
    """Until the agenda's projection knows every address as confirmed; → email: registration id."""
    found: dict[str, str] = {}

    async def known() -> bool:
        response = await agenda.get(
            f"/meetings/{MEETING}/participants", params={"status": "confirmed"}, headers=SECRETARIAT
        )
        found.clear()
        found.update({p["email"]: p["registration_id"] for p in response.json()})
        return emails <= set(found)

    await eventually(known, within)
    return found


def stand_in_registration(events: RegistrationEvents, quota: int | None = None) -> FastAPI:
    """The registration service's HTTP contract (DESIGN.md), reduced to what the seed
    calls: register (409 for the same e-mail twice) and confirm (secretariat; beyond a
    country's `quota` the registration is waitlisted). Each call publishes the event
    the real service publishes."""
    app = FastAPI()
    router = APIRouter()
    registrations: dict[str, dict[str, Any]] = {}

    @router.post("/meetings/{meeting_id}/registrations", status_code=201)
    async def register(meeting_id: str, request: Request) -> JSONResponse:
        body = await request.json()
        if any(
            r["email"] == body["email"] and r["meeting_id"] == meeting_id
            for r in registrations.values()
        ):
            return JSONResponse({"detail": "already registered"}, status_code=409)
        registration_id = await events.send(
            ParticipantRegistered,
            body["email"],
            "registered",
            country=body.get("country"),
            meeting_id=meeting_id,
            language=body["language"],
            role=body["role"],
            registered_at=datetime.now(UTC),
        )
        registrations[registration_id] = {**body, "meeting_id": meeting_id, "status": "registered"}
        return JSONResponse({"id": registration_id, "status": "registered"}, status_code=201)

    @router.post("/registrations/{registration_id}/confirm")
    async def confirm(registration_id: str, request: Request) -> JSONResponse:
        if request.headers.get("authorization") != SECRETARIAT["Authorization"]:
            return JSONResponse({"detail": "secretariat only"}, status_code=401)
        registration = registrations.get(registration_id)
        if registration is None:
            return JSONResponse({"detail": "not found"}, status_code=404)
        if registration["status"] == "confirmed":
            return JSONResponse({"detail": "already confirmed"}, status_code=409)
        confirmed_here = sum(
            1
            for r in registrations.values()
            if r["status"] == "confirmed" and r.get("country") == registration.get("country")
        )
        # quotas are per member state: no country, no quota
        if quota is not None and registration.get("country") and confirmed_here >= quota:
            registration["status"] = "waitlisted"
            await events.send(
                ParticipantWaitlisted,
                registration["email"],
                "waitlisted",
                country=registration.get("country"),
                meeting_id=registration["meeting_id"],
                language=registration["language"],
                role=registration["role"],
            )
            return JSONResponse({"id": registration_id, "status": "waitlisted"})
        registration["status"] = "confirmed"
        await events.send(
            ParticipantConfirmed,
            registration["email"],
            "confirmed",
            country=registration.get("country"),
            meeting_id=registration["meeting_id"],
            language=registration["language"],
            role=registration["role"],
        )
        return JSONResponse({"id": registration_id, "status": "confirmed"})

    app.include_router(router)
    return app
