"""The agenda's own words in the three languages, from its gettext catalog
(`locale/{ar,fr}/LC_MESSAGES/messages.po`): a text the domain composes once and keeps
(a changelog's summary, a session's notice, a meeting's standard title) is a message
of the catalog with its values filled in each language."""

from __future__ import annotations

from pesnet.shared.i18n import LANGUAGES, Localized
from pesnet.shared.translation import Term, localized

PACKAGE = "pesnet.agenda"


def said(message: str, **values: object) -> Localized:
    """`message` (marked `_()`) in ar, en and fr, its `{values}` filled in each (a
    `Localized` value or a `Term` in the same language)."""
    return localized(message, values, packages=(PACKAGE,))


def said_as(term: Term, **values: object) -> Localized:
    """A term of the agenda's catalog (marked `NC_(context, text, PACKAGE)`) in ar, en
    and fr, its `{values}` filled in each."""
    return localized(term.text, values, packages=(PACKAGE,), context=term.context)


def as_is(text: str) -> Localized:
    """A text that reads the same in every language (an id, a number)."""
    return Localized(**{language.value: text for language in LANGUAGES})
