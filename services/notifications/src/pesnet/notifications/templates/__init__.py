"""Mail templates: Jinja2, one file per kind (`templates/<kind>.j2`) for the three
languages, with three blocks, `subject`, `text` and `html`. The mail's own words are
English messages in `_()` calls (`{{ _("Dear {name},", name=name) }}`): `make
translations` extracts them into `locale/messages.pot`, translators put the Arabic and
French in `locale/{ar,fr}/LC_MESSAGES/messages.po`, and `_` translates them into the
recipient's language when the mail is rendered. A block may call another one
(`{{ self.received() }}`) so that the text and HTML parts say a sentence once.

The HTML part is rendered with autoescape (a name like `<script>` or `{{ 7*7 }}` stays
text: Jinja never evaluates the values it inserts, and a message escapes the values it
is given unless they are markup the template made, like `strong(title)`); the
plain-text part and the subject without it. The HTML block is wrapped in one layout
that sets `lang` and `dir` (Arabic right-to-left).

A few things are said differently per language by rule rather than by a translator:
how running text cites a meeting's title (`meeting_ref`: English puts "the" before it,
French plain text quotes it, the HTML part sets it in bold; the quotes and how a date
joins its time are messages of the catalog), how a list is separated (`sep`), and
Arabic's preposition لـ joined to a name (`li`). Words of the platform's
vocabularies (a role, the side of a cooperation) are the kernel's terms
(`pesnet.shared.terms`), so a mail says them as a badge or the programme does.

`missing_translations()` lists every kind that lacks its template or a block, and every
message of the templates that lacks a finished Arabic or French translation; a unit test
and `scripts/check_languages.py` fail when it is not empty."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import BaseLoader, Environment, PackageLoader, StrictUndefined, TemplateNotFound
from markupsafe import Markup

from pesnet.notifications.domain.model import KINDS
from pesnet.shared.i18n import (
    LANGUAGES,
    Language,
    direction,
    fallback_chain,
    format_local_date,
    format_local_time,
)
from pesnet.shared.terms import COOPERATION_SIDES, NETWORK_NAME, ROLES, term
from pesnet.shared.translation import N_, in_language, translate, translated

PACKAGE = "pesnet.notifications"
BLOCKS = ("subject", "text", "html")
FOOTER = "_footer"


def _environment(autoescape: bool, loader: BaseLoader | None = None) -> Environment:
    return Environment(
        loader=loader or PackageLoader(PACKAGE, "templates"),
        # the plain-text environment renders subjects and text/plain parts, never HTML
        autoescape=autoescape,  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        extensions=["jinja2.ext.i18n"],
    )


_HTML = _environment(autoescape=True)
_TEXT = _environment(autoescape=False)


@dataclass(frozen=True)
class RenderedMail:
    kind: str
    language: Language
    subject: str
    text: str
    html: str


def template_name(kind: str) -> str:
    return f"{kind}.j2"


def _messages(env: Environment, name: str) -> set[str]:
    """The English messages a template says (what `make translations` extracts)."""
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    found: set[str] = set()
    for _line, _function, message in env.extract_translations(source):  # type: ignore[attr-defined]
        first = message[0] if isinstance(message, tuple) else message
        if isinstance(first, str):
            found.add(first)
    return found


def missing_translations(loader: BaseLoader | None = None) -> list[str]:
    """Every notification kind with a template that has subject, text and html blocks
    (the shared footer text and html), and every message of them translated into
    Arabic and French. Empty when complete. `loader` checks another template set
    (tests)."""
    env = _TEXT if loader is None else _environment(autoescape=False, loader=loader)
    missing: list[str] = []
    messages: set[str] = set()
    for kind in [*KINDS, FOOTER]:
        name = template_name(kind)
        try:
            template = env.get_template(name)
        except TemplateNotFound:
            missing.append(f"{name}: missing")
            continue
        wanted = ("text", "html") if kind == FOOTER else BLOCKS
        missing.extend(f"{name}: no {b} block" for b in wanted if b not in template.blocks)
        messages |= _messages(env, name)
    for language in LANGUAGES:
        if language is Language.en:
            continue
        missing.extend(
            f"{language}: not translated: {message!r}"
            for message in sorted(messages)
            if not translated(message, language, packages=(PACKAGE,))
        )
    return missing


def arabic_li(name: str) -> str:
    """The Arabic preposition لـ ("for, to") joined to a name: لـ + الوكالة is written
    للوكالة, an Arabic word takes it as a plain prefix, a Latin name after a tatweel."""
    name = name.strip()
    if name.startswith("ال"):
        return "لل" + name[2:]
    if name and "\u0600" <= name[0] <= "\u06ff":
        return "ل" + name
    return "لـ" + name


def english_article(title: str) -> str:
    """'the ' before a meeting's title in running English ("your registration for the
    4th Meeting of ..."), unless the title brings its own."""
    return "" if title.strip().lower().startswith("the ") else "the "


