"""The walking skeleton: `registration.participant.registered` on the bus becomes one
confirmation mail in the registrant's language, listed by `GET /dev/mailbox`."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import pytest
from cryptography.fernet import Fernet

from pesnet.devtools.smtp_sink import SmtpSink
from pesnet.notifications.bootstrap import build_app
from pesnet.shared.events.notifications import DeliverySent
from pesnet.shared.manage_links import ManageLinks
from pesnet.shared.mongo import Client
from tests.integration.notifications.notifications_factories import participant
from tests.integration.notifications.notifications_support import Bus, wait_for_mail
from tests.support import bus_tap, duplicate_seen, eventually

pytestmark = pytest.mark.integration


async def test_registration_becomes_one_mail_in_each_language_despite_duplicates(
    notifications_settings: Any,
    start_service: Any,
    bus: Bus,
    smtp_sink: SmtpSink,
    mongo_client: Client,
) -> None:
    settings = notifications_settings()
    async with start_service(build_app(settings)) as svc:
        sent = {}
        for lang in ("ar", "en", "fr"):
            payload = participant(
                "registered",
                lang,
                manage_page=f"https://reg.example.org/registrations/r-{lang}",
                manage_link_version=2,
            )
            event = await bus.send(payload)
            await bus.resend(event)  # the same event twice: still one mail
            sent[lang] = (payload, event)

        db = mongo_client[settings.database]
        consumer = svc.app.state.runtime.consumer.name
        for _, event in sent.values():
            await duplicate_seen(db, consumer, event.id)
        await wait_for_mail(smtp_sink, 3)
        response = await svc.http.get("/dev/mailbox")
        assert response.status_code == 200
        mails = response.json()
        assert len(mails) == 3
        by_to = {m["to"]: m for m in mails}

        ar = by_to[sent["ar"][0].email]
        assert ar["language"] == "ar"
        assert ar["subject"].startswith("تم استلام تسجيلك")
        assert '<html lang="ar" dir="rtl">' in ar["html"]
        assert "فاطمة الزهراء" in ar["html"]
        assert "فاطمة الزهراء" in ar["text"]
        assert "4th Meeting" not in ar["text"]

        en = by_to[sent["en"][0].email]
        assert en["language"] == "en"
        assert en["subject"].startswith("Registration received")
        assert 'dir="ltr"' in en["html"]
        assert "Dear Aisha Rahman" in en["text"]
        # the registrant's own link to manage the registration, signed when the mail was
        # sent (escaped in HTML), in the recipient's language
        token = ManageLinks(settings.manage_link_keys()).token(sent["en"][0].registration_id, 2)
        link = f"https://reg.example.org/registrations/r-en?token={token}"
        assert f"{link}&lang=en" in en["text"]
        assert f'href="{link}&amp;lang=en"' in en["html"]

        fr = by_to[sent["fr"][0].email]
        assert fr["language"] == "fr"
        assert fr["subject"].startswith("Inscription reçue")
        assert "Hélène Diop" in fr["text"]
        assert all(m["event_id"] == sent[m["language"]][1].id for m in mails)

        log = await svc.http.get("/deliveries", params={"recipient": sent["en"][0].email})
        assert log.status_code == 200
        [entry] = log.json()
        assert entry["status"] == "sent"
        assert entry["kind"] == "registration_received"
        assert entry["event_id"] == sent["en"][1].id

        outbox = mongo_client[settings.database]["outbox"]

        async def three_sent_events() -> bool:
            n = await outbox.count_documents({"type": "notifications.delivery.sent"})
            return n == 3

        await eventually(three_sent_events)


async def test_an_internationalized_address_gets_its_mail(
    notifications_settings: Any,
    start_service: Any,
    bus: Bus,
    smtp_sink: SmtpSink,
) -> None:
    async with start_service(build_app(notifications_settings())) as svc:
        payload = participant("registered", "ar", email="فاطمة@example.org")
        await bus.send(payload)
        [mail] = await wait_for_mail(smtp_sink, 1)
        assert mail["to"] == "فاطمة@example.org"
        assert mail["subject"].startswith("تم استلام تسجيلك")

        # the mail is handed to SMTP before its delivery is recorded sent (then committed)
        async def recorded_sent() -> bool:
            log = await svc.http.get("/deliveries", params={"recipient": "فاطمة@example.org"})
            return [d["status"] for d in log.json()] == ["sent"]

        await eventually(recorded_sent)


async def test_dev_mailbox_is_absent_outside_dev_mode(
    notifications_settings: Any, start_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # outside dev mode the webhook secrets' key is required too (webhooks/settings.py)
    monkeypatch.setenv("PESNET_WEBHOOK_SECRET_KEYS", Fernet.generate_key().decode())
    token = secrets.token_urlsafe(32)
    settings = notifications_settings(
        PESNET_ENV="production",
        PESNET_SECRETARIAT_TOKEN_ENABLED="true",
        PESNET_SECRETARIAT_TOKEN=token,
        NOTIFICATIONS_LINK_SECRET="s",
        PESNET_MANAGE_LINK_KEYS="a-manage-link-key",
        NOTIFICATIONS_PUBLIC_URL="https://notifications.pesnet.example.org",
        PESNET_JWKS_URL="http://identity.invalid/.well-known/jwks.json",
    )
    async with start_service(build_app(settings)) as svc:
        assert (await svc.http.get("/dev/mailbox")).status_code == 404
        # outside dev mode the delivery log is not public
        response = await svc.http.get("/deliveries", params={"recipient": "a@example.org"})
        assert response.status_code == 401
        authorized = await svc.http.get(
            "/deliveries",
            params={"recipient": "a@example.org"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert authorized.status_code == 200
        assert authorized.json() == []


async def test_a_registration_is_mailed_at_once_without_waiting_for_a_poll(
    notifications_settings: Any, start_service: Any, bus: Bus, smtp_sink: SmtpSink
) -> None:
    """The consumer's commit wakes the mail sender, whose commit wakes the relay: with
    polls far longer than the wait, the mail and its `DeliverySent` still come at once."""
    settings = notifications_settings(
        NOTIFICATIONS_POLL_SECONDS=120, PESNET_OUTBOX_POLL_SECONDS=120
    )
    async with (
        start_service(build_app(settings)) as svc,
        bus_tap(svc.app.state.runtime.settings.amqp_url(), "notifications.delivery.#") as tap,
    ):
        await asyncio.sleep(0.5)  # the workers' first look (at start) is over
        payload = participant("registered", "en")
        event = await bus.send(payload)
        [mail] = await wait_for_mail(smtp_sink, 1)
        assert mail["to"] == payload.email
        await tap.wait_for(DeliverySent, event_id=event.id)
