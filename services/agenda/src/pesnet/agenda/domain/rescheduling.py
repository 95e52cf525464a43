"""What changed when a meeting moved: its dates, venue or time zone, each from what to
what in the three languages (kept on the meeting for the audit page, and announced to
the confirmed people)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from pesnet.shared.i18n import LANGUAGES, Localized, format_local_date

# the details people holding a meeting's dates must hear of when they change
PLACE_FIELDS = ("start_date", "end_date", "timezone", "venue", "city")


class DetailChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: str
    was: Localized
    now: Localized


class Rescheduling(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: datetime
    changes: tuple[DetailChange, ...]


def place_changes(before: Any, after: Any) -> tuple[DetailChange, ...]:
    """What changed of `PLACE_FIELDS` between two states of a meeting."""
    return tuple(
        DetailChange(
            field=name, was=_shown(getattr(before, name)), now=_shown(getattr(after, name))
        )
        for name in PLACE_FIELDS
        if getattr(before, name) != getattr(after, name)
    )


def _shown(value: object) -> Localized:
    """A detail as each language writes it (a date in words, a text in that language)."""
    if value is None:
        return Localized.everywhere("—")
    if isinstance(value, Localized):
        return Localized(**{lang.value: value.get(lang) for lang in LANGUAGES})
    if isinstance(value, date):
        return Localized(
            **{lang.value: format_local_date(value, lang, "long") for lang in LANGUAGES}
        )
    return Localized.everywhere(str(value))
