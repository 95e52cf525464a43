"""The registration service's unit of work in memory: dict-backed repositories with
the same rules as the MongoDB ones (one e-mail per meeting, one record per
idempotency key), for unit tests of the use cases."""

from __future__ import annotations

import copy

from pesnet.registration.domain.access import Status
from pesnet.registration.domain.delegation import Delegation
from pesnet.registration.domain.focal_point import FocalPoint
from pesnet.registration.domain.institution import Institution
from pesnet.registration.domain.meeting import Meeting
from pesnet.registration.domain.registration import Registration
from pesnet.registration.domain.roster import Listed, listed
from pesnet.registration.domain.search import matches, name_keys
from pesnet.registration.service_layer.unit_of_work import (
    EMAIL_TAKEN,
    INSTITUTION_TAKEN,
    Delegations,
    FocalPoints,
    Institutions,
    Meetings,
    Registrations,
    RegistrationUnitOfWork,
    Replay,
    Replays,
)
from pesnet.shared.errors import Conflict
from pesnet.shared.events.common import Role
from pesnet.shared.unit_of_work import FakeUnitOfWork


class FakeRegistrations(Registrations):
    def __init__(self) -> None:
        self.items: dict[str, Registration] = {}

    def _check_email(self, registration: Registration) -> None:
        for other in self.items.values():
            if (
                other.id != registration.id
                and other.meeting_id == registration.meeting_id
                and other.email_key == registration.email_key
            ):
                raise Conflict(EMAIL_TAKEN, field="email")

    async def get(self, registration_id: str) -> Registration | None:
        found = copy.deepcopy(self.items.get(registration_id))
        self.saw(found)
        return found

    async def add(self, registration: Registration) -> None:
        self.saw(registration)
        self._check_email(registration)
        self.items[registration.id] = copy.deepcopy(registration)

    async def save(self, registration: Registration) -> None:
        self.saw(registration)
        self._check_email(registration)
        self.items[registration.id] = copy.deepcopy(registration)

    def _where(self, meeting_id: str, **fields: object) -> list[Registration]:
        return [
            copy.deepcopy(r)
            for r in self.items.values()
            if r.meeting_id == meeting_id
            and all(getattr(r, k) == v for k, v in fields.items() if v is not None)
        ]

    async def of_meeting(
        self,
        meeting_id: str,
        *,
        status: Status | None = None,
        country: str | None = None,
        role: Role | None = None,
    ) -> list[Registration]:
        found = self._where(meeting_id, status=status, country=country, role=role)
        return sorted(found, key=lambda r: (r.registered_at, r.id))

    async def listed_of(
        self,
        meeting_id: str,
        *,
        status: Status | tuple[Status, ...] | None = None,
        country: str | None = None,
        role: Role | None = None,
    ) -> list[Listed]:
        statuses = status if isinstance(status, tuple) else (status,) if status else None
        found = await self.of_meeting(meeting_id, country=country, role=role)
        return [listed(r) for r in found if statuses is None or r.status in statuses]

    async def page_of_meeting(
        self,
        meeting_id: str,
        *,
        status: Status | None = None,
        country: str | None = None,
        role: Role | None = None,
        skip: int,
        limit: int,
    ) -> tuple[int, list[Listed]]:
        found = await self.listed_of(meeting_id, status=status, country=country, role=role)
        return len(found), found[skip : skip + limit]

    async def with_short_code(self, meeting_id: str, code: str) -> Registration | None:
        found = self._where(meeting_id, short_code=code)
        return found[0] if found else None

    async def named(self, meeting_id: str, words: list[str], limit: int) -> list[Registration]:
        found = [
            r
            for r in self._where(meeting_id)
            if matches(name_keys(r.given_name, r.family_name, r.name_latin), words)
        ]
        found.sort(key=lambda r: (r.family_name or "", r.given_name or "", r.id))
        return found[:limit]

    async def confirmed_of(self, meeting_id: str) -> list[Listed]:
        found = self._where(meeting_id, status=Status.confirmed)
        found.sort(key=lambda r: (r.country or "", r.family_name or "", r.given_name or ""))
        return [listed(r) for r in found]

    async def not_purged_of(self, meeting_id: str) -> list[Registration]:
        return [r for r in self._where(meeting_id) if not r.purged]

    async def oldest_waitlisted(self, meeting_id: str, country: str) -> Registration | None:
        found = await self.of_meeting(meeting_id, status=Status.waitlisted, country=country)
        found.sort(key=lambda r: (r.waitlist_seq or 0, r.registered_at, r.id))
        self.saw(found[0] if found else None)
        return found[0] if found else None

    async def waitlisted_before(self, registration: Registration) -> int:
        return sum(
            1
            for r in self._where(registration.meeting_id, status=Status.waitlisted)
            if r.country == registration.country and r.registered_at < registration.registered_at
        )

    async def id_with_manage_token(self, token_hash: str) -> str | None:
        for r in self.items.values():
            if r.manage_token_hash == token_hash:
                return r.id
        return None


