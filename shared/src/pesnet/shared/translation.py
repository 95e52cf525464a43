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
filled in after translation, so a translator can move them. A value that is itself a
word of the platform's vocabulary (a `Term`, see `pesnet.shared.terms`) or a text in
three languages (`Localized`) is put in the same language as the message.

A `Term` is one word of a vocabulary with its gettext context (`msgctxt`), marked
`NC_("role", "Moderator")`: the context keeps a role apart from a status or a label
spelled the same in English, and tells the translator what the word names.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from pesnet.shared.i18n import LANGUAGES, Language, Localized

DOMAIN = "messages"
KERNEL_PACKAGE = "pesnet.shared"


def N_(message: str) -> str:
    """Mark a text for extraction without translating it here."""
    return message


def _(message: str) -> str:
    """Mark a text for extraction; it is translated where it is shown (`translate`)."""
    return message


def localized(
    message: str,
    params: Mapping[str, Any] | None = None,
    *,
    packages: tuple[str, ...] = (),
    context: str | None = None,
) -> Localized:
    """A message of the catalogs in the three languages at once, its values filled in
    each (a `Term` or a `Localized` value in the same language): a label that a
    renderer or a badge takes as a `Localized`, or a text composed once and kept in
    three languages (a changelog's summary, a default title)."""
    return Localized(
        **{
            lang.value: translate(message, lang, params, packages=packages, context=context)
            for lang in LANGUAGES
        }
    )


class Wording:
    """A package's own words composed in the three languages from its catalog: a text
    the code composes once and keeps in three languages (a changelog's summary, a
    default title, a notice) is a message marked `_()` with its `{values}` filled in
    each language (a `Localized` value or a `Term` in the same language)."""

    def __init__(self, package: str) -> None:
        self.package = package

    def said(self, message: str, **values: object) -> Localized:
        return localized(message, values, packages=(self.package,))

    def said_as(self, term: Term, **values: object) -> Localized:
        """A term of the package's catalog (marked `NC_(context, text, package)`)."""
        return localized(term.text, values, packages=(self.package,), context=term.context)


class Term(str):
    """A word of one of the platform's vocabularies (a role, a status, ...): its English
    text (the `str` value, so logs and English answers read it), and the gettext
    context that names the vocabulary. `get(language)` is the word as a label
    ("Moderator"); inside a message it reads in lower case in English and French
    ("the registration is withdrawn")."""

    context: str
    # the package whose catalog has it (None: the kernel's, the contract's vocabularies)
    package: str | None

    def __new__(cls, context: str, text: str, package: str | None = None) -> Term:
        term = super().__new__(cls, text)
        term.context = context
        term.package = package
        return term

    @property
    def text(self) -> str:
        return str.__str__(self)

    def get(self, language: str) -> str:
        """The word as a label in `language` (from the kernel's catalog)."""
        packages = (self.package,) if self.package else ()
        return translate(self.text, language, packages=packages, context=self.context)

    def inline(self, language: str) -> str:
        """The word inside a sentence: the label without its capital (not in Arabic)."""
        label = self.get(language)
        return label[:1].lower() + label[1:] if label[:1].isupper() else label

    def localized(self) -> Localized:
        return Localized(**{lang.value: self.get(lang) for lang in LANGUAGES})

    def __reduce__(self) -> tuple[Any, ...]:
        return (Term, (self.context, self.text, self.package))


class ProperName(Term):
    """A term that is a proper name (the network's): it keeps its capitals inside a
    sentence, in English and French as in Arabic."""

    def inline(self, language: str) -> str:
        return self.get(language)

    def __reduce__(self) -> tuple[Any, ...]:
        return (ProperName, (self.context, self.text, self.package))


def proper_name(term: Term) -> ProperName:
    """A term marked `NC_(context, text)`, said as a proper name."""
    return ProperName(term.context, term.text, term.package)


