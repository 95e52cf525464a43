"""An announcement of the secretariat: each person it names receives it once, in their
language, through the real broker to a real SMTP server, however often the event
arrives; an ordinary one respects who opted out, a critical one does not."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from pesnet.devtools.smtp_sink import SmtpSink
from pesnet.notifications.bootstrap import build_app
from pesnet.shared.events.registration import AnnouncementMade
from pesnet.shared.i18n import Localized
from pesnet.shared.mongo import Client
from tests.integration.notifications.notifications_factories import MEETING, participant
from tests.integration.notifications.notifications_support import (
    Bus,
    assert_localized,
    mail_when_settled,
    schedule_meeting,
)
from tests.support import duplicate_seen

pytestmark = pytest.mark.integration


def announcement(registration_ids: list[str], critical: bool) -> AnnouncementMade:
    return AnnouncementMade(
        announcement_id=uuid.uuid4().hex,
        meeting_id=MEETING.meeting_id,
        title=Localized(ar="تغيير القاعة", en="Room change", fr="Changement de salle"),
        body=Localized(ar="القاعة ب", en="Room B", fr="Salle B"),
        critical=critical,
        registration_ids=registration_ids,
        announced_at=datetime.now(UTC),
    )


async def test_an_announcement_reaches_each_person_once_in_their_language(
    notifications_settings: Any,
    start_service: Any,
    bus: Bus,
    smtp_sink: SmtpSink,
    mongo_client: Client,
) -> None:
    settings = notifications_settings()
    async with start_service(build_app(settings)) as svc:
        db = mongo_client[settings.database]
        await schedule_meeting(bus, db)
        people = {lang: participant("registered", lang) for lang in ("ar", "en", "fr")}
        gone = participant("withdrawn", "en", withdrawn_by="secretariat")
        for payload in (*people.values(), gone):
            await bus.send(payload)
        before = len(
            await mail_when_settled(smtp_sink, bus, db, svc.app.state.runtime.consumer.name)
        )
        ids = [p.registration_id for p in (*people.values(), gone)]
        event = await bus.send(announcement(ids, critical=True))
        await bus.resend(event)  # the same event twice: still one mail each
        consumer = svc.app.state.runtime.consumer.name
        await duplicate_seen(db, consumer, event.id)
        mails = (await mail_when_settled(smtp_sink, bus, db, consumer))[before:]
        assert sorted(m["to"] for m in mails) == sorted(p.email for p in people.values())
        for mail in mails:
            lang = next(lang for lang, p in people.items() if p.email == mail["to"])
            assert_localized(mail, lang)
            assert mail["subject"].startswith(
                {"ar": "تغيير القاعة", "en": "Room change", "fr": "Changement de salle"}[lang]
            )
            assert {"ar": "القاعة ب", "en": "Room B", "fr": "Salle B"}[lang] in mail["text"]
