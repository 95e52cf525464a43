"""User-facing labels in the three working languages (badges, check-in answers)."""

from __future__ import annotations

from pesnet.shared.i18n import Localized
from pesnet.shared.terms import ROLES, labels

# the roles as the badge prints them, in the three languages: the kernel's terms, so
# that a badge says a role as the mails, the programme and the errors do
ROLE_LABELS: dict[str, Localized] = labels(ROLES)

ALREADY_CHECKED_IN = Localized(
    ar="سُجّل الحضور مسبقًا في {time}",
    en="already checked in at {time}",
    fr="déjà enregistré à {time}",
)
CHECKED_IN = Localized(
    ar="تم تسجيل الحضور في {time}",
    en="checked in at {time}",
    fr="enregistré à {time}",
)
