"""Partners see public events on pesnet.public, never internal ones."""

from __future__ import annotations

from typing import Any

import pytest
from faststream.rabbit import RabbitBroker

from pesnet.shared.events import CATALOG
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.events.registration import ParticipantRegistered
from pesnet.shared.i18n import Localized
from pesnet.shared.messaging import EventPublisher
from pesnet.shared.partners import add_partner, partner_queue_name
from pesnet.shared.topology import consumer_queue, unrouted_queue
from tests.integration.shared.conftest import TEST_CATALOG, NobodyListens
from tests.support import eventually

pytestmark = pytest.mark.integration


async def test_partner_queue_gets_public_events_only(raw_broker: RabbitBroker, unique: str) -> None:
    name = await add_partner(raw_broker, f"partner-{unique}", ["agenda.#", "registration.#"])
    publisher = EventPublisher(raw_broker)
    public = CATALOG.envelope(
        MeetingScheduled(
            meeting_id=f"m-{unique}", number=5, title=Localized(en="5th"), timezone="UTC"
        ),
        source="/test",
    )
    internal = CATALOG.envelope(
        ParticipantRegistered.model_validate(
            {
                "registration_id": "r1",
                "meeting_id": "m",
                "given_name": "A",
                "family_name": "B",
                "email": "a@example.org",
                "country": "MAR",
                "institution": "X",
                "position": "P",
                "role": "delegate",
                "language": "en",
                "status": "registered",
                "registered_at": "2024-01-01T00:00:00Z",
            }
        ),
        source="/test",
    )
    await publisher.publish(internal)
    await publisher.publish(public)

    queue = await raw_broker.declare_queue(consumer_queue(name))
    received: list[Any] = []

    async def got_public() -> bool:
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            received.append(message)
        return len(received) >= 1

    await eventually(got_public)
    assert [m.message_id for m in received] == [public.id]


async def test_event_nobody_subscribed_to_is_kept_not_lost(
    raw_broker: RabbitBroker, unique: str
) -> None:
    await add_partner(raw_broker, f"p-{unique}", ["agenda.meeting.scheduled"])
    queue = await raw_broker.declare_queue(unrouted_queue())
    event = TEST_CATALOG.envelope(NobodyListens(n=1), source="/test")
    await EventPublisher(raw_broker).publish(event)  # publishing does not fail either
    kept: list[str | None] = []

    async def in_unrouted() -> bool:
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            kept.append(message.message_id)
        return event.id in kept

    await eventually(in_unrouted)


def test_partner_names_are_checked() -> None:
    assert partner_queue_name("ilo") == "partner.ilo"
    with pytest.raises(ValueError, match="partner"):
        partner_queue_name("ILO; drop")
