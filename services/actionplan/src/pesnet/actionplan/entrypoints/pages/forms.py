"""A posted page form made into a use case's fields: what the JSON API's request bodies
check (pydantic) checked here by hand, each refusal naming its field (`InvalidInput`)
in the reader's language."""

from __future__ import annotations

import math
from typing import Any, cast
from urllib.parse import urlsplit

from pesnet.actionplan.domain.activities import ActivityType
from pesnet.actionplan.domain.consultation import OUTCOMES, STANCES, Outcome
from pesnet.actionplan.domain.cooperation import Answer
from pesnet.actionplan.domain.labels import ACTIVITY_TYPES, PRIORITIES
from pesnet.actionplan.domain.matching import Priority
from pesnet.shared.errors import InvalidInput
from pesnet.shared.forms import Upload
from pesnet.shared.i18n import Language, Localized
from pesnet.shared.translation import _

MAX_TEXT = 4000


def _text(values: dict[str, str], name: str, *, required: bool = False) -> str | None:
    value = values.get(name, "").strip()
    if not value:
        if required:
            raise InvalidInput(_("this field is required"), field=name)
        return None
    if len(value) > MAX_TEXT:
        raise InvalidInput(_("at most {count} characters"), field=name, params={"count": MAX_TEXT})
    if any(ch in value for ch in "\u202a\u202b\u202c\u202d\u202e\x00"):
        raise InvalidInput(_("this text holds a character that is not allowed"), field=name)
    return value


def _link(values: dict[str, str], name: str) -> str | None:
    value = _text(values, name)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise InvalidInput(_("a web address starting with https:// or http://"), field=name)
    return value


def _value(values: dict[str, str]) -> float | str:
    raw = _text(values, "actual_value", required=True) or ""
    try:
        number = float(raw.replace(",", "."))
    except ValueError:
        return raw
    if not math.isfinite(number):
        raise InvalidInput(_("a number, written with digits"), field="actual_value")
    return number


def progress_fields(values: dict[str, str], upload: Upload | None) -> dict[str, Any]:
    """A progress report: the indicator, the period, the value, a comment and its
    evidence (a text, a link, a file)."""
    return {
        "indicator_id": _text(values, "indicator_id", required=True) or "",
        "reporting_period": _text(values, "reporting_period", required=True) or "",
        "actual_value": _value(values),
        "comment": _text(values, "comment"),
        "evidence_text": _text(values, "evidence_text"),
        "evidence_url": _link(values, "evidence_url"),
        "evidence_file": upload,
        "resubmits": _text(values, "resubmits"),
    }


def comment_fields(values: dict[str, str]) -> dict[str, Any]:
    """A delegation's comment on a thematic area or an activity (`target`: `area:<id>`
    or `activity:<id>`)."""
    target = values.get("target", "")
    kind, _sep, ident = target.partition(":")
    if kind not in ("area", "activity") or not ident:
        raise InvalidInput(_("choose a thematic area or an activity"), field="target")
    stance = values.get("stance", "")
    if stance not in STANCES:
        raise InvalidInput(_("choose support, amend or object"), field="stance")
    return {
        "thematic_area": ident if kind == "area" else None,
        "activity_id": ident if kind == "activity" else None,
        "stance": stance,
        "text": _text(values, "text", required=True) or "",
        "proposed_text": _text(values, "proposed_text"),
        "needs": _text(values, "needs"),
        "capacities": _text(values, "capacities"),
    }


def answer_fields(values: dict[str, str]) -> tuple[Outcome, str]:
    outcome = values.get("outcome", "")
    if outcome not in OUTCOMES:
        raise InvalidInput(_("choose taken, partly taken or not taken"), field="outcome")
    return outcome, _text(values, "reason", required=True) or ""


def _formats(values: dict[str, str]) -> list[ActivityType]:
    chosen = values.get("format", "")
    if not chosen:
        return []
    if chosen not in ACTIVITY_TYPES:
        raise InvalidInput(_("choose a format of the list"), field="format")
    return [cast(ActivityType, chosen)]


def _topics(values: dict[str, str]) -> list[str]:
    raw = _text(values, "topics") or ""
    return [t.strip()[:80] for t in raw.split(",") if t.strip()][:20]


def _submission(values: dict[str, str], language: Language) -> dict[str, Any]:
    title = _text(values, "title", required=True) or ""
    return {
        "thematic_area": _text(values, "thematic_area", required=True) or "",
        "title": Localized.model_validate({language.value: title}),
        "topics": _topics(values),
        "formats": _formats(values),
        "languages": [language],
    }


def need_fields(values: dict[str, str], language: Language) -> dict[str, Any]:
    priority = values.get("priority", "")
    if priority not in PRIORITIES:
        raise InvalidInput(_("choose a priority"), field="priority")
    return {**_submission(values, language), "priority": cast(Priority, priority)}


def offer_fields(values: dict[str, str], language: Language) -> dict[str, Any]:
    raw = values.get("capacity", "1").strip() or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= 50:
        raise InvalidInput(_("a whole number from 1 to 50"), field="capacity")
    return {**_submission(values, language), "capacity": int(raw)}


def answer_of(values: dict[str, str]) -> Answer:
    answer = values.get("answer", "")
    if answer not in ("accepted", "declined"):
        raise InvalidInput(_("accept or decline"), field="answer")
    return cast(Answer, answer)
