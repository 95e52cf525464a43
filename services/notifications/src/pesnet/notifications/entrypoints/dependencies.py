"""What the entrypoints are given (bootstrap builds it, the app keeps it in its state):
the unit of work and the collaborators of the use cases, never a concrete adapter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request

from pesnet.notifications.domain.model import Links
from pesnet.notifications.service_layer.notices import Mailing
from pesnet.notifications.service_layer.unit_of_work import NotificationsUnitOfWork
from pesnet.notifications.service_layer.webhook_subscriptions import Sealer, WebhookRules


@dataclass(frozen=True)
class Dependencies:
    uow: Callable[[], NotificationsUnitOfWork]
    mailing: Mailing
    dev_mode: bool
    # the dev SMTP sink's Maildir and how to read it (dev mode only)
    dev_mailbox: Path | None
    read_mailbox: Callable[[Path], list[dict[str, Any]]]
    sealer: Sealer
    webhook_rules: WebhookRules

    @property
    def links(self) -> Links:
        return self.mailing.links


def dependencies(request: Request) -> Dependencies:
    deps: Dependencies = request.app.state.dependencies
    return deps
