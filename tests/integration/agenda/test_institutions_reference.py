"""The agenda keeps registration's reference of institutions from its events on the
real broker: a meeting's host and the chair read as the reference names them now, in
the reader's language, and a rename in the reference shows without touching the
meeting."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from faststream.rabbit import RabbitBroker

from pesnet.shared.events import CATALOG
from pesnet.shared.events.registration import InstitutionRegistered, InstitutionRenamed
from pesnet.shared.i18n import Localized
from pesnet.shared.messaging import EventPublisher
from tests.integration.agenda.conftest import MEETING, SECRETARIAT
from tests.support import eventually

ANAPEC = Localized(
    ar="الوكالة الوطنية لإنعاش التشغيل والكفاءات",
    en="National Agency for the Promotion of Employment and Skills",
    fr="Agence nationale de promotion de l'emploi et des compétences",
)
RENAMED = Localized(
    ar="الوكالة المغربية للتشغيل",
    en="Moroccan Employment Agency",
    fr="Agence marocaine de l'emploi",
)


async def announce(
    broker: RabbitBroker, payload: InstitutionRegistered | InstitutionRenamed
) -> None:
    """As registration does: on the bus, through the kernel's publisher."""
    event = CATALOG.envelope(payload, source="/pesnet/registration", subject=payload.institution_id)
    await EventPublisher(broker).publish(event)


async def host_label(agenda: httpx.AsyncClient, lang: str) -> str:
    response = await agenda.get(f"/meetings/{MEETING}", params={"lang": lang})
    assert response.status_code == 200, response.text
    label: str = response.json()["host"]["label"]
    return label


async def test_the_host_and_the_chair_read_as_the_reference_names_them_after_a_rename(
    agenda: httpx.AsyncClient, broker: RabbitBroker
) -> None:
    assert (await agenda.post("/dev/seed", headers=SECRETARIAT)).status_code == 200
    # before the reference announces it: the name the 4th meeting gave its host
    assert await host_label(agenda, "en") == f"{ANAPEC.en} (ANAPEC)"

    now = datetime.now(UTC)
    common = {"institution_id": "anapec", "acronym": "ANAPEC", "country": "MAR"}
    await announce(
        broker, InstitutionRegistered(**common, name=ANAPEC, version=1, registered_at=now)
    )
    await announce(broker, InstitutionRenamed(**common, name=RENAMED, version=2, renamed_at=now))

    async def renamed() -> bool:
        return await host_label(agenda, "fr") == "Agence marocaine de l'emploi (ANAPEC)"

    await eventually(renamed, within=20)
    assert await host_label(agenda, "ar") == RENAMED.ar
    arabic = await agenda.get(f"/meetings/{MEETING}", headers={"Accept-Language": "ar"})
    assert arabic.json()["host"]["label"] == RENAMED.ar

    chair = (await agenda.get("/network/chairmanship", params={"lang": "fr"})).json()
    assert chair["current"]["holder"]["institution"] == "anapec"
    assert chair["current"]["holder"]["label"] == "Agence marocaine de l'emploi (ANAPEC)"
