"""What the pages need to sign focal points and the secretariat in: an exchange of a
username and password for an access token at the identity service. Declared here,
made real by `adapters/identity.py`, handed to the pages by bootstrap."""

from __future__ import annotations

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
