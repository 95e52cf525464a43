"""The network's reference of institutions: the national public employment services,
ministries and OIC institutions that delegations, focal points and action plans name.
Registration owns it (delegations and focal-point nominations are made here); the
other services keep a projection of it from its events.

An institution has a stable id (a slug such as `anapec`: for machines, never shown to
people), its names in ar, en and fr, an optional acronym, and the member state it
belongs to (none for an OIC institution or a partner). Each change raises its version,
which lets a projection keep the newest state whatever order the events arrive in, and
records its event (public: an institution's names are no person's data)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pesnet.registration.domain.names import clean_text, normalize_country
from pesnet.shared.aggregate import Aggregate
from pesnet.shared.errors import InvalidInput
from pesnet.shared.events.registration import (
    InstitutionChanged,
    InstitutionRegistered,
    InstitutionRenamed,
)
from pesnet.shared.i18n import LANGUAGES, Localized
from pesnet.shared.translation import _

INSTITUTION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_INSTITUTION_NAME = 300


def check_names(name: Localized, field: str = "name") -> Localized:
    """Every language's name, each a clean line: people read the institution in theirs."""
    for language in LANGUAGES:
        text = getattr(name, language)
        if not (text or "").strip():
            raise InvalidInput(
                _("the institution's name is needed in Arabic, English and French"),
                field=f"{field}.{language}",
            )
        clean_text(text, f"{field}.{language}", max_length=MAX_INSTITUTION_NAME)
    return Localized(**{lang: getattr(name, lang).strip() for lang in LANGUAGES})


def check_acronym(acronym: str | None) -> str | None:
    if acronym is None:
        return None
    return clean_text(acronym, "acronym", max_length=50, required=False) or None


@dataclass(kw_only=True)
class Institution(Aggregate):
    id: str
    name: Localized
    acronym: str | None = None
    country: str | None = None
    version: int = 1
    registered_at: datetime
    updated_at: datetime

    @classmethod
    def register(
        cls,
        *,
        id: str,
        name: Localized,
        acronym: str | None,
        country: str | None,
        at: datetime,
    ) -> Institution:
        if not INSTITUTION_ID.match(id):
            raise InvalidInput(
                _("an institution's id is lowercase letters, digits and hyphens (e.g. anapec)"),
                field="id",
            )
        institution = cls(
            id=id,
            name=check_names(name),
            acronym=check_acronym(acronym),
            country=normalize_country(country) if country is not None else None,
            registered_at=at,
            updated_at=at,
        )
        institution._changed(InstitutionRegistered, registered_at=at)
        return institution

    def _changed(self, model: type[InstitutionChanged], **extra: Any) -> None:
        """Record the institution as it now stands, with its version (public)."""
        self.record(
            model(
                institution_id=self.id,
                name=self.name,
                acronym=self.acronym,
                country=self.country,
                version=self.version,
                **extra,
            ),
            subject=f"institution/{self.id}",
        )

    def rename(self, *, name: Localized | None, acronym: str | None, at: datetime) -> bool:
        """New names (or acronym); False, and no new version, when nothing changes."""
        new_name = check_names(name) if name is not None else self.name
        new_acronym = check_acronym(acronym) if acronym is not None else self.acronym
        if (new_name, new_acronym) == (self.name, self.acronym):
            return False
        self.name, self.acronym = new_name, new_acronym
        self.version += 1
        self.updated_at = at
        self._changed(InstitutionRenamed, renamed_at=at)
        return True

    def label(self, language: str) -> str:
        """How people read it: its name in their language, with its acronym in Latin
        script pages (`Agence turque pour l'emploi (İŞKUR)`); Arabic names stand alone."""
        name = self.name.get(language)
        if language != "ar" and self.acronym and self.acronym.casefold() not in name.casefold():
            return f"{name} ({self.acronym})"
        return name

    def check_country(self, country: str, field: str) -> None:
        """A national focal point acts for an institution of their own country (an OIC
        institution, which has none, is anyone's)."""
        if self.country is not None and self.country != country:
            raise InvalidInput(
                _("{institution} is an institution of {institution_country}, not of {country}"),
                field=field,
                params={
                    "institution": self.id,
                    "institution_country": self.country,
                    "country": country,
                },
            )


def _folded(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().casefold())


def known_as(institutions: Iterable[Institution], written: str | None) -> Institution | None:
    """The institution of the reference that a registrant's own words name: its id,
    its acronym or its name in any language, whatever the case and spacing (so that a
    reader sees it in their language, not as someone else typed it); None for words the
    reference does not know."""
    if not written or not written.strip():
        return None
    wanted = _folded(written)
    for institution in institutions:
        names = (
            institution.id,
            institution.acronym or "",
            *(institution.name.get(lang) for lang in LANGUAGES),
        )
        if any(_folded(str(name or "")) == wanted for name in names):
            return institution
    return None
