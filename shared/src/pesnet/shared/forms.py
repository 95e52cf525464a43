"""What every service's pages need besides templates (`pesnet.shared.web.Pages`):

- reading a posted form (`application/x-www-form-urlencoded`, bounded, no extra
  dependency), and one with files (`multipart/form-data`: `read_upload_form`, the
  standard library's MIME parser);
- CSRF protection by double submit, tied to the session: a token in an `HttpOnly`,
  `SameSite=Strict` cookie and the same value in a hidden field of every form
  (`csrf_token`, `set_csrf_cookie`, `check_csrf`). A cross-site page can neither read
  the cookie nor make the browser send it, so it cannot produce a matching pair; and
  the token is a random part with a digest of that part and the session cookie, so a
  pair planted from elsewhere (a sibling host can set cookies) fails for a signed-in
  person, whose session the planter does not know, and a signed-out form fails
  once someone signed in (and the other way round): reload the page;
- `HtmlFirst`: a link that is also a JSON API (the manage link of a registration, the
  preferences link of a mail) opens a page when a browser asks for HTML, and stays the
  JSON API for every other client.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from pesnet.shared.errors import Forbidden, InvalidInput
from pesnet.shared.translation import _

CSRF_COOKIE = "pesnet_csrf"
CSRF_FIELD = "csrf"
MAX_FORM_BYTES = 64 * 1024
# the session cookie a form's token is tied to (`pesnet.shared.http_security`)
SESSION_COOKIE = "pesnet_session"
CSRF_TOKEN = re.compile(r"([A-Za-z0-9_-]{32,64})\.([A-Za-z0-9_-]{22})")


class CsrfRefused(Forbidden):
    """A posted form without the token of its page (403)."""


class FormTooLarge(InvalidInput):
    """A posted form larger than a page ever sends (413)."""


async def read_form(request: Request) -> dict[str, str]:
    """The posted fields (the first value of each), trimmed of surrounding blanks."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormTooLarge(_("the form is too large"))
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0].strip() for name, values in fields.items() if values}


# a file a form sent: its name and bytes
Upload = tuple[str, bytes]


async def read_upload_form(
    request: Request, max_bytes: int
) -> tuple[dict[str, str], dict[str, Upload]]:
    """A posted form's fields (trimmed) and files (name and bytes; an empty file input
    sends none), `multipart/form-data` or urlencoded, at most `max_bytes`."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise FormTooLarge(_("the form is too large"))
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        return {k: v[0].strip() for k, v in fields.items() if v}, {}
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    values: dict[str, str] = {}
    files: dict[str, Upload] = {}
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        return values, files
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            if filename or data:
                files[name] = (filename, data)
        else:
            values[name] = data.decode("utf-8", errors="replace").strip()
    return values, files


def _binding(nonce: str, request: Request) -> str:
    """The digest that ties a token's random part to the request's session (none: "")."""
    session = request.cookies.get(SESSION_COOKIE, "")
    digest = hashlib.sha256(f"{nonce}\x00{session}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:22]


def _bound(token: str, request: Request) -> bool:
    """`token` is well formed and tied to this request's session."""
    match = CSRF_TOKEN.fullmatch(token)
    return match is not None and hmac.compare_digest(
        match.group(2), _binding(match.group(1), request)
    )


def csrf_token(request: Request) -> str:
    """The token of this browser (its cookie) while it is tied to the same session,
    else a new one to set with the page."""
    current = request.cookies.get(CSRF_COOKIE, "")
    if _bound(current, request):
        return current
    nonce = secrets.token_urlsafe(32)
    return f"{nonce}.{_binding(nonce, request)}"


def set_csrf_cookie(response: Response, token: str, *, secure: bool) -> Response:
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/"
    )
    return response


def check_csrf(request: Request, form: dict[str, str]) -> None:
    """The form's token matches its cookie. A request with an `Authorization` header
    needs none: a browser never adds that header to a cross-site request on its own (it
    would need CORS, which no service allows), so such a caller is not a forged form."""
    if request.headers.get("authorization"):
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = form.get(CSRF_FIELD, "")
    if (
        not cookie
        or not sent
        or not hmac.compare_digest(cookie.encode(), sent.encode())
        or not _bound(cookie, request)
    ):
        raise CsrfRefused(_("this form has expired: reload the page and send it again"))


def wants_html(accept: str) -> bool:
    """The client prefers HTML to JSON (a browser following a link)."""
    best: dict[str, float] = {}
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        best[media.strip().lower()] = max(quality, best.get(media.strip().lower(), 0.0))
    html = best.get("text/html", 0.0)
    json = max(best.get("application/json", 0.0), best.get("application/problem+json", 0.0))
    return html > 0 and html >= json


class HtmlFirst:
    """ASGI middleware: a GET of one of `paths` (regular expressions, whole path) from a
    client that prefers HTML is served by the same path plus `suffix` (the page)."""

    def __init__(self, app: ASGIApp, paths: Iterable[str], suffix: str = "/page") -> None:
        self.app = app
        self.paths = [re.compile(p) for p in paths]
        self.suffix = suffix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path: str = scope["path"]
            if any(p.fullmatch(path) for p in self.paths):
                accept = ""
                for name, value in scope.get("headers", []):
                    if name == b"accept":
                        accept = value.decode("latin-1")
                if wants_html(accept):
                    scope = {**scope, "path": path + self.suffix, "raw_path": None}
        await self.app(scope, receive, send)


__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "CsrfRefused",
    "FormTooLarge",
    "HtmlFirst",
    "check_csrf",
    "csrf_token",
    "read_form",
    "set_csrf_cookie",
    "wants_html",
]
