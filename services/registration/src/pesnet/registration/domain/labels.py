"""User-facing labels in the three working languages (badges, check-in answers)."""

from __future__ import annotations

from pesnet.shared.i18n import Localized

ROLE_LABELS: dict[str, Localized] = {
    "head_of_delegation": Localized(
        ar="رئيس الوفد", en="Head of Delegation", fr="Chef de délégation"
    ),
    "delegate": Localized(ar="مندوب", en="Delegate", fr="Délégué"),
    "focal_point": Localized(ar="منسق وطني", en="National Focal Point", fr="Point focal national"),
    "speaker": Localized(ar="متحدث", en="Speaker", fr="Intervenant"),
    "moderator": Localized(ar="مدير الجلسة", en="Moderator", fr="Modérateur"),
    "observer": Localized(ar="مراقب", en="Observer", fr="Observateur"),
    "secretariat": Localized(ar="الأمانة", en="Secretariat", fr="Secrétariat"),
}

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
