"""The registration service's unit of work on MongoDB: its repositories bound to
the transaction's session (or to none, for reads outside a transaction)."""

from __future__ import annotations

from pesnet.registration.adapters.meetings import MongoDelegations, MongoMeetings
from pesnet.registration.adapters.reference import MongoFocalPoints, MongoInstitutions
from pesnet.registration.adapters.registrations import MongoRegistrations, MongoReplays
from pesnet.registration.service_layer.unit_of_work import RegistrationUnitOfWork
from pesnet.shared.mongo import Client, Database, DbSession
from pesnet.shared.outbox import Outbox
from pesnet.shared.unit_of_work import MongoUnitOfWork


class MongoRegistrationUnitOfWork(MongoUnitOfWork, RegistrationUnitOfWork):
    def __init__(self, client: Client, db: Database, outbox: Outbox) -> None:
        super().__init__(client, db, outbox)
        self.bind(None)

    def bind(self, session: DbSession | None) -> None:
        self.registrations = MongoRegistrations(self.db, session)
        self.meetings = MongoMeetings(self.db, session)
        self.delegations = MongoDelegations(self.db, session)
        self.focal_points = MongoFocalPoints(self.db, session)
        self.institutions = MongoInstitutions(self.db, session)
        self.replays = MongoReplays(self.db, session)
