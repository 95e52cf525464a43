"""A national focal point: the person the secretariat named for one institution, and
the token it acts with. Only the token's SHA-256 digest is kept, so the token is
shown once, when it is issued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pesnet.actionplan.domain.model import new_id
from pesnet.shared.credentials import (
    Actor,
    ActorKind,
    StaffRole,
    TokenPrefix,
    hash_secret_token,
    new_secret_token,
)
from pesnet.shared.events.common import Contact
from pesnet.shared.i18n import Language


@dataclass
class FocalPoint:
    id: str
    institution: str
    country: str | None
    name: str
    email: str
    language: Language
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None = None

    @classmethod
    def issue(
        cls,
        *,
        institution: str,
        country: str | None,
        name: str,
        email: str,
        language: Language,
        now: datetime,
    ) -> tuple[FocalPoint, str]:
        """A new focal point and its token (the only time the token exists in clear)."""
        token = new_secret_token(TokenPrefix.focal_point)
        focal_point = cls(
            id=new_id("fp"),
            institution=institution,
            country=country,
            name=name,
            email=email,
            language=language,
            token_hash=hash_secret_token(token),
            created_at=now,
        )
        return focal_point, token

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, *, now: datetime) -> None:
        """Its token stops working; revoking again changes nothing."""
        if self.active:
            self.revoked_at = now

    @property
    def contact(self) -> Contact:
        return Contact(name=self.name, email=self.email, language=self.language)

    @property
    def actor(self) -> Actor:
        return Actor(
            ActorKind.focal_point,
            country=self.country,
            institution=self.institution,
            focal_point_id=self.id,
            roles=frozenset({StaffRole.focal_point}),
        )
