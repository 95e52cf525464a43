"""The action plan's unit of work in memory: dict-backed repositories that hand out
copies (as a database would), so a use case that forgets to save changes nothing."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

from pesnet.actionplan.domain.cooperation import Proposal
from pesnet.actionplan.domain.decisions import MeetingOutcome
from pesnet.actionplan.domain.delegations import PURGED, DelegationRegistration
from pesnet.actionplan.domain.evidence import StoredFile
from pesnet.actionplan.domain.focal_points import FocalPoint
from pesnet.actionplan.domain.institutions import Institution
from pesnet.actionplan.domain.matching import Need, Offer
from pesnet.actionplan.domain.meetings import Meeting
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.domain.reminders import DueReminder
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.errors import Conflict
from pesnet.shared.i18n import Localized
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

    async def all(self) -> list[FocalPoint]:
        key = lambda f: (f.institution or "", f.created_at)  # noqa: E731
        return [_copy(f) for f in sorted(self.items.values(), key=key)]

    async def add(self, focal_point: FocalPoint) -> None:
        assert all(f.token_hash != focal_point.token_hash for f in self.items.values())
        self.items[focal_point.id] = _copy(focal_point)

    async def save(self, focal_point: FocalPoint) -> None:
        self.items[focal_point.id] = _copy(focal_point)


def _institution(
    iid: str, country: str, acronym: str | None, ar: str, en: str, fr: str
) -> Institution:
    return Institution(
        id=iid, name=Localized(ar=ar, en=en, fr=fr), acronym=acronym, country=country
    )


# The reference of institutions as registration announced it, before any test runs:
# those of the 4th meeting (facts) and the scenarios' public employment services.
REFERENCE = {
    i.id: i
    for i in (
        _institution("anapec", "MAR", "ANAPEC", "الوكالة الوطنية لإنعاش التشغيل والكفاءات",
                     "National Agency for the Promotion of Employment and Skills",
                     "Agence nationale de promotion de l'emploi et des compétences"),
        _institution("iskur", "TUR", "İŞKUR", "وكالة التوظيف التركية",
                     "Turkish Employment Agency", "Agence turque pour l'emploi"),
        _institution("socso", "MYS", "SOCSO/PERKESO", "مؤسسة الضمان الاجتماعي الماليزية",
                     "Social Security Organisation (Malaysia)",
                     "Organisation de la sécurité sociale (Malaisie)"),
        _institution("aneti", "TUN", None, "الوكالة الوطنية للتشغيل والعمل المستقل",
                     "PES of Tunisia", "SPE de Tunisie"),
        _institution("pes-pak", "PAK", None, "خدمة التشغيل الباكستانية", "PES of Pakistan",
                     "SPE du Pakistan"),
    )
}  # fmt: skip


class FakeInstitutions:
    def __init__(self) -> None:
        self.items: dict[str, Institution] = dict(REFERENCE)

    async def get(self, institution_id: str) -> Institution | None:
        return self.items.get(institution_id)

    async def get_many(self, institution_ids: Iterable[str]) -> dict[str, Institution]:
        return {i: self.items[i] for i in institution_ids if i in self.items}

    async def all(self) -> list[Institution]:
        key = lambda i: (i.country is None, i.country or "", i.id)  # noqa: E731
        return sorted(self.items.values(), key=key)

    async def save(self, institution: Institution) -> None:
        self.items[institution.id] = institution


class FakeDelegations:
    def __init__(self) -> None:
        self.items: dict[str, DelegationRegistration] = {}

    async def get(self, registration_id: str) -> DelegationRegistration | None:
        return self.items.get(registration_id)

    async def save(self, registration: DelegationRegistration) -> None:
        self.items[registration.registration_id] = registration

    async def purge_meeting(self, meeting_id: str, at: datetime) -> int:
        of_meeting = [r for r in self.items.values() if r.meeting_id == meeting_id]
        for r in of_meeting:
            self.items[r.registration_id] = DelegationRegistration(
                r.registration_id, meeting_id, None, None, PURGED, at
            )
        return len(of_meeting)


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

    async def all(self) -> list[Meeting]:
        return sorted(self.items.values(), key=lambda m: m.number, reverse=True)

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


class FakeOutcomes:
    def __init__(self) -> None:
        self.items: dict[str, MeetingOutcome] = {}

    async def get(self, meeting_id: str) -> MeetingOutcome | None:
        return self.items.get(meeting_id)

    async def all(self) -> list[MeetingOutcome]:
        return sorted(self.items.values(), key=lambda o: o.meeting_number)

    async def save(self, outcome: MeetingOutcome) -> None:
        self.items[outcome.meeting_id] = outcome


class FakeEvidence:
    def __init__(self) -> None:
        self.files: dict[str, StoredFile] = {}

    async def get(self, file_id: str) -> StoredFile | None:
        return self.files.get(file_id)

    async def add(self, stored: StoredFile) -> None:
        self.files[stored.id] = stored

    async def erase(self, file_ids: list[str]) -> None:
        for file_id in file_ids:
            self.files.pop(file_id, None)


class FakeActionPlanUnitOfWork(FakeUnitOfWork, ActionPlanUnitOfWork):
    stores = (
        "plans",
        "focal_points",
        "delegations",
        "institutions",
        "needs",
        "offers",
        "proposals",
        "meetings",
        "reminders",
        "outcomes",
    )

    def __init__(self) -> None:
        super().__init__()
        self.plans = FakePlans()
        self.focal_points = FakeFocalPoints()
        self.delegations = FakeDelegations()
        self.institutions = FakeInstitutions()
        self.needs = FakeNeeds()
        self.offers = FakeOffers()
        self.proposals = FakeProposals()
        self.meetings = FakeMeetings()
        self.reminders = FakeReminders()
        self.outcomes = FakeOutcomes()
        self.evidence = FakeEvidence()
