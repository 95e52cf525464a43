"""The embedded database keeps its catalog in memory between commands (and routes a
findAndModify's write to its one document): what a client changes in the catalog holds
from the next command on, as on mongod (`pesnet.devtools.embedded_mongo_catalog`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import MongoClient, ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError, WriteError

pytestmark = pytest.mark.integration

Doc = dict[str, Any]


@pytest.fixture
def collection(mongo_url: str) -> Iterator[Collection[Doc]]:
    client: MongoClient[Doc] = MongoClient(mongo_url)
    name = f"catalog_{uuid.uuid4().hex[:8]}"
    try:
        people = client[name].people
        # written and read first: the catalog of the collection is now known to the server
        people.insert_many([{"_id": n, "email": f"p{n}@example.org", "n": n} for n in range(20)])
        assert people.count_documents({"n": {"$gte": 0}}) == 20
        yield people
    finally:
        client.drop_database(name)
        client.close()


def test_a_unique_index_created_after_writes_refuses_the_next_duplicate(
    collection: Collection[Doc],
) -> None:
    collection.create_index("email", unique=True)

    with pytest.raises(DuplicateKeyError):
        collection.insert_one({"_id": 100, "email": "p3@example.org"})


def test_a_dropped_unique_index_no_longer_refuses(collection: Collection[Doc]) -> None:
    collection.create_index("email", unique=True, name="one_email")
    with pytest.raises(DuplicateKeyError):
        collection.insert_one({"_id": 100, "email": "p3@example.org"})

    collection.drop_index("one_email")
    collection.insert_one({"_id": 101, "email": "p3@example.org"})

    assert collection.count_documents({"email": "p3@example.org"}) == 2


def test_an_index_created_between_writes_finds_the_documents_written_after_it(
    collection: Collection[Doc],
) -> None:
    collection.create_index("n", name="by_n")
    collection.insert_many(
        [{"_id": 200 + n, "email": "later@example.org", "n": 500} for n in range(3)]
    )

    found = list(collection.find({"n": 500}).hint("by_n"))

    assert sorted(d["_id"] for d in found) == [200, 201, 202]


def test_a_validator_set_between_writes_holds_for_the_next_one(
    collection: Collection[Doc],
) -> None:
    database = collection.database
    database.command("collMod", collection.name, validator={"$jsonSchema": {"required": ["email"]}})

    with pytest.raises(WriteError) as refused:
        collection.insert_one({"_id": 300, "n": 1})

    assert refused.value.code == 121  # DocumentValidationFailure


def test_an_array_written_in_an_aborted_transaction_leaves_element_queries_right(
    collection: Collection[Doc],
) -> None:
    """Whether an index holds arrays decides whether it may answer `{tags: "a"}`; a
    transaction that marked it so and then aborted must not leave that half-known."""
    collection.create_index("tags", name="by_tag")
    client = collection.database.client
    with client.start_session() as session:
        session.start_transaction()
        collection.insert_one({"_id": 400, "tags": ["a", "b"]}, session=session)
        session.abort_transaction()
    collection.insert_one({"_id": 401, "tags": "a"})
    collection.insert_one({"_id": 402, "tags": ["c", "a"]})

    found = sorted(d["_id"] for d in collection.find({"tags": "a"}))

    assert found == [401, 402]


def test_a_find_and_modify_whose_condition_no_longer_holds_changes_nothing(
    collection: Collection[Doc],
) -> None:
    collection.update_one({"_id": 5}, {"$set": {"lease": "replica-1"}})

    taken = collection.find_one_and_update(
        {"_id": 5, "lease": "replica-2"},
        {"$set": {"n": 99}},
        return_document=ReturnDocument.AFTER,
    )
    counted = collection.find_one_and_update(
        {"_id": 5, "lease": "replica-1"},
        {"$inc": {"n": 1}},
        return_document=ReturnDocument.AFTER,
    )

    assert taken is None
    assert counted is not None
    assert counted["n"] == 6
