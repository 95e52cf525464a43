"""Every use case of notifications on the in-memory unit of work: projections, notices
to deliveries, preferences, purge, and the delivery worker (with a fake SMTP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pesnet.notifications.domain.commands import ChangePreferences, ShowDeliveryLog
from pesnet.notifications.domain.deliveries import OutgoingMail, SendFailed
from pesnet.notifications.domain.model import PREFERENCES_LINK, Links, MissingData
from pesnet.notifications.service_layer import delivery, notices, preferences, purge, recipients
from pesnet.notifications.service_layer.delivery import DeliveryPolicy
from pesnet.notifications.service_layer.notices import Mailing
from pesnet.shared.errors import InvalidInput, NotFound, Unauthorized
from pesnet.shared.events.agenda import MeetingJoinLinkSet
from pesnet.shared.events.notifications import DeliveryFailed, DeliverySent
from pesnet.shared.events.registration import ParticipantUpdated, PersonalDataPurged
from pesnet.shared.i18n import Language
from tests.integration.notifications import notifications_factories as f
from tests.unit.notifications.fakes import FakeNotificationsUnitOfWork

LINKS = Links((b"k" * 32,), "https://notify.example.org")
MAILING = Mailing(LINKS, timedelta(0))
POLICY = DeliveryPolicy(
    max_attempts=3,
    retry_base=timedelta(0),
    retry_max=timedelta(0),
    digest_window=timedelta(0),
)


class FakeSmtp:
    def __init__(self, *failures: SendFailed) -> None:
        self.sent: list[OutgoingMail] = []
        self.failures = list(failures)

    async def send(self, mail: OutgoingMail) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(mail)
        return f"<m{len(self.sent)}@pesnet>"


async def handle(uow: FakeNotificationsUnitOfWork, payload: object) -> object:
    """Run the use case of a registration event as the consumer would."""
    return await notices.participant_changed(payload, uow.handling(payload), MAILING)  # type: ignore[arg-type]


async def test_a_registration_becomes_one_rendered_delivery_and_a_known_recipient() -> None:
    uow = FakeNotificationsUnitOfWork()
    payload = f.participant("registered", "fr")
    first = await handle(uow, payload)
    # the same event again: still one delivery
    await notices.participant_changed(payload, uow, MAILING)
    [stored] = uow.deliveries.by_id.values()
    assert stored == first
    assert stored.status == "pending"
    assert stored.kind == "registration_received"
    assert stored.subject is not None
    assert stored.subject.startswith("Inscription reçue")
    # the stored mail keeps where its links go, never a link's token
    assert "token=" not in (stored.text or "") + (stored.html or "")
    assert PREFERENCES_LINK in (stored.text or "")
    recipient = uow.recipients.by_address[stored.recipient]
    assert recipient.sources == ["registration"]
    assert uow.participations.by_id[payload.registration_id].status == "registered"


async def test_a_correction_of_details_is_remembered_but_not_mailed() -> None:
    uow = FakeNotificationsUnitOfWork()
    registered = f.participant("registered", "en")
    await handle(uow, registered)
    updated = ParticipantUpdated(
        **{**registered.model_dump(exclude={"registered_at", "manage_url"}), "given_name": "Aïsha"}
    )
    assert await handle(uow, updated) is None
    assert len(uow.deliveries.by_id) == 1
    [recipient] = uow.recipients.by_address.values()
    assert recipient.name.startswith("Aïsha")


async def test_the_status_is_the_one_the_event_carries_and_the_newest_wins() -> None:
    uow = FakeNotificationsUnitOfWork()
    confirmed = f.participant("confirmed", "en")
    await handle(uow, confirmed)
    newer = uow.event.time
    waitlisted = f.participant(
        "waitlisted", "en", registration_id=confirmed.registration_id, email=confirmed.email
    )
    uow.handling(waitlisted)
    uow.cause = uow.event.model_copy(update={"time": newer - timedelta(hours=1)})
    await notices.participant_changed(waitlisted, uow, MAILING)
    assert uow.participations.by_id[confirmed.registration_id].status == "confirmed"


async def test_an_internationalized_address_is_a_valid_one() -> None:
    uow = FakeNotificationsUnitOfWork()
    stored = await handle(uow, f.participant("registered", "ar", email="فاطمة@example.org"))
    assert stored.status == "pending"  # type: ignore[attr-defined]
    assert stored.address == "فاطمة@example.org"  # type: ignore[attr-defined]


async def test_an_invalid_address_fails_at_once_and_says_so_once() -> None:
    uow = FakeNotificationsUnitOfWork()
    payload = f.participant("registered", "en", email="not an address@@x")
    stored = await handle(uow, payload)
    await notices.participant_changed(payload, uow, MAILING)
    assert stored.status == "failed"  # type: ignore[attr-defined]
    [failed] = uow.events(DeliveryFailed)
    assert failed.reason == "invalid recipient address"  # type: ignore[attr-defined]
    assert failed.permanent is True  # type: ignore[attr-defined]


async def test_missing_template_data_changes_nothing() -> None:
    uow = FakeNotificationsUnitOfWork()
    payload = f.progress(f.contact("fr"), outcome="returned", comment=" ")
    with pytest.raises(MissingData, match=r"data\.comment"):
        await notices.progress_reviewed(payload, uow.handling(payload), MAILING)
    assert uow.recipients.by_address == {}
    assert uow.deliveries.by_id == {}


async def test_a_release_reaches_attendees_and_holds_their_notices_for_a_digest() -> None:
    uow = FakeNotificationsUnitOfWork()
    await recipients.meeting_scheduled(f.MEETING, uow)
    attendee = f.participant("confirmed", "en")
    speaker = f.participant("registered", "fr")
    for payload in (attendee, speaker):
        await handle(uow, payload)
    release = f.programme(2, {speaker.registration_id: ["s1"]})
    made = await notices.programme_released(release, uow.handling(release), MAILING)
    assert sorted(d.kind for d in made) == ["programme_released", "session_changed"]
    assert all(d.digest_key and d.due_at is None for d in made)
    assert len(uow.digests.by_key) == 2
    assert uow.participations.by_id[speaker.registration_id].sessions == ["s1"]


async def test_a_session_change_reaches_the_people_it_names() -> None:
    uow = FakeNotificationsUnitOfWork()
    speaker = f.participant("confirmed", "ar")
    await handle(uow, speaker)
    change = f.session_changed([speaker.registration_id, "reg-unknown"])
    [made] = await notices.session_changed(change, uow.handling(change), MAILING)
    assert made.kind == "session_changed"
    assert made.language == "ar"


async def test_network_news_reaches_everyone_but_who_opted_out() -> None:
    uow = FakeNotificationsUnitOfWork()
    people = [f.participant("registered", lang) for lang in ("ar", "en")]
    for payload in people:
        await handle(uow, payload)
    opted_out = uow.recipients.by_address[people[0].email]
    opted_out.opted_out = True
    news = f.chairmanship()
    made = await notices.chairmanship_transferred(news, uow.handling(news), MAILING)
    assert sorted(d.status for d in made) == ["pending", "suppressed"]


async def test_action_plan_notices_reach_their_contacts() -> None:
    uow = FakeNotificationsUnitOfWork()
    reminder = f.reminder([f.contact("en"), f.contact("fr")])
    assert len(await notices.reminder_due(reminder, uow.handling(reminder), MAILING)) == 2
    review = f.progress(f.contact("ar"))
    assert (await notices.progress_reviewed(review, uow.handling(review), MAILING)).language == "ar"
    proposal = f.cooperation([f.contact("en")], [f.contact("fr")])
    made = await notices.cooperation_proposed(proposal, uow.handling(proposal), MAILING)
    assert {d.kind for d in made} == {"cooperation_proposed"}
    assert all(r.sources == ["actionplan"] for r in uow.recipients.by_address.values())


async def test_preferences_are_read_and_changed_through_the_signed_link() -> None:
    uow = FakeNotificationsUnitOfWork()
    payload = f.participant("registered", "en")
    await handle(uow, payload)
    token = LINKS.preferences_url(payload.email).rsplit("token=", 1)[1]
    assert (await preferences.preferences_of(token, uow, LINKS)).language == "en"
    change = ChangePreferences(token, language=Language.fr, opted_out=True)
    changed = await preferences.change_preferences(change, uow, LINKS)
    assert (changed.language, changed.preferred_language, changed.opted_out) == ("fr", "fr", True)
    with pytest.raises(InvalidInput):
        await preferences.change_preferences(ChangePreferences(token), uow, LINKS)
    with pytest.raises(Unauthorized):
        await preferences.preferences_of("forged.token", uow, LINKS)
    stranger = LINKS.preferences_url("nobody@example.org").rsplit("token=", 1)[1]
    with pytest.raises(NotFound):
        await preferences.preferences_of(stranger, uow, LINKS)


async def test_the_delivery_log_is_for_the_secretariat_or_the_person_it_is() -> None:
    uow = FakeNotificationsUnitOfWork()
    payload = f.participant("registered", "en")
    await handle(uow, payload)
    token = LINKS.preferences_url(payload.email).rsplit("token=", 1)[1]
    for query in (
        ShowDeliveryLog(payload.email, by_secretariat=True),
        ShowDeliveryLog(payload.email, token=token),
        ShowDeliveryLog(payload.email, open_to_all=True),
    ):
        assert len(await preferences.delivery_log(query, uow, LINKS)) == 1
    with pytest.raises(Unauthorized):
        await preferences.delivery_log(ShowDeliveryLog(payload.email), uow, LINKS)


async def test_a_purge_forgets_the_meetings_people_and_mail_bodies() -> None:
    uow = FakeNotificationsUnitOfWork()
    payload = f.participant("registered", "fr")
    await handle(uow, payload)
    purged = PersonalDataPurged(meeting_id="pesnet-4", registrations=1, purged_at=datetime.now(UTC))
    assert await purge.personal_data_purged(purged, uow.handling(purged)) == [payload.email]
    assert uow.participations.by_id == {}
    assert uow.recipients.by_address == {}
    [kept] = uow.deliveries.by_id.values()
    assert kept.html is None
    assert kept.text is None


async def test_a_purge_leaves_no_address_subject_or_digest_of_the_meeting() -> None:
    uow = FakeNotificationsUnitOfWork()
    await recipients.meeting_scheduled(f.MEETING, uow)
    attendee = f.participant("confirmed", "en")
    await handle(uow, attendee)
    await delivery.send_next(uow, FakeSmtp(), POLICY, LINKS)  # the confirmation: sent
    release = f.programme(2)
    await notices.programme_released(release, uow.handling(release), MAILING)  # held
    assert uow.digests.by_key
    address = attendee.email.lower()

    purged = PersonalDataPurged(meeting_id="pesnet-4", registrations=1, purged_at=datetime.now(UTC))
    await purge.personal_data_purged(purged, uow.handling(purged))

    assert await uow.deliveries.log(address) == []
    for kept in uow.deliveries.by_id.values():
        assert address not in repr(kept).lower()
        assert kept.subject is None
        assert kept.status != "pending"  # nothing left to send to a purged person
    by_kind = {d.kind: d for d in uow.deliveries.by_id.values()}
    sent, held = by_kind["registration_confirmed"], by_kind["programme_released"]
    assert (sent.status, sent.language, sent.attempts) == ("sent", "en", 1)
    assert (held.status, held.error) == ("failed", "personal data purged")
    assert uow.digests.by_key == {}
    assert uow.forgotten_meetings == ["pesnet-4"]


async def test_the_worker_sends_a_due_delivery_once_and_says_so() -> None:
    uow = FakeNotificationsUnitOfWork()
    await handle(uow, f.participant("registered", "en"))
    smtp = FakeSmtp()
    assert await delivery.send_next(uow, smtp, POLICY, LINKS) is True
    assert await delivery.send_next(uow, smtp, POLICY, LINKS) is False
    [mail] = smtp.sent
    [stored] = uow.deliveries.by_id.values()
    assert (stored.status, stored.attempts, stored.message_id) == ("sent", 1, "<m1@pesnet>")
    [sent] = uow.events(DeliverySent)
    assert sent.template == "registration_received"  # type: ignore[attr-defined]
    assert mail.headers["X-PESNET-Delivery-Id"] == stored.id


async def test_delivery_events_name_the_delivery_and_never_the_address() -> None:
    uow = FakeNotificationsUnitOfWork()
    await handle(uow, f.participant("registered", "fr"))
    await handle(uow, f.participant("registered", "en", email="not an address@@x"))
    await delivery.send_next(uow, FakeSmtp(), POLICY, LINKS)
    [sent] = uow.events(DeliverySent)
    [failed] = uow.events(DeliveryFailed)
    for event in (sent, failed):
        data = event.model_dump(mode="json")
        assert {"delivery_id", "event_id", "kind", "language", "meeting_id"} <= set(data)
        assert not {"recipient", "address", "email"} & set(data)
        assert "@" not in str(data)
    assert (sent.kind, sent.language) == ("registration_received", "fr")  # type: ignore[attr-defined]
    assert sent.meeting_id == f.MEETING.meeting_id  # type: ignore[attr-defined]


async def test_every_attempt_is_counted_even_one_whose_outcome_was_lost() -> None:
    uow = FakeNotificationsUnitOfWork()
    await handle(uow, f.participant("registered", "en"))

    class HandsOverThenDies(FakeSmtp):
        async def send(self, mail: OutgoingMail) -> str:
            self.sent.append(mail)
            raise RuntimeError("the worker died before recording it")

    smtp = HandsOverThenDies()
    with pytest.raises(RuntimeError):
        await delivery.send_next(uow, smtp, POLICY, LINKS)
    [stored] = uow.deliveries.by_id.values()
    stored.due_at = datetime.now(UTC) - timedelta(seconds=1)  # its lease ran out
    assert await delivery.send_next(uow, FakeSmtp(), POLICY, LINKS)
    [stored] = uow.deliveries.by_id.values()
    assert (stored.status, stored.attempts) == ("sent", 2)  # the mail went out twice


async def test_a_transient_refusal_is_retried_and_a_permanent_one_recorded() -> None:
    uow = FakeNotificationsUnitOfWork()
    await handle(uow, f.participant("registered", "en"))
    smtp = FakeSmtp(
        SendFailed("451 later", permanent=False), SendFailed("550 gone", permanent=True)
    )
    await delivery.send_next(uow, smtp, POLICY, LINKS)
    [stored] = uow.deliveries.by_id.values()
    assert (stored.status, stored.attempts, stored.error) == ("pending", 1, "451 later")
    await delivery.send_next(uow, smtp, POLICY, LINKS)
    [stored] = uow.deliveries.by_id.values()
    assert (stored.status, stored.attempts) == ("failed", 2)
    [failed] = uow.events(DeliveryFailed)
    assert failed.permanent is True  # type: ignore[attr-defined]


async def test_retries_give_up_after_the_maximum_attempts() -> None:
    uow = FakeNotificationsUnitOfWork()
    await handle(uow, f.participant("registered", "en"))
    smtp = FakeSmtp(*(SendFailed("451 later", permanent=False) for _ in range(3)))
    for _ in range(3):
        await delivery.send_next(uow, smtp, POLICY, LINKS)
    [stored] = uow.deliveries.by_id.values()
    assert stored.status == "failed"
    assert stored.error == "451 later (gave up after 3 attempts)"


async def test_programme_notices_of_one_person_go_out_as_one_digest() -> None:
    uow = FakeNotificationsUnitOfWork()
    await recipients.meeting_scheduled(f.MEETING, uow)
    attendee = f.participant("confirmed", "en")
    await handle(uow, attendee)
    for version in (2, 3):
        release = f.programme(version)
        await notices.programme_released(release, uow.handling(release), MAILING)
    smtp = FakeSmtp()
    while await delivery.send_next(uow, smtp, POLICY, LINKS):
        pass
    digest = [m for m in smtp.sent if m.headers["X-PESNET-Template"] == "programme_digest"]
    assert len(digest) == 1
    assert digest[0].attachments[0]["filename"].endswith("-v3.ics")
    assert len(uow.events(DeliverySent)) == 3  # the confirmation and both notices
    [closed] = uow.digests.by_key.values()
    assert (closed.due_at, closed.sent) == (None, 1)


async def test_a_withdrawn_speaker_gets_no_notice_still_waiting_for_its_digest() -> None:
    uow = FakeNotificationsUnitOfWork()
    await recipients.meeting_scheduled(f.MEETING, uow)
    speaker = f.participant("confirmed", "en")
    await handle(uow, speaker)
    release = f.programme(2, {speaker.registration_id: ["s1"]})
    await notices.programme_released(release, uow.handling(release), MAILING)

    withdrawn = f.participant(
        "withdrawn", "en", registration_id=speaker.registration_id, email=speaker.email
    )
    await handle(uow, withdrawn)
    smtp = FakeSmtp()
    while await delivery.send_next(uow, smtp, POLICY, LINKS):
        pass

    assert [m.headers["X-PESNET-Template"] for m in smtp.sent] == [
        "registration_confirmed",
        "registration_withdrawn",
    ]
    dropped = [d for d in uow.deliveries.by_id.values() if d.kind == "session_changed"]
    assert [(d.status, d.due_at) for d in dropped] == [("suppressed", None)]


async def test_a_session_flagged_for_a_withdrawal_is_not_news_to_who_withdrew() -> None:
    uow = FakeNotificationsUnitOfWork()
    speaker = f.participant("confirmed", "en")
    await handle(uow, speaker)
    await handle(
        uow,
        f.participant(
            "withdrawn", "en", registration_id=speaker.registration_id, email=speaker.email
        ),
    )

    change = f.session_changed([speaker.registration_id])
    made = await notices.session_changed(change, uow.handling(change), MAILING)

    assert made == []


async def test_an_online_participants_confirmation_gives_the_join_link_and_no_badge() -> None:
    uow = FakeNotificationsUnitOfWork()
    link = "https://meet.example.org/pesnet-4-online"
    online = f.MEETING.model_copy(update={"attendance_mode": "online"})
    await recipients.meeting_scheduled(online, uow)
    await recipients.join_link_set(
        MeetingJoinLinkSet(meeting_id="pesnet-4", attendance_mode="online", join_url=link), uow
    )
    await recipients.meeting_scheduled(online, uow)  # announced again: the link stays
    await handle(uow, f.participant("confirmed", "fr"))
    [mail] = uow.deliveries.by_id.values()
    assert link in (mail.text or "")
    assert link in (mail.html or "")
    assert "badge" not in (mail.text or "")  # nothing to collect on site
