"""Signing in on the action plan's pages with an identity account (a national focal
point's, scoped to a country and an institution; or the secretariat's): the kernel's
sign-in page (`pesnet.shared.sign_in_pages`), as every service with staff pages serves
it. Signed out, a page of a focal point or of the secretariat is this form."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from pesnet.actionplan.entrypoints.pages.rendering import PACKAGE, page_settings
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.sign_in_pages import SignInPages

sign_in = SignInPages(
    PACKAGE, secure_cookies=lambda r: page_settings(r).secure_cookies, home="/focal-point"
)
router = sign_in.router


def refusal(request: Request, actor: Actor, *roles: StaffRole) -> Response | None:
    """The sign-in form unless `actor` holds one of `roles` (401 signed out, 403 without
    them)."""
    return sign_in.refusal(request, actor, *roles)
