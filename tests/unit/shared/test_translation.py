"""The interface's own words come from gettext catalogs, in the person's language."""

from __future__ import annotations

from pathlib import Path

import pytest

from pesnet.shared.i18n import Language, negotiate_language
from pesnet.shared.translation import translate
from scripts.check_languages import catalog_gaps


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        ("ar", "fr", Language.ar),
        (None, "fr-MA,fr;q=0.9,en;q=0.8", Language.fr),
        (None, "de, en;q=0.5, ar;q=0.9", Language.ar),
        (None, "de", Language.en),
        (None, None, Language.en),
        ("xx", "ar;q=0", Language.en),
    ],
)
def test_the_language_is_the_one_asked_for(
    query: str | None, header: str | None, expected: Language
) -> None:
    assert negotiate_language(query, header) is expected


def test_a_message_is_translated_before_its_values_are_filled_in() -> None:
    assert translate("Must be at most {le}.", "ar", {"le": 5}) == "يجب ألا يزيد على 5."
    assert translate("Must be at most {le}.", "fr", {"le": 5}) == "Doit être au plus 5."
    assert translate("Must be at most {le}.", "en", {"le": 5}) == "Must be at most 5."
    # a text no catalog has stays English rather than disappearing
    assert translate("an unknown text", "ar") == "an unknown text"


def _package(root: Path, source: str, po_ar: str, po_fr: str) -> None:
    package = root / "pkg" / "src" / "pesnet" / "demo"
    package.mkdir(parents=True)
    (package / "texts.py").write_text(source)
    for lang, po in (("ar", po_ar), ("fr", po_fr)):
        folder = package / "locale" / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "messages.po").write_text(po)


def test_the_language_check_fails_on_a_missing_or_fuzzy_translation(tmp_path: Path) -> None:
    source = 'from pesnet.shared.translation import _\nA = _("Hello")\nB = _("Goodbye")\n'
    ar = 'msgid "Hello"\nmsgstr "مرحبا"\n\nmsgid "Goodbye"\nmsgstr ""\n'
    fr = '#, fuzzy\nmsgid "Hello"\nmsgstr "Bonjour"\n\nmsgid "Goodbye"\nmsgstr "Au revoir"\n'
    _package(tmp_path, source, ar, fr)
    gaps = catalog_gaps(tmp_path)
    assert gaps == [
        "pkg/src/pesnet/demo [ar]: not translated: 'Goodbye'",
        "pkg/src/pesnet/demo [fr]: fuzzy: 'Hello'",
    ]


def test_every_kernel_text_is_translated() -> None:
    root = Path(__file__).resolve().parents[3]
    assert [gap for gap in catalog_gaps(root) if gap.startswith("shared/")] == []


def test_the_language_check_knows_a_term_by_its_context_and_a_placeholder_by_name(
    tmp_path: Path,
) -> None:
    source = (
        "from pesnet.shared.translation import NC_, _\n"
        'A = NC_("role", "Speaker")\nB = _("Hello {name}")\n'
    )
    # a msgstr of the same word without its context is not the term's translation
    ar = 'msgid "Speaker"\nmsgstr "متحدث"\n\nmsgid "Hello {name}"\nmsgstr "مرحبا {nom}"\n'
    fr = 'msgctxt "role"\nmsgid "Speaker"\nmsgstr "Intervenant"\n\nmsgid "Hello {name}"\nmsgstr "Bonjour {name}"\n'
    _package(tmp_path, source, ar, fr)
    assert catalog_gaps(tmp_path) == [
        "pkg/src/pesnet/demo [ar]: unknown ['nom'] in: 'Hello {name}'",
        "pkg/src/pesnet/demo [ar]: not in the catalog: role: 'Speaker'",
    ]
