"""Issue 2's done-when, as a user would check it: `make run` brings the platform up,
an Arabic registration produces one right-to-left Arabic mail, a duplicated event
still yields one mail, and Ctrl-C stops everything."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from faststream.rabbit import RabbitBroker

from pesnet.devtools.platform import PlatformDidNotStart, running_platform
from pesnet.devtools.run import service_ports
from pesnet.shared.events import CATALOG
from pesnet.shared.events.registration import ParticipantRegistered
from pesnet.shared.messaging import EventPublisher
from tests.support import eventually

pytestmark = pytest.mark.integration

PORT_OFFSET = 300 + os.getpid() % 500
PORTS = service_ports(PORT_OFFSET)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory, rabbit_url: str) -> Iterator[dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("make-run")
    env = {k: v for k, v in os.environ.items() if k not in ("MONGODB_URL", "SMTP_HOST")}
    env.update(
        {
            "RABBITMQ_URL": rabbit_url,
            # the token SECRETARIAT carries, whatever the calling environment says
            "PESNET_SECRETARIAT_TOKEN": "dev-secretariat-token",
            "PESNET_RUN_PORT_OFFSET": str(PORT_OFFSET),
            "NOTIFICATIONS_DIGEST_WINDOW_SECONDS": "2",
        }
    )
    try:
        with running_platform(workdir, env) as running:
            yield {
                "process": running.process,
                "workdir": workdir,
                "ready_after": running.ready_after,
            }
    except PlatformDidNotStart as error:
        pytest.fail(str(error))


def registered_event(email: str) -> Any:
    return CATALOG.envelope(
        ParticipantRegistered(
            registration_id=f"r-{uuid.uuid4().hex[:8]}",
            meeting_id="pesnet-demo",
            given_name="يوسف",
            family_name="العلوي",
            email=email,
            country="MAR",
            institution="ANAPEC",
            position="مدير",
            role="delegate",
            language="ar",
            status="registered",
            registered_at=datetime.now(UTC),
        ),
        source="/pesnet/registration",
    )


def url(service: str, path: str) -> str:
    return f"http://127.0.0.1:{PORTS[service]}{path}"


async def mails_to(http: httpx.AsyncClient, email: str) -> list[dict[str, Any]]:
    response = await http.get(url("notifications", "/dev/mailbox"))
    response.raise_for_status()
    body = response.json()
    mails = body if isinstance(body, list) else body.get("mails", body.get("items", []))
    return [m for m in mails if email in addresses(str(m.get("to", "")))]


def addresses(header: str) -> set[str]:
    from email.utils import getaddresses

    return {address.lower() for _, address in getaddresses([header])}


async def test_all_four_services_are_healthy(platform: dict[str, Any]) -> None:
    async with httpx.AsyncClient() as http:
        for service in PORTS:
            response = await http.get(url(service, "/healthz"))
            assert response.status_code == 200, service
            assert (await http.get(url(service, "/openapi.json"))).status_code == 200


async def test_arabic_registration_gets_one_right_to_left_arabic_mail(
    platform: dict[str, Any], rabbit_url: str
) -> None:
    email = f"fatima.{uuid.uuid4().hex[:6]}@example.org"
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(
            url("registration", "/meetings/pesnet-demo/registrations"),
            json={
                "given_name": "فاطمة",
                "family_name": "الزهراء",
                "email": email,
                "country": "MAR",
                "institution": "الوكالة الوطنية لإنعاش التشغيل والكفاءات",
                "position": "مديرة",
                "role": "delegate",
                "language": "ar",
            },
        )
        assert response.status_code == 201, response.text
        registration = response.json()

        async def one_mail() -> bool:
            return len(await mails_to(http, email)) >= 1

        await eventually(one_mail, within=60)
        [mail] = await mails_to(http, email)
        assert mail["language"] == "ar"
        assert 'dir="rtl"' in mail["html"]
        assert "فاطمة" in mail["html"]
        assert mail["text"].strip()

        # the same event delivered twice still yields one mail; a later event (the
        # sentinel) is handled after both copies (one queue, in order)
        broker = RabbitBroker(rabbit_url, logger=None)
        await broker.connect()
        try:
            publisher = EventPublisher(broker)
            duplicate, sentinel = (
                registered_event(f"{tag}.{email}") for tag in ("dup", "sentinel")
            )
            await publisher.publish(duplicate)
            await publisher.publish(duplicate)
            await publisher.publish(sentinel)
        finally:
            await broker.stop()

        async def sentinel_mail() -> bool:
            return len(await mails_to(http, f"sentinel.{email}")) == 1

        await eventually(sentinel_mail, within=60)
        assert len(await mails_to(http, f"dup.{email}")) == 1
        assert len(await mails_to(http, email)) == 1
        assert registration["id"]


SECRETARIAT = {"Authorization": "Bearer dev-secretariat-token"}
SESSION_2_PEOPLE = {"souhail", "el-kasbaoui", "el-harrane", "jai-kumar", "abboudou"}


async def programme_deliveries(http: httpx.AsyncClient, email: str) -> list[dict[str, Any]]:
    response = await http.get(url("notifications", "/deliveries"), params={"recipient": email})
    response.raise_for_status()
    # the mails of a release are caused by its internal notices (the public event names
    # nobody, so it cannot say whom to tell)
    return [
        d for d in response.json() if d["event_type"] == "agenda.programme.release_notices_prepared"
    ]


async def test_moving_session_2_notifies_its_people_and_tells_everyone_else_of_version_2(
    platform: dict[str, Any],
) -> None:
    """Issue 4's done-when across the platform: the seed published version 1 with all
    15 people confirmed; moving Session 2 by 30 minutes and releasing version 2 tells
    exactly its moderator and speakers that their session changed, and every other
    confirmed participant that there is a new version, each in their language."""
    from pesnet.devtools.seed_meeting4 import LANGUAGES

    async with httpx.AsyncClient(timeout=30) as http:
        participants = (
            await http.get(url("agenda", "/meetings/pesnet-demo/participants"), headers=SECRETARIAT)
        ).json()
        people = {p["email"]: p for p in participants if p["status"] == "confirmed"}
        assert {f"{person}@example.org" for person in SESSION_2_PEOPLE} <= set(people)

        async def version_1_delivered() -> bool:
            for email in people:
                if not any(d["status"] == "sent" for d in await programme_deliveries(http, email)):
                    return False
            return True

        await eventually(version_1_delivered, within=90)
        before = {
            email: {d["id"] for d in await programme_deliveries(http, email)} for email in people
        }

        moved = await http.post(
            url("agenda", "/meetings/pesnet-demo/sessions/session-2/move"),
            json={"by_minutes": 30},
            headers=SECRETARIAT,
        )
        assert moved.status_code == 200, moved.text
        release = await http.post(
            url("agenda", "/meetings/pesnet-demo/programme/releases"), headers=SECRETARIAT
        )
        assert release.status_code == 201, release.text
        assert release.json()["version"] == 2
        assert [c["session_id"] for c in release.json()["changes"]] == ["session-2"]

        new: dict[str, list[dict[str, Any]]] = {}

        async def version_2_delivered() -> bool:
            for email in people:
                fresh = [
                    d
                    for d in await programme_deliveries(http, email)
                    if d["id"] not in before[email]
                ]
                new[email] = fresh
            return all(len(fresh) == 1 and fresh[0]["status"] == "sent" for fresh in new.values())

        await eventually(version_2_delivered, within=90)
        kinds = {email: fresh[0]["kind"] for email, fresh in new.items()}
        assert {e for e, kind in kinds.items() if kind == "session_changed"} == {
            f"{person}@example.org" for person in SESSION_2_PEOPLE
        }
        assert {kind for e, kind in kinds.items() if e.split("@")[0] not in SESSION_2_PEOPLE} == {
            "programme_released"
        }
        for email, fresh in new.items():
            assert fresh[0]["language"] == LANGUAGES.get(email.split("@")[0], "en"), email


def focal_point_meeting_registrations(tag: str) -> list[dict[str, Any]]:
    """61 registrations from 27 member states, as at the 2022 focal-point meeting:
    5 states send 5 people, 14 send 2 and 8 send 1 (quota 3: 51 places, 10 waitlisted)."""
    from pesnet.shared.reference import member_states

    countries = sorted(set(member_states()) - {"MAR", "TUR", "MYS"})[:27]
    sizes = [5] * 5 + [2] * 14 + [1] * 8
    languages = ("ar", "en", "fr")
    bodies: list[dict[str, Any]] = []
    for country, size in zip(countries, sizes, strict=True):
        for n in range(size):
            bodies.append(
                {
                    "given_name": f"Delegate {n + 1}",
                    "family_name": country,
                    "email": f"{country.lower()}.{n + 1}.{tag}@example.org",
                    "country": country,
                    "institution": f"Public employment service of {country}",
                    "position": "Director",
                    "role": "head_of_delegation" if n == 0 else "delegate",
                    "language": languages[len(bodies) % 3],
                }
            )
    return bodies


async def test_focal_point_meeting_quota_waitlist_promotion_and_mails(
    platform: dict[str, Any],
) -> None:
    """Issue 3's done-when across the platform."""
    tag = uuid.uuid4().hex[:6]
    bodies = focal_point_meeting_registrations(tag)
    assert len(bodies) == 61
    ids: dict[str, str] = {}
    statuses: dict[str, str] = {}
    async with httpx.AsyncClient(timeout=30) as http:
        for body in bodies:
            created = await http.post(
                url("registration", "/meetings/pesnet-demo/registrations"), json=body
            )
            assert created.status_code == 201, created.text
            ids[body["email"]] = created.json()["id"]
        for body in bodies:
            confirmed = await http.post(
                url("registration", f"/registrations/{ids[body['email']]}/confirm"),
                headers=SECRETARIAT,
            )
            assert confirmed.status_code == 200, confirmed.text
            statuses[body["email"]] = confirmed.json()["status"]
        assert sorted(statuses.values()).count("confirmed") == 51
        assert sorted(statuses.values()).count("waitlisted") == 10
        # the first three of each country got the places
        for body in bodies:
            rank = int(body["email"].split(".")[1])
            assert statuses[body["email"]] == ("confirmed" if rank <= 3 else "waitlisted")

        # a withdrawal promotes that country's oldest waitlisted delegate
        country = bodies[0]["country"]
        withdrawing = f"{country.lower()}.2.{tag}@example.org"
        promoted = f"{country.lower()}.4.{tag}@example.org"
        withdrawn = await http.post(
            url("registration", f"/registrations/{ids[withdrawing]}/withdraw"), headers=SECRETARIAT
        )
        assert withdrawn.status_code == 200, withdrawn.text
        now = await http.get(
            url("registration", f"/registrations/{ids[promoted]}"), headers=SECRETARIAT
        )
        assert now.json()["status"] == "confirmed"
        fifth = await http.get(
            url("registration", f"/registrations/{ids[f'{country.lower()}.5.{tag}@example.org']}"),
            headers=SECRETARIAT,
        )
        assert fifth.json()["status"] == "waitlisted"

        # the public summary counts exactly that, and names nobody
        summary = await http.get(url("registration", "/meetings/pesnet-demo/delegations"))
        assert summary.status_code == 200
        assert tag not in summary.text
        by_country = {d["country"]: d for d in summary.json()["delegations"]}
        assert by_country[country]["by_status"] == {"confirmed": 3, "waitlisted": 1, "withdrawn": 1}

        # one mail per state change, in each person's language
        expected = {
            body["email"]: ["registration_received"]
            + (
                ["registration_confirmed"]
                if statuses[body["email"]] == "confirmed"
                else ["registration_waitlisted"]
            )
            for body in bodies
        }
        expected[withdrawing].append("registration_withdrawn")
        expected[promoted].append("registration_confirmed")
        language = {body["email"]: body["language"] for body in bodies}
        kinds: dict[str, list[str]] = {}

        async def all_mailed() -> bool:
            for email, wanted in expected.items():
                if len(kinds.get(email, [])) == len(wanted):
                    continue
                response = await http.get(
                    url("notifications", "/deliveries"), params={"recipient": email}
                )
                sent = [d for d in response.json() if d["status"] == "sent"]
                kinds[email] = [d["kind"] for d in sent]
                if len(sent) < len(wanted):
                    return False
                assert {d["language"] for d in sent} == {language[email]}, email
            return True

        await eventually(all_mailed, within=180)
        assert {email: sorted(k) for email, k in kinds.items()} == {
            email: sorted(k) for email, k in expected.items()
        }


