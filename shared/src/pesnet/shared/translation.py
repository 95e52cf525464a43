"""The interface's own words (errors, labels, mail wording) in gettext catalogs, the way
translators work: code writes the English text inside `_()` (or `N_()` where the text
is only marked, to be translated later), `make translations` extracts it into a
`.pot` template and updates each language's `.po` file, and a translator edits those
with the usual tools. Content that is data (meeting titles, names, plan texts) is not
here: it is stored in three languages per record (`Localized`).

Each package keeps its catalogs beside its code: `<package>/locale/<lang>/LC_MESSAGES/
messages.po` (the kernel's in `pesnet/shared/locale`). They are read with Babel when
first needed; English is the source language and needs no catalog.

A message may name values in braces (`"the quota of {quota} is reached"`): they are
filled in after translation, so a translator can move them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from pesnet.shared.i18n import LANGUAGES, Language

DOMAIN = "messages"
KERNEL_PACKAGE = "pesnet.shared"


def N_(message: str) -> str:
    """Mark a text for extraction without translating it here."""
    return message


def _(message: str) -> str:
    """Mark a text for extraction; it is translated where it is shown (`translate`)."""
    return message


@cache
def _catalog(package: str, language: str) -> Catalog | None:
    try:
        path = resources.files(package) / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not path.is_file():
            return None
        with path.open("rb") as handle:
            return read_po(handle, locale=language)
    except ModuleNotFoundError:
        return None


def _lookup(package: str, message: str, language: str) -> str | None:
    catalog = _catalog(package, language)
    if catalog is None:
        return None
    entry = catalog.get(message)
    if entry is None or entry.fuzzy or not entry.string:
        return None
    return str(entry.string)


def translate(
    message: str,
    language: str,
    params: Mapping[str, Any] | None = None,
    *,
    packages: tuple[str, ...] = (),
) -> str:
    """`message` in `language`: the first of `packages`' catalogs (then the kernel's)
    that has it, else the English text; then `{names}` are filled from `params`."""
    text = message
    if language in LANGUAGES and language != Language.en:
        for package in (*packages, KERNEL_PACKAGE):
            found = _lookup(package, message, language)
            if found is not None:
                text = found
                break
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return message.format(**params)
    return text


__all__ = ["DOMAIN", "N_", "_", "translate"]
