"""The secretariat's console (accreditation officers): a meeting's pending
registrations by country with quota and waiting list, accredit or reject with a
reason (the same use cases as the API), the delegations."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pesnet.registration.domain.access import INVITED_ROLES, Status
from pesnet.registration.domain.commands import (
    Confirm,
    Reject,
)
from pesnet.registration.domain.registration import Registration
from pesnet.registration.domain.roster import Listed
from pesnet.registration.domain.search import query_words
from pesnet.registration.entrypoints import views
from pesnet.registration.entrypoints.http import Deps
from pesnet.registration.entrypoints.pages.paging import Pager, asked_page
from pesnet.registration.entrypoints.pages.rendering import (
    DEFAULT_MEETING,
    PACKAGE,
    MeetingQuery,
    countries,
    country_name,
    delegation_name,
    error_page,
    form_meeting,
    institution_name,
    meeting_context,
    reference_institutions,
    say,
    staff_render,
    status_of,
)
from pesnet.registration.entrypoints.pages.sign_in import staff_refusal
from pesnet.registration.service_layer import accreditation, meetings, registering
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.errors import (
    DomainError,
    InvalidInput,
    NotFound,
)
from pesnet.shared.events.common import Role
from pesnet.shared.forms import check_csrf, read_form
from pesnet.shared.http import CurrentActor
from pesnet.shared.i18n import format_local_datetime
from pesnet.shared.problems import request_language
from pesnet.shared.translation import N_, translate

router = APIRouter(include_in_schema=False)
# rows of the console's list a page (each with its two decision forms)
PAGE_SIZE = 50


@dataclass(frozen=True)
class ConsoleFilters:
    """What the console shows: pending registrations by default, or one state; one
    country and one role if chosen."""

    country: str | None = None
    status: str | None = None
    role: str | None = None

    @classmethod
    def of(cls, values: Mapping[str, str]) -> ConsoleFilters:
        country = values.get("country", "")
        status = values.get("status", "")
        role = values.get("role", "")
        return cls(
            country if re.fullmatch(r"[A-Z]{3}|-", country) else None,
            status if status in Status.__members__ else None,
            role if role in Role.__members__ else None,
        )

    def keeps(self, registration: Listed) -> bool:
        if self.status is None and registration.status not in PENDING:
            return False
        if self.status is not None and registration.status.value != self.status:
            return False
        if self.country is not None and (registration.country or "-") != self.country:
            return False
        return self.role is None or registration.role.value == self.role

    def query(self) -> dict[str, str]:
        """The chosen filters, as a link's query says them."""
        return {
            k: v for k, v in (("country", self.country), ("status", self.status),
                              ("role", self.role)) if v
        }  # fmt: skip


PENDING = (Status.registered, Status.waitlisted)


def _rows(registrations: list[Listed], filters: ConsoleFilters) -> dict[str, list[dict[str, Any]]]:
    """The shown registrations by delegation, each with its waiting-list position and
    whether another registration of the meeting has the same name."""
    folded = {r.id: _folded_name(r) for r in registrations}
    names = Counter(folded.values())
    waitlists: dict[str, list[Listed]] = {}
    for r in registrations:
        if r.status is Status.waitlisted:
            waitlists.setdefault(r.country or "", []).append(r)
    positions = {
        r.id: place
        for waiting in waitlists.values()
        for place, r in enumerate(sorted(waiting, key=lambda w: w.waitlist_order), start=1)
    }
    shown: dict[str, list[dict[str, Any]]] = {}
    for r in registrations:
        if filters.keeps(r):
            shown.setdefault(r.country or "", []).append(
                {
                    "r": r,
                    "position": positions.get(r.id),
                    "duplicate": names[folded[r.id]] > 1,
                    "invited": r.role in INVITED_ROLES,
                }
            )
    for rows in shown.values():
        rows.sort(key=lambda row: (row["position"] or 0, row["r"].registered_at))
    return shown


def _folded_name(registration: Listed) -> str:
    return " ".join(query_words(_name(registration)))