async def test_a_service_killed_with_sigkill_is_restarted_and_healthy_again(
    platform: dict[str, Any],
) -> None:
    pids = Path(platform["workdir"]) / ".run" / "pids" / "actionplan.pid"
    before = int(pids.read_text())
    os.kill(before, signal.SIGKILL)
    async with httpx.AsyncClient(timeout=2) as http:

        async def back() -> bool:
            if int(pids.read_text()) == before:
                return False
            try:
                return (await http.get(url("actionplan", "/healthz"))).status_code == 200
            except httpx.TransportError:
                return False

        await eventually(back, within=60)
    log = (Path(platform["workdir"]) / "run.log").read_text()
    assert "[make run] actionplan exited with code -9; restarting it in 1s" in log
    assert f"[make run] actionplan restarted (pid {pids.read_text()})" in log


async def test_the_held_4th_meeting_is_history_and_pesnet_demo_takes_registrations(
    platform: dict[str, Any],
) -> None:
    body = {
        "given_name": "Kemal",
        "family_name": "Aydın",
        "email": f"k.{uuid.uuid4().hex[:6]}@example.org",
        "country": "TUR",
        "institution": "İŞKUR",
        "position": "Expert",
        "role": "delegate",
        "language": "ar",
    }
    async with httpx.AsyncClient(timeout=30) as http:
        held = await http.post(
            url("registration", "/meetings/pesnet-4/registrations"),
            json=body,
            headers={"Accept-Language": "ar"},
        )
        assert held.status_code == 409, held.text
        assert (await http.get(url("agenda", "/meetings/pesnet-4"))).json()["status"] == "held"
        programme = await http.get(url("agenda", "/meetings/pesnet-4/programme?lang=ar"))
        assert programme.status_code == 200
        demo = await http.get(url("agenda", "/meetings/pesnet-demo"))
        assert demo.status_code == 200
        assert demo.json()["demonstration"] is True
        created = await http.post(
            url("registration", "/meetings/pesnet-demo/registrations"), json=body
        )
        assert created.status_code == 201, created.text


