"""Languages: localized values {ar, en, fr}, the fallback chain, text direction and
Babel date/time formatting in a meeting's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import (
    format_date,
    format_datetime,
    format_time,
    format_timedelta,
    get_timezone_location,
)
from pydantic import BaseModel, ConfigDict, Field


class Language(StrEnum):
    """The network's three working languages (a `str`: `Language.ar == "ar"`)."""

    ar = "ar"
    en = "en"
    fr = "fr"


LANGUAGES: tuple[Language, ...] = tuple(Language)
FALLBACK_ORDER: tuple[Language, ...] = (Language.en, Language.fr, Language.ar)

# Babel locales: Arabic as written in Morocco would use Latin digits (ar_MA); the
# network's common Arabic register is Modern Standard Arabic, so plain `ar`.
BABEL_LOCALE: dict[str, str] = {"ar": "ar", "en": "en_GB", "fr": "fr_FR"}


def fallback_chain(language: str) -> list[Language]:
    """The requested language, then en, fr, ar (each once)."""
    chain: list[Language] = []
    if language in LANGUAGES:
        chain.append(Language(language))
    chain.extend(lang for lang in FALLBACK_ORDER if lang not in chain)
    return chain


def list_separator(language: str) -> str:
    """How `language` separates the items of a list: Arabic with its own comma (،)."""
    return "، " if language == "ar" else ", "


def direction(language: str) -> Literal["rtl", "ltr"]:
    return "rtl" if language == "ar" else "ltr"


class Localized(BaseModel):
    """A user-facing text in the three working languages of the network."""

    model_config = ConfigDict(frozen=True)

    ar: str | None = Field(default=None, max_length=5000)
    en: str | None = Field(default=None, max_length=5000)
    fr: str | None = Field(default=None, max_length=5000)

    def get(self, language: str) -> str:
        for lang in fallback_chain(language):
            value = getattr(self, lang)
            if value:
                return str(value)
        return ""

    def missing(self) -> list[Language]:
        return [lang for lang in LANGUAGES if not (getattr(self, lang) or "").strip()]

    @property
    def complete(self) -> bool:
        return not self.missing()

    @classmethod
    def everywhere(cls, text: str) -> Localized:
        """A text that reads the same in every language (an id, a number)."""
        return cls(**{language.value: text for language in LANGUAGES})


def format_local_date(value: date, language: str, fmt: str = "full") -> str:
    return format_date(value, format=fmt, locale=BABEL_LOCALE.get(language, "en_GB"))


def format_local_datetime(value: datetime, tz: str, language: str, fmt: str = "full") -> str:
    """A UTC (aware) instant shown in the meeting's zone (e.g. Africa/Casablanca)."""
    return format_datetime(
        value,
        format=fmt,
        tzinfo=ZoneInfo(tz),
        locale=BABEL_LOCALE.get(language, "en_GB"),
    )


def localized_date(value: date, fmt: str = "long") -> Localized:
    """A date as a reader of each language writes it ("14 October 2025", "14 أكتوبر 2025")."""
    return Localized(
        **{lang.value: format_local_date(value, lang.value, fmt) for lang in LANGUAGES}
    )


def localized_zone(tz: str) -> Localized:
    """A time zone as a reader of each language names it ("Türkiye Time", "توقيت تركيا"),
    never its tz database id."""
    return Localized(
        **{
            lang.value: get_timezone_location(ZoneInfo(tz), locale=BABEL_LOCALE[lang.value])
            for lang in LANGUAGES
        }
    )


def localized_moment(value: datetime, tz: str) -> Localized:
    """An instant as a reader of each language reads it in a meeting's zone: the day,
    the time and the zone's name ("20 February 2024, 09:00 (Morocco Time)",
    "20 فبراير 2024، 9:00 ص (توقيت المغرب)"), never an ISO timestamp."""
    day = value.astimezone(ZoneInfo(tz)).date()
    zone = localized_zone(tz)
    return Localized(
        **{
            lang.value: f"{format_local_date(day, lang.value, 'long')}{list_separator(lang)}"
            f"{format_local_time(value, tz, lang.value)} ({zone.get(lang)})"
            for lang in LANGUAGES
        }
    )


def format_local_time(value: datetime, tz: str, language: str, fmt: str = "short") -> str:
    return format_time(
        value,
        format=fmt,
        tzinfo=ZoneInfo(tz),
        locale=BABEL_LOCALE.get(language, "en_GB"),
    )


def format_wait(seconds: float) -> Localized:
    """A wait rounded up to whole minutes (at least one), in the words of each language
    with its plurals ("15 minutes", "15 دقيقة", "دقيقتان")."""
    minutes = max(1, -(-int(seconds) // 60))
    return Localized(
        **{
            lang.value: format_timedelta(
                timedelta(minutes=minutes),
                granularity="minute",
                threshold=2,
                locale=BABEL_LOCALE[lang.value],
            )
            for lang in LANGUAGES
        }
    )


def negotiate_language(requested: str | None, accept_language: str | None) -> Language:
    """The language to answer in: an explicit `?lang=` wins, then the best of the
    `Accept-Language` header (quality values honoured, `fr-MA` counts as `fr`), then en."""
    if requested and requested[:2].lower() in LANGUAGES:
        return Language(requested[:2].lower())
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip()[:2].lower()
        if primary not in LANGUAGES:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        candidate = (quality, -position, Language(primary))
        if best is None or candidate > best:
            best = candidate
    return best[2] if best else Language.en
