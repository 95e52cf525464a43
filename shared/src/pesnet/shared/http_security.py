"""What a browser is told, and what a browser is not allowed to make a service do.

- **Security headers on every answer** (`SecurityHeaders`): a Content-Security-Policy
  that allows only the service's own scripts, styles and images (no inline script or
  style anywhere: the pages' scripts and styles are static files), no framing
  (`frame-ancestors 'none'`, and `X-Frame-Options` for older browsers), no referrer
  (a manage link's token must not leak to another site through it), no MIME
  sniffing, and `Strict-Transport-Security` when the request came over TLS (directly,
  or through a proxy uvicorn trusts: `FORWARDED_ALLOW_IPS`), for `PESNET_HSTS_SECONDS`.
- **No cross-site state change with the session cookie** (`CrossSiteRefusal`): the
  `pesnet_session` cookie authenticates every JSON route as well as the pages, and a
  browser sends it with any request to the host, so a body-less `POST .../confirm`
  from another site would act as the signed-in person. A state-changing request that
  carries the cookie and no `Authorization` header is refused (403) when the browser
  says it comes from elsewhere: `Sec-Fetch-Site` other than `same-origin`/`none`, or,
  from a browser too old to send that, an `Origin` that is not the service's own. A
  request with neither header is no browser's (as in Go's `CrossOriginProtection`);
  a bearer token is never sent by a browser on its own. The pages' forms also carry a
  CSRF token tied to the session (`pesnet.shared.forms`).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from fastapi import Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pesnet.shared.logging import get_logger
from pesnet.shared.problems import problem
from pesnet.shared.translation import N_

log = get_logger(__name__)

SESSION_COOKIE = "pesnet_session"


# One place for the session cookie's attributes, wherever it is set or cleared (identity's
# API and the pages' sign-in): every path, not readable by scripts, not sent on cross-site
# requests other than links; `secure`: over TLS only (outside dev mode).
def set_session_cookie(response: Response, access_token: str, max_age: int, secure: bool) -> None:
    """The staff member's access token as the session cookie every service reads."""
    response.set_cookie(
        SESSION_COOKIE,
        access_token,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure,
    )


def clear_session_cookie(response: Response, secure: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # the API docs' icons and the badges' QR codes are data: images
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
ONE_YEAR = 365 * 24 * 3600
CROSS_SITE_REFUSED = N_(
    "This request came from another site: sign in on this service's own page, or send "
    "a bearer token."
)


def security_headers(over_tls: bool, hsts_seconds: int = ONE_YEAR) -> Iterator[tuple[str, str]]:
    """The headers every answer carries (HSTS only over TLS, and not with 0 seconds)."""
    yield "content-security-policy", CONTENT_SECURITY_POLICY
    yield "x-frame-options", "DENY"
    yield "x-content-type-options", "nosniff"
    yield "referrer-policy", "no-referrer"
    yield "cross-origin-opener-policy", "same-origin"
    if over_tls and hsts_seconds > 0:
        yield "strict-transport-security", f"max-age={hsts_seconds}; includeSubDomains"


class SecurityHeaders:
    """ASGI middleware: `security_headers` on every response (an answer that set one
    of them itself keeps its own)."""

    def __init__(self, app: ASGIApp, hsts_seconds: int = ONE_YEAR) -> None:
        self.app = app
        self.hsts_seconds = hsts_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        over_tls = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in security_headers(over_tls, self.hsts_seconds):
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def header_of(scope: Scope, name: bytes) -> str | None:
    """A request header of an ASGI scope, or None."""
    for key, value in scope.get("headers", []):
        if key == name:
            decoded: str = value.decode("latin-1")
            return decoded
    return None


def comes_from_elsewhere(scope: Scope) -> bool:
    """The browser says this request was made by a page of another origin."""
    fetch_site = header_of(scope, b"sec-fetch-site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = header_of(scope, b"origin")
    if origin is None:
        return False  # not a browser's request (or a same-origin GET of an old one)
    host = header_of(scope, b"host") or ""
    return origin == "null" or urlsplit(origin).netloc != host


def _has_session_cookie(scope: Scope) -> bool:
    cookies = header_of(scope, b"cookie") or ""
    return any(part.strip().startswith(f"{SESSION_COOKIE}=") for part in cookies.split(";"))


class CrossSiteRefusal:
    """ASGI middleware: a state-changing request authenticated by the session cookie
    alone is refused (403 problem details) when a browser made it for another site."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] not in SAFE_METHODS
            and header_of(scope, b"authorization") is None
            and _has_session_cookie(scope)
            and comes_from_elsewhere(scope)
        ):
            log.warning(
                "cross-site request with the session cookie refused",
                path=scope.get("path"),
                origin=header_of(scope, b"origin"),
                fetch_site=header_of(scope, b"sec-fetch-site"),
            )
            await problem(Request(scope), 403, CROSS_SITE_REFUSED)(scope, receive, send)
            return
        await self.app(scope, receive, send)


__all__ = [
    "CONTENT_SECURITY_POLICY",
    "SESSION_COOKIE",
    "CrossSiteRefusal",
    "SecurityHeaders",
    "comes_from_elsewhere",
    "header_of",
    "security_headers",
]
