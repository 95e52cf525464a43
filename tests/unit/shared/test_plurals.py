"""Counted words through the catalogs' plural rules: Arabic has six forms (zero, one,
two, few, many, other), French counts 0 and 1 alike, English has two."""

from __future__ import annotations

import pytest

from pesnet.shared.translation import ngettext

PACKAGE = "pesnet.registration"


@pytest.mark.parametrize(
    ("n", "arabic"),
    [
        (0, "لا مشاركين"),
        (1, "مشارك واحد"),
        (2, "مشاركان"),
        (3, "3 مشاركين"),
        (11, "11 مشاركًا"),
        (100, "100 مشارك"),
    ],
)
def test_arabic_takes_the_dual_and_its_plural_forms(n: int, arabic: str) -> None:
    assert ngettext("{n} participant", "{n} participants", n, "ar", packages=(PACKAGE,)) == arabic


def test_french_and_english_count_as_their_readers_do() -> None:
    def say(n: int, language: str) -> str:
        return ngettext("{n} participant", "{n} participants", n, language, packages=(PACKAGE,))

    assert [say(n, "fr") for n in (0, 1, 2)] == ["0 participant", "1 participant", "2 participants"]
    assert [say(n, "en") for n in (0, 1, 2)] == [
        "0 participants",
        "1 participant",
        "2 participants",
    ]
