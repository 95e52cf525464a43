"""What the action plan's pages share: the settings bootstrap hands them (how people
sign in, whether cookies need HTTPS), rendering on the kernel's `Pages` with the CSRF
token in every form, the refusals of a use case shown next to their field in the
reader's language, and reading a posted form, with its file when it has one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from pesnet.shared.delegation_links import DelegationLinks
from pesnet.shared.errors import DomainError
from pesnet.shared.forms import Upload, csrf_token, set_csrf_cookie
from pesnet.shared.forms import read_upload_form as read_form_with_files
from pesnet.shared.problems import request_language
from pesnet.shared.translation import translate
from pesnet.shared.web import Pages

PACKAGE = "pesnet.actionplan"
pages = Pages(PACKAGE)
# a form with a file: the file's limit (512 KiB) and the rest of the form
MAX_UPLOAD_FORM_BYTES = 600 * 1024
PERIOD = re.compile(r"^[0-9]{4}-[0-9]{4}$")


@dataclass(frozen=True)
class PageSettings:
    secure_cookies: bool
    # heads of delegation's consultation links (None: the deployment takes none)
    delegation_links: DelegationLinks | None = None


def page_settings(request: Request) -> PageSettings:
    settings: PageSettings = request.app.state.pages
    return settings


def say(request: Request, exc: DomainError) -> str:
    return translate(exc.message, request_language(request), exc.params, packages=(PACKAGE,))


def field_errors(request: Request, exc: DomainError) -> dict[str, str]:
    """A refusal next to its field (the form's own name for it), else at the form's top."""
    field = exc.field or "form"
    return {field.split(".")[0]: say(request, exc)}


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    token = csrf_token(request)
    language = request_language(request).value
    response = pages.render(
        request,
        name,
        {
            "csrf": token,
            "lang_query": f"lang={language}",
            "errors": {},
            "values": {},
            "number": number,
            **context,
        },
        status_code=status_code,
        headers={"cache-control": "no-store"},
    )
    return set_csrf_cookie(response, token, secure=page_settings(request).secure_cookies)


def number(value: object) -> str:
    """A value as a person writes it (12, not 12.0)."""
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else str(value)
    return "" if value is None else str(value)


async def read_upload_form(request: Request) -> tuple[dict[str, str], dict[str, Upload]]:
    """A posted form with its file, within the evidence file's limit."""
    return await read_form_with_files(request, MAX_UPLOAD_FORM_BYTES)
