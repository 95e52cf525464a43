"""On site: check-in, the check-in list and its export, badges, on the in-memory unit of work."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from pesnet.registration.domain.commands import (
    CheckIn,
    Confirm,
)
from pesnet.registration.service_layer import (
    accreditation,
    check_in,
    registering,
)
from pesnet.shared.credentials import (
    SECRETARIAT,
)
from pesnet.shared.errors import Conflict, Forbidden, InvalidInput
from pesnet.shared.events.registration import (
    ParticipantCheckedIn,
)
from pesnet.shared.translation import translate
from tests.unit.registration.fakes import FakeRegistrationUnitOfWork
from tests.unit.registration.scenario import (
    BADGES,
    CLERK,
    MOROCCO,
    TODAY,
    events,
    open_meeting,
    register,
)


async def test_check_in_by_badge_happens_once(uow: FakeRegistrationUnitOfWork) -> None:
    registration_id = await register(uow, 1)
    confirmed = await accreditation.confirm(
        Confirm(registration_id, SECRETARIAT), uow, badges=BADGES
    )
    token = confirmed.registration.badge_token(BADGES)
    assert token is not None
    scan = CheckIn(SECRETARIAT, badge_token=token, meeting_id="m1")
    first = await check_in.check_in(scan, uow, badges=BADGES)
    assert not first.already
    assert first.meeting.timezone == "UTC"
    second = await check_in.check_in(
        CheckIn(SECRETARIAT, registration_id=registration_id), uow, badges=BADGES
    )
    assert second.already
    assert second.registration.checked_in_at == first.registration.checked_in_at
    assert len(events(uow, ParticipantCheckedIn)) == 1
    with pytest.raises(InvalidInput) as caught:
        await check_in.check_in(
            CheckIn(SECRETARIAT, badge_token=token + "x", meeting_id="m1"), uow, badges=BADGES
        )
    assert caught.value.field == "badge_token"
    with pytest.raises(Conflict, match="not m2"):
        await check_in.check_in(
            CheckIn(SECRETARIAT, badge_token=token, meeting_id="m2"), uow, badges=BADGES
        )
    with pytest.raises(Forbidden):
        await check_in.check_in(
            CheckIn(MOROCCO, registration_id=registration_id), uow, badges=BADGES
        )


async def test_the_check_in_list_has_the_confirmed_participants(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    confirmed = await register(uow, 1)
    await register(uow, 2)
    await accreditation.confirm(Confirm(confirmed, SECRETARIAT), uow, badges=BADGES)
    meeting, participants = await check_in.check_in_list("m1", uow)
    assert meeting.id == "m1"
    assert [p.id for p in participants] == [confirmed]


class Renderer:
    def badge_png(self, **fields: Any) -> bytes:
        self.fields = fields
        return b"badge"

    def qr_png(self, data: str) -> bytes:
        return data.encode()


async def test_a_badge_is_drawn_for_a_confirmed_registration_only(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    registration_id = await register(uow, 1)
    renderer = Renderer()
    with pytest.raises(Conflict, match="not confirmed"):
        await check_in.badge_png(
            registration_id, SECRETARIAT, uow, badges=BADGES, renderer=renderer
        )
    confirmed = await accreditation.confirm(
        Confirm(registration_id, SECRETARIAT), uow, badges=BADGES
    )
    png = await check_in.badge_png(registration_id, MOROCCO, uow, badges=BADGES, renderer=renderer)
    assert png == b"badge"
    assert renderer.fields["full_name"] == "فاطمة الزهراء1"
    assert renderer.fields["delegation"].en == "Morocco"
    assert renderer.fields["role"].ar == "مندوب"
    qr = await check_in.badge_qr_png(
        registration_id, SECRETARIAT, uow, badges=BADGES, renderer=renderer
    )
    assert qr.decode() == confirmed.registration.badge_token(BADGES)


async def test_check_in_happens_on_the_meetings_days_only() -> None:
    uow = FakeRegistrationUnitOfWork()
    in_2027 = TODAY + timedelta(days=400)
    await open_meeting(uow, start_date=in_2027, end_date=in_2027 + timedelta(days=1))
    registration_id = await register(uow, 1)
    confirmed = await accreditation.confirm(
        Confirm(registration_id, SECRETARIAT), uow, badges=BADGES
    )
    token = confirmed.registration.badge_token(BADGES)
    assert token is not None

    with pytest.raises(Conflict) as not_today:
        await check_in.check_in(CheckIn(SECRETARIAT, badge_token=token), uow, badges=BADGES)

    # the days as a person reads them, and the zone's name, never ISO or a tz id
    said = translate(not_today.value.message, "ar", not_today.value.params)
    assert "2028" in said
    assert "يناير" in said
    assert "-01-" not in said
    assert "/" not in said
    assert events(uow, ParticipantCheckedIn) == []


async def test_the_desk_clerk_reads_and_checks_in_and_is_audited(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    registration_id = await register(uow, 1)
    await accreditation.confirm(Confirm(registration_id, SECRETARIAT), uow, badges=BADGES)
    assert (await registering.read_registration(registration_id, CLERK, uow)).id == registration_id
    outcome = await check_in.check_in(
        CheckIn(CLERK, registration_id=registration_id), uow, badges=BADGES
    )
    assert not outcome.already
    entry = uow.audited[-1]
    assert (entry.actor, entry.action) == ("acc_clerk", "participant.checked_in")
    # a second scan changes nothing and records nothing
    await check_in.check_in(CheckIn(CLERK, registration_id=registration_id), uow, badges=BADGES)
    assert uow.audited[-1] is entry
