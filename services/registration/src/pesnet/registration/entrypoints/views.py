"""How registrations, check-ins and delegations are shown over HTTP (JSON bodies)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from fastapi import Response
from pydantic import TypeAdapter

from pesnet.registration.domain.delegation import Delegation
from pesnet.registration.domain.focal_point import FocalPoint
from pesnet.registration.domain.institution import Institution
from pesnet.registration.domain.meeting import Meeting
from pesnet.registration.domain.outcomes import Accredited, CheckedIn, Registered, Withdrawn
from pesnet.registration.domain.registration import Registration, manage_page
from pesnet.registration.domain.roster import Listed
from pesnet.registration.entrypoints.dependencies import Dependencies
from pesnet.shared.i18n import LANGUAGES, Language, format_local_datetime
from pesnet.shared.translation import N_, translate

PACKAGE = "pesnet.registration"
# what the desk and the API answer a check-in, in the meeting's time zone
CHECKED_IN = N_("checked in at {time}")
ALREADY_CHECKED_IN = N_("already checked in at {time}")


def check_in_message(outcome: CheckedIn, language: str) -> str:
    """ "checked in at 09:12" (or "already checked in at ..."), in `language`."""
    at = outcome.registration.checked_in_at
    assert at is not None
    return translate(
        ALREADY_CHECKED_IN if outcome.already else CHECKED_IN,
        language,
        {"time": format_local_datetime(at, outcome.meeting.timezone, language, "short")},
        packages=(PACKAGE,),
    )


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def registration_view(registration: Registration, deps: Dependencies) -> dict[str, Any]:
    """The private view of a registration (for its owner, their focal point, the secretariat)."""
    r = registration
    body: dict[str, Any] = {
        "id": r.id,
        "meeting_id": r.meeting_id,
        "status": r.status.value,
        "given_name": r.given_name,
        "family_name": r.family_name,
        "name_latin": r.name_latin,
        "honorific": r.honorific,
        "email": r.email,
        "country": r.country,
        "institution": r.institution,
        "institution_id": r.institution_id,
        "position": r.position,
        "role": r.role.value,
        "language": r.language.value,
        # printed under the badge's QR code: what the desk types
        "short_code": r.short_code,
        "interpretation": r.interpretation.value if r.interpretation else None,
        "accessibility_notes": r.accessibility_notes,
        "dietary_notes": r.dietary_notes,
        "attendance": r.attendance,
        "nominated_by": r.nominated_by,
        "registered_at": iso(r.registered_at),
        "updated_at": iso(r.updated_at),
        "confirmed_at": iso(r.confirmed_at),
        "waitlisted_at": iso(r.waitlisted_at),
        "checked_in_at": iso(r.checked_in_at),
        "rejection_reason": r.rejection_reason,
        "promoted_from_waitlist": r.promoted_from_waitlist,
    }
    token = r.badge_token(deps.badges)
    if token is not None:
        body["badge_token"] = token
        body["badge_url"] = f"{deps.public_url.rstrip('/')}/registrations/{r.id}/badge.png"
    return body


def manage_token(r: Registration, deps: Dependencies) -> str:
    """The registrant's signed manage token (its current link version)."""
    assert r.manage_link_version is not None  # purged registrations are never answered so
    return deps.manage_links.token(r.id, r.manage_link_version)


def manage_url(r: Registration, deps: Dependencies, *, language: str = "") -> str:
    assert r.manage_link_version is not None
    page = manage_page(deps.public_url, r.id)
    return deps.manage_links.url(page, r.id, r.manage_link_version, language=language)


def registered_view(outcome: Registered, deps: Dependencies) -> dict[str, Any]:
    """The new registration with its private manage token and link (answered, never
    stored: signed again from the registration's link version for each answer)."""
    r = outcome.registration
    return {
        **registration_view(r, deps),
        "manage_token": manage_token(r, deps),
        "manage_url": manage_url(r, deps),
    }


def accredited_view(outcome: Accredited, deps: Dependencies, language: str) -> dict[str, Any]:
    """The registration; waitlisted, why (in the caller's language) and its place."""
    body = registration_view(outcome.registration, deps)
    if outcome.waitlist_reason is not None:
        body["waitlist_reason"] = outcome.waitlist_reason.get(language, packages=(PACKAGE,))
        body["waitlist_position"] = outcome.waitlist_position
    return body