async def test_the_sample_registrations_name_their_institution_from_the_reference(
    platform: dict[str, Any],
) -> None:
    """`make run`'s people of pesnet-demo are registered with their institution's id in
    the reference: each keeps its name in their own language (what their mails say)."""
    from pesnet.devtools.seed_meeting4 import LANGUAGES

    anapec_ar = "الوكالة الوطنية لإنعاش التشغيل والكفاءات"
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.get(
            url("registration", "/meetings/pesnet-demo/registrations"), headers=SECRETARIAT
        )
        assert response.status_code == 200, response.text
        registrations = {r["email"]: r for r in response.json()["registrations"]}

        async def named_in_her_mail() -> bool:
            mails = await mails_to(http, "belmaati@example.org")
            return any(anapec_ar in str(m.get("text")) for m in mails)

        await eventually(named_in_her_mail, within=60)
    belmaati = registrations["belmaati@example.org"]  # an Arabic reader of ANAPEC
    assert belmaati["institution_id"] == "anapec"
    assert belmaati["institution"] == anapec_ar
    abboudou = registrations["abboudou@example.org"]  # a French reader of Expertise France
    assert (abboudou["institution_id"], abboudou["institution"]) == (
        "expertise-france",
        "Expertise France",
    )
    seeded = [r for e, r in registrations.items() if e.split("@")[0] in LANGUAGES]
    assert len(seeded) == 15
    assert all(r["institution_id"] for r in seeded)


