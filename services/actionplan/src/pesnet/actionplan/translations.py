"""The language check's hook (`scripts/check_languages.py`): every fixed text of the
service (vocabulary labels, report texts) in ar, en and fr."""

from __future__ import annotations

from pesnet.actionplan.adapters.report import TEXT
from pesnet.actionplan.domain.labels import (
    ACTIVITY_STATUSES,
    ACTIVITY_TYPES,
    INDICATOR_STATES,
    PLAN_STATUSES,
    PRIORITIES,
)
from pesnet.actionplan.domain.model import default_title
from pesnet.shared.i18n import Localized
from pesnet.shared.terms import labels

TABLES: dict[str, dict[str, Localized]] = {
    "activity types": ACTIVITY_TYPES,
    "activity statuses": labels(ACTIVITY_STATUSES),
    "plan statuses": labels(PLAN_STATUSES),
    "indicator states": INDICATOR_STATES,
    "priorities": PRIORITIES,
    "report": TEXT,
    "plan title": {"default": default_title("2024-2026")},
}


def missing_translations() -> list[str]:
    return [
        f"{table}.{key}: missing {', '.join(text.missing())}"
        for table, texts in TABLES.items()
        for key, text in texts.items()
        if not text.complete
    ]
