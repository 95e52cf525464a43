"""Issue 2's walking skeleton on the registration side: a registration is validated,
stored and announced on the bus; bad input is a 422 naming the field; a second
registration with the same e-mail is a 409; nothing is a 500."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from pesnet.shared.events.registration import ParticipantRegistered
from tests.integration.registration.conftest import Register, Registration

pytestmark = pytest.mark.integration


async def test_registration_is_stored_and_announced(
    registration: Registration, person: Callable[..., dict[str, Any]]
) -> None:
    body = person(
        given_name="أمينة",
        family_name="بنعلي",
        name_latin="Amina Benali",
        language="ar",
        email="Amina.Benali@ANAPEC.example.ma",
    )
    response = await registration.http.post("/meetings/pesnet-demo/registrations", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["status"] == "registered"
    assert created["given_name"] == "أمينة"
    assert created["manage_token"].startswith(f"m1.{created['id']}.1.")
    assert created["manage_url"].endswith(
        f"/registrations/{created['id']}?token={created['manage_token']}"
    )

    # stored: the registrant reads it back with the manage token
    mine = await registration.http.get(
        f"/registrations/{created['id']}",
        headers={"Authorization": f"Bearer {created['manage_token']}"},
    )
    assert mine.status_code == 200
    assert mine.json()["family_name"] == "بنعلي"

    # announced once, through the outbox, with the registrant's language and where the
    # manage link goes (its page and version: never the token)
    [event] = await registration.bus.wait_for(ParticipantRegistered, registration_id=created["id"])
    assert event["data"]["language"] == "ar"
    assert event["data"]["email"] == "Amina.Benali@anapec.example.ma"
    assert event["data"]["status"] == "registered"
    assert event["data"]["manage_page"] == created["manage_url"].split("?")[0]
    assert event["data"]["manage_link_version"] == 1
    assert created["manage_token"] not in json.dumps(event)
    assert event["subject"] == f"registration/{created['id']}"
    # the request's correlation id travels with the event it caused
    assert event["correlationid"] == response.headers["x-correlation-id"]


def _fields(response: Any) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"country": "FRA"}, "country"),  # not an OIC member state
        ({"country": "XYZ"}, "country"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"role": "king"}, "role"),
        ({"language": "de"}, "language"),
        ({"given_name": ""}, "given_name"),
        ({"given_name": "   "}, "given_name"),
        ({"family_name": "x" * 201}, "family_name"),
        ({"given_name": "Amina\u0000"}, "given_name"),
        ({"family_name": "Ben\nali"}, "family_name"),
        ({"given_name": "\u202eanimA"}, "given_name"),  # a bidi override disguising a name
        ({"given_name": {"$ne": None}}, "given_name"),  # an object where a string belongs
        ({"email": {"$gt": ""}}, "email"),
        ({"country": ["MAR"]}, "country"),
        ({"institution": 42}, "institution"),
        ({"$where": "1 == 1"}, "$where"),  # an operator as a key
        ({"role": None}, "role"),
    ],
)
async def test_bad_field_is_a_422_naming_it(
    registration: Registration,
    person: Callable[..., dict[str, Any]],
    overrides: dict[str, Any],
    field: str,
) -> None:
    response = await registration.http.post(
        "/meetings/pesnet-demo/registrations", json=person(**overrides)
    )
    assert response.status_code == 422, response.text
    assert field in _fields(response)


async def test_missing_name_and_non_json_bodies_are_422(
    registration: Registration, person: Callable[..., dict[str, Any]]
) -> None:
    body = person()
    del body["family_name"]
    response = await registration.http.post("/meetings/pesnet-demo/registrations", json=body)
    assert response.status_code == 422
    assert "family_name" in _fields(response)
    for raw in (b"not json", b"[]", b'"text"', b"{"):
        response = await registration.http.post(
            "/meetings/pesnet-demo/registrations",
            content=raw,
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 422, (raw, response.text)


async def test_a_member_state_delegate_needs_a_country_an_oic_observer_does_not(
    registration: Registration, person: Callable[..., dict[str, Any]]
) -> None:
    body = person(1)
    del body["country"]
    response = await registration.http.post("/meetings/pesnet-demo/registrations", json=body)
    assert response.status_code == 422
    assert _fields(response) == {"country"}

    observer = person(2, role="observer", institution="SESRIC", country=None)
    response = await registration.http.post("/meetings/pesnet-demo/registrations", json=observer)
    assert response.status_code == 201, response.text
    assert response.json()["country"] is None


async def test_country_code_is_accepted_in_lower_case(register: Register) -> None:
    created = await register(3, country="tur")
    assert created["country"] == "TUR"


async def test_same_email_twice_in_a_meeting_is_a_409(
    registration: Registration, register: Register, person: Callable[..., dict[str, Any]]
) -> None:
    await register(1, email="amina@example.org")
    for email in ("AMINA@example.org", "Amina@EXAMPLE.ORG", " amina@example.org "):
        response = await registration.http.post(
            "/meetings/pesnet-demo/registrations", json=person(2, email=email)
        )
        assert response.status_code == 409, (email, response.text)
        assert _fields(response) == {"email"}


async def test_unicode_forms_of_one_address_are_one_address(
    registration: Registration, register: Register, person: Callable[..., dict[str, Any]]
) -> None:
    # "é" precomposed (NFC) and as e + combining accent (NFD): one address
    await register(1, email="ren\u00e9@example.org")
    response = await registration.http.post(
        "/meetings/pesnet-demo/registrations", json=person(2, email="RENE\u0301@example.org")
    )
    assert response.status_code == 409, response.text


async def test_concurrent_duplicates_make_one_registration(
    registration: Registration, person: Callable[..., dict[str, Any]]
) -> None:
    """The unique index decides, not a read-then-write: of 6 simultaneous requests
    with one address, exactly one is created."""
    responses = await asyncio.gather(
        *(
            registration.http.post(
                "/meetings/pesnet-demo/registrations",
                json=person(n, email="same@example.org"),
            )
            for n in range(6)
        )
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 409, 409, 409, 409, 409], [r.text for r in responses]


async def test_unknown_meeting_is_a_404(
    registration: Registration, person: Callable[..., dict[str, Any]]
) -> None:
    response = await registration.http.post("/meetings/pesnet-99/registrations", json=person())
    assert response.status_code == 404
    response = await registration.http.post("/meetings/%24where/registrations", json=person())
    assert response.status_code in (404, 422)
