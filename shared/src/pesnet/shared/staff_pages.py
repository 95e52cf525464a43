"""What every service's staff pages share: rendering with the browser's CSRF token,
refusing a page to someone signed out or without the role (without a word of its data),
the meeting picker (the meeting a staff page is about, kept across language links,
form posts and sign-in redirects as `meeting=`), and the audit page (`/staff/audit`),
filtered by meeting, person and action, in the reader's language and zone, or as CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from pesnet.shared.audit import AuditEntry, AuditTrail
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.forms import csrf_token, set_csrf_cookie
from pesnet.shared.http import CurrentActor, get_runtime
from pesnet.shared.i18n import format_local_datetime
from pesnet.shared.problems import request_language
from pesnet.shared.sign_in_pages import SignInPages
from pesnet.shared.terms import STAFF_ROLES
from pesnet.shared.translation import N_, translate
from pesnet.shared.web import Pages

MEETING_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
PICKED = "meeting"


@dataclass(frozen=True)
class MeetingChoice:
    """A meeting the picker offers: its id and its name in the reader's language."""

    id: str
    label: str


def picked_meeting(request: Request, form: Mapping[str, str] | None = None) -> str | None:
    """The meeting a staff page is about: the form's `meeting`, else the query's."""
    value = (form or {}).get(PICKED) or request.query_params.get(PICKED) or ""
    return value if MEETING_ID.match(value) else None


class StaffPages:
    """A service's staff pages on the kernel's `base.html` (`Pages`), every form with
    this browser's CSRF token and every page with the meeting picker's context; signed
    out, a page is the service's own sign-in form (`sign_in`, whose `router` the service
    serves unless another of its modules does)."""

    def __init__(
        self, package: str, *, secure_cookies: Callable[[Request], bool], home: str = "/"
    ) -> None:
        self.pages = Pages(package)
        self.package = package
        self._secure = secure_cookies
        self.sign_in = SignInPages(package, secure_cookies=secure_cookies, home=home)

    def say(self, request: Request, message: str, params: Mapping[str, Any] | None = None) -> str:
        return translate(message, request_language(request), params, packages=(self.package,))

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any],
        *,
        status_code: int = 200,
        meetings: Sequence[MeetingChoice] = (),
        meeting: str | None = None,
    ) -> Response:
        token = csrf_token(request)
        language = request_language(request).value
        current = meeting or picked_meeting(request)
        query = {"lang": language, **({PICKED: current} if current else {})}
        response = self.pages.render(
            request,
            name,
            {
                "csrf": token,
                "lang_query": urlencode(query),
                "picker": {"meetings": list(meetings), "current": current},
                "actor": getattr(request.state, "staff_actor", None),
                # the same page in another language, the picked meeting kept
                "lang_href": lambda code: (
                    "?"
                    + urlencode(
                        {
                            **request.query_params,
                            **({PICKED: current} if current else {}),
                            "lang": code,
                        }
                    )
                ),
                **context,
            },
            status_code=status_code,
            headers={"cache-control": "no-store"},
        )
        return set_csrf_cookie(response, token, secure=self._secure(request))

    def refusal(self, request: Request, actor: Actor, *roles: StaffRole) -> Response | None:
        """The sign-in form, saying to sign in (401) or that this account may not (403),
        unless `actor` holds one of `roles`; None when it does."""
        refused = self.sign_in.refusal(request, actor, *roles)
        if refused is None:  # the pages it renders say who is signed in, with a way out
            request.state.staff_actor = actor
        return refused


AUDIT_COLUMNS = ("at", "who", "roles", "action", "meeting", "subject")


@dataclass(frozen=True)
class AuditNames:
    """How a service's audit page names whom an entry concerns (None: its id)."""

    subject: Callable[[AuditEntry], Awaitable[str | None]]


async def _no_name(_: object) -> str | None:
    return None


# who acted, when no account did
ACTORS = {
    "secretariat": N_("the secretariat (shared token)"),
    "system": N_("the platform"),
    "anonymous": N_("someone not signed in"),
}


def _zone(value: str | None) -> str:
    try:
        return str(ZoneInfo(value)) if value else "UTC"
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"


async def audit_rows(
    entries: Sequence[AuditEntry],
    accounts: Mapping[str, str],
    names: AuditNames,
    zone: str,
    language: str,
) -> list[dict[str, str]]:
    """The entries as the page and the CSV show them, in the reader's zone and language:
    who by the name identity announced for the account (`accounts`)."""
    rows = []
    for entry in entries:
        who = accounts.get(entry.actor) or (
            translate(ACTORS[entry.actor], language) if entry.actor in ACTORS else entry.actor
        )
        roles = ", ".join(
            STAFF_ROLES[StaffRole(r)].get(language) if r in StaffRole.__members__ else r
            for r in entry.roles
        )
        subject = (await names.subject(entry) or entry.subject) if entry.subject else ""
        rows.append(
            {
                "at": format_local_datetime(entry.at, zone, language, "medium"),
                "who": who,
                "roles": roles,
                "action": entry.action,
                "meeting": entry.meeting_id or "",
                "subject": subject,
            }
        )
    return rows


def audit_pages(
    staff: StaffPages, names: Callable[[Request], AuditNames] | None = None
) -> APIRouter:
    """`/staff/audit`: this service's audit trail for the administrator, newest first,
    filtered by meeting, person (who acted or whom it concerned) and action; `format=csv`
    exports what the page shows."""
    router = APIRouter(include_in_schema=False)

    @router.get("/staff/audit")
    async def audit_page(
        request: Request,
        actor: CurrentActor,
        meeting: Annotated[str | None, Query(max_length=64)] = None,
        person: Annotated[str | None, Query(max_length=200)] = None,
        action: Annotated[str | None, Query(max_length=100)] = None,
        tz: Annotated[str | None, Query(max_length=64)] = None,
        format: Annotated[str, Query(pattern="^(html|csv)$")] = "html",
    ) -> Response:
        refusal = staff.refusal(request, actor, StaffRole.administrator)
        if refusal is not None:
            return refusal
        entries = await AuditTrail(get_runtime(request).db).query(
            meeting_id=meeting or None, limit=1000
        )
        if action:
            entries = [e for e in entries if e.action.startswith(action)]
        language = request_language(request).value
        entries = entries[:500]
        found = names(request) if names else AuditNames(_no_name)
        accounts = await get_runtime(request).account_names.names_of(e.actor for e in entries)
        rows = await audit_rows(entries, accounts, found, _zone(tz), language)
        if person:  # a name (or part of one) or an id, of who acted or whom it concerned
            wanted = person.casefold()
            rows = [
                row
                for row, entry in zip(rows, entries, strict=True)
                if wanted in row["who"].casefold()
                or wanted in row["subject"].casefold()
                or person in (entry.actor, entry.subject)
            ]
        if format == "csv":
            return _csv(rows)
        return staff.render(
            request,
            "staff_audit.html",
            {
                "rows": rows,
                "filters": {
                    "meeting": meeting or "",
                    "person": person or "",
                    "action": action or "",
                },
                "zone": _zone(tz),
                "csv_href": "?" + urlencode({**request.query_params, "format": "csv"}),
            },
            meeting=meeting,
        )

    return router


def _csv(rows: list[dict[str, str]]) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=AUDIT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        # a cell a spreadsheet would run as a formula is quoted as text
        writer.writerow({k: ("'" + v if v[:1] in "=+-@" else v) for k, v in row.items()})
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="audit.csv"'},
    )


__all__ = [
    "AuditNames",
    "MeetingChoice",
    "StaffPages",
    "audit_pages",
    "picked_meeting",
]
