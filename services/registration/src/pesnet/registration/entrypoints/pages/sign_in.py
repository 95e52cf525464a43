"""Staff sign in on registration's pages (the desk, the console) with their identity
account: the kernel's sign-in page (`pesnet.shared.sign_in_pages`), as every service
with staff pages serves it."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from pesnet.registration.entrypoints.pages.rendering import PACKAGE, page_settings
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.sign_in_pages import SignInPages

sign_in = SignInPages(
    PACKAGE, secure_cookies=lambda r: page_settings(r).secure_cookies, home="/desk"
)
router = sign_in.router


def staff_refusal(request: Request, actor: Actor, role: StaffRole) -> Response | None:
    """The sign-in page unless `actor` holds `role` (401 signed out, 403 without it)."""
    return sign_in.refusal(request, actor, role)
