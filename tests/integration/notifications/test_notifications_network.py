"""Network news (chairmanship) to every known recipient, preferences through the
signed link of each mail, and the action-plan notices."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from pesnet.devtools.smtp_sink import SmtpSink
from pesnet.notifications.bootstrap import build_app
from pesnet.shared.events.registration import PersonalDataPurged
from pesnet.shared.mongo import Client
from tests.integration.notifications.notifications_factories import (
    chairmanship,
    contact,
    cooperation,
    participant,
    progress,
    reminder,
)
from tests.integration.notifications.notifications_support import (
    Bus,
    assert_localized,
    by_template,
    mail_when_settled,
    wait_for_mail,
)
from tests.support import eventually

pytestmark = pytest.mark.integration


def preferences_token(mail: dict[str, Any]) -> str:
    match = re.search(r"/preferences\?token=([A-Za-z0-9_.%-]+)", mail["text"])
    assert match, "every mail carries its preferences link"
    return match.group(1)


async def test_chairmanship_reaches_everyone_except_who_opted_out_and_preferences_apply(
    notifications_settings: Any,
    start_service: Any,
    bus: Bus,
    smtp_sink: SmtpSink,
    mongo_client: Client,
) -> None:
    settings = notifications_settings()
    async with start_service(build_app(settings)) as svc:
        db, consumer = mongo_client[settings.database], svc.app.state.runtime.consumer.name
        people = {lang: participant("registered", lang) for lang in ("ar", "en", "fr")}
        for payload in people.values():
            await bus.send(payload)
        mails = await wait_for_mail(smtp_sink, 3)
        token = {m["to"]: preferences_token(m) for m in mails}

        # ar opts out of optional notices; en switches to French
        ar_token, en_token = token[people["ar"].email], token[people["en"].email]
        response = await svc.http.put(
            "/preferences", params={"token": ar_token}, json={"opted_out": True}
        )
        assert response.status_code == 200
        assert response.json()["opted_out"] is True
        response = await svc.http.put(
            "/preferences", params={"token": en_token}, json={"language": "fr"}
        )
        assert response.json()["language"] == "fr"
        # a forged or altered link is refused; a bad field is named
        forged = en_token[:-2] + ("00" if not en_token.endswith("00") else "11")
        assert (await svc.http.get("/preferences", params={"token": forged})).status_code == 401
        bad = await svc.http.put(
            "/preferences", params={"token": en_token}, json={"language": "de"}
        )
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "language"

        await bus.send(chairmanship())
        mails = await mail_when_settled(smtp_sink, bus, db, consumer)
        news = [m for m in mails if m["template"] == "chairmanship_transferred"]
        assert sorted(m["to"] for m in news) == sorted([people["en"].email, people["fr"].email])
        for mail in news:
            assert_localized(mail, "fr")  # en chose French
            assert mail["subject"] == "Présidence de l'OIC-PESNET : ANAPEC prend le relais"
            assert "İŞKUR" in mail["text"]

        log = (await svc.http.get("/deliveries", params={"recipient": people["ar"].email})).json()
        suppressed = [e for e in log if e["kind"] == "chairmanship_transferred"]
        assert [e["status"] for e in suppressed] == ["suppressed"]

        # critical notices reach the person who opted out
        await bus.send(
            participant(
                "withdrawn",
                "ar",
                registration_id=people["ar"].registration_id,
                email=people["ar"].email,
            )
        )
        mails = await wait_for_mail(smtp_sink, 6)
        withdrawn = by_template(mails, "registration_withdrawn")
        assert withdrawn["ar"]["to"] == people["ar"].email


async def test_actionplan_notices_in_each_language(
    notifications_settings: Any,
    start_service: Any,
    bus: Bus,
    smtp_sink: SmtpSink,
    mongo_client: Client,
) -> None:
    settings = notifications_settings()
    async with start_service(build_app(settings)) as svc:
        db, consumer = mongo_client[settings.database], svc.app.state.runtime.consumer.name
        langs = ("ar", "en", "fr")
        await bus.send(reminder([contact(lang) for lang in langs]))
        for lang in langs:
            await bus.send(progress(contact(lang)))
        await bus.send(progress(contact("ar"), outcome="validated", comment=None))
        await bus.send(cooperation([contact("ar")], [contact("en"), contact("fr")]))
        mails = await mail_when_settled(smtp_sink, bus, db, consumer)
        assert len(mails) == 10

        reminders = by_template(mails, "reminder_due")
        assert set(reminders) == set(langs)
        assert reminders["en"]["subject"] == "Reminder: progress report due 31 December 2025"
        assert (
            reminders["fr"]["subject"]
            == "Rappel : rapport d'avancement attendu le 31 décembre 2025"
        )
        assert "ديسمبر" in reminders["ar"]["subject"]

        reviewed = [m for m in mails if m["template"] == "progress_reviewed"]
        returned = {m["language"]: m for m in reviewed if "add the 2024 figure" in m["text"]}
        assert set(returned) == set(langs)
        assert (
            returned["en"]["subject"]
            == "Progress report returned for revision: Registered jobseekers"
        )
        assert returned["fr"]["subject"].startswith("Rapport d'avancement renvoyé pour révision")
        assert returned["ar"]["subject"].startswith("أُعيد تقرير التقدم للمراجعة")
        validated = [m for m in reviewed if m["subject"].startswith("اعتُمد تقرير التقدم")]
        assert len(validated) == 1

        proposals = by_template(mails, "cooperation_proposed")
        assert set(proposals) == set(langs)
        assert proposals["en"]["subject"] == "Cooperation proposed: Job-matching platform"
        assert "ISKUR (need) and ANAPEC" in proposals["en"]["text"]
        assert "ANAPEC (offre) et ISKUR" not in proposals["fr"]["text"]  # fr is the need side
        assert "ISKUR (besoin) et ANAPEC" in proposals["fr"]["text"]
        assert "منصة مطابقة الوظائف" in proposals["ar"]["subject"]
        for mail in mails:
            assert_localized(mail, mail["language"])

        # focal points and contacts became known recipients (from actionplan events only)
        recipients = mongo_client[settings.database]["recipients"]
        assert await recipients.count_documents({"sources": "actionplan"}) == 10


async def test_purged_meeting_leaves_no_address_subject_or_body_and_deliveries_expire(
    notifications_settings: Any,
    start_service: Any,
    bus: Bus,
    smtp_sink: SmtpSink,
    mongo_client: Client,
) -> None:
    settings = notifications_settings()
    db = mongo_client[settings.database]
    async with start_service(build_app(settings)) as svc:
        only_here = participant("registered", "fr")
        await bus.send(only_here)
        await wait_for_mail(smtp_sink, 1)

        async def sent_event_published() -> bool:
            return (
                await db["outbox"].count_documents(
                    {"meeting_id": "pesnet-4", "published_at": {"$ne": None}}
                )
                == 1
            )

        await eventually(sent_event_published)
        [finished] = await db["deliveries"].find({}).to_list()
        # the delivery log expires: a TTL index on the time it finished + the retention
        indexes = {i["name"]: i async for i in await db["deliveries"].list_indexes()}
        assert indexes["expiry"]["expireAfterSeconds"] == 0
        assert (finished["expires_at"] - finished["sent_at"]).days == 30

        await bus.send(
            PersonalDataPurged(meeting_id="pesnet-4", registrations=1, purged_at=datetime.now(UTC))
        )

        async def purged() -> bool:
            return await db["participations"].count_documents({}) == 0

        await eventually(purged)
        assert await db["recipients"].count_documents({"_id": only_here.email}) == 0
        [delivery] = await db["deliveries"].find({}).to_list()
        for field in ("html", "text", "subject"):
            assert field not in delivery
        assert delivery.get("digest_key") is None
        assert only_here.email.lower() not in str(delivery).lower()
        assert (delivery["status"], delivery["kind"]) == ("sent", "registration_received")
        assert "expires_at" in delivery
        log = (await svc.http.get("/deliveries", params={"recipient": only_here.email})).json()
        assert log == []
        # the published internal events about the meeting are gone from the outbox
        assert (
            await db["outbox"].count_documents(
                {"meeting_id": "pesnet-4", "published_at": {"$ne": None}}
            )
            == 0
        )
