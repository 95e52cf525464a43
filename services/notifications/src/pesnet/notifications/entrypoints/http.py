"""HTTP API: the delivery log, preferences (signed link), and the dev mailbox."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from pesnet.notifications.domain.commands import ChangePreferences, ShowDeliveryLog
from pesnet.notifications.domain.deliveries import Delivery
from pesnet.notifications.domain.recipients import Preferences
from pesnet.notifications.entrypoints.dependencies import Dependencies, dependencies
from pesnet.notifications.entrypoints.limits import PreferencesPerAddress
from pesnet.notifications.service_layer import preferences
from pesnet.shared.errors import NotFound
from pesnet.shared.http import CurrentActor
from pesnet.shared.i18n import Language
from pesnet.shared.json_types import YesNo
from pesnet.shared.translation import _

Deps = Annotated[Dependencies, Depends(dependencies)]


class DeliveryView(BaseModel):
    id: str
    event_id: str
    event_type: str
    channel: str
    recipient: str
    kind: str
    language: str
    subject: str | None = None
    status: str
    attempts: int
    error: str | None = None
    created_at: datetime
    sent_at: datetime | None = None
    message_id: str | None = None

    @classmethod
    def of(cls, d: Delivery) -> DeliveryView:
        return cls(
            id=d.id,
            event_id=d.event_id,
            event_type=d.event_type,
            channel=d.channel,
            recipient=d.recipient,
            kind=d.kind,
            language=d.language,
            subject=d.subject,
            status=d.status,
            attempts=d.attempts,
            error=d.error,
            created_at=d.created_at,
            sent_at=d.sent_at,
            message_id=d.message_id,
        )


class PreferencesView(BaseModel):
    email: str
    name: str
    language: str
    preferred_language: Literal["ar", "en", "fr"] | None
    opted_out: bool

    @classmethod
    def of(cls, p: Preferences) -> PreferencesView:
        return cls(
            email=p.email,
            name=p.name,
            language=p.language,
            preferred_language=p.preferred_language,
            opted_out=p.opted_out,
        )


class PreferencesChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Literal["ar", "en", "fr"] | None = None
    opted_out: YesNo | None = None


def router() -> APIRouter:
    api = APIRouter(tags=["notifications"])

    @api.get("/deliveries", response_model=list[DeliveryView])
    async def deliveries(
        deps: Deps,
        actor: CurrentActor,
        recipient: Annotated[str, Query(min_length=3, max_length=254)],
        token: Annotated[str | None, Query(max_length=500)] = None,
    ) -> list[DeliveryView]:
        """The delivery log of one address, newest first. The secretariat (bearer
        token) sees any address, a person their own (the signed `token` of their
        mails); in dev mode it is open, for `make run` and acceptance tests."""
        query = ShowDeliveryLog(
            recipient,
            token=token,
            by_secretariat=actor.is_secretariat,
            open_to_all=deps.dev_mode,
        )
        log = await preferences.delivery_log(query, deps.uow(), deps.links)
        return [DeliveryView.of(d) for d in log]

    @api.get("/preferences", response_model=PreferencesView)
    async def get_preferences(
        deps: Deps, token: Annotated[str, Query(min_length=3, max_length=500)]
    ) -> PreferencesView:
        """What the person behind a signed link (sent in every mail) has chosen."""
        return PreferencesView.of(await preferences.preferences_of(token, deps.uow(), deps.links))

    @api.put("/preferences", response_model=PreferencesView, dependencies=[PreferencesPerAddress])
    async def put_preferences(
        deps: Deps,
        change: PreferencesChange,
        token: Annotated[str, Query(min_length=3, max_length=500)],
    ) -> PreferencesView:
        """Change the language of future mails and opt out of (or back into)
        non-critical ones. Notices about one's own registration or session are
        always sent."""
        command = ChangePreferences(
            token,
            language=Language(change.language) if change.language else None,
            opted_out=change.opted_out,
        )
        changed = await preferences.change_preferences(command, deps.uow(), deps.links)
        return PreferencesView.of(changed)

    return api


def dev_router() -> APIRouter:
    api = APIRouter(prefix="/dev", tags=["development"])

    @api.get("/mailbox")
    async def mailbox(deps: Deps) -> list[dict[str, Any]]:
        """What the dev SMTP sink received (subject, to, language, html, text), oldest first."""
        if deps.dev_mailbox is None:
            raise NotFound(_("no dev mailbox: PESNET_DEV_MAILBOX is not set"))
        # parsing a Maildir is blocking file I/O: keep it off the event loop
        return await asyncio.to_thread(deps.read_mailbox, deps.dev_mailbox)

    return api
