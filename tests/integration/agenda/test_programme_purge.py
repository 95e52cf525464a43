"""A held meeting's purge reaches every person its programme names: after
registration's `registration.personal_data.purged`, no speaker's or moderator's name,
honorific, position or address is left in agenda's meetings, draft or any programme
release, nor in the ids that stood for them (`sekkouri`); the public programme keeps
its sessions, their roles and the institutions."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from pesnet.agenda.settings import Settings
from pesnet.shared.events import CATALOG
from pesnet.shared.events.registration import PersonalDataPurged
from pesnet.shared.mongo import Client
from tests.integration.agenda.conftest import MEETING, SECRETARIAT, RegistrationEvents
from tests.support import eventually

pytestmark = pytest.mark.integration

# the 4th meeting's minister, as the seed names him
NAMES = ("Sekkouri", "السكوري", "sekkouri", "H.E. Mr.", "Minister of Economic Inclusion")


async def everything_agenda_serves(agenda: httpx.AsyncClient) -> str:
    """The meeting, its draft, and every version of its programme in every form."""
    parts = [
        (await agenda.get(f"/meetings/{MEETING}")).text,
        (await agenda.get(f"/meetings/{MEETING}/draft", headers=SECRETARIAT)).text,
    ]
    versions = (await agenda.get(f"/meetings/{MEETING}/programme/releases")).json()
    assert versions, "the seed publishes the 4th meeting's programme"
    for version in versions:
        for language in ("ar", "en", "fr"):
            for form in ("json", "html", "ics"):
                response = await agenda.get(
                    f"/meetings/{MEETING}/programme",
                    params={"version": version["version"], "lang": language, "format": form},
                )
                assert response.status_code == 200, response.text
                parts.append(response.text)
    return "\n".join(parts)


async def test_the_purge_of_a_held_meeting_erases_its_programmes_people(
    agenda: httpx.AsyncClient,
    agenda_settings: Settings,
    registration_events: RegistrationEvents,
    mongo_client: Client,
) -> None:
    assert (await agenda.post("/dev/seed", headers=SECRETARIAT)).status_code == 200
    assert (await agenda.post("/dev/seed/history", headers=SECRETARIAT)).status_code == 200
    before = await everything_agenda_serves(agenda)
    assert all(name in before for name in NAMES)

    purged = PersonalDataPurged(meeting_id=MEETING, registrations=0, purged_at=datetime.now(UTC))
    await registration_events.publisher.publish(
        CATALOG.envelope(purged, source="/pesnet/registration")
    )

    async def meeting_purged() -> bool:
        meeting = (await agenda.get(f"/meetings/{MEETING}")).json()
        return "Sekkouri" not in json.dumps(meeting, ensure_ascii=False)

    await eventually(meeting_purged, within=30)

    after = await everything_agenda_serves(agenda)
    for name in NAMES:
        assert name not in after, name
    # the programme stands: its sessions, who spoke by institution, the roles
    programme = (await agenda.get(f"/meetings/{MEETING}/programme?lang=en")).json()
    speaking = [s for s in programme["sessions"] if s["speakers"]]
    assert speaking
    assert all(p.startswith("person-") for s in speaking for p in s["speakers"])
    assert "ANAPEC" in json.dumps(programme)
    assert all(
        person["name"] == {"ar": None, "en": None, "fr": None}
        for person in programme["people"].values()
    )

    # and nothing of it is left in the stores behind the answers (pesnet-demo, which
    # the seed gives the same people, is another meeting)
    db = mongo_client[agenda_settings.database]
    for collection, of_meeting in (
        ("meetings", {"_id": MEETING}),
        ("drafts", {"_id": MEETING}),
        ("releases", {"meeting_id": MEETING}),
    ):
        stored = json.dumps(
            await db[collection].find(of_meeting).to_list(), ensure_ascii=False, default=str
        )
        assert stored != "[]"
        for name in NAMES:
            assert name not in stored, (collection, name)
