"""Human text as the services accept it: names, titles, acronyms, rooms, comments.

Control characters (NUL, escape, ...) and the Unicode bidirectional embeddings,
overrides and isolates (U+202A-U+202E, U+2066-U+2069, which can make a text read
differently than it is: "Trojan Source") are refused. The marks U+200E/U+200F, which
mixed Arabic and Latin text legitimately needs, are not. `CleanText` is one line;
`CleanParagraph` may also hold line breaks and tabs; `CleanLocalized` is a `Localized`
whose three texts are paragraphs. Use them for every human-text field of a command or
request body.

A name or a title must also say something: `CleanName` is a line that is not blank,
`NamedLocalized` a `CleanLocalized` in which at least one language says something and
no language given is only blanks (which would show as nothing to its readers).
`not_blank` and `says_something` are the same rules for a service's own models. The
refusals are said in the caller's language (the kernel's catalog)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator, field_validator, model_validator

from pesnet.shared.i18n import Localized
from pesnet.shared.translation import N_, Message

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\n\r\t")
REFUSED = N_("Holds a control or bidirectional-override character ({code}).")
BLANK = N_("Must not be blank.")
NOTHING_SAID = N_("Must be given in at least one language, not blank.")


def refused_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The characters of `text` a human text may not hold, as U+XXXX."""
    found = []
    for char in text:
        if multiline and char in LINE_BREAKS:
            continue
        if char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs"):
            found.append(f"U+{ord(char):04X}")
    return found


def _refuse(found: list[str]) -> None:
    if found:
        raise ValueError(Message(REFUSED, {"code": ", ".join(dict.fromkeys(found))}))


def clean_line(text: str) -> str:
    _refuse(refused_characters(text))
    return text


def clean_paragraph(text: str) -> str:
    _refuse(refused_characters(text, multiline=True))
    return text


def not_blank(text: str) -> str:
    """A line that says something (not only spaces)."""
    clean_line(text)
    if not text.strip():
        raise ValueError(Message(BLANK))
    return text


def says_something(texts: Iterable[str | None]) -> None:
    """At least one of a name's or title's texts is not blank."""
    if not any((text or "").strip() for text in texts):
        raise ValueError(Message(NOTHING_SAID))


def blank_given(text: str | None) -> str | None:
    """A language's text, refused if it is given but only blanks."""
    if text is not None and text and not text.strip():
        raise ValueError(Message(BLANK))
    return text


CleanText = Annotated[str, AfterValidator(clean_line)]
CleanParagraph = Annotated[str, AfterValidator(clean_paragraph)]
CleanName = Annotated[str, AfterValidator(not_blank)]


class CleanLocalized(Localized):
    """A `Localized` from a request: each language's text a clean paragraph."""

    @field_validator("ar", "en", "fr")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        return None if value is None else clean_paragraph(value)


class NamedLocalized(CleanLocalized):
    """A name or a title in the three languages: at least one says something, and a
    language given says something too."""

    @field_validator("ar", "en", "fr")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        return blank_given(value)

    @model_validator(mode="after")
    def _said(self) -> NamedLocalized:
        says_something((self.ar, self.en, self.fr))
        return self


__all__ = [
    "BLANK",
    "REFUSED",
    "CleanLocalized",
    "CleanName",
    "CleanParagraph",
    "CleanText",
    "NamedLocalized",
    "blank_given",
    "clean_line",
    "clean_paragraph",
    "not_blank",
    "refused_characters",
    "says_something",
]
