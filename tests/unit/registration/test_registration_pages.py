"""The registration pages on the in-memory unit of work: the form registers through the
use case (CSRF, field errors in the reader's language, idempotent resubmission), its
institution picked from the network's reference by name in the reader's language (or
written in when the reference lacks it), the manage link opens the page in a browser and
withdraws, the desk signs staff in and checks a badge in twice, the console accredits;
each names a registration's reference institution in the reader's language."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from pesnet.registration.adapters.certificate import PillowCertificateRenderer
from pesnet.registration.domain.badges import BadgeKey
from pesnet.registration.domain.certificates import CertificateKey
from pesnet.registration.entrypoints import http, pages
from pesnet.registration.entrypoints.dependencies import Dependencies
from pesnet.registration.seed import network_institutions
from pesnet.registration.service_layer import institutions
from pesnet.registration.service_layer.focal_points import RegistrationTokens
from pesnet.shared.credentials import Actor, ActorKind, StaffRole
from pesnet.shared.events.registration import ParticipantRegistered
from pesnet.shared.forms import HtmlFirst
from pesnet.shared.staff_sign_in import SignedIn, SignInRefused
from tests.unit.registration.fakes import FakeRegistrationUnitOfWork
from tests.unit.registration.scenario import MANAGE_LINKS, open_meeting

BADGES = BadgeKey(b"test-badge-secret")
SECRET = "test-secretariat-token"
ACCOUNTS = {
    "clerk": frozenset({StaffRole.check_in_clerk}),
    "officer": frozenset({StaffRole.accreditation_officer}),
}


class FakeSignIn:
    async def sign_in(self, username: str, password: str) -> SignedIn:
        if username not in ACCOUNTS or password != "right password":
            raise SignInRefused(locked=False)
        return SignedIn(f"eyJfake.{username}.sig", 900)


class FakeVerifier:
    async def actor_for(self, token: str) -> Actor | None:
        username = token.split(".")[1]
        roles = ACCOUNTS.get(username)
        if roles is None:
            return None
        return Actor(ActorKind.staff, account_id=username, username=username, roles=roles)


class FakeRenderer:
    def badge_png(self, *args: Any, **kwargs: Any) -> bytes:
        return b"png"

    def qr_png(self, *args: Any, **kwargs: Any) -> bytes:
        return b"png"

    def badge_sheet_pdf(self, *args: Any, **kwargs: Any) -> bytes:
        return b"%PDF"


@pytest.fixture
async def uow() -> FakeRegistrationUnitOfWork:
    fake = FakeRegistrationUnitOfWork()
    await open_meeting(fake)
    await institutions.seed_institutions(network_institutions(), fake)
    return fake


@pytest.fixture
async def client(uow: FakeRegistrationUnitOfWork) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(pages.router)
    app.include_router(http.router)
    app.state.dependencies = Dependencies(
        unit_of_work=lambda: uow,
        badges=BADGES,
        manage_links=MANAGE_LINKS,
        renderer=FakeRenderer(),
        public_url="http://testserver",
        default_quota=3,
        certificates=CertificateKey(b"test-certificates"),
        certificate_renderer=PillowCertificateRenderer(),
    )
    app.state.runtime = SimpleNamespace(
        settings=SimpleNamespace(secretariat_token=SecretStr(SECRET))
    )
    app.state.token_store = RegistrationTokens(lambda: uow, MANAGE_LINKS)
    app.state.token_verifier = FakeVerifier()
    app.state.pages = pages.PageSettings(agenda_url="http://agenda.test", secure_cookies=False)
    app.state.staff_sign_in = FakeSignIn()
    app.add_middleware(HtmlFirst, paths=[r"/registrations/[A-Za-z0-9_-]{1,64}"], suffix="/manage")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http_client:
        yield http_client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None
    return found.group(1)


PERSON = {
    "given_name": "Amina",
    "family_name": "Benali",
    "email": "amina@example.org",
    "country": "MAR",
    "institution": "ANAPEC",
    "position": "Director",
    "role": "delegate",
    "language": "en",
}


async def register_through_the_form(client: httpx.AsyncClient, **fields: str) -> httpx.Response:
    form = await client.get("/meetings/m1/register?lang=en")
    return await client.post(
        "/meetings/m1/register?lang=en",
        data={
            **PERSON,
            **fields,
            "csrf": csrf_of(form.text),
            "submission": hidden(form.text, "submission"),
        },
    )


async def test_the_form_is_rendered_in_arabic_right_to_left(client: httpx.AsyncClient) -> None:
    response = await client.get("/meetings/m1/register", headers={"accept-language": "ar"})
    assert response.status_code == 200
    assert 'dir="rtl"' in response.text
    assert "<form" in response.text
    assert "الاجتماع الخامس" in response.text  # the meeting's title
    assert "http://agenda.test/meetings/m1/programme?lang=ar&amp;format=html" in response.text
    assert "pesnet_csrf" in response.headers["set-cookie"]


async def test_an_unknown_meeting_is_a_404_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/meetings/nope/register?lang=fr")
    assert response.status_code == 404
    assert 'lang="fr"' in response.text


async def test_a_form_without_its_csrf_token_is_refused(
    client: httpx.AsyncClient, uow: FakeRegistrationUnitOfWork
) -> None:
    response = await client.post("/meetings/m1/register?lang=en", data=PERSON)
    assert response.status_code == 403
    assert "this form has expired" in response.text
    assert not await uow.registrations.of_meeting("m1")


async def test_bad_fields_are_shown_next_to_them_in_french(client: httpx.AsyncClient) -> None:
    form = await client.get("/meetings/m1/register?lang=fr")
    response = await client.post(
        "/meetings/m1/register?lang=fr",
        data={**PERSON, "given_name": "", "email": "not an address", "csrf": csrf_of(form.text)},
    )
    assert response.status_code == 422
    assert 'id="e-given_name"' in response.text
    assert 'id="e-email"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'value="Benali"' in response.text  # what was typed stays


async def test_the_form_registers_once_and_links_to_the_manage_page(
    client: httpx.AsyncClient, uow: FakeRegistrationUnitOfWork
) -> None:
    form = await client.get("/meetings/m1/register?lang=en")
    data = {**PERSON, "csrf": csrf_of(form.text), "submission": hidden(form.text, "submission")}
    first = await client.post("/meetings/m1/register?lang=en", data=data)
    assert first.status_code == 201, first.text
    again = await client.post("/meetings/m1/register?lang=en", data=data)  # resubmitted
    assert again.status_code == 201
    assert len(await uow.registrations.of_meeting("m1")) == 1
    assert "token=m1." in first.text


async def test_the_manage_link_opens_the_page_in_a_browser_and_withdraws(
    client: httpx.AsyncClient,
) -> None:
    done = await register_through_the_form(client)
    link = re.search(r'id="manage-link" href="([^"]+)"', done.text)
    assert link is not None
    manage_url = link.group(1).replace("&amp;", "&").replace("http://testserver", "")
    api = await client.get(manage_url, headers={"accept": "application/json"})
    assert api.json()["status"] == "registered"
    page = await client.get(manage_url, headers={"accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 200
    assert 'id="status"' in page.text
    form = {"csrf": csrf_of(page.text), "token": hidden(page.text, "token")}
    target = manage_url.split("?")[0] + "/manage?lang=en"
    asked = await client.post(target, data={**form, "action": "withdraw"})
    assert asked.status_code == 200  # it cannot be undone: asked again first
    assert 'value="withdraw_confirmed"' in asked.text
    assert (await client.get(manage_url, headers={"accept": "application/json"})).json()[
        "status"
    ] == "registered"
    withdrawn = await client.post(target, data={**form, "action": "withdraw_confirmed"})
    assert withdrawn.status_code == 303
    assert (await client.get(manage_url, headers={"accept": "application/json"})).json()[
        "status"
    ] == "withdrawn"


async def test_a_wrong_manage_token_is_a_401_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/registrations/abc/manage?token=mt_wrong&lang=en")
    assert response.status_code == 401


async def test_the_desk_signs_a_clerk_in_and_checks_a_badge_in_twice(
    client: httpx.AsyncClient,
) -> None:
    done = await register_through_the_form(client)
    registration_id = re.search(r"/registrations/([0-9a-f]+)", done.text)
    assert registration_id is not None
    confirmed = await client.post(
        f"/registrations/{registration_id.group(1)}/confirm",
        headers={"authorization": f"Bearer {SECRET}"},
    )
    badge = confirmed.json()["badge_token"]

    signed_out = await client.get("/desk?meeting=m1&lang=en")
    assert signed_out.status_code == 401
    assert 'name="password"' in signed_out.text
    wrong = await client.post(
        "/sign-in?lang=en",
        data={"csrf": csrf_of(signed_out.text), "username": "clerk", "password": "wrong"},
    )
    assert wrong.status_code == 401
    assert "Wrong username or password." in wrong.text
    signed_in = await client.post(
        "/sign-in?lang=en",
        data={
            "csrf": csrf_of(signed_out.text),
            "username": "clerk",
            "password": "right password",
            "next": "/desk?meeting=m1&lang=en",
        },
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/desk?meeting=m1&lang=en"
    desk = await client.get("/desk?meeting=m1&lang=en")
    assert desk.status_code == 200
    data = {"csrf": csrf_of(desk.text), "meeting": "m1", "badge_token": badge}
    first = await client.post("/desk?lang=en", data=data)
    assert "checked in at" in first.text
    assert "already" not in first.text
    second = await client.post("/desk?lang=fr", data=data)
    assert "déjà enregistré à" in second.text

    # a clerk is no accreditation officer
    console = await client.get("/console?meeting=m1&lang=en")
    assert console.status_code == 403


async def test_sign_in_goes_back_only_to_this_service(client: httpx.AsyncClient) -> None:
    form = await client.get("/sign-in?next=//evil.example/x")
    assert 'name="next" value="/desk"' in form.text


async def test_the_console_accredits_a_pending_registration(client: httpx.AsyncClient) -> None:
    await register_through_the_form(client)
    sign_in = await client.get("/sign-in")
    await client.post(
        "/sign-in",
        data={"csrf": csrf_of(sign_in.text), "username": "officer", "password": "right password"},
    )
    console = await client.get("/console?meeting=m1&lang=en")
    assert console.status_code == 200
    assert "Amina Benali" in console.text
    registration_id = hidden(console.text, "registration_id")
    decided = await client.post(
        "/console?lang=en",
        data={
            "csrf": csrf_of(console.text),
            "meeting": "m1",
            "registration_id": registration_id,
            "action": "accredit",
        },
    )
    assert decided.status_code == 200
    assert "accredited (confirmed)" in decided.text


# the institution, picked from the network's reference ------------------------------


BROWSER = {"accept": "text/html,*/*;q=0.8"}


def picker(page: str) -> str:
    """The institution picker (`<select name="institution_id">`) of a page."""
    found = re.search(r'<select id="f-institution_id".*?</select>', page, re.S)
    assert found is not None, "no institution picker"
    return found.group(0)


def error_of(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', page)
    assert found is not None, f"no error next to {field}"
    return html.unescape(found.group(1))


@pytest.mark.parametrize(
    ("language", "anapec", "iskur", "other"),
    [
        ("ar", "الوكالة الوطنية لإنعاش التشغيل والكفاءات", "وكالة التوظيف التركية", "مؤسسة أخرى"),
        (
            "en",
            "National Agency for the Promotion of Employment and Skills (ANAPEC)",
            "Turkish Employment Agency (İŞKUR)",
            "Another institution",
        ),
        (
            "fr",
            "Agence nationale de promotion de l&#39;emploi et des compétences (ANAPEC)",
            "Agence turque pour l&#39;emploi (İŞKUR)",
            "Une autre institution",
        ),
    ],
)
async def test_the_picker_offers_the_reference_by_name_in_the_page_language(
    client: httpx.AsyncClient, language: str, anapec: str, iskur: str, other: str
) -> None:
    page = (await client.get(f"/meetings/m1/register?lang={language}")).text
    offered = picker(page)
    assert f'<option value="anapec">{anapec}</option>' in offered
    assert f'<option value="iskur">{iskur}</option>' in offered
    assert other in offered  # an institution the reference lacks: written in
    assert len(re.findall(r'<option value="[a-z0-9][a-z0-9-]*">', offered)) == 8
    # grouped by member state, named in the page's language (for the narrowing too)
    morocco = {"ar": "المغرب", "en": "Morocco", "fr": "Maroc"}[language]
    assert re.search(rf'<optgroup label="{morocco}" data-country="MAR">', offered)
    # labelled, and the free text for another institution is its own labelled field
    assert '<label for="f-institution_id">' in page
    assert '<label for="f-institution">' in page
    assert "register.js" in page  # the narrowing to the chosen country, no CDN
    assert "://" not in re.search(r'<script src="([^"]+)"', page).group(1)  # type: ignore[union-attr]


async def test_a_picked_institution_registers_with_its_id_and_its_name_in_the_language(
    client: httpx.AsyncClient, uow: FakeRegistrationUnitOfWork
) -> None:
    done = await register_through_the_form(
        client, institution_id="anapec", institution="", language="ar"
    )
    assert done.status_code == 201, done.text
    [registration] = await uow.registrations.of_meeting("m1")
    assert registration.institution_id == "anapec"
    assert registration.institution == "الوكالة الوطنية لإنعاش التشغيل والكفاءات"
    [event] = uow.events(ParticipantRegistered)
    assert isinstance(event, ParticipantRegistered)
    assert event.institution_id == "anapec"


async def test_a_picked_institution_wins_over_text_typed_beside_it(
    client: httpx.AsyncClient, uow: FakeRegistrationUnitOfWork
) -> None:
    done = await register_through_the_form(client, institution_id="iskur", institution="Isk")
    assert done.status_code == 201, done.text
    [registration] = await uow.registrations.of_meeting("m1")
    assert (registration.institution_id, registration.institution) == (
        "iskur",
        "Turkish Employment Agency",
    )


async def test_another_institution_is_written_in(
    client: httpx.AsyncClient, uow: FakeRegistrationUnitOfWork
) -> None:
    done = await register_through_the_form(
        client, institution_id="-", institution="Ministère du Travail"
    )
    assert done.status_code == 201, done.text
    [registration] = await uow.registrations.of_meeting("m1")
    assert (registration.institution_id, registration.institution) == (None, "Ministère du Travail")


async def test_an_unknown_institution_is_refused_next_to_the_picker_in_french(
    client: httpx.AsyncClient, uow: FakeRegistrationUnitOfWork
) -> None:
    form = await client.get("/meetings/m1/register?lang=fr")
    response = await client.post(
        "/meetings/m1/register?lang=fr",
        data={**PERSON, "institution_id": "nope", "csrf": csrf_of(form.text)},
    )
    assert response.status_code == 422
    assert "il n'y a pas d'institution nope" in error_of(response.text, "institution_id")
    assert 'aria-describedby="e-institution_id"' in picker(response.text)
    assert 'aria-invalid="true"' in picker(response.text)
    assert not await uow.registrations.of_meeting("m1")


async def test_no_institution_at_all_is_said_next_to_the_picker_in_arabic(
    client: httpx.AsyncClient,
) -> None:
    form = await client.get("/meetings/m1/register?lang=ar")
    response = await client.post(
        "/meetings/m1/register?lang=ar",
        data={**PERSON, "institution_id": "", "institution": "", "csrf": csrf_of(form.text)},
    )
    assert response.status_code == 422
    said = error_of(response.text, "institution_id")
    assert any("\u0600" <= ch <= "\u06ff" for ch in said), said
    # "another institution" chosen but its name left out: said next to the name
    again = await client.post(
        "/meetings/m1/register?lang=en",
        data={**PERSON, "institution_id": "-", "institution": "", "csrf": csrf_of(form.text)},
    )
    assert again.status_code == 422
    assert "name" in error_of(again.text, "institution")
    assert 'value="-" selected' in picker(again.text)  # the choice stays


async def test_manage_and_console_name_the_institution_in_the_page_language(
    client: httpx.AsyncClient,
) -> None:
    done = await register_through_the_form(
        client, institution_id="anapec", institution="", language="ar"
    )
    link = re.search(r'id="manage-link" href="([^"]+)"', done.text)
    assert link is not None
    manage_url = link.group(1).replace("&amp;", "&").replace("http://testserver", "")
    manage = await client.get(re.sub(r"lang=\w+", "lang=fr", manage_url), headers=BROWSER)
    assert manage.status_code == 200
    named = re.search(r'<dd id="institution">([^<]*)</dd>', manage.text)
    assert named is not None
    assert html.unescape(named.group(1)) == (
        "Agence nationale de promotion de l'emploi et des compétences (ANAPEC)"
    )
    # the reference names it: no free text to correct beside it
    assert 'id="f-institution"' not in manage.text
    arabic = await client.get(re.sub(r"lang=\w+", "lang=ar", manage_url), headers=BROWSER)
    assert "الوكالة الوطنية لإنعاش التشغيل والكفاءات" in arabic.text

    sign_in = await client.get("/sign-in")
    await client.post(
        "/sign-in",
        data={"csrf": csrf_of(sign_in.text), "username": "officer", "password": "right password"},
    )
    console = await client.get("/console?meeting=m1&lang=en")
    assert "National Agency for the Promotion of Employment and Skills (ANAPEC)" in console.text


async def test_a_correction_on_the_manage_page_keeps_the_reference_institution(
    client: httpx.AsyncClient, uow: FakeRegistrationUnitOfWork
) -> None:
    done = await register_through_the_form(client, institution_id="anapec", institution="")
    link = re.search(r'id="manage-link" href="([^"]+)"', done.text)
    assert link is not None
    manage_url = link.group(1).replace("&amp;", "&").replace("http://testserver", "")
    page = await client.get(manage_url, headers=BROWSER)
    fields = dict(
        re.findall(
            r'<input id="f-[a-z_]+" name="([a-z_]+)" type="[a-z]+" value="([^"]*)"', page.text
        )
    )
    corrected = await client.post(
        manage_url.split("?")[0] + "/manage?lang=en",
        data={
            **{k: html.unescape(v) for k, v in fields.items()},
            "language": "en",
            "position": "Director General",
            "csrf": csrf_of(page.text),
            "token": hidden(page.text, "token"),
            "action": "correct",
        },
    )
    assert corrected.status_code == 303, corrected.text
    [registration] = await uow.registrations.of_meeting("m1")
    assert registration.position == "Director General"
    assert registration.institution_id == "anapec"
    assert registration.institution == (
        "National Agency for the Promotion of Employment and Skills"
    )


async def test_the_form_offers_only_the_roles_a_person_may_claim(
    client: httpx.AsyncClient,
) -> None:
    form = await client.get("/meetings/m1/register?lang=en")
    select = re.search(r'<select[^>]*name="role".*?</select>', form.text, re.S)
    assert select is not None
    offered = set(re.findall(r'<option value="([a-z_]+)"', select.group(0)))
    assert offered == {"head_of_delegation", "delegate", "observer"}
    claimed = await register_through_the_form(client, role="speaker")
    assert claimed.status_code in (403, 422)
