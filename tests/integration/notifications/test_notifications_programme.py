"""Programme releases and session changes: 'new version' with the .ics attached for
everyone attending, 'your session changed' for the people whose session changed,
and several changes within the digest window as one mail."""

from __future__ import annotations

from typing import Any

import pytest

from pesnet.devtools.smtp_sink import SmtpSink
from pesnet.notifications.bootstrap import build_app
from pesnet.shared.mongo import Client
from tests.integration.notifications.notifications_factories import (
    ICS,
    participant,
    programme,
    session_changed,
)
from tests.integration.notifications.notifications_support import (
    Bus,
    assert_localized,
    by_template,
    mail_when_settled,
    schedule_meeting,
    wait_for_mail,
)

pytestmark = pytest.mark.integration


async def test_release_reaches_attendees_and_affected_speakers_in_their_language(
    notifications_settings: Any,
    start_service: Any,
    bus: Bus,
    smtp_sink: SmtpSink,
    mongo_client: Client,
) -> None:
    settings = notifications_settings(NOTIFICATIONS_DIGEST_WINDOW_SECONDS=0.3)
    async with start_service(build_app(settings)) as svc:
        await schedule_meeting(bus, mongo_client[settings.database])
        attendees, speakers = {}, {}
        for lang in ("ar", "en", "fr"):
            attendees[lang] = participant("confirmed", lang)
            speakers[lang] = participant("confirmed", lang, role="speaker")
            await bus.send(attendees[lang])
            await bus.send(speakers[lang])
        pending = participant("registered", "en")  # not confirmed: no programme mail
        await bus.send(pending)
        await wait_for_mail(smtp_sink, 7)

        await bus.send(programme(2, {s.registration_id: ["s1"] for s in speakers.values()}))
        mails = await mail_when_settled(
            smtp_sink, bus, mongo_client[settings.database], svc.app.state.runtime.consumer.name
        )
        assert len(mails) == 13

        released = by_template(mails, "programme_released")
        changed = by_template(mails, "session_changed")
        assert set(released) == set(changed) == {"ar", "en", "fr"}
        for lang in ("ar", "en", "fr"):
            assert_localized(released[lang], lang)
            assert_localized(changed[lang], lang)
            assert released[lang]["to"] == attendees[lang].email
            assert changed[lang]["to"] == speakers[lang].email
            for mail in (released[lang], changed[lang]):
                assert mail["attachments"] == [
                    {"filename": "pesnet-4-v2.ics", "content_type": "text/calendar"}
                ]
        assert released["en"]["subject"].startswith("Programme version 2")
        assert released["fr"]["subject"].startswith("Programme, version 2")
        assert released["ar"]["subject"].startswith("البرنامج، الإصدار 2")
        assert changed["en"]["subject"].startswith("Your session changed")
        assert changed["fr"]["subject"].startswith("Votre séance a changé")
        assert changed["ar"]["subject"].startswith("تغيرت جلستك")
        # the session's time in Marrakech: 09:00 UTC is 10:00 in Africa/Casablanca
        assert "10:00" in changed["en"]["text"]
        assert "Session 1 : politiques du marché du travail" in changed["fr"]["text"]
        assert "سياسات سوق العمل" in changed["ar"]["html"]
        assert not [
            m
            for m in mails
            if m["to"] == pending.email and m["template"] != "registration_received"
        ]


async def test_changes_within_the_window_reach_a_person_as_one_digest(
    notifications_settings: Any,
    start_service: Any,
    bus: Bus,
    smtp_sink: SmtpSink,
    mongo_client: Client,
) -> None:
    settings = notifications_settings(NOTIFICATIONS_DIGEST_WINDOW_SECONDS=2.0)
    async with start_service(build_app(settings)) as svc:
        await schedule_meeting(bus, mongo_client[settings.database])
        speaker = participant("confirmed", "fr", role="speaker")
        attendee = participant("confirmed", "ar")
        await bus.send(speaker)
        await bus.send(attendee)
        await wait_for_mail(smtp_sink, 2)

        await bus.send(programme(2))  # both: new version
        await bus.send(programme(3, {speaker.registration_id: ["s1"]}, ics=ICS + "v3"))
        await bus.send(session_changed([speaker.registration_id]))
        mails = await mail_when_settled(
            smtp_sink, bus, mongo_client[settings.database], svc.app.state.runtime.consumer.name
        )
        assert len(mails) == 4  # two confirmations, then one digest each

        digests = by_template(mails, "programme_digest")
        assert set(digests) == {"fr", "ar"}
        fr, ar = digests["fr"], digests["ar"]
        assert fr["to"] == speaker.email
        assert fr["subject"].startswith("3 mises à jour du programme")
        assert "Nouvelle version du programme (version 2)" in fr["text"]
        assert "Votre séance a changé (version 3)" in fr["text"]
        assert "un intervenant s'est retiré" in fr["text"]
        assert len(fr["delivery_ids"]) == 3
        assert_localized(ar, "ar")
        assert ar["subject"].startswith("تحديثات البرنامج (2)")
        assert "الإصدار 3" in ar["text"]
        # the newest programme is attached
        assert [a["filename"] for a in fr["attachments"]] == ["pesnet-4-v3.ics"]

        log = (await svc.http.get("/deliveries", params={"recipient": speaker.email})).json()
        programme_entries = [e for e in log if e["kind"] != "registration_confirmed"]
        assert len(programme_entries) == 3
        assert {e["status"] for e in programme_entries} == {"sent"}
        assert len({e["message_id"] for e in programme_entries}) == 1  # one mail
