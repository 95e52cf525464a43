"""Trilingual labels of the service's vocabularies (activity types, statuses, ...)."""

from __future__ import annotations

from pesnet.shared.i18n import Localized


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

ACTIVITY_STATUSES: dict[str, Localized] = {
    "planned": L("مخطط", "Planned", "Prévue"),
    "ongoing": L("جارٍ", "Ongoing", "En cours"),
    "completed": L("منجز", "Completed", "Achevée"),
    "postponed": L("مؤجل", "Postponed", "Reportée"),
    "cancelled": L("ملغى", "Cancelled", "Annulée"),
}

PLAN_STATUSES: dict[str, Localized] = {
    "draft": L("مشروع", "Draft", "Projet"),
    "adopted": L("معتمدة", "Adopted", "Adopté"),
    "closed": L("مختتمة", "Closed", "Clôturé"),
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
