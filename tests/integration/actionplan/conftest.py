"""Fixtures of the action-plan integration tests: the service running in process
against the real broker and database, taps on what it publishes, and registration's
side of the bus played by the test (the reference of institutions and focal-point
nominations, published as registration publishes them)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

import aio_pika
import httpx
import pytest

from pesnet.actionplan.bootstrap import build_app
from pesnet.actionplan.settings import Settings
from pesnet.shared.catalog import EventPayload
from pesnet.shared.credentials import TokenPrefix, hash_secret_token, new_secret_token
from pesnet.shared.envelope import utcnow
from pesnet.shared.events import CATALOG
from pesnet.shared.events.agenda import CommuniqueParagraph, CommuniquePublished
from pesnet.shared.events.registration import FocalPointNominated, InstitutionRegistered
from pesnet.shared.i18n import Language, Localized
from pesnet.shared.topology import EVENTS_EXCHANGE, PUBLIC_EXCHANGE
from tests.support import BusTap, bus_tap, eventually

# The network's institutions the tests use: those of the 4th meeting (facts), and
# member states' public employment services of the test scenarios (test data).
NETWORK = {
    "anapec": ("MAR", "ANAPEC", "الوكالة الوطنية لإنعاش التشغيل والكفاءات",
               "National Agency for the Promotion of Employment and Skills",
               "Agence nationale de promotion de l'emploi et des compétences"),
    "iskur": ("TUR", "İŞKUR", "وكالة التوظيف التركية", "Turkish Employment Agency",
              "Agence turque pour l'emploi"),
    "sesric": ("TUR", "SESRIC",
               "مركز الأبحاث الإحصائية والاقتصادية والاجتماعية والتدريب للدول الإسلامية (سيسرك)",
               "Statistical, Economic and Social Research and Training Centre for Islamic Countries",
               "Centre de recherches statistiques, économiques et sociales et de formation pour "
               "les pays islamiques"),
    "socso": ("MYS", "SOCSO/PERKESO", "مؤسسة الضمان الاجتماعي الماليزية",
              "Social Security Organisation (Malaysia)",
              "Organisation de la sécurité sociale (Malaisie)"),
}  # fmt: skip
SCENARIO = {
    "anem": "DZA", "hrdf": "SAU", "aneti": "TUN", "anpe-sen": "SEN", "pes-jor": "JOR",
    "pes-bgd": "BGD", "pes-egy": "EGY", "pes-idn": "IDN", "pes-pak": "PAK",
}  # fmt: skip


def institution(institution_id: str, version: int = 1, **changes: Any) -> InstitutionRegistered:
    """`registration.institution.registered` as registration announces it."""
    if institution_id in NETWORK:
        country, acronym, ar, en, fr = NETWORK[institution_id]
    else:
        country, acronym = SCENARIO[institution_id], None
        ar, en, fr = (f"خدمة التشغيل {institution_id}", f"PES {institution_id}",
                      f"SPE {institution_id}")  # fmt: skip
    values: dict[str, Any] = {
        "institution_id": institution_id,
        "name": Localized(ar=ar, en=en, fr=fr),
        "acronym": acronym,
        "country": country,
        "version": version,
        "registered_at": utcnow(),
        **changes,
    }
    return InstitutionRegistered(**values)


@dataclass
class Registration:
    """Registration's side of the bus, played by the test."""

    channel: aio_pika.abc.AbstractChannel

    async def publish(self, payload: EventPayload) -> str:
        event = CATALOG.envelope(payload, source="/pesnet/registration")
        exchange = await self.channel.get_exchange(EVENTS_EXCHANGE)
        await exchange.publish(
            aio_pika.Message(event.to_json(), message_id=event.id, content_type="application/json"),
            routing_key=event.type,
        )
        return event.id

    async def nominate(
        self,
        institution_id: str | None,
        *,
        country: str | None = None,
        name: str | None = None,
        email: str | None = None,
        language: Language = Language.en,
    ) -> tuple[str, dict[str, str]]:
        """A focal point nominated in registration: (its id, the bearer header of the
        token registration handed them)."""
        token = new_secret_token(TokenPrefix.focal_point)
        focal_point_id = uuid.uuid4().hex
        if country is None and institution_id in NETWORK:
            country = NETWORK[institution_id][0]
        country = country or SCENARIO.get(institution_id or "", "MAR")
        await self.publish(
            FocalPointNominated(
                focal_point_id=focal_point_id,
                country=country,
                institution_id=institution_id,
                name=name or f"Focal point of {institution_id}",
                email=email or f"nfp@{institution_id}.example",
                language=language,
                token_digest=hash_secret_token(token),
                nominated_at=utcnow(),
            )
        )
        return focal_point_id, {"Authorization": f"Bearer {token}"}