async def test_the_administrator_signs_in_accredits_and_the_audit_trail_says_so(
    platform: dict[str, Any],
) -> None:
    """Issue 12's done-when: the development administrator gets an access token from
    identity, accredits a delegate of pesnet-demo with it, and registration's audit
    trail shows that account did it; a forged (HS256) token is refused."""
    from pesnet.identity.settings import DEV_ADMIN_PASSWORD, DEV_ADMIN_USERNAME

    username = os.environ.get("PESNET_DEV_ADMIN_USERNAME") or DEV_ADMIN_USERNAME
    password = os.environ.get("PESNET_DEV_ADMIN_PASSWORD") or DEV_ADMIN_PASSWORD
    async with httpx.AsyncClient(timeout=30) as http:
        signed_in = await http.post(
            url("identity", "/auth/token"), json={"username": username, "password": password}
        )
        assert signed_in.status_code == 200, signed_in.text
        admin = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        me = await http.get(url("identity", "/accounts/me"), headers=admin)
        assert me.status_code == 200, me.text
        account_id = me.json()["id"]

        created = await http.post(
            url("registration", "/meetings/pesnet-demo/registrations"),
            json={
                "given_name": "Mariam",
                "family_name": "Audit",
                "email": f"m.{uuid.uuid4().hex[:6]}@example.org",
                "country": "JOR",
                "institution": "Ministry of Labour",
                "position": "Director",
                "role": "delegate",
                "language": "ar",
            },
        )
        assert created.status_code == 201, created.text
        registration_id = created.json()["id"]
        confirmed = await http.post(
            url("registration", f"/registrations/{registration_id}/confirm"), headers=admin
        )
        assert confirmed.status_code == 200, confirmed.text

        header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
        claims = json.dumps({"sub": username, "roles": ["administrator"]}).encode()
        forged = f"{header}.{base64.urlsafe_b64encode(claims).rstrip(b'=').decode()}.c2ln"
        refused = await http.post(
            url("registration", f"/registrations/{registration_id}/reject"),
            json={"reason": "x"},
            headers={"Authorization": f"Bearer {forged}"},
        )
        assert refused.status_code == 401, refused.text

        trail = await http.get(
            url("registration", "/audit"), params={"meeting_id": "pesnet-demo"}, headers=admin
        )
        assert trail.status_code == 200, trail.text
        newest = trail.json()[0]
        assert newest["actor"] == account_id
        assert newest["action"] == "participant.confirmed"
        assert newest["subject"] == registration_id
        assert newest["at"]


# last: it stops the platform the tests above share
def test_ctrl_c_stops_everything(platform: dict[str, Any]) -> None:
    process: subprocess.Popen[bytes] = platform["process"]
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    log = (Path(platform["workdir"]) / "run.log").read_text()
    assert "[make run] stopped" in log
    for service in PORTS:
        with pytest.raises(httpx.TransportError):
            httpx.get(url(service, "/healthz"), timeout=2)
