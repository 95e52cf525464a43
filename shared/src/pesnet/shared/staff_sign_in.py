"""Signing staff in on a service's own pages (registration's desk and console, actionplan's
focal points and secretariat): the username and password a person typed are exchanged at the
identity service's `POST /auth/token` for an access token, which the page keeps in the
`pesnet_session` cookie (as identity's own `POST /auth/session` would). Nothing is stored; the
token is verified like any other on each request. `SignIn` is what the pages need (a fake in
unit tests), `IdentitySignIn` the real exchange, handed to the pages by each bootstrap."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    expires_in: int


class SignInRefused(Exception):
    """Wrong username or password, a disabled account, or (`locked`) too many tries."""

    def __init__(self, locked: bool) -> None:
        super().__init__("locked" if locked else "refused")
        self.locked = locked


class SignIn(Protocol):
    async def sign_in(self, username: str, password: str) -> SignedIn: ...


class IdentitySignIn:
    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.url = base_url.rstrip("/") + "/auth/token"
        self.timeout = timeout

    async def sign_in(self, username: str, password: str) -> SignedIn:
        return await asyncio.to_thread(self._post, username, password)

    def _post(self, username: str, password: str) -> SignedIn:
        body = json.dumps({"username": username, "password": password}).encode()
        request = urllib.request.Request(  # noqa: S310 (the configured identity URL)
            self.url,
            data=body,
            headers={"content-type": "application/json", "accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 422, 429):
                raise SignInRefused(locked=exc.code == 429) from None
            raise
        return SignedIn(str(answer["access_token"]), int(answer.get("expires_in", 900)))


__all__ = ["IdentitySignIn", "SignIn", "SignInRefused", "SignedIn"]