class FakeMeetings(Meetings):
    def __init__(self) -> None:
        self.items: dict[str, Meeting] = {}

    async def get(self, meeting_id: str) -> Meeting | None:
        found = copy.deepcopy(self.items.get(meeting_id))
        self.saw(found)
        return found

    async def all(self) -> list[Meeting]:
        return [copy.deepcopy(m) for _, m in sorted(self.items.items())]

    async def save(self, meeting: Meeting) -> None:
        self.saw(meeting)
        self.items[meeting.id] = copy.deepcopy(meeting)


class FakeDelegations(Delegations):
    def __init__(self) -> None:
        self.items: dict[str, Delegation] = {}

    async def ensure(
        self, meeting_id: str, key: str, country: str | None, institution: str | None
    ) -> None:
        new = Delegation(
            meeting_id=meeting_id,
            key=key,
            country=country,
            institution=None if country else institution,
        )
        self.items.setdefault(new.id, new)

    async def get(self, meeting_id: str, key: str) -> Delegation | None:
        found = copy.deepcopy(self.items.get(f"{meeting_id}|{key}"))
        self.saw(found)
        return found

    async def save(self, delegation: Delegation) -> None:
        self.saw(delegation)
        self.items[delegation.id] = copy.deepcopy(delegation)

    async def of_meeting(self, meeting_id: str) -> list[Delegation]:
        return [
            copy.deepcopy(d) for _, d in sorted(self.items.items()) if d.meeting_id == meeting_id
        ]


class FakeFocalPoints(FocalPoints):
    def __init__(self) -> None:
        self.items: dict[str, FocalPoint] = {}

    async def add(self, focal_point: FocalPoint) -> None:
        self.saw(focal_point)
        self.items[focal_point.id] = copy.deepcopy(focal_point)

    async def get(self, focal_point_id: str) -> FocalPoint | None:
        found = copy.deepcopy(self.items.get(focal_point_id))
        self.saw(found)
        return found

    async def save(self, focal_point: FocalPoint) -> None:
        self.saw(focal_point)
        self.items[focal_point.id] = copy.deepcopy(focal_point)

    async def active_with_token(self, token_hash: str) -> FocalPoint | None:
        for f in self.items.values():
            if f.token_hash == token_hash and f.active:
                return copy.deepcopy(f)
        return None

    async def listed(self, country: str | None) -> list[FocalPoint]:
        found = [f for f in self.items.values() if country is None or f.country == country]
        return copy.deepcopy(sorted(found, key=lambda f: (f.country, f.created_at)))


class FakeInstitutions(Institutions):
    def __init__(self) -> None:
        self.items: dict[str, Institution] = {}

    async def get(self, institution_id: str) -> Institution | None:
        found = copy.deepcopy(self.items.get(institution_id))
        self.saw(found)
        return found

    async def add(self, institution: Institution) -> None:
        self.saw(institution)
        if institution.id in self.items:
            raise Conflict(INSTITUTION_TAKEN, field="id", params={"institution_id": institution.id})
        self.items[institution.id] = copy.deepcopy(institution)

    async def save(self, institution: Institution) -> None:
        self.saw(institution)
        self.items[institution.id] = copy.deepcopy(institution)

    async def listed(self, country: str | None = None) -> list[Institution]:
        found = [i for i in self.items.values() if country is None or i.country == country]
        key = lambda i: (i.country is None, i.country or "", i.id)  # noqa: E731
        return copy.deepcopy(sorted(found, key=key))


class FakeReplays(Replays):
    def __init__(self) -> None:
        self.items: dict[str, tuple[Replay, str]] = {}

    async def get(self, record_id: str) -> Replay | None:
        kept = self.items.get(record_id)
        return None if kept is None else copy.deepcopy(kept[0])

    async def add(self, record_id: str, replay: Replay, meeting_id: str) -> None:
        if record_id in self.items:
            raise Conflict("this Idempotency-Key is being used by another request")
        self.items[record_id] = (copy.deepcopy(replay), meeting_id)

    async def forget_meeting(self, meeting_id: str) -> None:
        self.items = {k: v for k, v in self.items.items() if v[1] != meeting_id}


class FakeRegistrationUnitOfWork(FakeUnitOfWork, RegistrationUnitOfWork):
    stores = ("registrations", "meetings", "delegations", "focal_points", "institutions", "replays")

    def __init__(self) -> None:
        super().__init__()
        self.registrations = FakeRegistrations()
        self.meetings = FakeMeetings()
        self.delegations = FakeDelegations()
        self.focal_points = FakeFocalPoints()
        self.institutions = FakeInstitutions()
        self.replays = FakeReplays()
