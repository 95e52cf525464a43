"""People sign in as themselves: every registration route checked by role, the
focal points' and registrants' scopes kept, and who did what in the audit trail."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from pesnet.registration.bootstrap import build_app
from pesnet.registration.settings import Settings
from pesnet.shared.credentials import StaffRole
from tests.conftest import RunningService
from tests.integration.roles import (
    PUBLIC,
    TRUST,
    Decision,
    Route,
    allowed,
    bearer,
    check_bad_tokens_refused,
    check_matrix,
    expired_token,
    forged_hs256_token,
    other_issuers_token,
    role_token,
    token,
)

pytestmark = pytest.mark.integration

ACCREDITATION = allowed(StaffRole.accreditation_officer, StaffRole.focal_point)
READING = allowed(StaffRole.accreditation_officer, StaffRole.check_in_clerk, StaffRole.focal_point)
DESK = allowed(StaffRole.check_in_clerk)
ADMINISTRATOR = allowed()

DECISIONS: dict[Route, Decision] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/livez"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("POST", "/meetings/{meeting_id}/registrations"): PUBLIC,
    ("GET", "/meetings/{meeting_id}/delegations"): PUBLIC,
    ("GET", "/meetings/{meeting_id}/registrations"): allowed(
        StaffRole.accreditation_officer, StaffRole.focal_point
    ),
    ("GET", "/registrations/{registration_id}"): READING,
    ("PATCH", "/registrations/{registration_id}"): ACCREDITATION,
    ("POST", "/registrations/{registration_id}/confirm"): ACCREDITATION,
    ("POST", "/registrations/{registration_id}/reject"): ACCREDITATION,
    ("POST", "/registrations/{registration_id}/withdraw"): ACCREDITATION,
    ("POST", "/registrations/{registration_id}/manage-link"): ACCREDITATION,
    ("POST", "/registrations/{registration_id}/check-in"): DESK,
    ("POST", "/meetings/{meeting_id}/check-ins"): DESK,
    ("GET", "/meetings/{meeting_id}/check-ins"): allowed(
        StaffRole.check_in_clerk, StaffRole.accreditation_officer
    ),
    ("GET", "/registrations/{registration_id}/badge.png"): READING,
    ("GET", "/registrations/{registration_id}/badge/qr.png"): READING,
    ("GET", "/registrations/{registration_id}/certificate.pdf"): READING,
    ("GET", "/certificates/{token}"): PUBLIC,
    ("POST", "/meetings/{meeting_id}/attendance"): allowed(
        StaffRole.accreditation_officer, StaffRole.check_in_clerk
    ),
    ("GET", "/console/attendance"): allowed(StaffRole.accreditation_officer),
    ("POST", "/console/attendance"): allowed(StaffRole.accreditation_officer),
    ("POST", "/focal-points"): allowed(StaffRole.accreditation_officer),
    ("GET", "/focal-points"): allowed(StaffRole.accreditation_officer),
    ("DELETE", "/focal-points/{focal_point_id}"): allowed(StaffRole.accreditation_officer),
    ("GET", "/institutions"): PUBLIC,
    ("GET", "/institutions/{institution_id}"): PUBLIC,
    ("POST", "/institutions"): allowed(StaffRole.accreditation_officer),
    ("PATCH", "/institutions/{institution_id}"): allowed(StaffRole.accreditation_officer),
    ("POST", "/meetings/{meeting_id}/purge-personal-data"): ADMINISTRATOR,
    ("POST", "/dev/seed"): ADMINISTRATOR,
    ("GET", "/audit"): ADMINISTRATOR,
    # pages (entrypoints/pages.py): the form and the manage page are public or scoped by
    # the manage link's token; the desk and the console check roles like the API
    ("GET", "/meetings/{meeting_id}/register"): PUBLIC,
    ("POST", "/meetings/{meeting_id}/register"): PUBLIC,
    ("GET", "/registrations/{registration_id}/manage"): PUBLIC,
    ("POST", "/registrations/{registration_id}/manage"): PUBLIC,
    ("GET", "/sign-in"): PUBLIC,
    ("POST", "/sign-in"): PUBLIC,
    ("POST", "/sign-out"): PUBLIC,
    ("GET", "/desk"): DESK,
    ("POST", "/desk"): DESK,
    ("GET", "/console"): allowed(StaffRole.accreditation_officer),
    ("POST", "/console"): allowed(StaffRole.accreditation_officer),
    ("GET", "/staff/audit"): ADMINISTRATOR,
    # the secretariat's files and messages about a meeting's participants
    ("GET", "/meetings/{meeting_id}/participants.csv"): ACCREDITATION,
    ("GET", "/meetings/{meeting_id}/participants.xlsx"): ACCREDITATION,
    ("GET", "/meetings/{meeting_id}/badges.pdf"): READING,
    ("GET", "/meetings/{meeting_id}/announcements/recipients"): allowed(
        StaffRole.accreditation_officer
    ),
    ("POST", "/meetings/{meeting_id}/announcements"): allowed(StaffRole.accreditation_officer),
    ("GET", "/participants"): allowed(StaffRole.accreditation_officer),
    ("GET", "/announcements"): allowed(StaffRole.accreditation_officer),
    ("POST", "/announcements"): allowed(StaffRole.accreditation_officer),
}

ADMIN = bearer(token(StaffRole.administrator, sub="acc_admin"))
CLERK = bearer(role_token(StaffRole.check_in_clerk))
MOROCCO = bearer(role_token(StaffRole.focal_point))


@pytest.fixture
async def service(
    make_settings: Callable[..., Settings], start_service: Callable[..., Any]
) -> AsyncIterator[RunningService]:
    """Registration trusting the test key, pesnet-demo open (seeded by an administrator)."""
    app = build_app(make_settings("registration", Settings, **TRUST))
    async with start_service(app) as svc:
        seeded = await svc.http.post("/dev/seed", headers=ADMIN)
        assert seeded.status_code == 200, seeded.text
        yield svc


def person(n: int, country: str = "MAR") -> dict[str, Any]:
    return {
        "given_name": "Amina",
        "family_name": f"Audit{n}",
        "email": f"amina{n}@roles.example.org",
        "country": country,
        "institution": "ANAPEC" if country == "MAR" else "İŞKUR",
        "position": "Director",
        "role": "delegate",
        "language": "ar",
    }


async def test_every_route_by_every_role(service: RunningService) -> None:
    await check_matrix(service.http, service.app, DECISIONS)
    await check_bad_tokens_refused(service.http, "POST", "/registrations/{id}/confirm")


async def test_an_administrator_accredits_and_the_audit_trail_says_who(
    service: RunningService,
) -> None:
    http = service.http
    moroccan = (await http.post("/meetings/pesnet-demo/registrations", json=person(1))).json()
    turkish = (await http.post("/meetings/pesnet-demo/registrations", json=person(2, "TUR"))).json()

    # a desk clerk cannot accredit; bad tokens are no one
    assert (
        await http.post(f"/registrations/{moroccan['id']}/confirm", headers=CLERK)
    ).status_code == 403
    for bad in (
        expired_token(StaffRole.administrator),
        other_issuers_token(StaffRole.administrator),
        forged_hs256_token(StaffRole.administrator),
    ):
        refused = await http.post(f"/registrations/{moroccan['id']}/reject", headers=bearer(bad))
        assert refused.status_code == 401, refused.text

    confirmed = await http.post(f"/registrations/{moroccan['id']}/confirm", headers=ADMIN)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"

    trail = await http.get("/audit", params={"meeting_id": "pesnet-demo"}, headers=ADMIN)
    assert trail.status_code == 200, trail.text
    newest = trail.json()[0]
    assert newest["actor"] == "acc_admin"
    assert newest["action"] == "participant.confirmed"
    assert newest["subject"] == moroccan["id"]
    assert newest["at"]
    assert (await http.get("/audit", headers=CLERK)).status_code == 403

    # a national focal point's account still sees only its country
    listed = await http.get("/meetings/pesnet-demo/registrations", headers=MOROCCO)
    assert listed.status_code == 200, listed.text
    assert [r["id"] for r in listed.json()["registrations"]] == [moroccan["id"]]
    assert (await http.get(f"/registrations/{turkish['id']}", headers=MOROCCO)).status_code == 403
    other = await http.get(
        "/meetings/pesnet-demo/registrations", params={"country": "TUR"}, headers=MOROCCO
    )
    assert other.status_code == 403

    # the desk reads the badge's registration and may check in (pesnet-demo is not
    # on yet: the meeting's days say no, not the clerk's role)
    assert (await http.get(f"/registrations/{moroccan['id']}", headers=CLERK)).status_code == 200
    checked = await http.post(f"/registrations/{moroccan['id']}/check-in", headers=CLERK)
    assert checked.status_code == 409, checked.text
    trail = await http.get("/audit", params={"meeting_id": "pesnet-demo"}, headers=ADMIN)
    # the reads of the person's data (the focal point's list, the clerk's) are in it
    newest = trail.json()[0]
    assert newest["action"] == "personal_data.read"
    assert newest["subject"] == moroccan["id"]
    assert newest["roles"] == ["check_in_clerk"]
    assert "participant.confirmed" in [e["action"] for e in trail.json()]


async def test_the_manage_link_and_an_administrators_token_both_read_a_registration(
    service: RunningService,
) -> None:
    http = service.http
    created = (await http.post("/meetings/pesnet-demo/registrations", json=person(3))).json()
    path = f"/registrations/{created['id']}"
    by_link = await http.get(path, params={"token": created["manage_token"]})
    assert by_link.status_code == 200, by_link.text
    assert (await http.get(path, headers=ADMIN)).status_code == 200
    assert (await http.get(path, params={"token": "mt_unknown"})).status_code == 401
    # a registrant withdraws their own, and the trail says it was them
    withdrawn = await http.post(f"{path}/withdraw", headers=bearer(created["manage_token"]))
    assert withdrawn.status_code == 200, withdrawn.text
    trail = await http.get("/audit", params={"meeting_id": "pesnet-demo"}, headers=ADMIN)
    assert trail.json()[0]["actor"] == f"registrant:{created['id']}"
    # only the administrator exports the check-in list
    export = "/meetings/pesnet-demo/check-ins"
    assert (await http.get(export, params={"format": "csv"}, headers=CLERK)).status_code == 403
    assert (await http.get(export, headers=CLERK)).status_code == 200
    exported = await http.get(export, params={"format": "csv"}, headers=ADMIN)
    assert exported.status_code == 200
    trail = await http.get("/audit", params={"meeting_id": "pesnet-demo"}, headers=ADMIN)
    assert trail.json()[0]["action"] == "check_ins.exported"
