"""The institutions of the network, as far as the action plan needs them: registration
owns the reference (id, names in ar/en/fr, acronym, country) and announces every change
with a version; this service keeps the newest version of each (its projection) and
shows institutions by name, in the reader's language, wherever a plan, a need, an offer
or a proposal names one. Ids are for machines: a person never reads `anapec`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict

from pesnet.shared.errors import InvalidInput
from pesnet.shared.i18n import LANGUAGES, Localized
from pesnet.shared.translation import N_

UNKNOWN_INSTITUTION = N_(
    "there is no institution {institution_id} in the network's reference (registration "
    "keeps it: the secretariat registers the institution there first)"
)


class Institution(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: Localized
    acronym: str | None = None
    country: str | None = None
    version: int = 1

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


Names = Mapping[str, Institution]


def label_of(names: Names, institution_id: str, language: str) -> str:
    """How a reader of `language` reads an institution of the reference (its id only
    for one the reference has not announced: never the case for what this service
    accepted, see `require_known`)."""
    found = names.get(institution_id)
    return found.label(language) if found is not None else institution_id


def labels_of(names: Names) -> dict[str, Localized]:
    return {institution_id: found.labels for institution_id, found in names.items()}


def require_known(names: Names, references: Iterable[tuple[str, str]]) -> None:
    """Every institution a request names, as (field, id) pairs, must be one of the
    reference: an unknown one is a 422 on its field."""
    for field, institution_id in references:
        if institution_id not in names:
            raise InvalidInput(
                UNKNOWN_INSTITUTION, field=field, params={"institution_id": institution_id}
            )
