"""A delegation of a meeting: a member state's, or an OIC institution's or partner's,
and the counters every status change of its registrations moves (its quota's use,
its waitlist's turns, the public counts by status and role)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from pesnet.shared.aggregate import Aggregate
from pesnet.shared.events.common import ParticipantStatus as Status
from pesnet.shared.events.common import Role
from pesnet.shared.events.registration import DelegationUpdated


class Counted(Protocol):
    """What the counters need of a registration."""

    @property
    def status(self) -> Status: ...

    @property
    def role(self) -> Role: ...

    @property
    def counts_against_quota(self) -> bool: ...


def delegation_key(
    country: str | None, institution: str | None, institution_id: str | None = None
) -> str:
    """A member state's delegation is its country; others are grouped by institution:
    by its id in the network's reference where they picked it (its staff write its name
    in their own languages), else by the name as written."""
    if country:
        return country
    if institution_id:
        return f"org:{institution_id}"
    return "org:" + re.sub(r"\s+", " ", (institution or "").strip().casefold())


@dataclass(kw_only=True)
class Delegation(Aggregate):
    """The counters of one delegation (a country, or an OIC institution/partner) in
    one meeting. Every status change of one of its registrations moves them, so two
    decisions about the delegation's places always write the same record."""

    meeting_id: str
    key: str
    country: str | None = None
    institution: str | None = None
    by_status: dict[str, int] = field(default_factory=dict)
    by_role: dict[str, int] = field(default_factory=dict)
    confirmed: int = 0
    quota_used: int = 0
    waitlist_issued: int = 0  # the turns given in its waitlist so far

    @property
    def id(self) -> str:
        return f"{self.meeting_id}|{self.key}"

    def count(self, registration: Counted, old: Status | None) -> int:
        """Move `registration` from `old` (None: new) to its status; returns the
        change of the confirmed count (+1, -1 or 0)."""
        new = registration.status
        if old is not None:
            self.by_status[old] = self.by_status.get(old, 0) - 1
        self.by_status[new] = self.by_status.get(new, 0) + 1
        change = int(new is Status.confirmed) - int(old is Status.confirmed)
        if change:
            self.confirmed += change
            if registration.counts_against_quota:
                self.quota_used += change
            role = registration.role.value
            self.by_role[role] = self.by_role.get(role, 0) + change
        return change

    def next_waitlist_turn(self) -> int:
        """A turn in the waitlist: decisions about the delegation's places are serialized
        by this record, so no two registrations get the same turn."""
        self.waitlist_issued += 1
        return self.waitlist_issued

    def announce(self) -> None:
        """Its counts changed: the public, PII-free summary (one per transaction, however
        many of its registrations moved: a withdrawal and the promotion it causes are
        one change to the public)."""
        self.record(
            DelegationUpdated(
                meeting_id=self.meeting_id,
                country=self.country,
                institution=self.institution,
                by_status=self.counted_statuses,
                by_role=self.counted_roles,
                confirmed=self.confirmed,
            ),
            subject=f"delegation/{self.key}",
        )

    @property
    def counted_statuses(self) -> dict[str, int]:
        return {k: v for k, v in self.by_status.items() if v}

    @property
    def counted_roles(self) -> dict[str, int]:
        return {k: v for k, v in self.by_role.items() if v}
