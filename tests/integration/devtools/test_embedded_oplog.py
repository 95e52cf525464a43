"""The embedded database writes no oplog (nothing on the platform reads a change
stream), and what the platform needs of a replica set still works without it:
transactions, and the cluster time every reply carries for causal consistency."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.database import Database

pytestmark = pytest.mark.integration

Doc = dict[str, Any]


@pytest.fixture
def client(mongo_url: str) -> Iterator[MongoClient[Doc]]:
    client: MongoClient[Doc] = MongoClient(mongo_url)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def db(client: MongoClient[Doc]) -> Iterator[Database[Doc]]:
    name = f"oplog_{uuid.uuid4().hex[:8]}"
    try:
        yield client[name]
    finally:
        client.drop_database(name)


def test_writes_and_transactions_leave_no_oplog_entry(
    client: MongoClient[Doc], db: Database[Doc]
) -> None:
    people = db.people
    people.insert_one({"_id": 1, "name": "Amina"})
    people.update_one({"_id": 1}, {"$set": {"name": "Amina B."}})
    with client.start_session() as session, session.start_transaction():
        people.insert_one({"_id": 2, "name": "Karim"}, session=session)
        people.delete_one({"_id": 1}, session=session)

    assert sorted(d["_id"] for d in people.find()) == [2]
    namespace = f"{db.name}.people"
    assert client.local["oplog.rs"].count_documents({"ns": namespace}) == 0


def test_a_causally_consistent_session_reads_its_own_committed_writes(
    client: MongoClient[Doc], db: Database[Doc]
) -> None:
    with client.start_session(causal_consistency=True) as session:
        with session.start_transaction():
            db.people.insert_one({"_id": 3, "name": "Fatou"}, session=session)
        # the driver sends the cluster time it was told back as afterClusterTime
        assert session.cluster_time is not None
        assert session.operation_time is not None
        assert db.people.find_one({"_id": 3}, session=session) == {"_id": 3, "name": "Fatou"}
