"""Registering for a meeting, reading, listing and correcting registrations, on the in-memory unit of work."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from pesnet.registration.domain.access import Status
from pesnet.registration.domain.commands import (
    Confirm,
    Correct,
    Register,
)
from pesnet.registration.entrypoints.schemas import Correction
from pesnet.registration.service_layer import (
    accreditation,
    registering,
)
from pesnet.shared.credentials import (
    ANONYMOUS,
    SECRETARIAT,
    Actor,
    ActorKind,
)
from pesnet.shared.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from pesnet.shared.events.registration import (
    DelegationUpdated,
    ParticipantRegistered,
    ParticipantUpdated,
)
from tests.unit.registration.fakes import FakeRegistrationUnitOfWork
from tests.unit.registration.scenario import (
    BADGES,
    MOROCCO,
    URL,
    details,
    events,
    held_long_ago,
    open_meeting,
    register,
)


async def test_an_arabic_registration_is_stored_and_announced_with_its_manage_link(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    outcome = await registering.register(
        Register("m1", details(email="فاطمة@example.org"), ANONYMOUS), uow, public_url=URL + "/"
    )
    registration = outcome.registration
    assert registration.status is Status.registered
    [event] = events(uow, ParticipantRegistered)
    assert event.language == "ar"
    assert event.email == "فاطمة@example.org"
    # the page and the version of its signed link: no token (notifications signs it)
    assert event.manage_page == f"{URL}/registrations/{registration.id}"
    assert event.manage_link_version == 1
    assert event.status is Status.registered
    [counts] = events(uow, DelegationUpdated)
    assert counts.by_status == {"registered": 1}
    stored = await uow.registrations.get(registration.id)
    assert stored is not None
    assert stored.manage_token_hash is None
    assert stored.manage_link_version == 1
    assert uow.committed[-2].subject == f"registration/{registration.id}"


async def test_the_same_address_twice_in_a_meeting_is_a_conflict_naming_email(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    await register(uow, 1, email="Amina@example.org")
    with pytest.raises(Conflict) as caught:
        await register(uow, 2, email="AMINA@EXAMPLE.ORG")
    assert caught.value.field == "email"
    assert len(events(uow, ParticipantRegistered)) == 1


async def test_registration_is_refused_outside_the_window_and_for_unknown_meetings() -> None:
    uow = FakeRegistrationUnitOfWork()
    closed = datetime.now(UTC) - timedelta(days=1)
    await open_meeting(uow, "m1", registration_closes_at=closed)
    with pytest.raises(Conflict, match="registration closed at"):
        await register(uow)
    with pytest.raises(NotFound):
        await registering.register(Register("nowhere", details(), ANONYMOUS), uow, public_url=URL)


async def test_a_focal_point_nominates_for_their_own_country_only(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    registration_id = await register(uow, 1, actor=MOROCCO)
    stored = await uow.registrations.get(registration_id)
    assert stored is not None
    assert (stored.nominated_by, stored.focal_point_id) == ("focal_point", "f1")
    with pytest.raises(Forbidden):
        await register(uow, 2, actor=MOROCCO, country="TUR")
    with pytest.raises(InvalidInput) as caught:
        await register(uow, 3, country=None)
    assert caught.value.field == "country"


async def test_reading_and_listing_follow_who_may_see_what(uow: FakeRegistrationUnitOfWork) -> None:
    moroccan = await register(uow, 1)
    turkish = await register(uow, 2, country="TUR")
    owner = Actor(ActorKind.registrant, registration_id=moroccan)
    assert (await registering.read_registration(moroccan, owner, uow)).id == moroccan
    with pytest.raises(Forbidden):
        await registering.read_registration(turkish, owner, uow)
    with pytest.raises(Unauthorized):
        await registering.read_registration(moroccan, ANONYMOUS, uow)
    with pytest.raises(NotFound):
        await registering.read_registration("missing", SECRETARIAT, uow)
    every = await registering.list_registrations("m1", SECRETARIAT, uow, status=None, country=None)
    assert {r.id for r in every} == {moroccan, turkish}  # same millisecond: order is a tie
    mine = await registering.list_registrations("m1", MOROCCO, uow, status=None, country=None)
    assert [r.id for r in mine] == [moroccan]
    with pytest.raises(Forbidden):
        await registering.list_registrations("m1", MOROCCO, uow, status=None, country="TUR")
    with pytest.raises(Forbidden):
        await registering.list_registrations("m1", owner, uow, status=None, country=None)


async def test_a_correction_is_saved_and_announced(uow: FakeRegistrationUnitOfWork) -> None:
    registration_id = await register(uow, 1)
    owner = Actor(ActorKind.registrant, registration_id=registration_id)
    correction = Correction.model_validate(
        {"position": "مديرة عامة", "email": "new@example.org"}
    ).changes()
    corrected = await registering.correct(Correct(registration_id, correction, owner), uow)
    assert corrected.position == "مديرة عامة"
    [event] = events(uow, ParticipantUpdated)
    assert event.email == "new@example.org"
    with pytest.raises(InvalidInput) as caught:
        await registering.correct(
            Correct(registration_id, Correction.model_validate({"email": None}).changes(), owner),
            uow,
        )
    assert caught.value.field == "email"


async def test_an_idempotency_key_replays_the_first_outcome(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    command = Register("m1", details(1), ANONYMOUS, idempotency_key="retry-1", proof="192.0.2.1")
    first = await registering.register(command, uow, public_url=URL)
    second = await registering.register(command, uow, public_url=URL)
    assert second == first
    assert len(events(uow, ParticipantRegistered)) == 1
    # the same key and body from another client (or one without a proof): a new request
    for other in ("192.0.2.2", None):
        with pytest.raises(Conflict):
            await registering.register(
                dataclasses.replace(command, proof=other), uow, public_url=URL
            )
    with pytest.raises(InvalidInput) as caught:
        await registering.register(
            Register("m1", details(2), ANONYMOUS, idempotency_key="retry-1", proof="192.0.2.1"),
            uow,
            public_url=URL,
        )
    assert caught.value.field == "Idempotency-Key"
    with pytest.raises(InvalidInput):
        await registering.register(
            Register("m1", details(3), ANONYMOUS, idempotency_key="not ascii é"),
            uow,
            public_url=URL,
        )
    confirm = Confirm(first.registration.id, SECRETARIAT, idempotency_key="c-1")
    confirmed = await accreditation.confirm(confirm, uow, badges=BADGES)
    assert await accreditation.confirm(confirm, uow, badges=BADGES) == confirmed


async def test_a_held_meeting_takes_no_registration(uow: FakeRegistrationUnitOfWork) -> None:
    await held_long_ago(uow)
    with pytest.raises(Conflict) as held:
        await register(uow, 1)
    assert held.value.params == {"meeting": "m1"}
    assert "has been held" in held.value.text


async def test_a_meeting_not_yet_opened_takes_no_registration_nor_nomination() -> None:
    uow = FakeRegistrationUnitOfWork()
    await open_meeting(uow, status="scheduled")
    for actor in (ANONYMOUS, MOROCCO):
        with pytest.raises(Conflict, match="has not opened registration"):
            await register(uow, 1, actor=actor)
