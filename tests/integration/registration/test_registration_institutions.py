"""The network's reference of institutions, owned by registration: seeded with the
institutions of the 4th meeting, listed with their names in ar/en/fr, announced on the
public stream; a registration may name one by id (an unknown id is refused naming the
field, in the caller's language); a focal point nominated for an institution is
announced with the digest of its token, and so is the withdrawal."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from pesnet.shared.credentials import hash_secret_token
from pesnet.shared.events.registration import (
    FocalPointNominated,
    FocalPointWithdrawn,
    InstitutionRegistered,
    InstitutionRenamed,
    ParticipantRegistered,
)
from tests.integration.registration.conftest import Registration

pytestmark = pytest.mark.integration

ARABIC_LETTERS = re.compile(r"[\u0600-\u06FF]")


def problem_field(response: Any, status: int, language: str) -> dict[str, Any]:
    """The response is problem details in `language`; its one field entry is returned."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["content-language"] == language
    [entry] = response.json()["errors"]
    return dict(entry)


async def test_the_seed_registers_the_4th_meetings_institutions_with_their_three_names(
    registration: Registration, secretariat: dict[str, str]
) -> None:
    listed = (await registration.http.get("/institutions", params={"lang": "fr"})).json()
    by_id = {i["id"]: i for i in listed["institutions"]}
    assert {"anapec", "iskur", "sesric", "socso"} <= set(by_id)
    anapec = by_id["anapec"]
    assert anapec["country"] == "MAR"
    assert anapec["acronym"] == "ANAPEC"
    assert anapec["name"]["ar"] == "الوكالة الوطنية لإنعاش التشغيل والكفاءات"
    assert (
        anapec["label"] == "Agence nationale de promotion de l'emploi et des compétences (ANAPEC)"
    )
    moroccan = (await registration.http.get("/institutions", params={"country": "MAR"})).json()
    assert "iskur" not in {i["id"] for i in moroccan["institutions"]}
    # announced once each on the public stream, with a version a projection can order by
    [event] = await registration.bus.wait_for(InstitutionRegistered, institution_id="iskur")
    assert event["data"]["name"]["en"] == "Turkish Employment Agency"
    assert event["data"]["version"] == 1
    # the seed again changes nothing
    again = await registration.http.post("/dev/seed", headers=secretariat)
    assert again.status_code == 200
    assert len(registration.bus.of(InstitutionRegistered, institution_id="iskur")) == 1


async def test_an_institution_is_registered_then_renamed_with_a_new_version(
    registration: Registration, secretariat: dict[str, str]
) -> None:
    names = {
        "ar": "الوكالة الوطنية للتشغيل",
        "en": "National Employment Agency (Algeria)",
        "fr": "Agence nationale de l'emploi (Algérie)",
    }
    body: dict[str, Any] = {
        "id": "anem",
        "name": names,
        "acronym": "ANEM",
        "country": "dza",
    }
    created = await registration.http.post("/institutions", json=body, headers=secretariat)
    assert created.status_code == 201, created.text
    assert created.json()["country"] == "DZA"
    again = await registration.http.post("/institutions", json=body, headers=secretariat)
    assert again.status_code == 409
    renamed = await registration.http.patch(
        "/institutions/anem",
        json={"name": {**names, "en": "National Employment Agency"}},
        headers=secretariat,
    )
    assert renamed.status_code == 200, renamed.text
    [event] = await registration.bus.wait_for(InstitutionRenamed, institution_id="anem")
    assert (event["data"]["version"], event["data"]["name"]["en"]) == (
        2,
        "National Employment Agency",
    )
    anonymous = await registration.http.post("/institutions", json={**body, "id": "x"})
    assert anonymous.status_code == 401


