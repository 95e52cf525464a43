"""Registrations stored before badges had short codes and names had search keys: a
replica starting brings them up to date, so the desk finds them by name and by short
code like anyone registered since; replicas doing it at once agree on one code."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from pesnet.registration.adapters.backfill import fill_in_old_registrations
from pesnet.registration.bootstrap import build_app
from pesnet.shared.mongo import Client, Document
from tests.integration.registration.conftest import Registration
from tests.integration.registration.test_registration_badges import meeting_today

pytestmark = pytest.mark.integration


def old_shape(meeting_id: str, n: int, given_name: str, family_name: str) -> Document:
    """A registration as an earlier version stored it: no `short_code`, no `name_keys`,
    no manage link version."""
    at = datetime.now(UTC).replace(microsecond=0)
    return {
        "_id": f"old{n:029d}",
        "meeting_id": meeting_id,
        "email_key": f"old{n}@example.org",
        "email": f"old{n}@example.org",
        "given_name": given_name,
        "family_name": family_name,
        "name_latin": None,
        "country": "MAR",
        "institution": "ANAPEC",
        "position": "Director",
        "role": "delegate",
        "language": "ar",
        "status": "confirmed",
        "registered_at": at,
        "updated_at": at,
        "confirmed_at": at,
        "promoted_from_waitlist": False,
        "manage_token_hash": None,
        "checked_in_at": None,
        "personal_data_purged_at": None,
    }


async def desk(registration: Registration, meeting: str, typed: str, lang: str) -> str:
    http = registration.http
    headers = {"Authorization": "Bearer dev-secretariat-token"}
    page = await http.get(f"/desk?meeting={meeting}&lang={lang}", headers=headers)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    answer = await http.post(
        f"/desk?lang={lang}",
        data={"csrf": csrf.group(1), "meeting": meeting, "badge_token": typed},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    return answer.text


async def test_a_starting_replica_fills_in_old_registrations_and_the_desk_finds_them(
    registration: Registration,
    mongo_client: Client,
    start_service: Callable[..., Any],
) -> None:
    meeting = await meeting_today(registration)
    settings = registration.app.state.runtime.settings
    collection = mongo_client[settings.database]["registrations"]
    await collection.insert_one(old_shape(meeting, 1, "خديجة", "الإدريسي"))
    # stored as it was, it has no search keys: the desk does not find it
    assert "خديجة الإدريسي" not in await desk(registration, meeting, "خديجه", "ar")
    async with start_service(build_app(settings)):
        pass  # a replica's start-up is the backfill
    stored = await collection.find_one({"_id": "old" + "1".zfill(29)})
    assert stored is not None
    assert re.fullmatch(r"[A-Z0-9]{6}", stored["short_code"])
    found = await desk(registration, meeting, "خديجه ادريسي", "ar")
    assert "خديجة الإدريسي" in found
    assert "شخص واحد يطابق" in found
    checked = await desk(registration, meeting, stored["short_code"].lower(), "en")
    assert "خديجة الإدريسي" in checked
    assert "checked in at" in checked


async def test_two_replicas_filling_in_at_once_agree_and_a_second_run_changes_nothing(
    registration: Registration, mongo_client: Client
) -> None:
    db = mongo_client[registration.app.state.runtime.settings.database]
    await db["registrations"].insert_many(
        [old_shape("pesnet-demo", n, "Gülşen", f"Çelik{n}") for n in range(2, 6)]
    )
    filled = await asyncio.gather(fill_in_old_registrations(db), fill_in_old_registrations(db))
    assert sum(filled) >= 4
    codes = {
        doc["_id"]: (doc["short_code"], doc["name_keys"])
        async for doc in db["registrations"].find({"_id": {"$regex": "^old"}})
    }
    assert len(codes) == 4
    assert len({code for code, _ in codes.values()}) == 4
    assert all("gulsen" in keys for _, keys in codes.values())
    assert await fill_in_old_registrations(db) == 0
    again = {
        doc["_id"]: (doc["short_code"], doc["name_keys"])
        async for doc in db["registrations"].find({"_id": {"$regex": "^old"}})
    }
    assert again == codes
