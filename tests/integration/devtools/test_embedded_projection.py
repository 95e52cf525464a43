"""A find's projection on the embedded database answers as mongod's does, whether it
takes the fast path (top-level fields included: `project_top_level_fields_directly`) or
SecantusDB's own (every other projection)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

pytestmark = pytest.mark.integration

Doc = dict[str, Any]
AT = datetime(2024, 2, 29, 9, 0, tzinfo=UTC)


@pytest.fixture
def people(mongo_url: str) -> Iterator[Collection[Doc]]:
    client: MongoClient[Doc] = MongoClient(mongo_url, tz_aware=True)
    name = f"projection_{uuid.uuid4().hex[:8]}"
    try:
        people = client[name].people
        people.insert_many(
            [
                {
                    "_id": "p1",
                    "family_name": "Benali",
                    "registered_at": AT,
                    "given_name": "Amina",
                    "name_keys": ["amina", "benali"],
                    "address": {"city": "Rabat", "country": "MAR"},
                },
                {"_id": "p2", "given_name": "Karim", "name_keys": ["karim"]},
            ]
        )
        yield people
    finally:
        client.drop_database(name)
        client.close()


def test_top_level_fields_come_in_the_documents_order_with_their_whole_values(
    people: Collection[Doc],
) -> None:
    found = list(
        people.find({}, projection={"name_keys": 1, "given_name": True, "address": 1}).sort(
            "_id", 1
        )
    )

    assert found == [
        {
            "_id": "p1",
            "given_name": "Amina",
            "name_keys": ["amina", "benali"],
            "address": {"city": "Rabat", "country": "MAR"},
        },
        {"_id": "p2", "given_name": "Karim", "name_keys": ["karim"]},
    ]
    assert [list(doc) for doc in found] == [
        ["_id", "given_name", "name_keys", "address"],
        ["_id", "given_name", "name_keys"],
    ]


def test_the_id_is_left_out_when_asked_and_a_missing_field_is_absent(
    people: Collection[Doc],
) -> None:
    found = list(people.find({}, projection={"_id": 0, "registered_at": 1}).sort("_id", 1))

    assert found == [{"registered_at": AT}, {}]


@pytest.mark.parametrize(
    ("projection", "expected"),
    [
        # a dotted path, an exclusion, a slice: SecantusDB's own projection
        ({"address.city": 1}, {"_id": "p1", "address": {"city": "Rabat"}}),
        (
            {"name_keys": 0, "address": 0, "registered_at": 0},
            {"_id": "p1", "family_name": "Benali", "given_name": "Amina"},
        ),
        (
            {"name_keys": {"$slice": 1}, "given_name": 1},
            {"_id": "p1", "given_name": "Amina", "name_keys": ["amina"]},
        ),
    ],
)
def test_every_other_projection_answers_as_before(
    people: Collection[Doc], projection: Doc, expected: Doc
) -> None:
    assert people.find_one({"_id": "p1"}, projection=projection) == expected
