"""The embedded server's projection of top-level fields answers exactly as SecantusDB's
own (same fields, same order), and leaves every other projection to it."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from secantus import projection
from secantus import storage as storage_module

from pesnet.devtools.embedded_mongo_server import (
    _top_level_inclusion,
    project_top_level_fields_directly,
)

DOCS: list[dict[str, Any]] = [
    {
        "_id": "r1",
        "meeting_id": "m4",
        "registered_at": datetime(2024, 2, 29, 9, tzinfo=UTC),
        "given_name": "Amina",
        "name_keys": ["amina", "benali"],
        "address": {"city": "Rabat"},
    },
    {"_id": "r2", "meeting_id": "m4", "given_name": "Karim"},
    {"given_name": "no id", "registered_at": None},
]


@pytest.mark.parametrize(
    "spec",
    [
        {"registered_at": 1},
        {"name_keys": True, "given_name": 1, "address": 1},
        {"_id": 0, "given_name": 1, "registered_at": 1},
        {"_id": 1, "meeting_id": 1},
        {"_id": False, "missing": 1},
    ],
)
def test_top_level_fields_are_projected_as_secantusdb_projects_them(spec: dict[str, Any]) -> None:
    project_top_level_fields_directly()
    fast = storage_module.apply_projection_batch
    assert getattr(fast, "takes_fields_directly", False)

    got = fast(copy.deepcopy(DOCS), spec, None, metas=None, has_sort=False)
    expected = projection.apply_projection_batch(copy.deepcopy(DOCS), spec, None, has_sort=False)

    assert got == expected
    assert [list(doc) for doc in got] == [list(doc) for doc in expected]


@pytest.mark.parametrize(
    "spec",
    [
        None,
        {},
        {"_id": 1},
        {"address.city": 1},
        {"name_keys": 0},
        {"name_keys": {"$slice": 1}},
        {"score": {"$meta": "textScore"}},
        {"given_name": "$family_name"},
        {"given_name": 2},
        {"$where": 1},
    ],
)
def test_every_other_projection_is_left_to_secantusdb(spec: Any) -> None:
    assert _top_level_inclusion(spec) is None