async def _console_page(
    request: Request,
    deps: Deps,
    actor: Actor,
    meeting_id: str,
    *,
    filters: ConsoleFilters | None = None,
    page: int = 1,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    language = request_language(request).value
    filters = filters or ConsoleFilters()
    try:
        meeting, found = await meetings.delegations(meeting_id, deps.unit_of_work())
        # only the pending ones (the page lists them; the delegations' counters say
        # the rest): a meeting of thousands does not load its confirmed participants
        registrations = await registering.listed(
            meeting_id, actor, deps.unit_of_work(), status=PENDING, country=None
        )
    except DomainError as exc:
        return error_page(request, exc)
    institutions = await reference_institutions(deps)
    summary = views.delegations_view(meeting, found)
    delegations = [
        {**_counted(counts), "name": delegation_name(delegation, institutions, language)}
        for counts, delegation in zip(summary["delegations"], found, strict=True)
    ]
    by_country = {d["country"]: d for d in delegations if d["country"]}
    shown = _rows(registrations, filters)
    groups: list[dict[str, Any]] = [
        {
            "country": country,
            "name": country_name(country, language)
            or translate(N_("OIC institutions and partners"), language, packages=(PACKAGE,)),
            "delegation": by_country.get(country),
            "rows": rows,
        }
        for country, rows in shown.items()
    ]
    groups.sort(key=lambda g: str(g["name"]))
    pager = Pager(
        page, PAGE_SIZE, sum(len(rows) for rows in shown.values()), "/console",
        {"meeting": meeting.id, **filters.query(), "lang": language},
    )  # fmt: skip
    return await staff_render(
        request,
        deps,
        "console.html",
        {
            **meeting_context(request, meeting),
            "actor": actor,
            "groups": _page_of(groups, pager),
            "pager": pager,
            "delegations": sorted(delegations, key=lambda d: str(d["name"])),
            "totals": summary["totals"],
            "institution_name": lambda r: institution_name(r, institutions, language),
            "registered_at": lambda r: format_local_datetime(
                r.registered_at, meeting.timezone, language, "short"
            ),
            "filters": filters,
            "countries": countries(language),
            "statuses": [s.value for s in Status],
            "roles": [r.value for r in Role],
            "notice": notice,
            "error": error,
        },
        meeting_id=meeting.id,
        status_code=status_code,
    )


def _page_of(groups: list[dict[str, Any]], pager: Pager) -> list[dict[str, Any]]:
    """The groups of the page's rows (a delegation's rows may go on the next page)."""
    start, shown = pager.skip, []
    for group in groups:
        rows = group["rows"][max(0, start) : max(0, start + pager.size)]
        start -= len(group["rows"])
        if rows:
            shown.append({**group, "rows": rows})
    return shown


def _counted(delegation: dict[str, Any]) -> dict[str, Any]:
    """A delegation's counts that add up: its quota's places taken and left, and the
    confirmed people the quota does not bound (speakers, moderators, secretariat)."""
    outside = sum(delegation["by_role"].get(role.value, 0) for role in INVITED_ROLES)
    if delegation["quota"] is None:
        outside = 0
    return {
        **delegation,
        "in_quota": delegation["confirmed"] - outside,
        "outside_quota": outside,
    }


@router.get("/console")
async def console(
    request: Request, actor: CurrentActor, deps: Deps, meeting: MeetingQuery = DEFAULT_MEETING
) -> Response:
    """Pending registrations by country with quota and waitlist, the delegations
    (accreditation officers)."""
    refusal = staff_refusal(request, actor, StaffRole.accreditation_officer)
    if refusal is not None:
        return refusal
    filters = ConsoleFilters.of(request.query_params)
    page = asked_page(request.query_params)
    return await _console_page(request, deps, actor, meeting, filters=filters, page=page)


@router.post("/console")
async def console_decide(request: Request, actor: CurrentActor, deps: Deps) -> Response:
    """Accredit (`confirm`) or reject with a reason (`reject`): the same use cases."""
    refusal = staff_refusal(request, actor, StaffRole.accreditation_officer)
    if refusal is not None:
        return refusal
    form = await read_form(request)
    meeting_id = form_meeting(form)
    registration_id = form.get("registration_id", "")
    filters = ConsoleFilters.of(form)
    language = request_language(request)
    try:
        check_csrf(request, form)
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", registration_id):
            raise NotFound(N_("no registration {id}"), params={"id": registration_id})
        action = form.get("action")
        if action not in ("accredit", "reject"):
            raise InvalidInput(N_("choose a decision"), field="action")
        if action == "reject":
            reason = form.get("reason") or None
            rejected = await accreditation.reject(
                Reject(registration_id, actor, reason), deps.unit_of_work()
            )
            who = rejected.registration
            notice = translate(
                N_("{name}: not accredited."), language, {"name": _name(who)}, packages=(PACKAGE,)
            )
        else:
            accredited = await accreditation.confirm(
                Confirm(registration_id, actor), deps.unit_of_work(), badges=deps.badges
            )
            who = accredited.registration
            if accredited.waitlist_reason is not None:
                notice = translate(
                    N_("{name}: on the waiting list, place {position} ({reason})."),
                    language,
                    {
                        "name": _name(who),
                        "position": accredited.waitlist_position,
                        "reason": accredited.waitlist_reason.get(language, packages=(PACKAGE,)),
                    },
                    packages=(PACKAGE,),
                )
            else:
                notice = translate(
                    N_("{name}: accredited (confirmed)."),
                    language,
                    {"name": _name(who)},
                    packages=(PACKAGE,),
                )
    except DomainError as exc:
        return await _console_page(
            request, deps, actor, meeting_id, filters=filters, page=asked_page(form),
            error=say(request, exc), status_code=status_of(exc),
        )  # fmt: skip
    return await _console_page(
        request, deps, actor, meeting_id, filters=filters, page=asked_page(form), notice=notice
    )


def _name(registration: Registration | Listed) -> str:
    return " ".join(p for p in (registration.given_name, registration.family_name) if p)
