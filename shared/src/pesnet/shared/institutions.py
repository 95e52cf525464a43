"""The network's institutions as the other services keep them: registration owns the
reference (id, names in ar/en/fr, acronym, member state) and announces every change
with a version (`registration.institution.registered/renamed`); a service that shows an
institution keeps the newest version of each (its projection) and shows it by name, in
the reader's language. Ids are for machines: a person never reads `anapec`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from pesnet.shared.events.registration import InstitutionChanged
from pesnet.shared.i18n import LANGUAGES, Localized
from pesnet.shared.logging import get_logger

log = get_logger(__name__)


class Institution(BaseModel):
    """An institution of the reference, as registration last announced it."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: Localized
    acronym: str | None = None
    country: str | None = None
    version: int = 1

    @classmethod
    def announced(cls, event: InstitutionChanged) -> Institution:
        return cls(
            id=event.institution_id,
            name=event.name,
            acronym=event.acronym,
            country=event.country,
            version=event.version,
        )

    def label(self, language: str) -> str:
        """Its name in `language`, with its acronym on Latin-script pages (`Agence turque
        pour l'emploi (İŞKUR)`); an Arabic name stands alone (as registration shows it)."""
        name = self.name.get(language)
        if language != "ar" and self.acronym and self.acronym.casefold() not in name.casefold():
            return f"{name} ({self.acronym})"
        return name

    @property
    def labels(self) -> Localized:
        return Localized(**{language: self.label(language) for language in LANGUAGES})

    def newer_than(self, other: Institution | None) -> bool:
        """Whether this state replaces `other` (the projection keeps the highest version)."""
        return other is None or self.version > other.version


# the reference's institutions a query found, by id
Names = Mapping[str, Institution]


def label_of(names: Names, institution_id: str, language: str) -> str:
    """How a reader of `language` reads an institution of the reference (its id only
    for one the reference has not announced)."""
    found = names.get(institution_id)
    return found.label(language) if found is not None else institution_id


def labels_of(names: Names) -> dict[str, Localized]:
    return {institution_id: found.labels for institution_id, found in names.items()}


class Projection(Protocol):
    """A service's projection of the reference (its repository of institutions)."""

    async def get(self, institution_id: str) -> Institution | None: ...

    async def save(self, institution: Institution) -> None: ...


async def keep_newest(projection: Projection, announced: Institution) -> bool:
    """Keep the institution as announced, unless a newer version is kept already (an
    older or repeated announcement, redelivered out of order, changes nothing)."""
    if not announced.newer_than(await projection.get(announced.id)):
        log.info(
            "older institution announcement ignored",
            institution_id=announced.id,
            version=announced.version,
        )
        return False
    await projection.save(announced)
    return True


__all__ = ["Institution", "Names", "Projection", "keep_newest", "label_of", "labels_of"]
