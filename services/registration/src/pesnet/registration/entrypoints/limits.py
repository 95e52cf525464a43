"""How often anyone may register without credentials (`pesnet.shared.rate_limits`):
per client address and per e-mail address, so that a script cannot make the
platform mail hundreds of addresses nobody confirmed. Staff and focal points, who
nominate whole delegations, are not limited here."""

from __future__ import annotations

from fastapi import Request

from pesnet.registration.settings import Settings
from pesnet.shared.credentials import Actor
from pesnet.shared.emails import email_key
from pesnet.shared.rate_limits import RateLimiter, client_address


async def check_anonymous_registration(request: Request, actor: Actor, email: str) -> None:
    """One hit per anonymous registration against both limits (429 past either)."""
    if not actor.is_anonymous:
        return
    settings = request.app.state.runtime.settings
    if not isinstance(settings, Settings):
        return
    limiter: RateLimiter = request.app.state.rate_limiter
    await limiter.check(settings.registrations_per_address_limit(), client_address(request))
    await limiter.check(settings.registrations_per_email_limit(), email_key(email))
