"""Every change registration's API makes (its JSON routes and its pages) shows in its
`GET /audit`, with the action of the event that records it: no hand-written audit
call stands beside a change (see `tests/integration/audit_walk.py`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import aio_pika
import httpx
import pytest

from pesnet.registration.bootstrap import build_app
from pesnet.registration.settings import Settings
from pesnet.shared.credentials import StaffRole
from pesnet.shared.events import CATALOG
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.i18n import Localized
from pesnet.shared.topology import EVENTS_EXCHANGE
from tests.integration.audit_walk import State, Step, csrf_of, walk
from tests.integration.roles import TRUST, bearer, role_token, token
from tests.support import eventually

pytestmark = pytest.mark.integration

ADMIN = bearer(token(StaffRole.administrator, sub="acc_admin"))
CLERK = bearer(role_token(StaffRole.check_in_clerk))
MEETING = "walk-today"
NAMES = {"ar": "الوكالة الوطنية للتشغيل", "en": "National Employment Agency", "fr": "ANEM"}


def person(n: int) -> dict[str, Any]:
    return {
        "given_name": "فاطمة",
        "family_name": f"الزهراء{n}",
        "email": f"fatima{n}@walk.example.org",
        "country": "MAR",
        "institution": "ANAPEC",
        "position": "مديرة",
        "role": "delegate",
        "language": "ar",
    }


async def registered(http: httpx.AsyncClient, state: State, n: int) -> httpx.Response:
    response = await http.post(f"/meetings/{MEETING}/registrations", json=person(n))
    if response.status_code == 201:
        body = response.json()
        state[f"r{n}"] = body["id"]
        state[f"token{n}"] = body["manage_token"]
    return response


async def nominated(http: httpx.AsyncClient, state: State) -> httpx.Response:
    response = await http.post("/focal-points", json={"country": "MAR"}, headers=ADMIN)
    state["focal_point"] = response.json().get("id")
    return response


async def confirmed(http: httpx.AsyncClient, state: State, n: int) -> httpx.Response:
    response = await http.post(f"/registrations/{state[f'r{n}']}/confirm", headers=ADMIN)
    state[f"badge{n}"] = response.json().get("badge_token")
    return response


async def form(
    http: httpx.AsyncClient,
    page: str,
    post: str,
    data: dict[str, str],
    files: Any = None,  # {name: (filename, bytes, type)}: the form's files
    **headers: str,
) -> httpx.Response:
    """A page's form, posted as a browser does (its CSRF token and cookie)."""
    shown = await http.get(page, headers=headers)
    assert shown.status_code == 200, shown.text
    cookie = shown.cookies.get("pesnet_csrf")
    return await http.post(
        post,
        data={**data, "csrf": csrf_of(shown.text)},
        files=files,
        headers={**headers, "Cookie": f"pesnet_csrf={cookie}", "Accept": "text/html"},
        follow_redirects=False,
    )


STEPS = [
    Step(("POST", "/dev/seed"), lambda h, s: h.post("/dev/seed", headers=ADMIN), "meeting.opened"),
    Step(
        ("POST", "/institutions"),
        lambda h, s: h.post(
            "/institutions",
            json={"id": "anem", "name": NAMES, "acronym": "ANEM", "country": "DZA"},
            headers=ADMIN,
        ),
        "institution.registered",
    ),
    Step(
        ("PATCH", "/institutions/{institution_id}"),
        lambda h, s: h.patch("/institutions/anem", json={"acronym": "ANEM-DZ"}, headers=ADMIN),
        "institution.renamed",
    ),
    Step(("POST", "/focal-points"), lambda h, s: nominated(h, s), "focal_point.nominated"),
    Step(
        ("DELETE", "/focal-points/{focal_point_id}"),
        lambda h, s: h.delete(f"/focal-points/{s['focal_point']}", headers=ADMIN),
        "focal_point.withdrawn",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/registrations"),
        lambda h, s: registered(h, s, 1),
        "participant.registered",
    ),
    Step(
        ("PATCH", "/registrations/{registration_id}"),
        lambda h, s: h.patch(
            f"/registrations/{s['r1']}", json={"position": "مستشارة"}, headers=ADMIN
        ),
        "participant.updated",
    ),
    Step(
        ("POST", "/registrations/{registration_id}/confirm"),
        lambda h, s: confirmed(h, s, 1),
        "participant.confirmed",
    ),
    Step(
        ("POST", "/registrations/{registration_id}/check-in"),
        lambda h, s: h.post(f"/registrations/{s['r1']}/check-in", headers=CLERK),
        "participant.checked_in",
    ),
    Step(
        ("POST", "/registrations/{registration_id}/withdraw"),
        lambda h, s: h.post(f"/registrations/{s['r1']}/withdraw", headers=ADMIN),
        "participant.withdrawn",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/register"),
        lambda h, s: form(
            h,
            f"/meetings/{MEETING}/register?lang=ar",
            f"/meetings/{MEETING}/register?lang=ar",
            {**person(2), "submission": "0" * 32},
        ),
        "participant.registered",
    ),
    Step(
        ("POST", "/console"),
        lambda h, s: console_confirms(h, s),
        "participant.confirmed",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/check-ins"),
        lambda h, s: h.post(
            f"/meetings/{MEETING}/check-ins", json={"badge_token": s["badge2"]}, headers=CLERK
        ),
        "participant.checked_in",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/registrations"),
        lambda h, s: registered(h, s, 3),
        "participant.registered",
    ),
    Step(
        ("POST", "/registrations/{registration_id}/manage"),
        lambda h, s: form(
            h,
            f"/registrations/{s['r3']}/manage?token={s['token3']}&lang=ar",
            f"/registrations/{s['r3']}/manage?lang=ar",
            {"token": s["token3"], "action": "correct", **person(3), "position": "خبيرة"},
        ),
        "participant.updated",
    ),
    Step(
        ("POST", "/registrations/{registration_id}/manage-link"),
        lambda h, s: h.post(f"/registrations/{s['r3']}/manage-link", headers=bearer(s["token3"])),
        "participant.updated",
    ),
    Step(
        ("POST", "/registrations/{registration_id}/reject"),
        lambda h, s: h.post(
            f"/registrations/{s['r3']}/reject", json={"reason": "x"}, headers=ADMIN
        ),
        "participant.rejected",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/registrations"),
        lambda h, s: registered(h, s, 4),
        "participant.registered",
    ),
    Step(("POST", "/desk"), lambda h, s: desk_checks_in(h, s), "participant.checked_in"),
    Step(
        ("POST", "/meetings/{meeting_id}/announcements"),
        lambda h, s: h.post(
            f"/meetings/{MEETING}/announcements",
            json={"title": NAMES, "body": NAMES, "audience": "all", "critical": False},
            headers=ADMIN,
        ),
        "announcement.made",
    ),
    Step(
        ("POST", "/announcements"),
        lambda h, s: form(
            h,
            f"/announcements?meeting={MEETING}",
            "/announcements",
            {
                "meeting": MEETING,
                "action": "send",
                **{f"{part}_{lang}": NAMES[lang] for part in ("title", "body") for lang in NAMES},
            },
            **ADMIN,
        ),
        "announcement.made",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/attendance"),
        lambda h, s: attendance_imported(h, s, 2),
        "participant.attended_online",
    ),
    Step(
        ("POST", "/console/attendance"),
        lambda h, s: attendance_page_imports(h, s, 4),
        "participant.attended_online",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/purge-personal-data"),
        lambda h, s: h.post(
            f"/meetings/{MEETING}/purge-personal-data", json={"older_than_days": 0}, headers=ADMIN
        ),
        "personal_data.purged",
    ),
]
# routes that change nothing registration keeps
UNCHANGING = {
    ("POST", "/sign-in"): "the password is exchanged at identity, which audits the sign-in",
    ("POST", "/sign-out"): "a cookie is deleted in the browser",
}


