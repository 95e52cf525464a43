"""Human text as the services accept it: names, titles, acronyms, rooms, comments.

Control characters (NUL, escape, ...) and the Unicode bidirectional embeddings,
overrides and isolates (U+202A-U+202E, U+2066-U+2069, which can make a text read
differently than it is: "Trojan Source") are refused. The marks U+200E/U+200F, which
mixed Arabic and Latin text legitimately needs, are not. `CleanText` is one line;
`CleanParagraph` may also hold line breaks and tabs; `CleanLocalized` is a `Localized`
whose three texts are paragraphs. Use them for every human-text field of a command or
request body."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, field_validator

from pesnet.shared.i18n import Localized

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\n\r\t")
REFUSED = "control and bidirectional-override characters are not allowed"


def refused_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The characters of `text` a human text may not hold, as U+XXXX."""
    found = []
    for char in text:
        if multiline and char in LINE_BREAKS:
            continue
        if char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs"):
            found.append(f"U+{ord(char):04X}")
    return found


def clean_line(text: str) -> str:
    if refused_characters(text):
        raise ValueError(REFUSED)
    return text


def clean_paragraph(text: str) -> str:
    if refused_characters(text, multiline=True):
        raise ValueError(REFUSED)
    return text


CleanText = Annotated[str, AfterValidator(clean_line)]
CleanParagraph = Annotated[str, AfterValidator(clean_paragraph)]


class CleanLocalized(Localized):
    """A `Localized` from a request: each language's text a clean paragraph."""

    @field_validator("ar", "en", "fr")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        return None if value is None else clean_paragraph(value)


__all__ = [
    "REFUSED",
    "CleanLocalized",
    "CleanParagraph",
    "CleanText",
    "clean_line",
    "clean_paragraph",
    "refused_characters",
]
