"""The words moved from code into the gettext catalogs read exactly as they did: every
changelog of the scenarios, every composed title and notice, in ar, en and fr, equals
what the code said before (`before.json`, written by the code as it was)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import pytest

from pesnet.agenda.domain.release import ChangeKind
from tests.unit.wording.scenarios import changelog_scenarios, composed_texts

BEFORE: dict[str, Any] = json.loads((Path(__file__).parent / "before.json").read_text())


@pytest.mark.parametrize("scenario", sorted(BEFORE["changelogs"]))
def test_a_changelog_reads_as_before_in_every_language(scenario: str) -> None:
    assert changelog_scenarios()[scenario] == BEFORE["changelogs"][scenario]


def test_the_scenarios_make_a_change_of_every_kind() -> None:
    kinds = {c["kind"] for changes in BEFORE["changelogs"].values() for c in changes}
    assert kinds == set(get_args(ChangeKind))


def test_every_composed_text_reads_as_before_in_every_language() -> None:
    now = composed_texts()
    assert sorted(now) == sorted(BEFORE["texts"])
    for name, texts in BEFORE["texts"].items():
        assert now[name] == texts, name