class Message(str):
    """An English message with its values, to be said later in someone's language (a
    use case's answer that a page or the API shows): the `str` value is the English
    text with its values (for logs, events and English answers); `get(language,
    packages=...)` translates the message first, then fills them in."""

    text: str
    params: dict[str, Any]

    def __new__(cls, text: str, params: Mapping[str, Any] | None = None) -> Message:
        values = dict(params or {})
        english = translate(text, Language.en, values)
        message = super().__new__(cls, english)
        message.text = text
        message.params = values
        return message

    def get(self, language: str, *, packages: tuple[str, ...] = ()) -> str:
        return translate(self.text, language, self.params, packages=packages)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message, (self.text, self.params))


def NC_(context: str, message: str, package: str | None = None) -> Term:
    """Mark a word of a vocabulary for extraction, with its context (`msgctxt`); a
    service's own vocabulary names its package (whose catalog translates it)."""
    return Term(context, message, package)


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


def _lookup(package: str, message: str, language: str, context: str | None) -> str | None:
    catalog = _catalog(package, language)
    if catalog is None:
        return None
    entry = catalog.get(message, context=context)
    if entry is None or entry.fuzzy or not entry.string:
        return None
    return str(entry.string)


def translated(
    message: str, language: str, *, packages: tuple[str, ...] = (), context: str | None = None
) -> bool:
    """Whether a catalog has a finished `language` translation of `message` (English,
    the source language, always has)."""
    if language == Language.en:
        return True
    return any(
        _lookup(package, message, language, context) is not None
        for package in (*packages, KERNEL_PACKAGE)
    )


def in_language(value: Any, language: str) -> Any:
    """A message's value as it reads in `language`: a `Term` inside the sentence, a
    `Localized` text in that language, anything else as it is."""
    if isinstance(value, Term):
        return value.inline(language)
    if isinstance(value, Localized):
        return value.get(language)
    return value


def translate(
    message: str,
    language: str,
    params: Mapping[str, Any] | None = None,
    *,
    packages: tuple[str, ...] = (),
    context: str | None = None,
) -> str:
    """`message` in `language`: the first of `packages`' catalogs (then the kernel's)
    that has it, else the English text; then `{names}` are filled from `params`."""
    text = message
    if language in LANGUAGES and language != Language.en:
        for package in (*packages, KERNEL_PACKAGE):
            found = _lookup(package, message, language, context)
            if found is not None:
                text = found
                break
    if params:
        values = {key: in_language(value, language) for key, value in params.items()}
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return message.format(**values)
    return text


@cache
def _plural_rule(package: str, language: str) -> Callable[[int], int] | None:
    """The catalog's plural rule (its `Plural-Forms` header: Arabic has six forms)."""
    catalog = _catalog(package, language)
    if catalog is None:
        return None
    return gettext_module.c2py(catalog.plural_expr)


def ngettext(
    singular: str,
    plural: str,
    n: int,
    language: str,
    params: Mapping[str, Any] | None = None,
    *,
    packages: tuple[str, ...] = (),
) -> str:
    """The form of a counted message that `n` takes in `language`, by the plural rule of
    the catalog that has it (English: singular for 1); `{n}` and `params` filled in."""
    text = singular if n == 1 else plural
    if language in LANGUAGES and language != Language.en:
        for package in (*packages, KERNEL_PACKAGE):
            catalog = _catalog(package, language)
            rule = _plural_rule(package, language)
            entry = catalog.get(singular) if catalog is not None else None
            if entry is None or rule is None or entry.fuzzy:
                continue
            forms = entry.string if isinstance(entry.string, (tuple, list)) else (entry.string,)
            form = forms[min(rule(n), len(forms) - 1)]
            if isinstance(form, str) and form:
                text = form
                break
    values = {
        key: in_language(value, language) for key, value in {"n": n, **(params or {})}.items()
    }
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return (singular if n == 1 else plural).format(**values)


__all__ = [
    "DOMAIN",
    "NC_",
    "N_",
    "Message",
    "ProperName",
    "Term",
    "Wording",
    "_",
    "in_language",
    "localized",
    "ngettext",
    "proper_name",
    "translate",
    "translated",
]
