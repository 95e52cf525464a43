"""Trilingual labels of the service's vocabularies (activity types, statuses, ...)."""

from __future__ import annotations

from pesnet.shared import terms
from pesnet.shared.i18n import Localized
from pesnet.shared.translation import NC_, Term

PACKAGE = "pesnet.actionplan"


def L(ar: str, en: str, fr: str) -> Localized:
    return Localized(ar=ar, en=en, fr=fr)


ACTIVITY_TYPES: dict[str, Localized] = {
    "training_programme": L("برنامج تدريبي", "Training programme", "Programme de formation"),
    "workshop": L("ورشة عمل", "Workshop", "Atelier"),
    "webinar": L("ندوة عبر الإنترنت", "Webinar", "Webinaire"),
    "study_visit": L("زيارة دراسية", "Study visit", "Visite d'étude"),
    "expert_exchange": L("تبادل الخبراء", "Expert exchange", "Échange d'experts"),
    "study_report": L("دراسة / تقرير", "Study / report", "Étude / rapport"),
    "peer_learning": L("التعلم من الأقران", "Peer learning", "Apprentissage entre pairs"),
}

# the contract's activity statuses are the kernel's terms (a report says them as the
# errors do); a plan's statuses are this service's own vocabulary, in its catalog
ACTIVITY_STATUSES: dict[str, Term] = {str(k): v for k, v in terms.ACTIVITY_STATUSES.items()}

PLAN_STATUSES: dict[str, Term] = {
    "draft": NC_("plan status", "Draft", PACKAGE),
    "adopted": NC_("plan status", "Adopted", PACKAGE),
    "closed": NC_("plan status", "Closed", PACKAGE),
}

INDICATOR_STATES: dict[str, Localized] = {
    "on_track": L("على المسار الصحيح", "On track", "En bonne voie"),
    "off_track": L("متأخر", "Off track", "En retard"),
    "no_data": L("لا توجد بيانات", "No data", "Pas de données"),
    "no_target": L("بدون هدف", "No target", "Sans cible"),
    "reported": L("تم الإبلاغ", "Reported", "Renseigné"),
}

PRIORITIES: dict[str, Localized] = {
    "high": L("عالية", "high", "haute"),
    "medium": L("متوسطة", "medium", "moyenne"),
    "low": L("منخفضة", "low", "basse"),
}