def withdrawn_view(outcome: Withdrawn, deps: Dependencies) -> dict[str, Any]:
    return {
        **registration_view(outcome.registration, deps),
        "promoted_registration_id": outcome.promoted_registration_id,
    }


def checked_in_view(outcome: CheckedIn, deps: Dependencies) -> dict[str, Any]:
    """The registration, and when it was checked in, said in the three languages."""
    messages = {lang.value: check_in_message(outcome, lang.value) for lang in LANGUAGES}
    return {
        **registration_view(outcome.registration, deps),
        "already_checked_in": outcome.already,
        "message": messages["en"],
        "messages": messages,
    }


_JSON = TypeAdapter(dict[str, Any])


def json_response(body: dict[str, Any]) -> Response:
    """`body` as JSON (the bytes FastAPI writes for a route that says its type)."""
    return Response(_JSON.dump_json(body), media_type="application/json")


def check_in_rows(meeting: Meeting, registrations: list[Listed]) -> list[dict[str, Any]]:
    rows = []
    for r in registrations:
        at = r.checked_in_at
        rows.append(
            {
                "id": r.id,
                "given_name": r.given_name,
                "family_name": r.family_name,
                "name_latin": r.name_latin,
                "country": r.country,
                "institution": r.institution,
                "role": r.role.value,
                "checked_in": at is not None,
                "checked_in_at": iso(at),
                "checked_in_local": (
                    format_local_datetime(at, meeting.timezone, "en", "yyyy-MM-dd HH:mm")
                    if at is not None
                    else None
                ),
            }
        )
    return rows


def delegations_view(meeting: Meeting, delegations: list[Delegation]) -> dict[str, Any]:
    """Counts per delegation, status and role, and their totals; for a member state's
    delegation its quota and the places left (public: no names)."""
    items = []
    for delegation in delegations:
        item: dict[str, Any] = {
            "meeting_id": delegation.meeting_id,
            "country": delegation.country,
            "institution": delegation.institution,
            "by_status": delegation.counted_statuses,
            "by_role": delegation.counted_roles,
            "confirmed": delegation.confirmed,
        }
        quota = meeting.delegation_quota if delegation.country else None
        item["quota"] = quota
        item["places_left"] = None if quota is None else max(0, quota - delegation.quota_used)
        items.append(item)
    meeting_id = meeting.id
    totals_status: dict[str, int] = {}
    totals_role: dict[str, int] = {}
    for item in items:
        for key, value in item["by_status"].items():
            totals_status[key] = totals_status.get(key, 0) + value
        for key, value in item["by_role"].items():
            totals_role[key] = totals_role.get(key, 0) + value
    return {
        "meeting_id": meeting_id,
        "delegations": items,
        "totals": {
            "by_status": totals_status,
            "by_role": totals_role,
            "confirmed": sum(item["confirmed"] for item in items),
            "countries": len([i for i in items if i["country"]]),
        },
        "delegation_quota": meeting.delegation_quota,
        "capacity": meeting.capacity,
    }


def focal_point_view(focal_point: FocalPoint) -> dict[str, Any]:
    """A nominated focal point (never its token)."""
    return {
        "id": focal_point.id,
        "country": focal_point.country,
        "institution_id": focal_point.institution_id,
        "name": focal_point.name,
        "email": focal_point.email,
        "language": focal_point.language.value,
        "created_at": iso(focal_point.created_at),
        "revoked_at": iso(focal_point.revoked_at),
    }


def institution_view(institution: Institution, language: Language) -> dict[str, Any]:
    """An institution of the reference: its names in the three languages, and `label`,
    how a reader of `language` reads it."""
    return {
        "id": institution.id,
        "name": institution.name.model_dump(),
        "acronym": institution.acronym,
        "country": institution.country,
        "label": institution.label(language),
        "version": institution.version,
    }


CHECK_IN_COLUMNS = [
    "id",
    "family_name",
    "given_name",
    "name_latin",
    "country",
    "institution",
    "role",
    "checked_in",
    "checked_in_local",
]


def check_ins_csv(rows: list[dict[str, Any]]) -> str:
    """The check-in list as a spreadsheet: UTF-8 with a BOM (so that spreadsheet
    programs read Arabic names correctly), formulas neutralized."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=CHECK_IN_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_safe(row.get(k)) for k in CHECK_IN_COLUMNS})
    return buffer.getvalue()


def _csv_safe(value: Any) -> Any:
    """Neutralize spreadsheet formulas (a name starting with `=` must stay text)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value if value is not None else ""
