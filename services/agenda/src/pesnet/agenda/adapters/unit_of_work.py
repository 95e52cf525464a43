"""The agenda's unit of work on MongoDB: its repositories bound to one transaction."""

from __future__ import annotations

from pesnet.agenda.adapters.repository import (
    MongoChairmanshipRepository,
    MongoCommuniqueRepository,
    MongoDraftRepository,
    MongoInstitutionRepository,
    MongoMeetingRepository,
    MongoParticipantRepository,
    MongoReleaseRepository,
)
from pesnet.agenda.service_layer.unit_of_work import AgendaUnitOfWork
from pesnet.shared.mongo import Client, Database, DbSession
from pesnet.shared.outbox import Outbox
from pesnet.shared.unit_of_work import MongoUnitOfWork


class MongoAgendaUnitOfWork(MongoUnitOfWork, AgendaUnitOfWork):
    def __init__(self, client: Client, db: Database, outbox: Outbox) -> None:
        super().__init__(client, db, outbox)
        self.bind(None)

    def bind(self, session: DbSession | None) -> None:
        self.meetings = MongoMeetingRepository(self.db, session)
        self.drafts = MongoDraftRepository(self.db, session)
        self.releases = MongoReleaseRepository(self.db, session)
        self.chairmanship = MongoChairmanshipRepository(self.db, session)
        self.communiques = MongoCommuniqueRepository(self.db, session)
        self.participants = MongoParticipantRepository(self.db, session)
        self.institutions = MongoInstitutionRepository(self.db, session)
