"""A national focal point's nomination: a country's, and, when it names one, an
institution's of the reference (whom the action plan hears from and writes to). Its
token is shown once and kept as a digest; the nomination and its withdrawal are
announced (internal events, with the token's digest, never the token)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pesnet.shared.aggregate import Aggregate
from pesnet.shared.credentials import (
    Actor,
    ActorKind,
    StaffRole,
    TokenPrefix,
    hash_secret_token,
    new_secret_token,
)
from pesnet.shared.errors import InvalidInput
from pesnet.shared.events.registration import FocalPointNominated, FocalPointWithdrawn
from pesnet.shared.i18n import Language
from pesnet.shared.translation import _


@dataclass(kw_only=True)
class FocalPoint(Aggregate):
    """A national focal point's nomination and token, scoped to one country and, when
    it names one, to an institution of the reference (the action plan's focal point of
    that institution). `version` orders its events for the services that project it."""

    id: str
    country: str
    name: str | None
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    institution_id: str | None = None
    email: str | None = None
    language: Language = Language.en
    version: int = 1

    @classmethod
    def issue(
        cls,
        *,
        id: str,
        country: str,
        name: str | None,
        at: datetime,
        institution_id: str | None = None,
        email: str | None = None,
        language: Language = Language.en,
    ) -> tuple[FocalPoint, str]:
        """A new focal point and its token (shown once; only its digest is kept). One
        named for an institution is its contact: their name and e-mail are needed."""
        if institution_id is not None:
            if not name:
                raise InvalidInput(
                    _("the focal point of an institution needs a name"), field="name"
                )
            if not email:
                raise InvalidInput(
                    _("the focal point of an institution needs an e-mail address"),
                    field="email",
                )
        token = new_secret_token(TokenPrefix.focal_point)
        focal_point = cls(
            id=id,
            country=country,
            name=name,
            token_hash=hash_secret_token(token),
            created_at=at,
            institution_id=institution_id,
            email=email,
            language=language,
        )
        focal_point.record(
            FocalPointNominated(
                focal_point_id=id,
                country=country,
                institution_id=institution_id,
                name=name,
                email=email,
                language=language,
                token_digest=focal_point.token_hash,
                nominated_at=at,
                version=focal_point.version,
            ),
            subject=f"focal-point/{id}",
        )
        return focal_point, token

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, *, at: datetime) -> None:
        """Withdrawn: the token stops working and the e-mail address is let go (the
        name stays in the secretariat's list of who was nominated)."""
        self.revoked_at = at
        self.email = None
        self.version += 1
        self.record(
            FocalPointWithdrawn(
                focal_point_id=self.id,
                country=self.country,
                institution_id=self.institution_id,
                withdrawn_at=at,
                version=self.version,
            ),
            subject=f"focal-point/{self.id}",
        )

    def actor(self) -> Actor:
        """A focal-point token holds the national focal point's role, for its country
        (and the institution it was nominated for)."""
        return Actor(
            ActorKind.focal_point,
            country=self.country,
            institution=self.institution_id,
            focal_point_id=self.id,
            roles=frozenset({StaffRole.focal_point}),
        )