async def console_confirms(http: httpx.AsyncClient, state: State) -> httpx.Response:
    found = await http.get(f"/meetings/{MEETING}/registrations", headers=ADMIN)
    state["r2"] = next(
        r["id"] for r in found.json()["registrations"] if r["email"].startswith("fatima2")
    )
    response = await form(
        http,
        f"/console?meeting={MEETING}",
        "/console",
        {"meeting": MEETING, "registration_id": state["r2"], "action": "accredit"},
        **ADMIN,
    )
    read = await http.get(f"/registrations/{state['r2']}", headers=ADMIN)
    state["badge2"] = read.json()["badge_token"]
    return response


async def desk_checks_in(http: httpx.AsyncClient, state: State) -> httpx.Response:
    await confirmed(http, state, 4)
    return await form(
        http,
        f"/desk?meeting={MEETING}",
        "/desk",
        {"meeting": MEETING, "badge_token": state["badge4"]},
        **CLERK,
    )


async def email_of(http: httpx.AsyncClient, state: State, n: int) -> str:
    found = await http.get(f"/registrations/{state[f'r{n}']}", headers=ADMIN)
    return str(found.json()["email"])


async def attendance_imported(http: httpx.AsyncClient, state: State, n: int) -> httpx.Response:
    """The meeting tool's attendance list (CSV, a heading line) through the API."""
    listed = f"Name,Email,Duration\nFatima,{await email_of(http, state, n)},55\n"
    return await http.post(f"/meetings/{MEETING}/attendance", json={"csv": listed}, headers=ADMIN)


async def attendance_page_imports(http: httpx.AsyncClient, state: State, n: int) -> httpx.Response:
    listed = f"{await email_of(http, state, n)};45 min\n"
    return await form(
        http,
        f"/console/attendance?meeting={MEETING}",
        "/console/attendance",
        {"meeting": MEETING},
        {"file": ("attendance.csv", listed.encode(), "text/csv")},
        **ADMIN,
    )


async def test_every_change_registration_makes_is_in_its_audit_trail(
    make_settings: Callable[..., Settings], start_service: Callable[..., Any], rabbit_url: str
) -> None:
    app = build_app(make_settings("registration", Settings, **TRUST))
    connection = await aio_pika.connect_robust(rabbit_url)
    try:
        channel = await connection.channel()
        async with start_service(app) as svc:
            today = datetime.now(UTC).date()
            event = CATALOG.envelope(
                MeetingScheduled(
                    meeting_id=MEETING,
                    number=7,
                    title=Localized(ar="اجتماع اليوم", en="Today's meeting", fr="Réunion du jour"),
                    timezone="UTC",
                    status="registration_open",
                    start_date=today,
                    end_date=today,
                ),
                source="/pesnet/agenda",
            )
            exchange = await channel.get_exchange(EVENTS_EXCHANGE)
            await exchange.publish(
                aio_pika.Message(event.to_json(), message_id=event.id), routing_key=event.type
            )

            async def announced() -> bool:
                answer: httpx.Response = await svc.http.get(f"/meetings/{MEETING}/delegations")
                return answer.status_code == 200

            await eventually(announced)
            await walk(svc.http, app, STEPS, UNCHANGING, admin=ADMIN)
    finally:
        await connection.close()
