"""The embedded database ends a transaction whose client was killed, as mongod does.

A mail sender killed with `kill -9` in the middle of a transaction leaves it open on the
server; the restarted sender's plain lease update on the same delivery must go through
once the transaction's lifetime has passed, not wait for ever (the fault drill once
hung for 572 s on this)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from pymongo import MongoClient

from pesnet.devtools.embedded_mongo import EmbeddedMongo

pytestmark = pytest.mark.integration

# a client that writes in a transaction and dies before committing it
KILLED_IN_A_TRANSACTION = """
import os, signal, sys
from pymongo import MongoClient
client = MongoClient(sys.argv[1])
deliveries = client.pesnet.deliveries
session = client.start_session()
session.start_transaction()
deliveries.update_one({"_id": "d1"}, {"$set": {"lease_owner": "killed"}}, session=session)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_client_s_transaction_stops_blocking_writes_after_its_lifetime() -> None:
    with EmbeddedMongo(transaction_lifetime=3) as server:
        client: MongoClient[dict[str, object]] = MongoClient(server.url, socketTimeoutMS=30_000)
        deliveries = client.pesnet.deliveries
        deliveries.insert_one({"_id": "d1", "lease_owner": None})
        died = subprocess.run(
            [sys.executable, "-c", KILLED_IN_A_TRANSACTION, server.url], check=False
        )
        assert died.returncode == -9

        started = time.monotonic()
        result = deliveries.update_one({"_id": "d1"}, {"$set": {"lease_owner": "restarted"}})
        waited = time.monotonic() - started

        assert result.modified_count == 1
        assert deliveries.find_one({"_id": "d1"}) == {"_id": "d1", "lease_owner": "restarted"}
        assert waited < 20, f"the write waited {waited:.1f} s for a dead transaction"
        client.close()
