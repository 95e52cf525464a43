"""Every registration notification, in each of the three languages, through the real
broker to a real SMTP server."""

from __future__ import annotations

from typing import Any

import pytest

from pesnet.devtools.smtp_sink import SmtpSink
from pesnet.notifications.bootstrap import build_app
from pesnet.shared.mongo import Client
from tests.integration.notifications.notifications_factories import participant
from tests.integration.notifications.notifications_support import (
    Bus,
    assert_localized,
    by_template,
    schedule_meeting,
    wait_for_mail,
)

pytestmark = pytest.mark.integration

SUBJECTS = {
    "registration_received": {
        "ar": "تم استلام تسجيلك",
        "en": "Registration received",
        "fr": "Inscription reçue",
    },
    # promoted from the waiting list: the subject says a place became available
    "registration_confirmed": {
        "ar": "توفر مقعد: تم تأكيد تسجيلك",
        "en": "A place became available: your registration is confirmed",
        "fr": "Une place s'est libérée : votre inscription est confirmée",
    },
    "registration_waitlisted": {
        "ar": "قائمة الانتظار",
        "en": "Waiting list",
        "fr": "Liste d'attente",
    },
    "registration_rejected": {
        "ar": "لم يُقبل التسجيل",
        "en": "Registration not accepted",
        "fr": "Inscription non retenue",
    },
    "registration_withdrawn": {
        "ar": "سُحب التسجيل",
        "en": "Registration withdrawn",
        "fr": "Inscription retirée",
    },
    "checked_in": {"ar": "مرحبًا بك", "en": "Welcome", "fr": "Bienvenue"},
}
MEETING_TITLE = {"ar": "الاجتماع الرابع", "en": "4th Meeting", "fr": "4e réunion"}


async def test_each_registration_notice_in_each_language(
    notifications_settings: Any,
    start_service: Any,
    bus: Bus,
    smtp_sink: SmtpSink,
    mongo_client: Client,
) -> None:
    settings = notifications_settings()
    async with start_service(build_app(settings)):
        # title, city and time zone of pesnet-4
        await schedule_meeting(bus, mongo_client[settings.database])
        people: dict[str, dict[str, Any]] = {}
        for lang in ("ar", "en", "fr"):
            reg = participant("registered", lang)
            ids = {"registration_id": reg.registration_id, "email": reg.email}
            await bus.send(reg)
            await bus.send(participant("waitlisted", lang, waitlist_position=3, **ids))
            await bus.send(participant("confirmed", lang, promoted_from_waitlist=True, **ids))
            await bus.send(participant("checked_in", lang, **ids))
            other = participant("rejected", lang, reason="quota of the delegation reached")
            await bus.send(other)
            withdrawn = participant("withdrawn", lang, withdrawn_by="secretariat")
            await bus.send(withdrawn)
            people[lang] = {"main": reg.email, "rejected": other.email}

        mails = await wait_for_mail(smtp_sink, 18, within=30)
        assert len(mails) == 18
        for template, subjects in SUBJECTS.items():
            found = by_template(mails, template)
            assert set(found) == {"ar", "en", "fr"}, template
            for lang, mail in found.items():
                assert_localized(mail, lang)
                assert mail["subject"].startswith(subjects[lang]), (template, lang)
                assert MEETING_TITLE[lang] in mail["subject"] + mail["text"]

        confirmed = by_template(mails, "registration_confirmed")
        # promoted from the waiting list: said so, in each language
        assert "waiting list" in confirmed["en"]["text"]
        assert "liste d'attente" in confirmed["fr"]["text"]
        assert "قائمة الانتظار" in confirmed["ar"]["text"]

        waitlisted = by_template(mails, "registration_waitlisted")
        assert "position 3" in waitlisted["en"]["text"]
        assert "rang 3" in waitlisted["fr"]["text"]

        rejected = by_template(mails, "registration_rejected")
        assert "quota of the delegation reached" in rejected["en"]["text"]
        assert rejected["fr"]["to"] == people["fr"]["rejected"]

        welcome = by_template(mails, "checked_in")
        # 08:15 UTC on 14 October 2025 is 09:15 in Marrakech (Africa/Casablanca, UTC+1)
        assert "14 October 2025, 09:15" in welcome["en"]["text"]
        assert "14 octobre 2025 à 09:15" in welcome["fr"]["text"]
        assert "أكتوبر" in welcome["ar"]["text"]  # Arabic month names
        assert "مراكش" in welcome["ar"]["text"]

        received = by_template(mails, "registration_received")
        assert "الوكالة الوطنية" in received["ar"]["html"]  # institution in its own script
        assert "مندوب" in received["ar"]["text"]  # the role, in Arabic
        assert "10:30" in received["en"]["text"]  # registered 09:30 UTC, Marrakech time
        # a long Arabic subject is folded over several header lines without losing spaces
        assert received["ar"]["subject"].endswith("الاجتماع الرابع لشبكة مؤسسات التوظيف العامة")
