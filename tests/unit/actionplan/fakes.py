"""The action plan's unit of work in memory: dict-backed repositories that hand out
copies (as a database would), so a use case that forgets to save changes nothing."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

from pesnet.actionplan.domain.cooperation import Proposal
from pesnet.actionplan.domain.focal_points import FocalPoint
from pesnet.actionplan.domain.matching import Need, Offer
from pesnet.actionplan.domain.meetings import Meeting
from pesnet.actionplan.domain.model import Plan
from pesnet.actionplan.domain.reminders import DueReminder
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.errors import Conflict
from pesnet.shared.unit_of_work import FakeUnitOfWork

T = TypeVar("T")


def _copy(item: T) -> T:
    return copy.deepcopy(item)


class FakePlans:
    def __init__(self) -> None:
        self.items: dict[str, Plan] = {}

    async def get(self, period: str) -> Plan | None:
        return _copy(self.items.get(period))

    async def all(self) -> list[Plan]:
        return [_copy(self.items[k]) for k in sorted(self.items)]

    async def add(self, plan: Plan) -> None:
        assert plan.period not in self.items
        self.items[plan.period] = _copy(plan)

    async def save(self, plan: Plan) -> None:
        self.items[plan.period] = _copy(plan)


class FakeFocalPoints:
    def __init__(self) -> None:
        self.items: dict[str, FocalPoint] = {}

    async def get(self, focal_point_id: str) -> FocalPoint | None:
        return _copy(self.items.get(focal_point_id))

    async def by_token_hash(self, token_hash: str) -> FocalPoint | None:
        found = [f for f in self.items.values() if f.token_hash == token_hash and f.active]
        return _copy(found[0]) if found else None

    async def of_institutions(self, institutions: Iterable[str]) -> list[FocalPoint]:
        wanted = set(institutions)
        found = [f for f in self.items.values() if f.institution in wanted and f.active]
        return [_copy(f) for f in sorted(found, key=lambda f: f.created_at)]

    async def add(self, focal_point: FocalPoint) -> None:
        self.items[focal_point.id] = _copy(focal_point)

    async def save(self, focal_point: FocalPoint) -> None:
        self.items[focal_point.id] = _copy(focal_point)


class FakeNeeds:
    def __init__(self) -> None:
        self.items: dict[str, Need] = {}

    async def of_period(self, period: str) -> list[Need]:
        found = [n for n in self.items.values() if n.period == period]
        return sorted(found, key=lambda n: n.submitted_at)

    async def add(self, need: Need) -> None:
        self.items[need.id] = need


class FakeOffers:
    def __init__(self) -> None:
        self.items: dict[str, Offer] = {}

    async def of_period(self, period: str) -> list[Offer]:
        found = [o for o in self.items.values() if o.period == period]
        return sorted(found, key=lambda o: o.submitted_at)

    async def add(self, offer: Offer) -> None:
        self.items[offer.id] = offer


class FakeProposals:
    def __init__(self) -> None:
        self.items: dict[str, Proposal] = {}

    async def get(self, proposal_id: str) -> Proposal | None:
        return _copy(self.items.get(proposal_id))

    async def find(
        self, period: str | None = None, institution: str | None = None
    ) -> list[Proposal]:
        found = [
            p
            for p in self.items.values()
            if (not period or p.period == period)
            and (not institution or institution in {party.institution for party in p.parties})
        ]
        return [_copy(p) for p in sorted(found, key=lambda p: (p.period, p.rank))]

    async def add(self, proposal: Proposal) -> None:
        if any(p.period == proposal.period and p.key == proposal.key for p in self.items.values()):
            raise Conflict("this offer is already proposed for these needs")
        self.items[proposal.id] = _copy(proposal)

    async def save(self, proposal: Proposal) -> None:
        self.items[proposal.id] = _copy(proposal)


class FakeMeetings:
    def __init__(self) -> None:
        self.items: dict[str, Meeting] = {}

    async def get_many(self, meeting_ids: Iterable[str]) -> dict[str, Meeting]:
        return {m: self.items[m] for m in meeting_ids if m in self.items}

    async def save(self, meeting: Meeting) -> None:
        self.items[meeting.meeting_id] = meeting


class FakeReminders:
    def __init__(self) -> None:
        self.sent: dict[str, tuple[DueReminder, datetime]] = {}

    async def was_sent(self, key: str) -> bool:
        return key in self.sent

    async def add(self, reminder: DueReminder, *, sent_at: datetime) -> None:
        if reminder.key in self.sent:
            raise Conflict(f"the reminder {reminder.key!r} was sent already")
        self.sent[reminder.key] = (reminder, sent_at)


class FakeActionPlanUnitOfWork(FakeUnitOfWork, ActionPlanUnitOfWork):
    stores = ("plans", "focal_points", "needs", "offers", "proposals", "meetings", "reminders")

    def __init__(self) -> None:
        super().__init__()
        self.plans = FakePlans()
        self.focal_points = FakeFocalPoints()
        self.needs = FakeNeeds()
        self.offers = FakeOffers()
        self.proposals = FakeProposals()
        self.meetings = FakeMeetings()
        self.reminders = FakeReminders()
