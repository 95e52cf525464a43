"""Mail templates: Jinja2, one file per (language, kind) under `templates/<lang>/<kind>.j2`
with three blocks, `subject`, `text` and `html`. The HTML part is rendered with
autoescape (a name like `<script>` or `{{ 7*7 }}` stays text: Jinja never
evaluates the values it inserts); the plain-text part and the subject without it.
The HTML block is wrapped in one layout that sets `lang` and `dir`.

`missing_translations()` lists every (kind, language) that lacks a template or a
block; a unit test and `scripts/check_languages.py` fail when it is not empty."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import BaseLoader, Environment, PackageLoader, StrictUndefined, TemplateNotFound

from pesnet.notifications.domain.model import KINDS
from pesnet.shared.i18n import (
    LANGUAGES,
    Language,
    Localized,
    direction,
    fallback_chain,
    format_local_date,
    format_local_time,
)

BLOCKS = ("subject", "text", "html")
# between a long date and its time: "14 October 2025, 09:15", "14 octobre 2025 à 09:15"
_AT = {"ar": "، ", "en": ", ", "fr": " à "}

ROLE_LABELS: dict[str, Localized] = {
    "head_of_delegation": Localized(
        ar="رئيس الوفد", en="head of delegation", fr="chef de délégation"
    ),
    "delegate": Localized(ar="مندوب", en="delegate", fr="délégué"),
    "focal_point": Localized(
        ar="نقطة اتصال وطنية", en="national focal point", fr="point focal national"
    ),
    "speaker": Localized(ar="متحدث", en="speaker", fr="intervenant"),
    "moderator": Localized(ar="مدير جلسة", en="moderator", fr="modérateur"),
    "observer": Localized(ar="مراقب", en="observer", fr="observateur"),
    "secretariat": Localized(ar="الأمانة", en="secretariat", fr="secrétariat"),
}


def _environment(autoescape: bool) -> Environment:
    return Environment(
        loader=PackageLoader("pesnet.notifications", "templates"),
        # the plain-text environment renders subjects and text/plain parts, never HTML
        autoescape=autoescape,  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
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


def template_name(language: str, kind: str) -> str:
    return f"{language}/{kind}.j2"


def available(language: str, kind: str) -> bool:
    try:
        template = _TEXT.get_template(template_name(language, kind))
    except TemplateNotFound:
        return False
    return all(block in template.blocks for block in BLOCKS)


def missing_translations(loader: BaseLoader | None = None) -> list[str]:
    """Every notification kind in ar, en and fr, with subject, text and html blocks
    (and the shared footer per language). Empty when complete. `loader` checks
    another template set (tests)."""
    env = _TEXT if loader is None else Environment(loader=loader, autoescape=True)
    missing: list[str] = []
    for kind in [*KINDS, "_footer"]:
        for language in LANGUAGES:
            name = template_name(language, kind)
            try:
                template = env.get_template(name)
            except TemplateNotFound:
                missing.append(f"{name}: missing")
                continue
            wanted = ("text", "html") if kind == "_footer" else BLOCKS
            missing.extend(f"{name}: no {b} block" for b in wanted if b not in template.blocks)
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


def _helpers(language: str, timezone: str) -> dict[str, Any]:
    def fmt_date(value: date | None, fmt: str = "long") -> str:
        if not value:
            return ""
        text = format_local_date(value, language, fmt)
        if language == "fr" and value.day == 1 and fmt in ("long", "full"):
            # the first of the month is an ordinal in French: « 1er mars »
            text = re.sub(r"(?<!\d)1 ", "1er ", text, count=1)
        return text

    def fmt_datetime(value: datetime | None, fmt: str = "long") -> str:
        if value is None:
            return ""
        # a date and the local hour and minute (Babel's datetimes add seconds, and the
        # long one an offset)
        local = value.astimezone(ZoneInfo(timezone))
        day = fmt_date(local.date(), fmt)
        return f"{day}{_AT.get(language, ', ')}{format_local_time(value, timezone, language)}"

    def fmt_time(value: datetime | None) -> str:
        return format_local_time(value, timezone, language) if value else ""

    def role_label(role: str) -> str:
        label = ROLE_LABELS.get(role)
        return label.get(language) if label else role

    return {
        "lang": language,
        "dir": direction(language),
        "fmt_date": fmt_date,
        "fmt_datetime": fmt_datetime,
        "fmt_time": fmt_time,
        "role_label": role_label,
        "li": arabic_li,
        "article": english_article,
    }


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
    """Render a notice in `language`, or the first language of the fallback chain
    (then en, fr, ar) that has the template."""
    for lang in fallback_chain(language):
        if available(lang, kind):
            break
    else:
        raise LookupError(f"no template for {kind} in any language")
    timezone = (context.get("meeting") or {}).get("timezone") or "UTC"
    variables = {
        **context,
        **_helpers(lang, timezone),
        "critical": KINDS[kind].critical,
        "preferences_url": preferences_url,
    }
    name = template_name(lang, kind)
    subject = " ".join(_block(_TEXT, name, "subject", variables).split())
    text = _block(_TEXT, name, "text", variables)
    text += "\n\n" + _block(_TEXT, template_name(lang, "_footer"), "text", variables)
    body = _block(_HTML, name, "html", variables)
    footer = _block(_HTML, template_name(lang, "_footer"), "html", variables)
    html = _HTML.get_template("_layout.html.j2").render(
        lang=lang, dir=direction(lang), subject=subject, body=body, footer=footer
    )
    return RenderedMail(kind, lang, subject, _tidy_text(text), html)
