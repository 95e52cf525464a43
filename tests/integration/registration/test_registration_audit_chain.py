"""The audit trail is tamper-evident: every entry is chained to the one before it, in
the transaction that writes it, also under concurrent requests; `python -m
pesnet.shared.audit_chain verify` says the trail is intact, and names the first broken
entry once one is rewritten or removed through the database. Staff reading a person's
data is in the trail too."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from pesnet.shared.audit import RETENTION_DAYS
from pesnet.shared.audit_chain import verify
from pesnet.shared.mongo import Client
from tests.integration.registration.conftest import Registration

pytestmark = pytest.mark.integration


def cli(mongo_url: str, database: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pesnet.shared.audit_chain", "verify", "--service", "registration"],
        env={**os.environ, "MONGODB_URL": mongo_url, "PESNET_DATABASE": database},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_the_trail_is_chained_and_an_edit_or_a_removal_is_named(
    registration: Registration,
    person: Callable[..., dict[str, Any]],
    secretariat: dict[str, str],
    mongo_client: Client,
    mongo_url: str,
) -> None:
    answers = await asyncio.gather(
        *(
            registration.http.post("/meetings/pesnet-demo/registrations", json=person(n))
            for n in range(12)
        )
    )
    assert {a.status_code for a in answers} == {201}
    first = answers[0].json()
    confirmed = await registration.http.post(
        f"/registrations/{first['id']}/confirm", headers=secretariat
    )
    assert confirmed.status_code == 200
    read = await registration.http.get(f"/registrations/{first['id']}", headers=secretariat)
    assert read.status_code == 200
    # the secretariat's read of the person's data is in the trail
    entries = (await registration.http.get("/audit", headers=secretariat)).json()
    assert any(
        e["action"] == "personal_data.read" and e["subject"] == first["id"] for e in entries
    ), entries[:5]

    database = registration.app.state.runtime.settings.database
    db = mongo_client[database]
    verdict = await verify(db, retention_days=RETENTION_DAYS)
    assert verdict.intact, verdict.broken
    assert verdict.entries == await db["audit"].count_documents({})
    ok = cli(mongo_url, database)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "intact" in ok.stdout

    # rewrite an entry: who confirmed
    entry = await db["audit"].find_one({"action": "participant.confirmed"})
    assert entry is not None
    await db["audit"].update_one({"_id": entry["_id"]}, {"$set": {"actor": "someone_else"}})
    verdict = await verify(db, retention_days=RETENTION_DAYS)
    assert verdict.broken is not None
    assert verdict.broken["id"] == str(entry["_id"])
    assert verdict.broken["why"] == "its content was changed"
    broken = cli(mongo_url, database)
    assert broken.returncode == 1
    assert f"id {entry['_id']}" in broken.stdout
    assert "changed" in broken.stdout
    await db["audit"].replace_one({"_id": entry["_id"]}, entry)
    assert (await verify(db, retention_days=RETENTION_DAYS)).intact

    # remove one in the middle of a lane, then a lane's last one
    busy = await db["audit_chain"].find_one({"n": {"$gte": 3}})
    assert busy is not None
    lane = busy["_id"]
    middle = await db["audit"].find_one({"chain": lane, "n": 2})
    assert middle is not None
    await db["audit"].delete_one({"_id": middle["_id"]})
    verdict = await verify(db, retention_days=RETENTION_DAYS)
    assert verdict.broken is not None
    assert verdict.broken["lane"] == lane
    assert verdict.broken["n"] == 3
    assert "missing" in verdict.broken["why"]
    await db["audit"].insert_one(middle)
    assert (await verify(db, retention_days=RETENTION_DAYS)).intact
    head = await db["audit_chain"].find_one({"_id": lane})
    assert head is not None
    await db["audit"].delete_one({"chain": lane, "n": head["n"]})
    verdict = await verify(db, retention_days=RETENTION_DAYS)
    assert verdict.broken is not None
    assert "removed" in verdict.broken["why"]
