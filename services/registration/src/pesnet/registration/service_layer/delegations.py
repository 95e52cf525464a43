"""Delegations: the counter document of each delegation (a country, or an OIC
institution/partner) that every status change writes, the public
`registration.delegation.updated` event, and the public summary of a meeting."""

from __future__ import annotations

from typing import Any

from pesnet.registration.domain.model import Status, counts_against_quota, delegation_key
from pesnet.registration.service_layer.context import ServiceContext
from pesnet.shared.events.registration import DelegationUpdated
from pesnet.shared.mongo import DbSession, Document

# delegation id → its counters after this transaction's changes, announced at its end
Pending = dict[str, Document]


def delegation_summary_event(counters: Document) -> DelegationUpdated:
    """The public, PII-free counts of one delegation."""
    return DelegationUpdated(
        meeting_id=counters["meeting_id"],
        country=counters.get("country"),
        institution=counters.get("institution"),
        by_status={k: v for k, v in (counters.get("by_status") or {}).items() if v},
        by_role={k: v for k, v in (counters.get("by_role") or {}).items() if v},
        confirmed=int(counters.get("confirmed", 0)),
    )


class Delegations:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def ensure(self, meeting_id: str, country: str | None, institution: str | None) -> str:
        """Create the delegation's counter document if needed (outside any transaction,
        see `RegistrationRepository.ensure_delegation`); returns its key."""
        key = delegation_key(country, institution)
        await self.ctx.repo.ensure_delegation(meeting_id, key, country, institution)
        return key

    async def count(
        self, session: DbSession, doc: Document, old: str | None, new: str, pending: Pending
    ) -> None:
        """Move one registration between statuses in its delegation's counters (the
        document every decision about the delegation writes); `pending` collects the
        delegations whose public counts `announce` publishes at the end."""
        if old == new:
            return
        change = int(new == Status.confirmed) - int(old == Status.confirmed)
        counters = await self.ctx.repo.count_status_change(
            doc["meeting_id"],
            delegation_key(doc.get("country"), doc.get("institution")),
            old=old,
            new=new,
            role=doc["role"],
            confirmed_change=change,
            uses_quota=counts_against_quota(doc.get("country"), doc["role"]),
            session=session,
        )
        if change:
            await self.ctx.repo.add_to_confirmed_total(doc["meeting_id"], change, session)
        pending[counters["_id"]] = counters

    async def announce(self, session: DbSession, pending: Pending) -> None:
        """One public `registration.delegation.updated` per delegation and transaction,
        with the counts as they are at its end (a withdrawal and the promotion it
        causes are one change to the public)."""
        for delegation, counters in pending.items():
            await self.ctx.emit(
                session, delegation_summary_event(counters), f"delegation/{delegation}"
            )

    async def summary(self, meeting_id: str) -> dict[str, Any]:
        """Counts per delegation, status and role, and their totals (public: no names)."""
        await self.ctx.meeting(meeting_id)
        items = []
        totals_status: dict[str, int] = {}
        totals_role: dict[str, int] = {}
        confirmed = 0
        for counters in await self.ctx.repo.delegations_of(meeting_id):
            item = delegation_summary_event(counters).model_dump(mode="json")
            if not any(item["by_status"].values()):
                continue
            items.append(item)
            for key, value in item["by_status"].items():
                totals_status[key] = totals_status.get(key, 0) + value
            for key, value in item["by_role"].items():
                totals_role[key] = totals_role.get(key, 0) + value
            confirmed += item["confirmed"]
        return {
            "meeting_id": meeting_id,
            "delegations": items,
            "totals": {
                "by_status": totals_status,
                "by_role": totals_role,
                "confirmed": confirmed,
                "countries": len([i for i in items if i["country"]]),
            },
        }
