"""A meeting names its chair institution beside its host, both picked from registration's
reference of institutions: set on the meeting's page (an unknown one refused at its
field, in the reader's language), carried in `agenda.meeting.scheduled`, and shown by
name on the meeting's JSON and on its programme page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest
from faststream.rabbit import RabbitBroker

from pesnet.shared.events import CATALOG
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.events.registration import InstitutionRegistered
from pesnet.shared.i18n import Localized
from pesnet.shared.messaging import EventPublisher
from tests.integration.agenda.test_meeting_pages import (  # noqa: F401 (the fixture)
    ADMIN_TOKEN,
    field_error,
    pages,
    post,
)
from tests.integration.roles import bearer
from tests.support import bus_tap, eventually

pytestmark = pytest.mark.integration

MEETING = "pesnet-demo"
KUWAIT = Localized(ar="الهيئة العامة للقوى العاملة", en="Public Authority for Manpower",
                   fr="Autorité publique de la main-d'œuvre")  # fmt: skip


async def test_the_chair_institution_is_picked_carried_and_shown(
    pages: httpx.AsyncClient,  # noqa: F811
    rabbit_url: str,
    broker: RabbitBroker,
) -> None:
    pages.cookies.set("pesnet_session", ADMIN_TOKEN)
    url = f"/staff/meetings/{MEETING}?lang=ar"
    form = await pages.get(url)
    assert form.status_code == 200
    chair = re.search(r'<select id="chair_institution" name="chair_institution">(.*?)</select>',
                      form.text, re.S)  # fmt: skip
    assert chair is not None, "the meeting's form has no chair institution to pick"
    assert 'value="iskur"' in chair.group(1)

    refused = await post(pages, url, {"action": "save", "chair_institution": "nowhere"})
    assert refused.status_code == 422
    assert re.search(r"[\u0600-\u06FF]", field_error(refused.text, "chair_institution"))

    async with bus_tap(rabbit_url) as tap:
        saved = await post(pages, url, {"action": "save", "chair_institution": "iskur"})
        assert saved.status_code == 200, saved.text
        assert re.search(r'<option value="iskur" selected>', saved.text)
        await tap.wait_for(MeetingScheduled, meeting_id=MEETING, chair_institution="iskur")

    meeting = (await pages.get(f"/meetings/{MEETING}", params={"lang": "fr"})).json()
    assert meeting["chair_institution"] == "iskur"
    assert "İŞKUR" in meeting["chair"]["label"]

    # registration's reference announces the institution; a meeting scheduled with it as
    # chair shows it by name on its published programme, in Arabic
    now = datetime.now(UTC)
    await EventPublisher(broker).publish(
        CATALOG.envelope(
            InstitutionRegistered(institution_id="kwt-pes", name=KUWAIT, acronym="PAM",
                                  country="KWT", version=1, registered_at=now),
            source="/pesnet/registration", subject="kwt-pes",
        )
    )  # fmt: skip
    meeting_body = {
        "id": "pesnet-9", "number": 9, "timezone": "Asia/Kuwait", "chair_institution": "kwt-pes",
        "title": {"ar": "الاجتماع التاسع", "en": "9th Meeting", "fr": "9e réunion"},
        "start_date": "2031-03-03", "end_date": "2031-03-04", "country": "KWT",
    }  # fmt: skip

    async def scheduled() -> bool:
        answer = await pages.post("/meetings", json=meeting_body, headers=bearer(ADMIN_TOKEN))
        return answer.status_code == 201

    await eventually(scheduled, within=20)
    session = {"id": "opening", "kind": "opening", "day": "2031-03-03", "start": "09:00",
               "title": {"ar": "الافتتاح", "en": "Opening", "fr": "Ouverture"}}  # fmt: skip
    added = await pages.post(
        "/meetings/pesnet-9/sessions", json=session, headers=bearer(ADMIN_TOKEN)
    )
    assert added.status_code == 201, added.text
    published = await pages.post(
        "/meetings/pesnet-9/programme/releases", json={}, headers=bearer(ADMIN_TOKEN)
    )
    assert published.status_code == 201, published.text
    programme = await pages.get(
        "/meetings/pesnet-9/programme", params={"lang": "ar", "format": "html"}
    )
    assert programme.status_code == 200, programme.text
    assert "الهيئة العامة للقوى العاملة" in programme.text
