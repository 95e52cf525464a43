"""The action plan's unit of work: one transaction over its repositories and outbox."""

from __future__ import annotations

from pesnet.actionplan.service_layer.repositories import (
    DelegationRepository,
    EvidenceRepository,
    FocalPointRepository,
    InstitutionRepository,
    MeetingRepository,
    NeedRepository,
    OfferRepository,
    OutcomeRepository,
    PlanRepository,
    ProposalRepository,
    ReminderRepository,
)
from pesnet.shared.unit_of_work import UnitOfWork


class ActionPlanUnitOfWork(UnitOfWork):
    plans: PlanRepository
    focal_points: FocalPointRepository
    delegations: DelegationRepository
    institutions: InstitutionRepository
    needs: NeedRepository
    offers: OfferRepository
    proposals: ProposalRepository
    meetings: MeetingRepository
    reminders: ReminderRepository
    outcomes: OutcomeRepository
    evidence: EvidenceRepository
