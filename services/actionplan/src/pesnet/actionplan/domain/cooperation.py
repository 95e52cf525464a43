"""A cooperation proposal and the answers of its parties: proposed → accepted (every
party accepted) or declined (one party declined)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from pesnet.actionplan.domain.matching import Commitments, Match, PairScore
from pesnet.shared.errors import Conflict, Forbidden
from pesnet.shared.i18n import Localized
from pesnet.shared.translation import _

Answer = Literal["accepted", "declined"]
ProposalStatus = Literal["proposed", "accepted", "declined"]
# what an answer to a proposal already decided is told
DECIDED: dict[str, str] = {
    "accepted": _("the proposal is already accepted"),
    "declined": _("the proposal is already declined"),
}
ANSWERED: dict[str, str] = {
    "accepted": _("{institution} already accepted this proposal"),
    "declined": _("{institution} already declined this proposal"),
}


class Party(BaseModel):
    institution: str
    side: Literal["offer", "need"]
    need_id: str | None = None
    answer: Answer | None = None
    answered_at: datetime | None = None


class Proposal(BaseModel):
    id: str
    key: str
    period: str
    kind: Literal["bilateral", "multilateral"]
    thematic_area: str
    offer_id: str
    offer_title: Localized
    need_ids: list[str]
    pairs: list[PairScore]
    score: float
    rank: int
    explanation: Localized
    parties: list[Party]
    status: ProposalStatus = "proposed"
    proposed_at: datetime

    @classmethod
    def from_match(
        cls,
        proposal_id: str,
        period: str,
        match: Match,
        offer_title: Localized,
        rank: int,
        now: datetime,
    ) -> Proposal:
        parties = [Party(institution=match.offer_institution, side="offer")]
        parties += [
            Party(institution=p.institution, side="need", need_id=p.need_id) for p in match.pairs
        ]
        return cls(
            id=proposal_id,
            key=match.key,
            period=period,
            kind=match.kind,
            thematic_area=match.thematic_area,
            offer_id=match.offer_id,
            offer_title=offer_title,
            need_ids=match.need_ids,
            pairs=match.pairs,
            score=match.score,
            rank=rank,
            explanation=match.explanation,
            parties=parties,
            proposed_at=now,
        )

    def answer(self, institution: str, answer: Answer, *, now: datetime) -> None:
        party = next((p for p in self.parties if p.institution == institution), None)
        if party is None:
            raise Forbidden(
                _("{institution} is not a party to this proposal"),
                params={"institution": institution},
            )
        if self.status != "proposed":
            raise Conflict(DECIDED[self.status])
        if party.answer is not None:
            raise Conflict(ANSWERED[party.answer], params={"institution": institution})
        # one institution may be a party once only (matching never pairs it with itself)
        party.answer = answer
        party.answered_at = now
        if answer == "declined":
            self.status = "declined"
        elif all(p.answer == "accepted" for p in self.parties):
            self.status = "accepted"


def commitments(proposals: list[Proposal]) -> Commitments:
    """What matching must respect from earlier proposals (see `Commitments`). In a declined
    proposal only the pairs of the institutions that declined are excluded: if the offering
    side declined, all of them; other needs go back to the pool."""
    served: set[str] = set()
    by_offer: dict[str, set[str]] = {}
    declined: set[tuple[str, str]] = set()
    for proposal in proposals:
        if proposal.status == "declined":
            decliners = {p.institution for p in proposal.parties if p.answer == "declined"}
            offer_declined = any(
                p.side == "offer" and p.answer == "declined" for p in proposal.parties
            )
            for pair in proposal.pairs:
                if offer_declined or pair.institution in decliners:
                    declined.add((pair.need_id, proposal.offer_id))
            continue
        served.update(proposal.need_ids)
        by_offer.setdefault(proposal.offer_id, set()).update(p.institution for p in proposal.pairs)
    return Commitments(
        served_needs=frozenset(served),
        served_by_offer={k: frozenset(v) for k, v in by_offer.items()},
        declined_pairs=frozenset(declined),
    )
