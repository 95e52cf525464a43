"""Whether a head of delegation's consultation link still speaks: genuine and not
expired, and its registration, as registration's newest event tells it, still the
confirmed head of the link's delegation (a registration never heard of is what the
signature vouches for); an older event never brings a withdrawn link back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pesnet.actionplan.domain.delegations import DelegationRegistration, Standing
from pesnet.actionplan.service_layer import delegations
from pesnet.shared.delegation_links import DelegationLinks
from pesnet.shared.events.registration import PersonalDataPurged
from tests.unit.actionplan.fakes import FakeActionPlanUnitOfWork

LINKS = DelegationLinks([b"key-1"], lifetime=timedelta(days=30))
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TOKEN = LINKS.token("reg-1", "TUR", "pesnet-9", now=NOW)


def state(status: str, at: int, role: str = "head_of_delegation") -> DelegationRegistration:
    return DelegationRegistration(
        "reg-1", "pesnet-9", "TUR", role, status, NOW + timedelta(minutes=at)
    )


async def standing(uow: FakeActionPlanUnitOfWork, *, days: int = 1) -> Standing:
    found, _ = await delegations.standing(LINKS, TOKEN, uow, now=NOW + timedelta(days=days))
    return found


async def test_a_link_speaks_while_its_registration_is_the_confirmed_head() -> None:
    uow = FakeActionPlanUnitOfWork()
    assert await standing(uow) is Standing.speaks  # nothing heard since it was signed
    await delegations.record_registration(state("confirmed", 0), uow)
    assert await standing(uow) is Standing.speaks
    assert await standing(uow, days=30) is Standing.expired
    found, link = await delegations.standing(LINKS, TOKEN[:-2] + "xx", uow, now=NOW)
    assert (found, link) == (Standing.not_valid, None)
    assert (await delegations.standing(None, TOKEN, uow, now=NOW))[0] is Standing.not_valid


async def test_withdrawal_refusal_or_another_role_revokes_it_and_old_news_does_not_undo() -> None:
    for ending in (state("withdrawn", 5), state("rejected", 5), state("confirmed", 5, "delegate")):
        uow = FakeActionPlanUnitOfWork()
        await delegations.record_registration(state("confirmed", 0), uow)
        await delegations.record_registration(ending, uow)
        assert await standing(uow) is Standing.revoked
        # the confirmation redelivered late is older: the link stays refused
        assert not await delegations.record_registration(state("confirmed", 1), uow)
        assert await standing(uow) is Standing.revoked


async def test_a_purged_meeting_s_links_speak_no_more() -> None:
    uow = FakeActionPlanUnitOfWork()
    await delegations.record_registration(state("confirmed", 0), uow)
    purged = PersonalDataPurged(meeting_id="pesnet-9", registrations=1, purged_at=NOW)
    assert await delegations.forget_meeting(purged, uow) == 1
    kept = await uow.delegations.get("reg-1")
    assert kept is not None
    assert kept.country is None
    assert await standing(uow) is Standing.revoked
