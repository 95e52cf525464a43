"""The action plan's unit of work on MongoDB."""

from __future__ import annotations

from pesnet.actionplan.adapters.repository import (
    MongoDelegationRepository,
    MongoEvidenceRepository,
    MongoFocalPointRepository,
    MongoInstitutionRepository,
    MongoMeetingRepository,
    MongoNeedRepository,
    MongoOfferRepository,
    MongoOutcomeRepository,
    MongoPlanRepository,
    MongoProposalRepository,
    MongoReminderRepository,
)
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.mongo import Client, Database, DbSession
from pesnet.shared.outbox import Outbox
from pesnet.shared.unit_of_work import MongoUnitOfWork


class MongoActionPlanUnitOfWork(MongoUnitOfWork, ActionPlanUnitOfWork):
    def __init__(self, client: Client, db: Database, outbox: Outbox) -> None:
        super().__init__(client, db, outbox)
        # queries read without a transaction
        self.bind(None)

    def bind(self, session: DbSession | None) -> None:
        self.plans = MongoPlanRepository(self.db, session)
        self.focal_points = MongoFocalPointRepository(self.db, session)
        self.delegations = MongoDelegationRepository(self.db, session)
        self.institutions = MongoInstitutionRepository(self.db, session)
        self.needs = MongoNeedRepository(self.db, session)
        self.offers = MongoOfferRepository(self.db, session)
        self.proposals = MongoProposalRepository(self.db, session)
        self.meetings = MongoMeetingRepository(self.db, session)
        self.reminders = MongoReminderRepository(self.db, session)
        self.outcomes = MongoOutcomeRepository(self.db, session)
        self.evidence = MongoEvidenceRepository(self.db, session)
