"""HTTP API: the delivery log, preferences (signed link), and the dev mailbox."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict

from pesnet.notifications.adapters.maildir import read_mailbox
from pesnet.notifications.adapters.repository import Repository
from pesnet.notifications.domain.model import normalize_address, verify_token
from pesnet.notifications.settings import Settings
from pesnet.shared.errors import InvalidInput, NotFound, Unauthorized
from pesnet.shared.http import bearer, require_secretariat

DELIVERY_FIELDS = (
    "event_id",
    "event_type",
    "channel",
    "recipient",
    "kind",
    "language",
    "subject",
    "status",
    "attempts",
    "error",
    "created_at",
    "sent_at",
    "message_id",
)


class Delivery(BaseModel):
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
    created_at: Any
    sent_at: Any = None
    message_id: str | None = None


class Preferences(BaseModel):
    email: str
    name: str
    language: str
    preferred_language: Literal["ar", "en", "fr"] | None
    opted_out: bool


class PreferencesChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Literal["ar", "en", "fr"] | None = None
    opted_out: bool | None = None


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.runtime.settings
    return settings


def _repo(request: Request) -> Repository:
    repo: Repository = request.app.state.repository
    return repo


def _token_address(request: Request, token: str | None) -> str | None:
    if not token:
        return None
    return verify_token(token, _settings(request).link_key())


def router() -> APIRouter:
    api = APIRouter(tags=["notifications"])

    @api.get("/deliveries", response_model=list[Delivery])
    async def deliveries(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        recipient: Annotated[str, Query(min_length=3, max_length=254)],
        token: Annotated[str | None, Query(max_length=500)] = None,
    ) -> list[Delivery]:
        """The delivery log of one address, newest first. The secretariat (bearer
        token) sees any address, a person their own (the signed `token` of their
        mails); in dev mode it is open, for `make run` and acceptance tests."""
        address = normalize_address(recipient)
        if not _settings(request).dev_mode and _token_address(request, token) != address:
            require_secretariat(request, credentials)
        docs = await _repo(request).log(address)
        return [
            Delivery(id=d["_id"], **{k: d.get(k) for k in DELIVERY_FIELDS if k in d}) for d in docs
        ]

    async def _owner(request: Request, token: str) -> str:
        address = _token_address(request, token)
        if address is None:
            raise Unauthorized("the preferences link is invalid")
        return address

    def _view(doc: dict[str, Any]) -> Preferences:
        return Preferences(
            email=doc.get("email") or doc["_id"],
            name=doc.get("name") or "",
            language=doc.get("preferred_language") or doc.get("language") or "en",
            preferred_language=doc.get("preferred_language"),
            opted_out=bool(doc.get("opted_out")),
        )

    @api.get("/preferences", response_model=Preferences)
    async def get_preferences(
        request: Request, token: Annotated[str, Query(min_length=3, max_length=500)]
    ) -> Preferences:
        """What the person behind a signed link (sent in every mail) has chosen."""
        address = await _owner(request, token)
        doc = await _repo(request).recipient(None, address)
        if doc is None:
            raise NotFound("no notifications are known for this address")
        return _view(doc)

    @api.put("/preferences", response_model=Preferences)
    async def put_preferences(
        request: Request,
        change: PreferencesChange,
        token: Annotated[str, Query(min_length=3, max_length=500)],
    ) -> Preferences:
        """Change the language of future mails and opt out of (or back into)
        non-critical ones. Notices about one's own registration or session are
        always sent."""
        address = await _owner(request, token)
        changes = change.model_dump(exclude_none=True)
        if "language" in changes:
            changes["preferred_language"] = changes.pop("language")
        if not changes:
            raise InvalidInput("nothing to change", field="language")
        repo = _repo(request)
        if await repo.recipient(None, address) is None:
            raise NotFound("no notifications are known for this address")
        doc = await repo.set_preferences(address, changes)
        assert doc is not None
        return _view(doc)

    return api


def dev_router() -> APIRouter:
    api = APIRouter(prefix="/dev", tags=["development"])

    @api.get("/mailbox")
    async def mailbox(request: Request) -> list[dict[str, Any]]:
        """What the dev SMTP sink received (subject, to, language, html, text), oldest first."""
        directory = _settings(request).dev_mailbox
        if directory is None:
            raise NotFound("no dev mailbox: PESNET_DEV_MAILBOX is not set")
        # parsing a Maildir is blocking file I/O: keep it off the event loop
        return await asyncio.to_thread(read_mailbox, directory)

    return api
