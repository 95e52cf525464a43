"""Pages for people, served by the registration service in ar/en/fr (the kernel's
`Pages`), by audience: the registrant's (the registration form of a meeting and the
manage page behind their manage link, `registrant.py`), the check-in desk's
(`desk.py`) and the secretariat's console (`console.py`), staff signing in
(`sign_in.py`); what they share is `rendering.py`. Thin, like the JSON API: a posted form
becomes the same command and goes to the same use case (same idempotency, same events,
same mails); errors are the same problems, shown next to their field in the reader's
language. Every form carries a CSRF token (double submit, `pesnet.shared.forms`)."""

from __future__ import annotations

from fastapi import APIRouter

from pesnet.registration.entrypoints.pages import (
    audit,
    console,
    desk,
    registrant,
    secretariat,
    sign_in,
)
from pesnet.registration.entrypoints.pages.rendering import ASSETS, PageSettings, status_text

router = APIRouter(include_in_schema=False)
for audience in (registrant, desk, console, secretariat, sign_in, audit):
    router.include_router(audience.router)

__all__ = ["ASSETS", "PageSettings", "router", "status_text"]
