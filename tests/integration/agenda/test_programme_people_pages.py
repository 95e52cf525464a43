"""The programme editor adds the people of a programme (speakers, moderators) from the
editor's page, not only through the JSON API: a refused field is said next to it in the
reader's language; the person is then offered as a moderator or speaker of a session.
The audit page names the person an entry concerns while the programme still names
them, and says "purged" (never the old id, often a surname) once registration has
purged the meeting's personal data."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest

from pesnet.shared.events import CATALOG
from pesnet.shared.events.registration import PersonalDataPurged
from tests.integration.agenda.conftest import RegistrationEvents
from tests.integration.agenda.test_meeting_pages import (  # noqa: F401 (the fixture)
    ADMIN_TOKEN,
    field_error,
    pages,
    post,
)
from tests.integration.roles import bearer
from tests.support import eventually

pytestmark = pytest.mark.integration

ARABIC = re.compile(r"[\u0600-\u06FF]")
PERSON = {
    "action": "person", "person_name_ar": "ليلى حسن", "person_name_en": "Leila Hassan",
    "person_name_fr": "Leila Hassan", "person_email": "leila.hassan@example.org",
    "person_institution": "anapec", "person_role": "speaker",
}  # fmt: skip


async def test_people_are_added_to_the_programme_from_its_page(
    pages: httpx.AsyncClient,  # noqa: F811
) -> None:
    pages.cookies.set("pesnet_session", ADMIN_TOKEN)
    editor = "/staff/meetings/pesnet-demo/programme?lang=ar"
    page = await pages.get(editor)
    assert 'id="person_email"' in page.text, "the editor has no form to add a person"

    no_address = await post(pages, editor, {**PERSON, "person_email": "leila@"})
    assert no_address.status_code == 422
    assert ARABIC.search(field_error(no_address.text, "person_email"))
    assert 'value="ليلى حسن"' in no_address.text  # what was typed stays

    nameless = await post(pages, editor, {**PERSON, "person_name_ar": "", "person_name_en": "",
                                          "person_name_fr": ""})  # fmt: skip
    assert nameless.status_code == 422
    assert ARABIC.search(field_error(nameless.text, "person_name"))

    added = await post(pages, editor, PERSON)
    assert added.status_code == 200, added.text
    assert re.search(r'<th scope="row">ليلى حسن</th>', added.text), "not offered to the sessions"
    people = (await pages.get("/meetings/pesnet-demo")).json()["people"]
    leila = [p for p in people.values() if p["name"]["en"] == "Leila Hassan"]
    assert len(leila) == 1
    assert leila[0]["institution"] == "anapec"

    # the same address again is someone else's: refused at the field, in French on a French page
    twice = await post(pages, editor.replace("lang=ar", "lang=fr"),
                       {**PERSON, "person_name_en": "Another", "person_name_ar": "",
                        "person_name_fr": "Une autre"})  # fmt: skip
    assert twice.status_code == 409
    said = field_error(twice.text, "person_email")
    assert not ARABIC.search(said)
    assert "adresse" in said


async def test_the_audit_page_names_programme_people_until_they_are_purged(
    pages: httpx.AsyncClient,  # noqa: F811
    registration_events: RegistrationEvents,
) -> None:
    pages.cookies.set("pesnet_session", ADMIN_TOKEN)
    # an editor chose the surname as the person's id (the JSON API lets them)
    put = await pages.put(
        "/meetings/pesnet-4/people/hassan",
        json={"name": {"en": "Leila Hassan", "ar": "ليلى حسن"}, "email": "leila@example.org"},
        headers=bearer(ADMIN_TOKEN),
    )
    assert put.status_code == 200, put.text
    query = {"meeting": "pesnet-4", "action": "person.put", "lang": "ar"}
    audit = await pages.get("/staff/audit", params=query)
    assert audit.status_code == 200
    assert "ليلى حسن" in audit.text
    assert "person/hassan" not in audit.text

    purged = PersonalDataPurged(meeting_id="pesnet-4", registrations=0, purged_at=datetime.now(UTC))
    await registration_events.publisher.publish(
        CATALOG.envelope(purged, source="/pesnet/registration")
    )

    async def erased() -> bool:
        return "Hassan" not in (await pages.get("/meetings/pesnet-4")).text

    await eventually(erased, within=30)
    for language, word in (("en", "purged"), ("ar", "حُذفت بياناته")):
        after = await pages.get("/staff/audit", params={**query, "lang": language})
        assert "person.put" in after.text
        assert "hassan" not in after.text.casefold()
        assert "ليلى" not in after.text
        assert word in after.text, language
    exported = await pages.get("/staff/audit", params={**query, "format": "csv"})
    assert "person.put" in exported.text
    assert "hassan" not in exported.text.casefold()