async def test_an_institution_needs_its_three_names_and_a_member_state(
    registration: Registration, secretariat: dict[str, str]
) -> None:
    french = {**secretariat, "Accept-Language": "fr"}
    body = {"id": "pes-x", "name": {"en": "Some PES", "fr": "Un SPE"}, "country": "MAR"}
    entry = problem_field(
        await registration.http.post("/institutions", json=body, headers=french), 422, "fr"
    )
    assert entry["field"] == "name.ar"
    body = {**body, "name": {"ar": "خدمة", "en": "Some PES", "fr": "Un SPE"}, "country": "FRA"}
    entry = problem_field(
        await registration.http.post("/institutions", json=body, headers=french), 422, "fr"
    )
    assert entry["field"] == "country"


async def test_a_registration_names_its_institution_by_id(
    registration: Registration, person: Callable[..., dict[str, Any]]
) -> None:
    body = person(1, language="ar", institution_id="anapec")
    del body["institution"]
    response = await registration.http.post("/meetings/pesnet-demo/registrations", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["institution_id"] == "anapec"
    # without a free-text name, the reference's name in the registrant's language
    assert created["institution"] == "الوكالة الوطنية لإنعاش التشغيل والكفاءات"
    [event] = await registration.bus.wait_for(ParticipantRegistered, registration_id=created["id"])
    assert event["data"]["institution_id"] == "anapec"


async def test_an_unknown_institution_id_is_refused_naming_the_field_in_arabic(
    registration: Registration, person: Callable[..., dict[str, Any]]
) -> None:
    response = await registration.http.post(
        "/meetings/pesnet-demo/registrations",
        json=person(2, institution_id="no-such-pes"),
        headers={"Accept-Language": "ar"},
    )
    entry = problem_field(response, 422, "ar")
    assert entry["field"] == "institution_id"
    assert ARABIC_LETTERS.search(entry["msg"]), entry


async def test_a_focal_point_nominated_for_an_institution_is_announced_and_withdrawn(
    registration: Registration, secretariat: dict[str, str]
) -> None:
    nominated = await registration.http.post(
        "/focal-points",
        json={
            "country": "MAR",
            "institution_id": "anapec",
            "name": "Karim Alaoui",
            "email": "k.alaoui@anapec.example.ma",
            "language": "fr",
        },
        headers=secretariat,
    )
    assert nominated.status_code == 201, nominated.text
    focal_point = nominated.json()
    assert (focal_point["institution_id"], focal_point["language"]) == ("anapec", "fr")
    [event] = await registration.bus.wait_for(FocalPointNominated, focal_point_id=focal_point["id"])
    data = event["data"]
    assert (data["institution_id"], data["country"], data["email"]) == (
        "anapec",
        "MAR",
        "k.alaoui@anapec.example.ma",
    )
    # the digest, never the token
    assert data["token_digest"] == hash_secret_token(focal_point["token"])
    assert focal_point["token"] not in json.dumps(event)

    revoked = await registration.http.delete(
        f"/focal-points/{focal_point['id']}", headers=secretariat
    )
    assert revoked.status_code == 204
    [withdrawn] = await registration.bus.wait_for(
        FocalPointWithdrawn, focal_point_id=focal_point["id"]
    )
    assert withdrawn["data"]["version"] > data["version"]


async def test_a_nomination_names_a_known_institution_of_its_country(
    registration: Registration, secretariat: dict[str, str]
) -> None:
    french = {**secretariat, "Accept-Language": "fr"}
    body = {"country": "MAR", "name": "K. A.", "email": "ka@example.org"}
    unknown = await registration.http.post(
        "/focal-points", json={**body, "institution_id": "nope"}, headers=french
    )
    assert problem_field(unknown, 422, "fr")["field"] == "institution_id"
    foreign = await registration.http.post(
        "/focal-points", json={**body, "institution_id": "iskur"}, headers=french
    )
    entry = problem_field(foreign, 422, "fr")
    assert entry["field"] == "institution_id"
    assert "Türkiye" in entry["msg"] or "TUR" in entry["msg"]
    no_email = await registration.http.post(
        "/focal-points",
        json={"country": "MAR", "name": "K. A.", "institution_id": "anapec"},
        headers=french,
    )
    assert problem_field(no_email, 422, "fr")["field"] == "email"
