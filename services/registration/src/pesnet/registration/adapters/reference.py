"""The network's reference of institutions (`institutions`, `_id` the institution's
id) and the focal points' nominations (`focal_points`, tokens stored as SHA-256
digests) on MongoDB."""

from __future__ import annotations

import dataclasses

from pymongo.errors import DuplicateKeyError

from pesnet.registration.adapters.collections import FOCAL_POINTS, INSTITUTIONS
from pesnet.registration.domain.focal_point import FocalPoint
from pesnet.registration.domain.institution import Institution
from pesnet.registration.service_layer.unit_of_work import (
    INSTITUTION_TAKEN,
    FocalPoints,
    Institutions,
)
from pesnet.shared.errors import Conflict
from pesnet.shared.i18n import Language, Localized
from pesnet.shared.mongo import Database, DbSession, Document

# focal points ----------------------------------------------------------------------


def focal_point_of(doc: Document) -> FocalPoint:
    return FocalPoint(
        id=str(doc["_id"]),
        country=doc["country"],
        name=doc.get("name"),
        token_hash=doc["token_hash"],
        created_at=doc["created_at"],
        revoked_at=doc.get("revoked_at"),
        institution_id=doc.get("institution_id"),
        email=doc.get("email"),
        language=Language(doc.get("language") or Language.en),
        version=int(doc.get("version") or 1),
    )


class MongoFocalPoints(FocalPoints):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[FOCAL_POINTS]
        self.session = session

    def _saw(self, found: FocalPoint | None) -> FocalPoint | None:
        self.saw(found)
        return found

    @staticmethod
    def _document(focal_point: FocalPoint) -> Document:
        doc = dataclasses.asdict(focal_point)
        doc["_id"] = doc.pop("id")
        doc["language"] = focal_point.language.value
        return doc

    async def add(self, focal_point: FocalPoint) -> None:
        self.saw(focal_point)
        await self.collection.insert_one(self._document(focal_point), session=self.session)

    async def get(self, focal_point_id: str) -> FocalPoint | None:
        doc = await self.collection.find_one({"_id": focal_point_id}, session=self.session)
        return self._saw(None if doc is None else focal_point_of(doc))

    async def save(self, focal_point: FocalPoint) -> None:
        self.saw(focal_point)
        await self.collection.replace_one(
            {"_id": focal_point.id}, self._document(focal_point), session=self.session
        )

    async def active_with_token(self, token_hash: str) -> FocalPoint | None:
        doc = await self.collection.find_one(
            {"token_hash": token_hash, "revoked_at": None}, session=self.session
        )
        return None if doc is None else focal_point_of(doc)

    async def listed(self, country: str | None) -> list[FocalPoint]:
        query: Document = {} if country is None else {"country": country}
        cursor = self.collection.find(query, session=self.session)
        return [
            focal_point_of(doc) async for doc in cursor.sort([("country", 1), ("created_at", 1)])
        ]


# institutions ----------------------------------------------------------------------


def institution_document(institution: Institution) -> Document:
    return {
        "_id": institution.id,
        "name": institution.name.model_dump(),
        "acronym": institution.acronym,
        "country": institution.country,
        "version": institution.version,
        "registered_at": institution.registered_at,
        "updated_at": institution.updated_at,
    }


def institution_of(doc: Document) -> Institution:
    return Institution(
        id=str(doc["_id"]),
        name=Localized.model_validate(doc["name"]),
        acronym=doc.get("acronym"),
        country=doc.get("country"),
        version=int(doc["version"]),
        registered_at=doc["registered_at"],
        updated_at=doc["updated_at"],
    )


class MongoInstitutions(Institutions):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[INSTITUTIONS]
        self.session = session

    def _saw(self, found: Institution | None) -> Institution | None:
        self.saw(found)
        return found

    async def get(self, institution_id: str) -> Institution | None:
        doc = await self.collection.find_one({"_id": institution_id}, session=self.session)
        return self._saw(None if doc is None else institution_of(doc))

    async def add(self, institution: Institution) -> None:
        self.saw(institution)
        try:
            await self.collection.insert_one(
                institution_document(institution), session=self.session
            )
        except DuplicateKeyError:
            raise Conflict(
                INSTITUTION_TAKEN,
                field="id",
                params={"institution_id": institution.id},
            ) from None

    async def save(self, institution: Institution) -> None:
        self.saw(institution)
        await self.collection.replace_one(
            {"_id": institution.id}, institution_document(institution), session=self.session
        )

    async def listed(self, country: str | None = None) -> list[Institution]:
        query: Document = {} if country is None else {"country": country}
        found = [
            institution_of(doc) async for doc in self.collection.find(query, session=self.session)
        ]
        return sorted(found, key=lambda i: (i.country is None, i.country or "", i.id))
