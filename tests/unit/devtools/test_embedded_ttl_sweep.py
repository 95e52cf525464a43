"""The embedded server's TTL sweep deletes through the TTL index exactly what
SecantusDB's own sweep deletes, without reading every document
(`expire_through_ttl_indexes`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from secantus.storage import Storage

from pesnet.devtools.embedded_mongo_server import expire_through_ttl_indexes, route_writes_by_id

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
DOCS: list[dict[str, Any]] = [
    {"_id": "expired", "expires_at": NOW - DAY},
    {"_id": "just expired", "expires_at": NOW - timedelta(seconds=1)},
    {"_id": "later", "expires_at": NOW + DAY},
    {"_id": "no date", "expires_at": "tomorrow"},
    {"_id": "no field"},
    {"_id": "one past date of several", "expires_at": [NOW + DAY, NOW - DAY]},
    {"_id": "future dates", "expires_at": [NOW + DAY]},
    {"_id": "null", "expires_at": None},
]


def storage_with(options: dict[str, Any]) -> Storage:
    storage = Storage(":memory:", enable_oplog=False, ttl_sweep_seconds=0)
    storage.create_index("t", "things", "expiry", {"expires_at": 1}, options)
    storage.insert("t", "things", [dict(doc) for doc in DOCS])
    return storage


def left(storage: Storage) -> list[str]:
    return sorted(str(doc["_id"]) for doc in storage.find_matching("t", "things", {}))


@pytest.fixture
def sweep() -> Any:
    route_writes_by_id()
    expire_through_ttl_indexes()
    return Storage.prune_ttl


@pytest.mark.parametrize("seconds", [0, 3600])
def test_the_sweep_through_the_index_deletes_what_the_scan_deletes_and_reads_no_document(
    sweep: Any, seconds: int
) -> None:
    scanned, indexed = (
        storage_with({"expireAfterSeconds": seconds}),
        storage_with({"expireAfterSeconds": seconds}),
    )
    reads: list[str] = []
    scan = indexed._scan_docs

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append("scan")
        return scan(*args, **kwargs)

    indexed._scan_docs = counted

    expected = sweep.scanning(scanned, "t", "things", now=NOW)
    deleted = indexed.prune_ttl("t", "things", now=NOW)

    assert reads == []
    assert deleted == expected
    assert left(indexed) == left(scanned)
    if seconds == 0:
        assert "expired" not in left(indexed)
        assert "later" in left(indexed)


def test_a_partial_ttl_index_keeps_secantusdbs_own_sweep(sweep: Any) -> None:
    options = {
        "expireAfterSeconds": 0,
        "partialFilterExpression": {"expires_at": {"$type": "date"}},
    }
    scanned, indexed = storage_with(options), storage_with(options)

    assert indexed.prune_ttl("t", "things", now=NOW) == sweep.scanning(
        scanned, "t", "things", now=NOW
    )
    assert left(indexed) == left(scanned)
