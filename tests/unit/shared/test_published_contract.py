"""The published contract (docs/events) and the language rule hold for the code as it is."""

from __future__ import annotations

import json

from pesnet.shared.events import CATALOG
from scripts.check_languages import localized_gaps, seed_gaps
from scripts.generate_schemas import render


def test_committed_event_schemas_match_the_catalog() -> None:
    stale = [
        str(path)
        for path, text in render().items()
        if not path.exists() or path.read_text() != text
    ]
    assert stale == [], "run `make schemas` and commit docs/events"


def test_every_catalog_event_has_a_schema_naming_its_type() -> None:
    files = render()
    asyncapi = json.loads(
        next(text for path, text in files.items() if path.name == "asyncapi.json")
    )
    assert {m["name"] for m in asyncapi["components"]["messages"].values()} == {
        spec.type for spec in CATALOG
    }


def test_seed_data_has_every_text_in_three_languages() -> None:
    assert seed_gaps() == []


def test_language_check_catches_a_missing_language() -> None:
    gaps = list(localized_gaps({"title": {"ar": "عنوان", "en": "Title", "fr": ""}}, "x"))
    assert gaps == ["x.title: missing fr"]