def _gettext(language: str, html: bool) -> Callable[..., str]:
    """`_` of the templates: the message in `language`, its `{names}` filled in (in
    the HTML part, escaped unless the template made them markup)."""
    packages = (PACKAGE,)

    def gettext(message: str, **params: Any) -> str:
        if not html:
            return translate(message, language, params, packages=packages)
        text = translate(message, language, packages=packages)
        values = {key: in_language(value, language) for key, value in params.items()}
        try:
            return Markup(text).format(**values)  # noqa: S704 - the catalog's own words
        except (KeyError, IndexError, ValueError):
            return Markup(message).format(**values)  # noqa: S704 - the template's words

    return gettext


@dataclass(frozen=True)
class _Helpers:
    """What a template calls besides `_`, for one language and the meeting's zone, in
    the plain-text or the HTML part."""

    language: str
    timezone: str
    html: bool

    def variables(self) -> dict[str, Any]:
        return {
            "_": _gettext(self.language, self.html),
            # the network's name (the kernel's term), a value of the messages that say it
            "network": NETWORK_NAME,
            "lang": self.language,
            "dir": direction(self.language),
            "sep": "، " if self.language == "ar" else ", ",
            "fmt_date": self.fmt_date,
            "fmt_datetime": self.fmt_datetime,
            "fmt_time": self.fmt_time,
            "strong": self.strong,
            "quoted": self.quoted,
            "meeting_ref": self.meeting_ref,
            "li": self.li,
            "role_label": self.role_label,
            "side_label": self.side_label,
        }

    def _said(self, message: str, **values: str) -> str:
        return translate(message, self.language, values, packages=(PACKAGE,))

    def fmt_date(self, value: date | None, fmt: str = "long") -> str:
        if not value:
            return ""
        text = format_local_date(value, self.language, fmt)
        if self.language == "fr" and value.day == 1 and fmt in ("long", "full"):
            # the first of the month is an ordinal in French: « 1er mars »
            text = re.sub(r"(?<!\d)1 ", "1er ", text, count=1)
        return text

    def fmt_datetime(self, value: datetime | None, fmt: str = "long") -> str:
        """A date and the local hour and minute (Babel's datetimes add seconds, and the
        long one an offset): "14 October 2025, 09:15", "14 octobre 2025 à 09:15"."""
        if value is None:
            return ""
        local = value.astimezone(ZoneInfo(self.timezone))
        day = self.fmt_date(local.date(), fmt)
        return self._said(N_("{date}, {time}"), date=day, time=self.fmt_time(value))

    def fmt_time(self, value: datetime | None) -> str:
        return format_local_time(value, self.timezone, self.language) if value else ""

    def strong(self, value: str) -> str:
        """Set in bold in the HTML part; as it is in plain text."""
        return Markup("<strong>{}</strong>").format(value) if self.html else value

    def quoted(self, value: str) -> str:
        """A title in running text: quoted in plain text, in bold in the HTML part."""
        if self.html:
            return self.strong(value)
        return self._said(N_("“{title}”"), title=value)

    def meeting_ref(self, title: str) -> str:
        """A meeting's title in running text: "the 4th Meeting ..." in English, « 4e
        réunion ... » in French plain text, in bold in the HTML part."""
        if self.language == "en":
            return english_article(title) + self.strong(title)
        return self.quoted(title) if self.language == "fr" else self.strong(title)

    def li(self, name: str) -> str:
        """A name after a preposition: Arabic joins لـ to it (للوكالة)."""
        return arabic_li(name) if self.language == "ar" else name

    def role_label(self, role: str) -> str:
        return term(ROLES, role).get(self.language)

    def side_label(self, side: str) -> Any:
        return term(COOPERATION_SIDES, side)


def _block(env: Environment, name: str, block: str, variables: dict[str, Any]) -> str:
    template = env.get_template(name)
    context = template.new_context(variables)
    return "".join(template.blocks[block](context))


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def render(
    kind: str, language: str, context: dict[str, Any], *, preferences_url: str
) -> RenderedMail:
    """Render a notice in `language` (a language the network does not work in: the
    first of the fallback chain, English)."""
    lang = fallback_chain(language)[0]
    name = template_name(kind)
    timezone = (context.get("meeting") or {}).get("timezone") or "UTC"
    common = {**context, "critical": KINDS[kind].critical, "preferences_url": preferences_url}
    plain = {**common, **_Helpers(lang, timezone, html=False).variables()}
    marked = {**common, **_Helpers(lang, timezone, html=True).variables()}
    subject = " ".join(_block(_TEXT, name, "subject", plain).split())
    text = _block(_TEXT, name, "text", plain)
    text += "\n\n" + _block(_TEXT, template_name(FOOTER), "text", plain)
    body = _block(_HTML, name, "html", marked)
    footer = _block(_HTML, template_name(FOOTER), "html", marked)
    html = _HTML.get_template("_layout.html.j2").render(
        lang=lang, dir=direction(lang), subject=subject, body=body, footer=footer
    )
    return RenderedMail(kind, lang, subject, _tidy_text(text), html)
