"""Pages for people, served by the action-plan service in ar/en/fr (the kernel's
`Pages`): the national focal points' (`focal_point.py`) and the secretariat's
(`secretariat.py`), a head of delegation's consultation through their link
(`delegation.py`), signing in with an identity account (`sign_in.py`); what they share
is `rendering.py`, the forms' reading `forms.py`, what they show `views.py`. Thin, like
the JSON API: a posted form becomes the same command and goes to the same use case
(same events, same audit); errors are the same refusals, shown next to their field in
the reader's language. Every form carries a CSRF token (`pesnet.shared.forms`)."""

from __future__ import annotations

from fastapi import APIRouter

from pesnet.actionplan.entrypoints.pages import delegation, focal_point, secretariat, sign_in
from pesnet.actionplan.entrypoints.pages.rendering import PageSettings

router = APIRouter(include_in_schema=False)
for audience in (focal_point, secretariat, delegation, sign_in):
    router.include_router(audience.router)

__all__ = ["PageSettings", "router"]
