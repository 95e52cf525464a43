"""A national focal point, as the action plan knows it: the person who acts for one
institution (files its needs and offers, reports on what it leads, answers its
proposals) and the token they act with. Only the token's SHA-256 digest is kept.

Focal points come from registration's nominations (`source: nomination`): the
secretariat nominates a focal point there, for a country and an institution of the
reference, and registration announces it with the digest of the token it handed out,
so the same token acts here; the withdrawal of the nomination revokes it here too.
Events may arrive out of order (replicas, redelivery): `version` decides, and a
withdrawal that arrives first is kept as a tombstone the nomination cannot revive.

The action-plan officer may still name one by hand (`source: override`, `POST
/focal-points`) for an institution of the reference: a secretariat-only override for
an interim focal point, whose token is issued here and shown once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pesnet.actionplan.domain.entity import new_id
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

Source = Literal["nomination", "override"]


@dataclass
class FocalPoint:
    id: str
    # the institution of the reference they act for (None: a country's focal point
    # nominated for no institution, who acts for none here)
    institution: str | None
    country: str | None
    name: str | None
    email: str | None
    language: Language
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    source: Source = "override"
    version: int = 1

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
        """The officer's override: a new focal point and its token (the only time the
        token exists in clear)."""
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

    @classmethod
    def nominated(
        cls,
        *,
        focal_point_id: str,
        institution: str | None,
        country: str,
        name: str | None,
        email: str | None,
        language: Language,
        token_digest: str,
        at: datetime,
        version: int,
    ) -> FocalPoint:
        """Registration's nomination, as announced."""
        return cls(
            id=focal_point_id,
            institution=institution,
            country=country,
            name=name,
            email=email,
            language=language,
            token_hash=token_digest,
            created_at=at,
            source="nomination",
            version=version,
        )

    @classmethod
    def withdrawn(
        cls,
        *,
        focal_point_id: str,
        institution: str | None,
        country: str,
        at: datetime,
        version: int,
    ) -> FocalPoint:
        """What is left of a withdrawn nomination that arrived before its nomination (or
        without one): who it was for, that it is over. It holds no token's digest."""
        return cls(
            id=focal_point_id,
            institution=institution,
            country=country,
            name=None,
            email=None,
            language=Language.en,
            token_hash=f"withdrawn:{focal_point_id}",
            created_at=at,
            revoked_at=at,
            source="nomination",
            version=version,
        )

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, *, now: datetime) -> None:
        """Its token stops working; revoking again changes nothing."""
        if self.active:
            self.revoked_at = now

    def withdraw(self, *, at: datetime, version: int) -> None:
        """Registration withdrew the nomination: the token stops working and the
        person's name and address are let go (reports keep their own copy)."""
        self.revoke(now=at)
        self.name = None
        self.email = None
        self.version = version

    def replaced_by(self, version: int) -> bool:
        """Whether an announcement of `version` is newer than what is kept."""
        return version > self.version

    @property
    def contact(self) -> Contact | None:
        """Whom the action plan writes to (none without a name and an e-mail address)."""
        if not self.active or not self.name or not self.email:
            return None
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
