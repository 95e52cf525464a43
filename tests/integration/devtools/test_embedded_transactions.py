"""The embedded database ends a transaction whose client was killed, as mongod does.

A mail sender killed with `kill -9` in the middle of a transaction leaves it open on the
server; the restarted sender's plain lease update on the same delivery must go through
once the transaction's lifetime has passed, not wait for ever (the fault drill once
hung for 572 s on this)."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

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


def test_a_write_waiting_on_a_dead_transaction_blocks_nobody_for_good() -> None:
    """The fault drill's second hang (notifications' writes timed out for a quarter of an
    hour after its mail sender was killed). A plain `update_many` that met the killed
    client's transaction retried while holding its collection's lock; a live transaction's
    next statement on that collection waited for the lock while holding its own; and the
    reaper, which walks every transaction (this live one's session is the older, so it
    comes first) and waits for each, held the registry's lock meanwhile: the dead
    transaction was never reaped, and every transaction statement everywhere waited."""
    with EmbeddedMongo(transaction_lifetime=3) as server:
        # a blocked write gives up after 40 s, so that the test fails instead of hanging
        client: MongoClient[dict[str, object]] = MongoClient(server.url, socketTimeoutMS=40_000)
        outbox = client.pesnet.outbox
        outbox.insert_one({"_id": "e1", "published_at": None})
        live = client.start_session()
        with live.start_transaction():  # the live session is known to the server first
            outbox.find_one({"_id": "e1"}, session=live)
        died = subprocess.run(
            [
                sys.executable,
                "-c",
                KILLED_IN_A_TRANSACTION.replace("deliveries", "outbox").replace('"d1"', '"e1"'),
                server.url,
            ],
            check=False,
        )
        assert died.returncode == -9

        def mark_published() -> int:
            done = outbox.update_many({"_id": "e1"}, {"$set": {"published_at": "now"}})
            return done.modified_count

        def emit_in_a_transaction() -> None:
            with live.start_transaction():
                outbox.insert_one({"_id": "e2", "published_at": None}, session=live)

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=2) as pool:
            marked = pool.submit(mark_published)
            time.sleep(0.5)  # the update is retrying, holding the collection
            emitted = pool.submit(emit_in_a_transaction)
            assert marked.result(timeout=90) == 1
            emitted.result(timeout=90)
        waited = time.monotonic() - started

        assert outbox.count_documents({}) == 2
        assert waited < 30, f"the writes waited {waited:.1f} s"
        live.end_session()
        client.close()
