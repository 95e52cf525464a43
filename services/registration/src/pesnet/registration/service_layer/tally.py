"""The counters one transaction's status changes move: each delegation's (and the
meeting's confirmed total), loaded once and saved at the end, each changed
delegation announcing its new public counts once (a withdrawal and the promotion it
causes are one change to the public)."""

from __future__ import annotations

from pesnet.registration.domain.access import Status
from pesnet.registration.domain.delegation import Delegation
from pesnet.registration.domain.meeting import Meeting
from pesnet.registration.domain.registration import Registration
from pesnet.registration.service_layer.meetings import require_meeting
from pesnet.registration.service_layer.unit_of_work import RegistrationUnitOfWork


class Tally:
    def __init__(self, uow: RegistrationUnitOfWork) -> None:
        self.uow = uow
        self._meetings: dict[str, Meeting] = {}
        self._delegations: dict[str, Delegation] = {}
        self._changed_meetings: set[str] = set()
        self._changed_delegations: set[str] = set()

    async def meeting(self, meeting_id: str) -> Meeting:
        if meeting_id not in self._meetings:
            self._meetings[meeting_id] = await require_meeting(self.uow, meeting_id)
        return self._meetings[meeting_id]

    async def delegation(self, registration: Registration) -> Delegation:
        key = f"{registration.meeting_id}|{registration.delegation_key}"
        if key not in self._delegations:
            found = await self.uow.delegations.get(
                registration.meeting_id, registration.delegation_key
            )
            if found is None:  # pragma: no cover - created when the registration was
                raise RuntimeError(f"delegation counters missing for {key}")
            self._delegations[key] = found
        return self._delegations[key]

    async def count(self, registration: Registration, before: Status | None) -> None:
        """`registration` moved from `before` (None: it is new) to its status."""
        if before is registration.status:
            return
        delegation = await self.delegation(registration)
        change = delegation.count(registration, before)
        self._changed_delegations.add(delegation.id)
        if change:
            meeting = await self.meeting(registration.meeting_id)
            meeting.confirmed_total += change
            self._changed_meetings.add(meeting.id)

    async def close(self) -> None:
        for meeting_id in sorted(self._changed_meetings):
            await self.uow.meetings.save(self._meetings[meeting_id])
        for delegation in self._delegations.values():
            if delegation.id in self._changed_delegations:
                delegation.announce()
                await self.uow.delegations.save(delegation)