def communique_published(meeting_id: str, *paragraph_ids: str) -> CommuniquePublished:
    """`agenda.communique.published` as the agenda announces a meeting's communiqué."""
    return CommuniquePublished(
        meeting_id=meeting_id,
        meeting_number=40,
        adopted_at=utcnow(),
        published_at=utcnow(),
        paragraphs=[
            CommuniqueParagraph(
                paragraph_id=p,
                number=n,
                kind="decision",
                text=Localized(ar=f"قرار {n}", en=f"Decision {n}", fr=f"Décision {n}"),
            )
            for n, p in enumerate(paragraph_ids, start=1)
        ],
    )


async def known_institutions(http: httpx.AsyncClient, wanted: set[str]) -> None:
    """Wait until the action plan's projection of the reference has `wanted`."""

    async def known() -> bool:
        listed = (await http.get("/institutions")).json()
        return wanted <= {i["id"] for i in listed["institutions"]}

    await eventually(known, within=20.0)


async def focal_point_known(http: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """Wait until the action plan recognises a nominated focal point's token."""

    async def known() -> bool:
        return (await http.get("/cooperation/proposals", headers=headers)).status_code == 200

    await eventually(known, within=20.0)


async def network_known(
    http: httpx.AsyncClient, bus: Registration, *, nominate: str | None = None
) -> None:
    """Registration's reference of the network's institutions published and known to
    the action plan; with `nominate`, that institution's focal point nominated and
    recognised too (a report's review goes to it)."""
    for institution_id in NETWORK:
        await bus.publish(institution(institution_id))
    await known_institutions(http, set(NETWORK))
    if nominate is not None:
        _, nominated = await bus.nominate(nominate)
        await focal_point_known(http, nominated)


def public_tap(amqp_url: str) -> AbstractAsyncContextManager[BusTap]:
    """A `BusTap` on `pesnet.public`, where partners listen: only public events reach it."""
    return bus_tap(amqp_url, "actionplan.#", exchange_name=PUBLIC_EXCHANGE)


@pytest.fixture
def actionplan_settings(make_settings: Callable[..., Settings]) -> Settings:
    # the scheduler loop is driven by hand in the tests (a fixed "today")
    return make_settings("actionplan", Settings, ACTIONPLAN_REMINDERS_ENABLED=False)


@pytest.fixture
async def registration_bus(rabbit_url: str) -> AsyncIterator[Registration]:
    connection = await aio_pika.connect_robust(rabbit_url)
    try:
        yield Registration(await connection.channel())
    finally:
        await connection.close()


@pytest.fixture
async def actionplan(
    actionplan_settings: Settings,
    start_service: Callable[..., Any],
    registration_bus: Registration,
) -> AsyncIterator[Any]:
    """The service, once it knows the institutions of the tests from registration's
    events (the reference it takes ids and names from)."""
    async with start_service(build_app(actionplan_settings)) as svc:
        for institution_id in (*NETWORK, *SCENARIO):
            await registration_bus.publish(institution(institution_id))
        await known_institutions(svc.http, {*NETWORK, *SCENARIO})
        yield svc


@pytest.fixture
async def taps(actionplan: Any, rabbit_url: str) -> AsyncIterator[tuple[BusTap, BusTap]]:
    """(internal, public): everything the service publishes on `pesnet.events`, and what
    of it reaches `pesnet.public`. The service runs first: it declares the exchanges."""
    async with bus_tap(rabbit_url, "actionplan.#") as internal, public_tap(rabbit_url) as public:
        yield internal, public
