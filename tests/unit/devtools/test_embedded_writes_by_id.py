"""A findAndModify's write (`{_id, $and: [query]}`) reads its one document, not the
collection (`route_writes_by_id`; SecantusDB's planner takes no index under `$and`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from secantus.storage import Storage

from pesnet.devtools.embedded_mongo_server import route_writes_by_id


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    route_writes_by_id()
    store = Storage(str(tmp_path))
    store.insert("db", "counters", [{"_id": f"k{n}", "hits": n} for n in range(50)])
    yield store
    store.close()


@pytest.mark.parametrize(
    ("write_filter", "read"),
    [
        ({"_id": "k3", "$and": [{"hits": {"$gte": 1}}]}, 1),  # a findAndModify's write
        ({"_id": {"$in": ["k3", "k4"]}, "$and": [{"hits": 3}]}, 2),
        ({"_id": "k3", "hits": 3}, 1),
        ({"$and": [{"hits": 3}]}, 50),  # no `_id`: every document is a candidate
    ],
)
def test_a_write_by_id_reads_only_that_document(
    storage: Storage, write_filter: dict[str, object], read: int
) -> None:
    assert len(storage._candidates_iter("db", "counters", write_filter)) == read


def test_a_missing_id_is_no_candidate(storage: Storage) -> None:
    assert storage._candidates_iter("db", "counters", {"_id": "k99", "$and": [{}]}) == []
