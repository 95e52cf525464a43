"""What people and partners ask of notifications (the HTTP entrypoints build these)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pesnet.shared.i18n import Language


@dataclass(frozen=True)
class ChangePreferences:
    token: str  # the signed link of the person's mails
    language: Language | None = None
    opted_out: bool | None = None


@dataclass(frozen=True)
class ShowDeliveryLog:
    recipient: str
    token: str | None = None  # the signed link: a person sees their own log
    by_secretariat: bool = False
    open_to_all: bool = False  # dev mode: for `make run` and the acceptance tests


@dataclass(frozen=True)
class CreateSubscription:
    partner: str
    url: str
    event_types: Sequence[str] | None = None


@dataclass(frozen=True)
class ListWebhookDeliveries:
    subscription_id: str
    status: str | None = None
    limit: int = 50
